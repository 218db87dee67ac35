"""Checkpoints that survive a kill at any moment, and resuming from them.

Each checkpoint is a directory `step-000000123/` holding the model's weights
with its optimizer state (`model.save_weights` of a compiled Keras 3 model) and
`state.json` (the step, and the states of the dropout `SeedGenerator`s, which
`save_weights` leaves out but an exact resume needs), and whatever else the
run's position needs (a streamed dataset's, `training.data_checkpoint`). It is
written under a temporary name and renamed, then `latest` is replaced
atomically; a reader never sees a half-written checkpoint, and the leftovers of
a write that was killed are removed by the next `restore`. Older checkpoints
beyond `keep` are deleted afterwards.
"""

import json
import math
import shutil
import tempfile
from pathlib import Path

import keras

from keras_albert.files import atomic_path, write_directory

LATEST = "latest"
WEIGHTS = "model.weights.h5"
STATE = "state.json"


def _seed_states(model):
    """The state variables of the model's `SeedGenerator`s (dropout), in order."""
    weights = {id(weight) for weight in model.weights}
    return [variable for variable in model.variables if id(variable) not in weights
            and variable.path.endswith("seed_generator_state")]


def latest_checkpoint(directory):
    """`(path, state)` of the newest complete checkpoint, or `(None, None)`."""
    pointer = Path(directory) / LATEST
    if not pointer.is_file():
        return None, None
    path = Path(directory) / pointer.read_text().strip()
    try:
        state = json.loads((path / STATE).read_text())
        int(state["step"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"The latest checkpoint in {directory} is unreadable "
                         f"({type(error).__name__}: {error}); remove it to start "
                         f"over. Received: checkpoint={str(path)!r}") from None
    return path, state


# Not tf.train.CheckpointManager: it writes TF object-graph checkpoints; these are the
# Keras `.weights.h5` that `model.load_weights` reads, plus the dropout seeds.
def write_checkpoint(model, directory, step, keep=2, extra=None):
    """Save `model` (weights and optimizer) as the checkpoint of `step`;
    `extra(directory)`, if given, writes more into the checkpoint's directory."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"step-{step:09d}"

    def write(temporary):
        model.save_weights(temporary / WEIGHTS)
        seeds = [variable.numpy().tolist() for variable in _seed_states(model)]
        (temporary / STATE).write_text(json.dumps({"step": step, "seeds": seeds}))
        if extra is not None:
            extra(temporary)

    write_directory(directory / name, write)
    with atomic_path(directory / LATEST) as pointer:
        pointer.write_text(name)
    for old in sorted(directory.glob("step-*"))[:-keep]:
        shutil.rmtree(old)


def restore(model, directory, clean=True):
    """Load the newest checkpoint into `model`; the step it was taken at (0 if
    none). The optimizer must be built first so its state has somewhere to go.
    `clean` removes what a killed write left (only the process that writes
    checkpoints should)."""
    for leftover in Path(directory).glob(".*") if clean else ():  # killed writes
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    path, state = latest_checkpoint(directory)
    if path is None:
        return 0
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    try:
        model.load_weights(path / WEIGHTS)
    except (OSError, ValueError) as error:
        raise ValueError(f"Cannot restore checkpoint {path} ({type(error).__name__}: "
                         f"{str(error).splitlines()[0]}). Received: "
                         f"checkpoint={str(path)!r}") from None
    seeds = _seed_states(model)
    if len(state.get("seeds", [])) != len(seeds):
        raise ValueError(f"Checkpoint {path} holds {len(state.get('seeds', []))} dropout "
                         f"seed states; the model has {len(seeds)}. Received: "
                         f"checkpoint={str(path)!r}")
    for variable, value in zip(seeds, state["seeds"]):
        variable.assign(value)
    return int(state["step"])


class PeriodicCheckpoint(keras.callbacks.Callback):
    """`write_checkpoint` at the end of every epoch (an epoch = `steps_per_epoch`
    steps, the checkpoint interval). `write=False` on the workers of a cluster
    that are not the chief: they save to a scratch directory and discard it, as
    every worker must take part in the collective ops a save may run. `extra`
    is `write_checkpoint`'s."""

    def __init__(self, directory, steps_per_epoch, keep=2, write=True, extra=None):
        super().__init__()
        self.directory = directory
        self.steps_per_epoch = steps_per_epoch
        self.keep = keep
        self.write = write
        self.extra = extra

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            return  # never replace a good checkpoint by a diverged model
        step = (epoch + 1) * self.steps_per_epoch
        if self.write:
            write_checkpoint(self.model, self.directory, step, self.keep, self.extra)
        else:  # saving takes part in collectives: save too, then discard
            with tempfile.TemporaryDirectory() as scratch:
                write_checkpoint(self.model, scratch, step, keep=1, extra=self.extra)
