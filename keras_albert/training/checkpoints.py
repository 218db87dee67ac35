"""Checkpoints that survive a kill at any moment, and resuming from them.

Each checkpoint is a directory `step-000000123/` holding the model's weights
with its optimizer state (`model.save_weights` of a compiled Keras 3 model) and
`state.json`. It is written under a temporary name and renamed, then `latest`
is replaced atomically; a reader never sees a half-written checkpoint. Older
ones beyond `keep` are deleted afterwards.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import keras

LATEST = "latest"
WEIGHTS = "model.weights.h5"
STATE = "state.json"


def latest_checkpoint(directory):
    """`(path, state)` of the newest complete checkpoint, or `(None, None)`."""
    pointer = Path(directory) / LATEST
    if not pointer.is_file():
        return None, None
    path = Path(directory) / pointer.read_text().strip()
    state = json.loads((path / STATE).read_text())
    return path, state


def write_checkpoint(model, directory, step, keep=2):
    """Save `model` (weights and optimizer) as the checkpoint of `step`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"step-{step:09d}"
    temporary = Path(tempfile.mkdtemp(dir=directory, prefix=f".{name}."))
    try:
        model.save_weights(temporary / WEIGHTS)
        (temporary / STATE).write_text(json.dumps({"step": step}))
        if (directory / name).exists():
            shutil.rmtree(directory / name)
        os.replace(temporary, directory / name)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)
    handle, pointer = tempfile.mkstemp(dir=directory, prefix=".latest.")
    with os.fdopen(handle, "w") as file:
        file.write(name)
    os.replace(pointer, directory / LATEST)
    for old in sorted(directory.glob("step-*"))[:-keep]:
        shutil.rmtree(old)


def restore(model, directory):
    """Load the newest checkpoint into `model`; the step it was taken at (0 if
    none). The optimizer must be built first so its state has somewhere to go."""
    path, state = latest_checkpoint(directory)
    if path is None:
        return 0
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    model.load_weights(path / WEIGHTS)
    return int(state["step"])


class PeriodicCheckpoint(keras.callbacks.Callback):
    """`write_checkpoint` at the end of every epoch (an epoch = `steps_per_epoch`
    steps, the checkpoint interval)."""

    def __init__(self, directory, steps_per_epoch, keep=2):
        super().__init__()
        self.directory = directory
        self.steps_per_epoch = steps_per_epoch
        self.keep = keep

    def on_epoch_end(self, epoch, logs=None):
        write_checkpoint(self.model, self.directory, (epoch + 1) * self.steps_per_epoch,
                         self.keep)
