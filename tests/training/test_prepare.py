import json
import pydoc_data.topics
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from keras_albert.text.corpus import read_documents
from keras_albert.text.pretraining_data import create_instances
from keras_albert.text.pretraining_examples import parse_example
from keras_albert.text.segmenters import load_segmenter, segmented_encoder
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.training.prepare import prepare
from keras_albert.training.shard_manifest import read_manifest, read_shards
from tests.text.test_segmenters import TEXTS, VOCABULARY

LENGTH = 64


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, corpus):
    """Six files of Python's help topics in the `sentences` format (a sentence a
    line, a blank line between topics), and the 400-piece vocabulary."""
    _, vocabulary = corpus
    directory = tmp_path_factory.mktemp("sharded")
    topics = list(pydoc_data.topics.topics.values())[:90]
    for part in range(6):
        documents = ["\n".join(s for s in " ".join(topic.split()).split(". ") if s)
                     for topic in topics[part * 15:(part + 1) * 15]]
        (directory / f"part-{part}.txt").write_text("\n\n".join(documents))
    return directory, vocabulary


def parsed_rows(paths, length, pad, word_starts=False):
    """The records of `paths` parsed, as a list of dicts of numpy arrays."""
    dataset = tf.data.TFRecordDataset([str(path) for path in paths]).map(
        lambda record: parse_example(record, length, pad, word_starts))
    return list(dataset.as_numpy_iterator())


def shard_bytes(out):
    return {path.name: path.read_bytes() for path in sorted(out.glob("*.tfrecord"))}


def run(corpus, out, **kwargs):
    directory, vocabulary = corpus
    settings = dict(sequence_length=LENGTH, shards=3, validation_fraction=0.1,
                    task_bytes=40_000, log=lambda line: None)
    return prepare(str(directory / "part-*.txt"), vocabulary, out, **{**settings, **kwargs})


def test_the_same_shards_whatever_the_workers_or_the_runner(corpus, tmp_path):
    one = run(corpus, tmp_path / "one", workers=1)
    two = run(corpus, tmp_path / "two", workers=2)
    beam = run(corpus, tmp_path / "beam", runner="DirectRunner")
    assert len(one["splits"]["train"]["shards"]) == 3
    assert one["splits"]["validation"]["examples"] > 0
    reference = shard_bytes(tmp_path / "one")
    assert len(reference) == 4
    assert shard_bytes(tmp_path / "two") == reference
    assert shard_bytes(tmp_path / "beam") == reference
    assert one == two == beam
    other_seed = run(corpus, tmp_path / "seed", workers=1, seed=1)
    assert shard_bytes(tmp_path / "seed") != reference
    documents = sum(1 for path in corpus[0].glob("part-*.txt")
                    for document in path.read_text().split("\n\n") if document.strip())
    assert other_seed["report"]["documents"] == one["report"]["documents"] == documents


def test_records_are_packed_pairs_the_manifest_counts(corpus, tmp_path):
    manifest = run(corpus, tmp_path, workers=1, dupe_factor=2)
    tokenizer = load_tokenizer(tmp_path / "vocabulary")
    special = tokenizer.special_tokens
    _, files = read_shards(tmp_path, tokenizer, LENGTH)
    # A pattern matching everything (manifest.json, vocabulary/) means the shards.
    assert read_shards(str(tmp_path / "*"))[1] == files
    for split, paths in files.items():
        rows = parsed_rows(paths, LENGTH, special.pad)
        assert len(rows) == manifest["splits"][split]["examples"]
        labels = []
        for row in rows:
            ids, segments = row["token_ids"], row["segment_ids"]
            real = ids[row["padding_mask"] == 1]
            assert real[0] == special.cls and real[-1] == special.sep
            assert (real == special.sep).sum() == 2
            first_b = int(np.argmax(segments))
            assert ids[first_b - 1] == special.sep and segments[0] == 0
            labels.append(int(row["sop_labels"]))
        if split == "train":
            assert 0.35 < np.mean(labels) < 0.65
    assert manifest["settings"]["dupe_factor"] == 2
    assert manifest["vocabulary"]["vocabulary_size"] == 400


def test_bad_lines_are_counted_and_memory_is_bounded_by_a_line_piece(corpus, tmp_path):
    _, vocabulary = corpus
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_bytes(b"caf\xe9 au lait\nGood sentence one.\nnul\x00here two.\n"
                                b"\nAnother document here.\nAnd its second line.\n")
    (bad / "empty.txt").write_bytes(b"")
    with open(bad / "long.txt", "wb") as file:  # a 30 MB line, no newline
        file.write(b"word " * 6_000_000)
    manifest = prepare(str(bad / "*.txt"), vocabulary, tmp_path / "out", workers=1,
                       sequence_length=LENGTH, log=lambda line: None)
    skipped = manifest["report"]["skipped"]
    assert skipped["invalid_utf8_lines"] == 1 and skipped["nul_bytes"] == 1
    assert skipped["long_lines_split"] == 1 and skipped["files_without_text"] == 1
    assert skipped["documents_split"] >= 29  # a document cut every million characters
    assert manifest["report"]["documents"] >= 31
    assert read_manifest(tmp_path / "out") == manifest


