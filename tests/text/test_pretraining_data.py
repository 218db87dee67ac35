import collections
import json
import tracemalloc

import numpy as np
import pytest
import tensorflow as tf

from keras_albert.text import corpus
from keras_albert.text.corpus import file_documents, find_files, read_documents
from keras_albert.text.masking import masking_vocabulary
from keras_albert.text.pretraining_data import create_instances, pretraining_dataset
from keras_albert.text.special_tokens import SpecialTokenIds, special_token_ids

LENGTH = 24
SPECIALS = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]
ALBERT = special_token_ids(SPECIALS)  # 0..4


def test_formats(tmp_path):
    (tmp_path / "a.txt").write_text("One.\nTwo.\n\nThree.\n")
    assert read_documents(tmp_path / "a.txt")[0] == [["One.", "Two."], ["Three."]]
    (tmp_path / "b.txt").write_text("One. Two! Three?\nFour.\n\nFive.")
    assert read_documents(tmp_path / "b.txt", "plain")[0] == [
        ["One.", "Two!", "Three?", "Four."], ["Five."]]
    (tmp_path / "c.jsonl").write_text(json.dumps({"text": "A b. C d."}) + "\n{bad\n")
    documents, report = read_documents(tmp_path / "c.jsonl", "jsonl")
    assert documents == [["A b.", "C d."]] and report["bad_jsonl_lines"] == 1


def test_bad_corpora_are_skipped_with_counts(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\t\n")
    (tmp_path / "broken.txt").write_bytes(b"caf\xe9 au lait\nfine line\nnul\x00here\n")
    (tmp_path / "long.txt").write_text("word " * 2_000_000)  # a 10 MB line
    documents, report = read_documents(tmp_path)
    assert report["files_without_text"] == 2 and report["invalid_utf8_lines"] == 1
    assert report["nul_bytes"] == 1 and report["long_lines_split"] == 1
    assert ["fine line", "nulhere"] in documents
    assert max(len(s) for doc in documents for s in doc) <= 20000


def test_unusable_corpora_are_clear_errors(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"\n \n")
    with pytest.raises(ValueError, match="No text in the corpus"):
        read_documents(tmp_path / "empty.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(ValueError, match="No text files .* input='.*sub'"):
        read_documents(tmp_path / "sub")
    with pytest.raises(ValueError, match="input_format='csv'"):
        read_documents(tmp_path / "empty.txt", "csv")


def counting_encoder():
    """Each sentence "k" encodes to ids [k*10+5 .. k*10+5+k%4], so order is visible."""
    return lambda sentence: list(range(int(sentence) * 10 + 5, int(sentence) * 10 + 6
                                       + int(sentence) % 4))


def test_sentence_order_pairs():
    documents = [[str(k) for k in range(d * 20, d * 20 + 20)] for d in range(30)]
    documents.append(["600"])  # one sentence: split inside it
    instances = create_instances(documents, counting_encoder(), LENGTH, ALBERT, seed=1)
    labels = instances["sop_labels"]
    assert 0.35 < labels.mean() < 0.65
    for ids, segments, label in zip(instances["token_ids"], instances["segment_ids"],
                                    labels):
        real = ids[ids > 0]
        assert real[0] == 2 and real[-1] == 3 and len(real) <= LENGTH
        a = ids[(segments == 0) & (ids > 3)]
        b = ids[(segments == 1) & (ids > 3)]
        assert len(a) and len(b)
        assert (a.max() < b.min()) == (label == 0)  # 0 = original order


def test_dataset_is_static_seeded_and_resumable():
    documents = [[str(k) for k in range(d * 20, d * 20 + 20)] for d in range(10)]
    instances = create_instances(documents, counting_encoder(), LENGTH, ALBERT)
    # 2100 ids, above every id of the encoder.
    vocabulary = masking_vocabulary([*SPECIALS, *map(str, range(5, 2100))],
                                    word_starts=tf.ones([2100], tf.bool))
    dataset = pretraining_dataset(instances, 4, vocabulary, seed=3, max_predictions=5)
    batches = list(dataset.take(6))
    x, y, weights = batches[0]
    assert x["token_ids"].shape == (4, LENGTH) and x["mask_positions"].shape == (4, 5)
    assert dataset.element_spec[0]["token_ids"].shape == (4, LENGTH)
    resumed = next(iter(pretraining_dataset(instances, 4, vocabulary, seed=3,
                                            max_predictions=5, start_step=5)))
    for key in x:
        np.testing.assert_array_equal(resumed[0][key], batches[5][0][key])
    other_seed = next(iter(pretraining_dataset(instances, 4, vocabulary, seed=4,
                                               max_predictions=5)))
    assert not np.array_equal(other_seed[0]["token_ids"], x["token_ids"])


def test_a_corpus_without_pairs_is_a_clear_error():
    with pytest.raises(ValueError, match="no sentence pairs"):
        create_instances([["a"], ["b"]], lambda sentence: [7], LENGTH, ALBERT)


def test_pairs_are_packed_with_the_vocabularys_own_ids():
    # A WordPiece layout ([CLS] 101, [SEP] 102) padded with an id that is not 0.
    special = SpecialTokenIds(pad=9, unk=100, cls=101, sep=102, mask=103)
    documents = [[str(k) for k in range(d * 20, d * 20 + 20)] for d in range(4)]
    instances = create_instances(documents, counting_encoder(), LENGTH, special, seed=2)
    for ids, mask in zip(instances["token_ids"], instances["padding_mask"]):
        real = ids[mask == 1]
        assert real[0] == 101 and real[-1] == 102 and (real == 102).sum() == 2
        assert (ids[mask == 0] == 9).all() and mask[:len(real)].all()


def test_reading_a_huge_line_holds_a_document_not_the_line(tmp_path):
    path = tmp_path / "long.txt"
    with open(path, "wb") as file:  # a 30 MB line, no newline, then a short document
        file.write(b"word " * 6_000_000 + b"\n\nlast one.\n")
    report = collections.Counter()
    tracemalloc.start()
    documents = sizes = 0
    for document in file_documents(str(path), "sentences", report):
        documents += 1
        sizes = max(sizes, sum(map(len, document)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert documents == 31 and sizes <= 1_020_000  # cut into documents of 1M characters
    assert report["long_lines_split"] == 1 and report["documents_split"] == 29
    assert peak < 8_000_000, peak


def test_a_jsonl_line_past_the_limit_is_skipped_and_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_JSONL_BYTES", 1000)
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"text": "x " * 2000}) + "\n" + json.dumps({"text": "Ok. Fine."}))
    report = collections.Counter()
    assert list(file_documents(str(path), "jsonl", report)) == [["Ok.", "Fine."]]
    assert report["jsonl_lines_too_long"] == 1


def test_a_glob_names_files_in_sorted_order(tmp_path):
    for name in ("b.txt", "a.txt", "c.md"):
        (tmp_path / name).write_text("One.\n")
    assert find_files(str(tmp_path / "*.txt")) == [str(tmp_path / "a.txt"),
                                                  str(tmp_path / "b.txt")]
