"""A short end-to-end run of what the package holds today.

Builds an `AlbertPretrainer`, trains it with XLA on random-token MLM + SOP
batches, saves it (atomically) as `.keras`, loads it back and checks the loaded
model computes the same outputs.
"""

import json
import math
import time
from pathlib import Path

import keras
import numpy as np

from keras_albert.files import atomic_path, save_model
from keras_albert.models.backbone import AlbertBackbone
from keras_albert.tasks.pretrainer import AlbertPretrainer
from keras_albert.training.synthetic_data import random_pretraining_batch


def run_demo(out, preset="albert_tiny", steps=50, batch_size=16, sequence_length=64,
             execution="loop", seed=0, log=print):
    """Train, save, reload, compare; return a summary dict (also `out/summary.json`)."""
    keras.utils.set_random_seed(seed)
    out = Path(out)
    backbone = AlbertBackbone.from_preset(preset, execution=execution)
    model = AlbertPretrainer(backbone)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    log(f"{preset} ({execution}): {backbone.count_params():,} backbone parameters")

    x, y, sample_weight = random_pretraining_batch(
        backbone.vocabulary_size, batch_size, sequence_length,
        num_masks=max(1, sequence_length * 15 // 100), seed=seed,
    )
    started = time.perf_counter()
    history = model.fit(x, y, sample_weight=sample_weight, epochs=steps,
                        verbose=0, callbacks=[_every(10, log)])
    seconds = time.perf_counter() - started
    losses = history.history["loss"]
    if not all(math.isfinite(loss) for loss in losses):
        raise RuntimeError(f"Training diverged: losses={losses}")

    path = out / "pretrainer.keras"
    save_model(model, path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    expected = model.predict(x, verbose=0)
    actual = loaded.predict(x, verbose=0)
    max_diff = max(float(np.abs(actual[k] - expected[k]).max()) for k in expected)

    summary = {
        "preset": preset, "execution": execution, "steps": steps,
        "first_loss": losses[0], "last_loss": losses[-1],
        "train_seconds": round(seconds, 2), "saved_model": str(path),
        "reload_max_abs_diff": max_diff,
    }
    with atomic_path(out / "summary.json") as temporary:
        temporary.write_text(json.dumps(summary, indent=2))
    log(f"loss {losses[0]:.3f} -> {losses[-1]:.3f} in {steps} XLA steps "
        f"({seconds:.1f}s, first step includes compilation)")
    log(f"saved {path}; reloaded outputs differ by at most {max_diff:.1e}")
    return summary


def _every(period, log):
    def report(epoch, logs):
        if (epoch + 1) % period == 0:
            log(f"  step {epoch + 1}: loss {logs['loss']:.3f}")

    return keras.callbacks.LambdaCallback(on_epoch_end=report)
