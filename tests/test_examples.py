"""Each script in examples/ runs end to end on tiny settings."""

import csv
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from keras_albert.datasets import load_wordnet, write_wordnet_corpus
from keras_albert.models.pretrained import load_pretrained
from tests.convert.conversion_fixtures import fixture_copy
from tests.export.conftest import LABELS, length_class, make_classifier

EXAMPLES = Path(__file__).parent.parent / "examples"
TEXTS = ["a large burrowing animal", "move fast on foot", "",
         "a plant with yellow flowers that grows in damp places near water"]


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def classifier(tmp_path_factory, wordnet_vocab):
    return make_classifier(tmp_path_factory.mktemp("examples") / "model", wordnet_vocab)


def keras_labels(directory, texts):
    return [row["label"] for row in
            load_pretrained(directory).predict_labels(np.array(texts), verbose=0)]


def test_classify_token_ids_learns(tmp_path):
    accuracy = load("classify_token_ids").main(steps=50, out=str(tmp_path / "c.keras"))
    assert accuracy > 0.9  # three classes: chance is 1/3


def test_pretrain_own_text(tmp_path):
    corpus = write_wordnet_corpus(tmp_path / "mine.txt", limit=800)
    history = load("pretrain_own_text").main(
        input=corpus, out=tmp_path / "out", vocab_size=400, steps=40, batch_size=16,
        sequence_length=32)
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert (tmp_path / "out" / "pretrain" / "model" / "model.weights.h5").is_file()


def _write_csv(path, split, limit):
    """Glosses labelled by their length: a task a random start learns quickly."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["gloss", "length"])
        for example in load_wordnet(split, limit=limit):
            writer.writerow([example["text"], length_class(example["text"])])
    return path


def test_finetune_csv_from_scratch(tmp_path):
    train = _write_csv(tmp_path / "train.csv", "train", 512)
    evaluation = _write_csv(tmp_path / "eval.csv", "validation", 128)
    metrics = load("finetune_csv").main(
        train=train, eval=evaluation, out=tmp_path / "out", text_column="gloss",
        label_column="length", sequence_length=32, epochs=4, vocab_size=500)
    with open(evaluation) as file:
        labels = [row["length"] for row in csv.DictReader(file)]
    majority = max(labels.count(label) for label in LABELS) / len(labels)
    assert metrics["accuracy"] > majority + 0.1, (metrics, majority)
    saved = load_pretrained(tmp_path / "out" / "model")
    assert saved.label_names == sorted(LABELS)


def test_convert_hf_and_finetune(tmp_path, hub):
    # A transformers checkpoint served by the local Hub, loaded by name.
    fixture_copy(hub.root / "org", "hf_pretraining_relu")
    summary = load("convert_hf_and_finetune").main(
        "hf://org/hf_pretraining_relu", out=tmp_path / "out", sequence_length=32,
        batch_size=16, epochs=1, learning_rate=1e-3, limit=64)
    assert 0 <= summary["eval_metrics"]["accuracy"] <= 1
    assert (tmp_path / "out" / "finetuned" / "model" / "model.weights.h5").is_file()
    assert summary["max_abs_difference"] < 1e-4  # transformers' AlbertModel


def test_export_for_phones_agrees_with_keras(tmp_path, classifier):
    results = load("export_for_phones").main(TEXTS, model=classifier, out=tmp_path)
    expected = keras_labels(classifier, TEXTS)
    assert sorted(results) == ["model_dynamic_text.tflite", "model_int8_text.tflite"]
    assert [label for label, _ in results["model_dynamic_text.tflite"]] == expected
    for rows in results.values():
        assert all(0 < probability <= 1 for _, probability in rows)


def test_serve_with_tf_serving_answers_like_keras(tmp_path, classifier):
    response = load("serve_with_tf_serving").main(TEXTS, model=classifier,
                                                  base=tmp_path, name="tiny")
    assert (tmp_path / "tiny" / "1" / "saved_model.pb").is_file()
    rows = response["predictions"]
    assert [row["label"] for row in rows] == keras_labels(classifier, TEXTS)
    assert all(abs(sum(row["probabilities"]) - 1) < 1e-5 for row in rows)


def test_train_on_two_cpu_replicas(classifier):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "train_on_several_gpus.py"), "--model",
         str(classifier), "--cpu-replicas", "2", "--limit", "64", "--epochs", "1",
         "--batch-size-per-replica", "8"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 replicas" in result.stdout
    loss = float(result.stdout.rsplit("final training loss", 1)[1].split()[0])
    assert np.isfinite(loss) and loss > 0


def _chinese_csv(path, lines, bounds):
    """Chinese lines of Debian's catalogues labelled by their length in characters."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label"])
        for line in lines:
            size = len(line)
            writer.writerow([line, "短" if size <= bounds[0] else
                             "中" if size <= bounds[1] else "长"])
    return path


def test_chinese_classifier_for_phones(tmp_path):
    import gzip
    import json

    fixture = Path(__file__).parent / "fixtures/chinese/debian_zh_lines.jsonl.gz"
    with gzip.open(fixture, "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    lines = [line for line in lines if any("\u4e00" <= c <= "\u9fff" for c in line)]
    bounds = np.percentile([len(line) for line in lines], [33, 67])
    train = _chinese_csv(tmp_path / "train.csv", lines[:1200], bounds)
    evaluation = _chinese_csv(tmp_path / "dev.csv", lines[-200:], bounds)
    metrics, report = load("chinese_classifier").main(
        train=train, eval=evaluation, out=tmp_path / "out", sequence_length=48, epochs=4,
        vocab_size=3000, jit_compile=False)
    assert (metrics["eval_metrics"]["accuracy"]
            > metrics["majority_baseline"]["accuracy"] + 0.1), metrics
    assert report["passed"] and report["artifacts"][0]["tokenizer_agreement"] == 1.0
    assert (tmp_path / "out/model/vocab.txt").is_file()
