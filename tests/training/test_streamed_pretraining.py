"""`keras-albert pretrain --data`: training streamed from prepared shards survives
SIGKILL at any point (the iterator's position is saved with each checkpoint),
and bad shards are one-line errors."""

import json
import pydoc_data.topics
import shutil
import subprocess
import sys

import numpy as np
import pytest

from keras_albert import AlbertPretrainer
from keras_albert.text import train_vocabulary
from keras_albert.training.data_checkpoint import DATA
from keras_albert.training.prepare import prepare
from keras_albert.training.pretrain import run_pretraining
from keras_albert.training.shard_manifest import read_manifest, shard_name
from tests.distributed import MIRRORED, environment, run_cli
from tests.training.test_pretrain import _error_of, _kill_when, _latest, _start

# 4 pairs a step from 16 training pairs: a new pass over the shards (a new
# order) every 4 steps, which the runs resumed at steps 2 and 4 start.
ARGUMENTS = {"steps": 8, "checkpoint_every": 2, "batch_size": 4, "max_predictions": 5,
             "shuffle_buffer": 8, "verbose": 0, "jit_compile": False,
             "backbone_overrides": {"dropout": 0.1, "attention_dropout": 0.1,
                                    "num_layers": 2}}


@pytest.fixture(scope="module")
def shards(corpus, tmp_path_factory):
    """Prepared shards of the beginnings of four help topics: 16 training pairs
    in two shards, 19 validation pairs in one."""
    _, vocabulary = corpus
    directory = tmp_path_factory.mktemp("prepared")
    text = directory / "topics.txt"
    text.write_text("\n\n".join(topic[:600] for topic in
                                 list(pydoc_data.topics.topics.values())[:4]))
    prepare([str(text)], vocabulary, directory / "shards", input_format="plain",
            sequence_length=32, shards=2, validation_fraction=0.5, workers=1,
            log=lambda line: None)
    return directory / "shards"


def _weights(out):
    return AlbertPretrainer.from_pretrained(out / "model").weights


def test_sigkill_then_rerun_gives_the_same_weights(shards, tmp_path):
    run_pretraining("albert_tiny", None, None, tmp_path / "whole", data=shards,
                    **ARGUMENTS)
    report = json.loads((tmp_path / "whole" / "data.json").read_text())
    splits = read_manifest(shards)["splits"]
    assert report["train_pairs"] == splits["train"]["examples"] == 16
    assert report["validation_pairs"] == splits["validation"]["examples"] // 4 * 4

    out = tmp_path / "killed"
    checkpoints = out / "checkpoints"
    arguments = {**ARGUMENTS, "data": str(shards)}
    # Killed just after the checkpoint of step 2, then, resumed from its saved
    # position, just after that of step 4 (a kill while one is written leaves
    # the previous one, test_pretrain.py).
    for step in (2, 4):
        assert _kill_when(_start(None, None, out, arguments),
                          lambda step=step: _latest(out) == f"step-{step:09d}")
    assert (checkpoints / "step-000000004" / f"{DATA}.index").is_file()
    # A checkpoint without the position (as one written under a strategy):
    # the rerun replays the stream to step 4.
    for path in (checkpoints / "step-000000004").glob(f"{DATA}.*"):
        path.unlink()
    last = _start(None, None, out, arguments)
    _, stderr = last.communicate(timeout=300)
    assert last.returncode == 0, stderr[-3000:]

    for a, b in zip(_weights(tmp_path / "whole"), _weights(out), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)


@pytest.mark.slow  # about a minute on 2 cores
def test_mirrored_rerun_replays_the_stream(shards, tmp_path):
    command = ["pretrain", "--data", str(shards), "--steps", "8", "--checkpoint-every",
               "2", "--batch-size", "4", "--max-predictions", "5", "--shuffle-buffer", "8",
               "--no-xla", "--strategy", "mirrored", "--out"]
    run_cli([*command, str(tmp_path / "whole")], mirrored=True)
    out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-c", MIRRORED, *command, str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=environment())
    assert _kill_when(process, lambda: _latest(out) == "step-000000004")
    assert not any((out / "checkpoints" / "step-000000004").glob(f"{DATA}.*"))
    run_cli([*command, str(out)], mirrored=True)
    for a, b in zip(_weights(tmp_path / "whole"), _weights(out), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)


def _corrupt_middle(path):
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))


def test_bad_shards_are_one_line_errors(shards, corpus, tmp_path, capsys):
    bad = shutil.copytree(shards, tmp_path / "bad")
    common = ["--steps", "2", "--checkpoint-every", "2", "--batch-size", "2",
              "--no-xla"]

    def error(*arguments, data=bad):
        return _error_of(capsys, ["--data", str(data), "--out", str(tmp_path / "out"),
                                  *common, *arguments])

    assert "No manifest.json" in error(data=tmp_path)
    with pytest.raises(ValueError, match="one of the two"):
        run_pretraining("albert_tiny", None, [corpus[0]], tmp_path / "o", data=bad)
    assert "were prepared with whole_word=None" in error("--whole-word", "jieba")
    other = tmp_path / "other"
    train_vocabulary(corpus[0], 300, other)
    assert "another vocabulary" in error("--vocab", str(other))
    assert "at least that" in error("--sequence-length", "16")

    _corrupt_middle(bad / shard_name("train", 1, 2))
    assert f"Shard {bad / shard_name('train', 1, 2)} is corrupt" in error()
    (bad / "notes.tfrecord").write_bytes(b"")
    assert "notes.tfrecord is not a shard" in error(data=bad / "*.tfrecord")
    with open(bad / shard_name("validation", 0, 1), "r+b") as file:
        file.truncate(100)
    assert "(truncated, emptied or rewritten)" in error(data=bad / "validation-*")
