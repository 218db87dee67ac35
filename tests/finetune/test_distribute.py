"""`keras-albert finetune --strategy`: MirroredStrategy over two logical CPU
devices and MultiWorkerMirroredStrategy over two worker processes on
127.0.0.1 take the steps one device takes.

One batch holds every training row, so each epoch is one step whatever the
order of the rows, and the head has no dropout: two replicas compute the same
gradient as one device, up to the order of float additions, as long as the
global batch is split, summed and clipped as one (a sparse word-table gradient
included, `training.clipping`)."""

import csv
import json

import numpy as np
import pytest

from keras_albert.cli import main
from keras_albert.models.pretrained import load_pretrained
from tests.distributed import run_cli, run_workers


def _command(vocab, files, out):
    train = str(files / "train.jsonl")
    return ["finetune", "--task", "classify", "--model", "albert_tiny", "--vocab",
            str(vocab), "--train", train, "--eval", train, "--out", str(out),
            "--epochs", "3", "--batch-size", "48", "--sequence-length", "32",
            "--learning-rate", "1e-3", "--head-dropout", "0", "--no-group-by-length"]


@pytest.fixture(scope="module")
def single_device(wordnet_vocab, wordnet_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "run"
    run_cli([*_command(wordnet_vocab, wordnet_files, out), "--no-xla"])
    return out


def _check_same_as_single_device(out, single, replicas):
    metrics = json.loads((out / "metrics.json").read_text())
    assert (metrics["replicas"], metrics["jit_compile"]) == (replicas, False)
    histories = []
    for directory in (out, single):
        with open(directory / "history.csv") as file:
            histories.append(list(csv.DictReader(file)))
    assert len(histories[0]) == len(histories[1]) == 3
    for distributed, reference in zip(*histories, strict=True):
        for key in ("loss", "val_loss", "val_accuracy"):
            np.testing.assert_allclose(float(distributed[key]), float(reference[key]),
                                       rtol=1e-5, err_msg=key)
    expected = load_pretrained(single / "model").get_weights()
    actual = load_pretrained(out / "model").get_weights()
    for value, reference in zip(actual, expected, strict=True):
        np.testing.assert_allclose(value, reference, atol=1e-5, rtol=0)


def test_mirrored_on_two_logical_cpus(wordnet_vocab, wordnet_files, single_device,
                                      tmp_path):
    out = tmp_path / "mirrored"
    result = run_cli([*_command(wordnet_vocab, wordnet_files, out), "--strategy",
                      "mirrored"], mirrored=True)
    assert "strategy mirrored: 2 replica(s), 24 of the batch of 48 each" in result.stdout
    _check_same_as_single_device(out, single_device, replicas=2)


def test_multi_worker_on_two_processes(wordnet_vocab, wordnet_files, single_device,
                                       tmp_path):
    out = tmp_path / "multi_worker"
    outputs = run_workers([*_command(wordnet_vocab, wordnet_files, out), "--strategy",
                           "multi-worker"])
    assert f"Wrote {out}/model" in outputs[0]
    assert f"This worker wrote nothing: the chief writes {out}" in outputs[1]
    _check_same_as_single_device(out, single_device, replicas=2)


def test_strategy_errors_are_one_line(monkeypatch, capsys, wordnet_vocab,
                                      wordnet_files, tmp_path):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    command = _command(wordnet_vocab, wordnet_files, tmp_path / "run")
    for strategy, message in (("tpu", "`--strategy tpu` found no TPU"),
                              ("multi-worker", "needs the TF_CONFIG")):
        assert main([*command, "--strategy", strategy]) == 2
        error = capsys.readouterr().err.strip().splitlines()
        assert len(error) == 1 and message in error[0], error
    assert not (tmp_path / "run").exists()