def test_unusable_inputs_are_one_line_errors(corpus, tmp_path):
    _, vocabulary = corpus
    with pytest.raises(ValueError, match="No files match the pattern. Received: input="):
        prepare(str(tmp_path / "nothing-*.txt"), vocabulary, tmp_path / "out")
    (tmp_path / "blank.txt").write_text("\n \n")
    with pytest.raises(ValueError, match="No sentence pairs in the corpus"):
        prepare(str(tmp_path / "blank.txt"), vocabulary, tmp_path / "out", workers=1)
    assert not (tmp_path / "out" / "manifest.json").exists()
    with pytest.raises(ValueError, match="Received: workers=0"):
        prepare(str(tmp_path / "blank.txt"), vocabulary, tmp_path / "out", workers=0)
    run(corpus, tmp_path / "done", workers=1)
    with pytest.raises(ValueError, match="already holds prepared shards"):
        run(corpus, tmp_path / "done", workers=1)


def test_a_rerun_clears_what_an_interrupted_one_left(corpus, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "train-00007-of-00009.tfrecord").write_bytes(b"half")  # no manifest: unfinished
    (out / ".scratch-dead").mkdir()
    (out / "notes.txt").write_text("the user's own file stays")
    run(corpus, out, workers=1)
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", "notes.txt", "train-00000-of-00003.tfrecord", "train-00001-of-00003.tfrecord",
        "train-00002-of-00003.tfrecord", "validation-00000-of-00001.tfrecord", "vocabulary"]


def test_command_line(corpus, tmp_path):
    directory, vocabulary = corpus
    command = [sys.executable, "-m", "keras_albert.cli", "prepare", "--vocab",
               str(vocabulary), "--input", str(directory / "part-*.txt"), "--out",
               str(tmp_path / "out"), "--workers", "1", "--sequence-length", str(LENGTH)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout and "train" in done.stdout
    settings = json.loads((tmp_path / "out" / "manifest.json").read_text())["settings"]
    assert settings["sequence_length"] == LENGTH
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines()[-1].startswith(
        "keras-albert: error: ") and "already holds prepared shards" in again.stderr
    unknown = subprocess.run([*command, "--overwrite", "--bogus"], capture_output=True,
                             text=True, timeout=300)
    assert unknown.returncode == 2
    assert "Unrecognized arguments" in unknown.stderr and "--bogus" in unknown.stderr


def test_a_one_file_corpus_gives_the_pairs_held_in_memory(corpus, tmp_path):
    directory, vocabulary = corpus
    path = directory / "part-0.txt"
    prepare(str(path), vocabulary, tmp_path, workers=1, shards=2, dupe_factor=2,
            validation_fraction=0.0, sequence_length=LENGTH, log=lambda line: None)
    tokenizer = load_tokenizer(vocabulary)
    documents, _ = read_documents(path)
    in_memory = create_instances(documents, tokenizer.encoder(), LENGTH,
                                 tokenizer.special_tokens, dupe_factor=2)
    keys = ("token_ids", "segment_ids", "padding_mask", "sop_labels")
    expected = sorted(tuple(tuple(np.ravel(in_memory[key][row])) for key in keys)
                      for row in range(len(in_memory["sop_labels"])))
    _, files = read_shards(tmp_path)
    parsed = sorted(tuple(tuple(np.ravel(row[key])) for key in keys) for row in
                    parsed_rows(files["train"], LENGTH, tokenizer.special_tokens.pad))
    assert len(parsed) == len(expected) > 50
    assert parsed == expected


def test_chinese_wordpiece_with_jieba_words(tmp_path):
    # The Chinese path: a WordPiece vocabulary, jieba's words recorded for
    # whole-word masking, the same pairs as in memory.
    path = tmp_path / "zh.txt"
    path.write_text("\n\n".join("\n".join(TEXTS[k:] + TEXTS[:k]) for k in range(4)))
    manifest = prepare(str(path), VOCABULARY.parent, tmp_path / "out", workers=1,
                       shards=1, validation_fraction=0.0, sequence_length=24,
                       whole_word="jieba", log=lambda line: None)
    assert manifest["vocabulary"]["tokenizer_type"] == "wordpiece"
    assert manifest["settings"]["whole_word"] == "jieba"
    tokenizer = load_tokenizer(tmp_path / "out" / "vocabulary")
    encode = segmented_encoder(tokenizer.encoder(), load_segmenter("jieba"),
                               tokenizer.word_starts())
    in_memory = create_instances(read_documents(path)[0], encode, 24,
                                 tokenizer.special_tokens)
    _, files = read_shards(tmp_path / "out", tokenizer, 24)
    rows = parsed_rows(files["train"], 24, tokenizer.special_tokens.pad, word_starts=True)
    assert len(rows) == len(in_memory["sop_labels"]) > 4
    for index, row in enumerate(rows):
        for key in ("token_ids", "segment_ids", "word_starts"):
            np.testing.assert_array_equal(row[key], in_memory[key][index])
