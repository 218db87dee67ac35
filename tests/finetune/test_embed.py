"""`embed` and `keras-albert embed`: unit vectors of any pretrained model, the
same as its SavedModel's `embedding` (scaled to unit length), whatever the
batch; the input formats; one-line errors. (A fine-tuned similarity model:
tests/finetune/test_similarity.py.)"""

import io
import json

import numpy as np
import pytest
import tensorflow as tf

import keras_albert
from keras_albert.cli import main

TEXTS = ["a small dog", "a domesticated carnivorous mammal",
         "any of various tall perennial grasses " * 8, "café crème", "the cat"]


def saved_backbone(directory, vocab):
    """An albert_tiny backbone (random weights, saved) with the WordNet vocabulary."""
    from keras_albert import AlbertBackbone, AlbertTokenizer

    tokenizer = AlbertTokenizer.from_pretrained(vocab)
    AlbertBackbone.from_preset("albert_tiny", vocabulary_size=tokenizer.vocabulary_size()
                               ).save_pretrained(directory, tokenizer=tokenizer)
    return directory


@pytest.fixture(scope="module")
def base(tmp_path_factory, wordnet_vocab):
    return saved_backbone(tmp_path_factory.mktemp("embed") / "base", wordnet_vocab)


def test_vectors_are_unit_length_and_padding_leaves_them_alone(base):
    vectors = keras_albert.embed(base, TEXTS, batch_size=2)
    assert vectors.shape == (len(TEXTS), 64)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Alone, "the cat" is packed with no padding to speak of; above, beside a
    # long text, with much: the same vector.
    alone = keras_albert.embed(base, ["the cat"])
    np.testing.assert_allclose(alone[0], vectors[-1], atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1], atol=1e-3)  # texts differ


def test_equal_to_the_saved_model_embedding_scaled_to_unit_length(base, tmp_path):
    """A plain encoder's SavedModel serves the mean itself; `embed` is it
    divided by its norm (the export packs to 128 pieces, as `embed`)."""
    assert main(["export", "saved-model", str(base), "--out", str(tmp_path / "serving"),
                 "--name", "base"]) == 0
    loaded = tf.saved_model.load(str(tmp_path / "serving" / "base" / "1"))
    mean = loaded.signatures["serving_default"](text=tf.constant(TEXTS))["embedding"].numpy()
    np.testing.assert_allclose(keras_albert.embed(base, TEXTS),
                               mean / np.linalg.norm(mean, axis=1, keepdims=True),
                               atol=1e-5)


def test_the_command_writes_one_line_per_text(base, tmp_path, capsys, monkeypatch):
    lines = tmp_path / "texts.txt"
    lines.write_text("a small dog\n\nthe cat\n", encoding="utf-8")
    table = tmp_path / "texts.jsonl"
    table.write_text("".join(json.dumps({"id": i, "sentence": t}) + "\n"
                             for i, t in enumerate(TEXTS)), encoding="utf-8")
    assert main(["embed", str(base), "--input", str(lines), "--out",
                 str(tmp_path / "a.jsonl")]) == 0
    assert json.loads(capsys.readouterr().err.splitlines()[0])["skipped"] == {
        "skipped_empty_text": 1}
    written = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [row["row"] for row in written] == [1, 3]  # the blank line 2 left out
    np.testing.assert_allclose([row["embedding"] for row in written],
                               keras_albert.embed(base, ["a small dog", "the cat"]),
                               atol=1e-6)

    assert main(["embed", str(base), "--input", str(table), "--text-column",
                 "sentence", "--out", str(tmp_path / "b.jsonl"),
                 "--sequence-length", "8"]) == 0
    report = json.loads(capsys.readouterr().err.splitlines()[0])
    assert report["texts"] == len(TEXTS) and report["sequence_length"] == 8
    assert report["truncated_texts"] >= 1  # the grasses, at least
    assert len((tmp_path / "b.jsonl").read_text().splitlines()) == len(TEXTS)

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"the cat\n\xff\n")))
    assert main(["embed", str(base)]) == 0  # standard input to standard output
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert json.loads(captured.err.splitlines()[0])["skipped"] == {
        "skipped_invalid_utf8": 1}


@pytest.mark.parametrize("content, arguments, message", [
    ("", [], "No text in {input} (empty)."),
    ("\n  \n", [], "No text in {input} ({{'skipped_empty_text': 2}})."),
    (json.dumps({"sentence": "x"}) + "\n", [],
     ("{input}, line 1: no column 'text' (the row has ['sentence']); name the "
     "columns with --text-column / --label-column.")),
    ("a text\n", ["--sequence-length", "200"],
     "{base} has 128 positions: pack to at most 128. Received: sequence_length=200"),
])
def test_bad_input_is_one_line(base, tmp_path, capsys, content, arguments, message):
    path = tmp_path / ("input.jsonl" if content.startswith("{") else "input.txt")
    path.write_text(content, encoding="utf-8")
    assert main(["embed", str(base), "--input", str(path), *arguments]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"keras-albert: error: {message.format(input=path, base=base)}"]


def test_a_missing_input_file_and_no_texts_are_one_line(base, capsys):
    assert main(["embed", str(base), "--input", "nowhere.txt"]) == 2
    assert capsys.readouterr().err.strip() == (
        "keras-albert: error: No such input file. Received: 'nowhere.txt'")
    with pytest.raises(ValueError, match="embed needs at least one text"):
        keras_albert.embed(base, [])
    with pytest.raises(ValueError, match="item 1 is not one. Received: int 3"):
        keras_albert.embed(base, ["a", 3])
