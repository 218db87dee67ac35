"""`keras-albert pretrain` survives SIGKILL at any point: rerunning the command
ends with the weights of an uninterrupted run (bit-identical on this CPU)."""

import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np

from keras_albert import AlbertPretrainer
from keras_albert.cli import main
from keras_albert.training.pretrain import run_pretraining

ARGUMENTS = dict(input_format="plain", steps=8, checkpoint_every=2, batch_size=4,
                 sequence_length=32, max_predictions=5, dupe_factor=2, verbose=0,
                 validation_fraction=0.0, jit_compile=False,  # XLA: test_examples.py
                 backbone_overrides={"dropout": 0.1, "attention_dropout": 0.1,
                                     "num_layers": 2})

SCRIPT = """
from keras_albert.training.pretrain import run_pretraining
run_pretraining("albert_tiny", {vocab!r}, {text!r}, {out!r}, **{arguments!r})
"""


def _start(vocab, text, out, arguments=ARGUMENTS):
    """`run_pretraining` in a fresh process (None for vocab and text with `data`)."""
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT.format(
            vocab=vocab and str(vocab), text=text and str(text), out=str(out),
            arguments=arguments)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def _kill_when(process, condition, timeout=300):
    """SIGKILL `process` as soon as `condition()` holds; False if it ended first."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if condition():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.001)
    assert process.poll() is not None, "no kill point reached in time"
    return False


def _latest(out):
    pointer = out / "checkpoints" / "latest"
    return pointer.read_text() if pointer.is_file() else ""


def test_sigkill_at_several_points_then_rerun_gives_the_same_weights(corpus, tmp_path):
    text, vocab = corpus
    run_pretraining("albert_tiny", vocab, text, tmp_path / "whole", **ARGUMENTS)

    out = tmp_path / "killed"
    checkpoints = out / "checkpoints"
    kill_points = [
        # while the first checkpoint is being written (else just after it)
        lambda: any(checkpoints.glob(".step-*")) or _latest(out) != "",
        # just after the checkpoint of step 4
        lambda: _latest(out) == "step-000000004",
    ]
    for condition in kill_points:
        assert _kill_when(_start(vocab, text, out), condition)
    last = _start(vocab, text, out)
    _, stderr = last.communicate(timeout=300)
    assert last.returncode == 0, stderr[-3000:]

    whole = AlbertPretrainer.from_pretrained(tmp_path / "whole" / "model")
    resumed = AlbertPretrainer.from_pretrained(out / "model")
    for a, b in zip(whole.weights, resumed.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    assert not [p for p in checkpoints.iterdir() if p.name.startswith(".")]
    with open(out / "log.csv") as file:
        assert [row["epoch"] for row in csv.DictReader(file)] == ["0", "1", "2", "3"]


def _error_of(capsys, arguments):
    assert main(["pretrain", *arguments]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "Traceback" not in error, error
    return error


def test_bad_corpora_and_checkpoints_are_one_line_errors(corpus, tmp_path, capsys):
    text, vocab = corpus
    common = ["--vocab", str(vocab), "--input-format", "plain", "--steps", "2",
              "--checkpoint-every", "2", "--batch-size", "2", "--sequence-length", "16"]
    (tmp_path / "empty.txt").write_bytes(b" \n\n\t\n")
    assert "No text in the corpus" in _error_of(
        capsys, [*common, "--input", str(tmp_path / "empty.txt"), "--out",
                 str(tmp_path / "a")])
    (tmp_path / "invalid.txt").write_bytes(b"\xff\xfe\xfa\n\x00\x00\n")
    assert "invalid_utf8_lines" in _error_of(
        capsys, [*common, "--input", str(tmp_path / "invalid.txt"), "--out",
                 str(tmp_path / "b")])
    assert "No such input file" in _error_of(
        capsys, [*common, "--input", str(tmp_path / "missing.txt"), "--out",
                 str(tmp_path / "d")])
    assert "`steps` must be a multiple" in _error_of(
        capsys, [*common, "--input", str(text), "--steps", "3", "--out",
                 str(tmp_path / "e")])
    # A checkpoint damaged outside our control (not by a kill: writes are atomic).
    damaged = tmp_path / "f" / "checkpoints" / "step-000000002"
    damaged.mkdir(parents=True)
    (damaged / "state.json").write_text('{"step": 2, "seeds": []}')
    (damaged / "model.weights.h5").write_bytes(b"not hdf5")
    (damaged.parent / "latest").write_text(damaged.name)
    assert "Cannot restore checkpoint" in _error_of(
        capsys, [*common, "--input", str(text), "--steps", "4", "--out",
                 str(tmp_path / "f")])
