"""`finetune --long-text window`: texts longer than the model in overlapping
windows, in training, `evaluate`, `predict` and the exported SavedModel."""

import json
import random

import numpy as np
import pytest
import tensorflow as tf

from keras_albert import AlbertClassifier
from keras_albert.cli import main
from keras_albert.models.pretrained import load_pretrained
from keras_albert.text.preprocessor import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer
from tests.finetune.conftest import TINY, write_jsonl

# 12 positions: most WordNet glosses need several windows.
WINDOWS = ["--sequence-length", "12", "--long-text", "window", "--stride", "4"]


def _finetune(tmp_path, vocab, task, train, extra=()):
    out = tmp_path / "run"
    args = [*TINY, "--no-xla"]
    args[args.index("--sequence-length") + 1] = "12"
    assert main(["finetune", "--task", task, "--vocab", str(vocab), "--train",
                 str(train), "--eval", str(train), "--out", str(out), *args,
                 *extra]) == 0
    return out, json.loads((out / "metrics.json").read_text())


def test_classify_in_windows_everywhere(tmp_path, capsys, wordnet_vocab, wordnet_files):
    train = wordnet_files / "train.jsonl"
    out, summary = _finetune(tmp_path, wordnet_vocab, "classify", train, WINDOWS)
    counts = summary["long_texts"]["train"]
    assert 0 < counts["texts_in_windows"] <= 48 < counts["windows"]
    capsys.readouterr()
    assert main(["evaluate", str(out / "model"), "--data", str(train)]) == 0
    evaluated = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert evaluated["accuracy"] == pytest.approx(summary["eval_metrics"]["accuracy"])

    texts = [json.loads(line)["text"] for line in train.read_text().splitlines()][:8]
    model = load_pretrained(out / "model")
    logits = model.predict(np.array(texts, dtype=object), verbose=0)
    # Not the first window's logits alone: the windows are averaged.
    first = model.predict(model.preprocessor(np.array(texts, dtype=object)), verbose=0)
    assert np.abs(logits - first).max() > 1e-4
    assert main(["export", "saved-model", str(out / "model"), "--out",
                 str(tmp_path / "serving"), "--name", "clf"]) == 0
    served = tf.saved_model.load(str(tmp_path / "serving" / "clf" / "1"))
    outputs = served.signatures["serving_default"](text=tf.constant(texts))
    np.testing.assert_allclose(outputs["logits"].numpy(), logits, atol=1e-5)
    assert main(["verify", str(out / "model"), str(tmp_path / "serving" / "clf" / "1"),
                 "--data", str(train)]) == 0


def _long_sentences(path, count=12):
    rng = random.Random(0)
    lines = []
    for _ in range(count):
        for _ in range(rng.randint(8, 16)):
            word, tag = rng.choice([("Paris", "B-LOC"), ("went", "O"), ("the", "O"),
                                    ("Smith", "B-PER")])
            lines.append(f"{word} NNP {tag}")
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def test_tag_in_windows_tags_every_word(tmp_path, capsys, wordnet_vocab):
    train = _long_sentences(tmp_path / "train.conll")
    out, truncated = _finetune(tmp_path / "truncate", wordnet_vocab, "tag", train)
    assert truncated["eval_metrics"]["truncated_words"] > 0
    out, summary = _finetune(tmp_path, wordnet_vocab, "tag", train, WINDOWS)
    assert summary["eval_metrics"]["truncated_words"] == 0
    capsys.readouterr()
    assert main(["predict", str(out / "model"), "--input", str(train), "--out",
                 str(tmp_path / "tags.jsonl")]) == 0
    rows = [json.loads(line) for line in (tmp_path / "tags.jsonl").read_text().splitlines()]
    assert len(rows) == 12 and all(len(r["tags"]) == len(r["words"]) for r in rows)

    assert main(["export", "saved-model", str(out / "model"), "--out",
                 str(tmp_path / "serving"), "--name", "tagger"]) == 0
    served = tf.saved_model.load(str(tmp_path / "serving" / "tagger" / "1"))
    text = " ".join(rows[0]["words"])
    outputs = served.signatures["serving_default"](text=tf.constant([text]))
    model = load_pretrained(out / "model")
    pieces = model.preprocessor.tokenizer(text)
    assert outputs["token_ids"].numpy()[0].tolist() == [
        model.preprocessor.tokenizer.cls_token_id, *pieces,
        model.preprocessor.tokenizer.sep_token_id]
    np.testing.assert_allclose(outputs["logits"].numpy(),
                               model.predict(np.array([text], dtype=object), verbose=0),
                               atol=1e-5)


@pytest.mark.parametrize("task,extra,message", [
    ("pair", ["--text-column", "text", "text"], "a pair"),
    ("qa", [], "`stride` is not a setting of the 'qa' task"),
    ("classify", ["--stride", "20"], "`stride` must be at most the 10 pieces"),
])
def test_windows_that_cannot_be_are_one_line(tmp_path, capsys, wordnet_vocab, task,
                                             extra, message):
    train = write_jsonl(tmp_path / "train.jsonl", [{"text": "a b", "label": "x"}])
    command = ["finetune", "--task", task, "--vocab", str(wordnet_vocab), "--train",
               str(train), "--out", str(tmp_path / "run"), *TINY, "--long-text",
               "window", *extra]
    command[command.index("--sequence-length") + 1] = "12"
    assert main(command) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and message in error[0], error


def test_a_stride_without_windows_is_one_line(tmp_path, capsys, wordnet_vocab):
    assert main(["finetune", "--task", "classify", "--vocab", str(wordnet_vocab),
                 "--train", "x.jsonl", "--out", str(tmp_path), *TINY, "--stride",
                 "4"]) == 2
    assert "pass long_text='window'" in capsys.readouterr().err


def test_keras_fit_and_evaluate_read_windows(wordnet_vocab, wordnet_files):
    tokenizer = load_tokenizer(wordnet_vocab)
    model = AlbertClassifier.from_preset(
        "albert_tiny", num_classes=2, load_weights=False,
        backbone_overrides={"vocabulary_size": tokenizer.vocabulary_size()},
        preprocessor=AlbertPreprocessor(tokenizer, 12, stride=4))
    lines = (wordnet_files / "train.jsonl").read_text().splitlines()[:16]
    texts = np.array([json.loads(line)["text"] for line in lines], dtype=object)
    labels = np.arange(16) % 2
    inputs, targets, _, windows = model.window_inputs(texts, labels)
    assert len(targets) == len(windows.rows.numpy()) > len(texts)
    np.testing.assert_array_equal(targets, labels[windows.rows.numpy()])
    model.compile(jit_compile=False)
    model.fit(texts, labels, batch_size=8, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == -(-len(targets) // 8)  # window batches
    assert model.evaluate(texts, labels, verbose=0, return_dict=True) == pytest.approx(
        model.evaluate(inputs, targets, verbose=0, return_dict=True))
