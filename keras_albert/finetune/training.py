"""The fine-tuning loop shared by every task: model source, optimizer, callbacks.

`DIR/model/` is written once, at the end, as a pretrained directory (config,
weights, tokenizer, preprocessor); `DIR/checkpoints/best.weights.h5` holds the
best weights so far (written atomically), `DIR/history.csv` the epochs.
"""

import math
from pathlib import Path

import keras

from keras_albert.files import atomic_path
from keras_albert.locate import locate
from keras_albert.models.presets import PRESET_WEIGHTS, PRESETS
from keras_albert.text.preprocessor import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.training.optimizer import EXCLUDE_FROM_WEIGHT_DECAY
from keras_albert.training.schedule import WarmupPolynomialDecay

BEST_WEIGHTS = "checkpoints/best.weights.h5"


def _random_preset(source, vocab):
    """Whether `source` is a preset that starts from random weights."""
    random_preset = source in PRESETS and (vocab is not None or not PRESET_WEIGHTS[source])
    if random_preset and vocab is None:
        raise ValueError(f"The preset {source!r} has no released weights: it starts from "
                         f"random weights and needs a vocabulary (--vocab DIR). "
                         f"Received: model={source!r}, vocab=None")
    return random_preset


def resolve_source(source, vocab=None):
    """`source` as the task loaders take it: a preset starting from random
    weights stays its name; a name is downloaded and converted once (see
    `keras_albert.hub`) into a local directory."""
    return source if _random_preset(source, vocab) else locate(source)


def source_tokenizer(source, vocab=None):
    """The tokenizer of fine-tuning `source`: the vocabulary directory `vocab`
    if given (a preset starting from random weights needs one), else the
    pretrained model's own (`source` a directory or a name, see
    `keras_albert.hub`)."""
    if _random_preset(source, vocab):
        return load_tokenizer(vocab)
    return load_tokenizer(vocab or source)


def load_task(cls, source, tokenizer, vocab=None, dtype=None, sequence_length=None,
              **task_kwargs):
    """The task model `cls` on a pretrained model or a preset.

    A pretrained directory or name (`albert/albert-base-v2`, see
    `keras_albert.hub`; also a preset that has released weights) brings its
    backbone weights; a preset with `vocab` (a vocabulary directory) is randomly
    initialized, `tokenizer`'s size setting the backbone's `vocabulary_size`.
    With `sequence_length` the model gets an `AlbertPreprocessor` on `tokenizer`
    and takes raw text.
    """
    overrides = {"dtype": dtype} if dtype else {}
    if sequence_length is not None:
        task_kwargs["preprocessor"] = AlbertPreprocessor(tokenizer, sequence_length)
    if _random_preset(source, vocab):
        overrides["vocabulary_size"] = tokenizer.vocabulary_size()
        return cls.from_preset(source, backbone_overrides=overrides, load_weights=False,
                               **task_kwargs)
    return cls.from_pretrained(locate(source), backbone_overrides=overrides, **task_kwargs)


def adamw(learning_rate, total_steps, warmup_fraction=0.1, weight_decay=0.01):
    """AdamW with linear warm-up and linear decay to 0, no decay on LayerNorm and
    biases, gradients clipped to global norm 1 (BERT/ALBERT fine-tuning)."""
    schedule = WarmupPolynomialDecay(learning_rate, int(total_steps * warmup_fraction),
                                     total_steps)
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=weight_decay,
                                       epsilon=1e-6, global_clipnorm=1.0)
    optimizer.exclude_from_weight_decay(var_names=list(EXCLUDE_FROM_WEIGHT_DECAY))
    return optimizer


# Not EarlyStopping(restore_best_weights=True): that keeps the best weights in memory
# only; these are on disk when a run is killed, and a NaN metric is never the best.
class KeepBest(keras.callbacks.Callback):
    """Save the weights whenever `monitor` improves; load the best at the end."""

    def __init__(self, path, monitor, mode):
        super().__init__()
        self.path, self.monitor, self.mode = Path(path), monitor, mode
        self.best = None
        self.best_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(value):
            return
        if self.best is None or (value > self.best if self.mode == "max"
                                 else value < self.best):
            self.best, self.best_epoch = value, epoch
            with atomic_path(self.path) as temporary:
                self.model.save_weights(temporary)

    def on_train_end(self, logs=None):
        if self.best is not None:
            self.model.load_weights(self.path)


def fit(model, train, validation, out, epochs, batch_size, learning_rate,
        warmup_fraction, patience, monitor, mode, class_weight=None,
        group_by_length=False, jit_compile=True, verbose=1):
    """Compile with AdamW + schedule (XLA unless `jit_compile=False`), train
    with early stopping on `monitor` and keep the best weights; returns the
    Keras `History`. `group_by_length` as in `AlbertTask.fit` (raw-text inputs
    only)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    x, y = train
    # y is an array, or (QA) a dict of arrays: any leaf counts the examples.
    examples = len(keras.tree.flatten(y)[0])
    steps = epochs * math.ceil(examples / batch_size)
    model.compile(optimizer=adamw(learning_rate, steps, warmup_fraction),
                  jit_compile=jit_compile)
    callbacks = [keras.callbacks.TerminateOnNaN(),
                 keras.callbacks.CSVLogger(str(out / "history.csv"))]
    if validation is not None:
        callbacks += [
            KeepBest(out / BEST_WEIGHTS, monitor, mode),
            keras.callbacks.EarlyStopping(monitor, patience=patience, mode=mode),
        ]
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs,
                        validation_data=validation, class_weight=class_weight,
                        callbacks=callbacks, verbose=verbose,
                        group_by_length=group_by_length)
    losses = history.history["loss"]
    if not all(math.isfinite(loss) for loss in losses):
        raise ValueError(f"Fine-tuning diverged (loss {losses[-1]}); lower "
                         f"--learning-rate. Received: learning_rate={learning_rate}")
    return history


def balanced_class_weight(label_ids, num_classes):
    """`n / (k * count)` per class, as scikit-learn's "balanced"."""
    counts = [0] * num_classes
    for label in label_ids:
        counts[label] += 1
    total = len(label_ids)
    return {c: total / (num_classes * n) if n else 0.0 for c, n in enumerate(counts)}
