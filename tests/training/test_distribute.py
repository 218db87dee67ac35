"""`keras-albert pretrain --strategy`: MirroredStrategy over two logical CPU
devices and MultiWorkerMirroredStrategy over two worker processes on 127.0.0.1,
each a real `tf.distribute` run in fresh processes."""

import csv
import json
import math
import os

import h5py
import numpy as np
import pytest

from keras_albert.training.distribute import make_strategy
from tests.distributed import run_cli, run_workers

COMMAND = ["pretrain", "--input-format", "plain", "--steps", "12",
           "--checkpoint-every", "4", "--batch-size", "8", "--sequence-length", "32",
           "--max-predictions", "5"]

def _check_log(out, replicas):
    assert json.loads((out / "data.json").read_text())["replicas"] == replicas
    with open(out / "log.csv") as file:
        rows = list(csv.DictReader(file))
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2]
    losses = [float(row["val_loss"]) for row in rows]
    assert all(math.isfinite(loss) for loss in losses)
    assert all(math.isfinite(float(row["loss"])) for row in rows)
    assert losses[-1] < losses[0], losses  # the same held-out batches each time
    assert (out / "model" / "model.weights.h5").is_file()


def _read_weights(out):
    """Every weight of the pretrained model's `.weights.h5`, by its path."""
    weights = {}

    def keep(name, item):  # returns None: h5py stops at the first other value
        if isinstance(item, h5py.Dataset):
            weights[name] = item[()]

    with h5py.File(out / "model" / "model.weights.h5") as file:
        file.visititems(keep)
    return weights


def _check_same_as_single_device(out, single):
    """The same data, seed and global batch give the single-device run's
    losses and weights: only the order of float additions differs."""
    logs = []
    for directory in (out, single):
        with open(directory / "log.csv") as file:
            logs.append([{key: float(value) for key, value in row.items()}
                         for row in csv.DictReader(file)])
    for distributed, reference in zip(*logs):
        for key in ("loss", "val_loss"):
            np.testing.assert_allclose(distributed[key], reference[key], rtol=1e-4,
                                       err_msg=key)
    expected = _read_weights(single)
    actual = _read_weights(out)
    assert sorted(actual) == sorted(expected) and len(expected) > 50
    for name, value in expected.items():
        np.testing.assert_allclose(actual[name], value, atol=1e-4, rtol=0, err_msg=name)


@pytest.fixture(scope="module")
def single_device(corpus, tmp_path_factory):
    """The same pretraining on one device, without XLA as the distributed runs."""
    text, vocab = corpus
    out = tmp_path_factory.mktemp("single") / "single"
    run_cli([*COMMAND, "--vocab", str(vocab), "--input", str(text), "--out", str(out),
             "--no-xla"])
    return out


@pytest.mark.slow  # with the one-device run, about 2 minutes on 2 cores
def test_mirrored_on_two_logical_cpus(corpus, single_device, tmp_path):
    text, vocab = corpus
    out = tmp_path / "mirrored"
    result = run_cli([*COMMAND, "--vocab", str(vocab), "--input", str(text), "--out",
                      str(out), "--strategy", "mirrored"], mirrored=True)
    assert "XLA is off" in result.stderr
    _check_log(out, replicas=2)
    _check_same_as_single_device(out, single_device)


@pytest.mark.slow  # with the one-device run, about 2 minutes on 2 cores
def test_multi_worker_on_two_processes(corpus, single_device, tmp_path):
    text, vocab = corpus
    out = tmp_path / "multi_worker"
    run_workers([*COMMAND, "--vocab", str(vocab), "--input", str(text), "--out",
                 str(out), "--strategy", "multi-worker"])
    _check_log(out, replicas=2)
    assert sorted(os.listdir(out / "checkpoints")) == [
        "latest", "step-000000008", "step-000000012"]  # only the chief wrote
    _check_same_as_single_device(out, single_device)


def test_strategy_errors_are_one_line(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="needs the TF_CONFIG"):
        make_strategy("multi-worker")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not a cluster spec"):
        make_strategy("multi-worker")
    with pytest.raises(ValueError, match="strategy"):
        make_strategy("horovod")
