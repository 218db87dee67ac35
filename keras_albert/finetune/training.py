"""The fine-tuning loop shared by every task: model source, optimizer, callbacks.

`DIR/model/` is written once, at the end, as a pretrained directory (config,
weights, tokenizer, preprocessor); `DIR/checkpoints/best.weights.h5` holds the
best weights so far (written atomically), `DIR/history.csv` the epochs,
`DIR/lr_search.csv` the learning-rate range test (with `learning_rate="auto"`).
"""

import math
from pathlib import Path

import keras

from keras_albert.files import atomic_path
from keras_albert.locate import locate
from keras_albert.models.presets import PRESET_WEIGHTS, PRESETS
from keras_albert.models.pretrained import read_config
from keras_albert.text.preprocessor import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.training.distribute import prepare_multi_worker

BEST_WEIGHTS = "checkpoints/best.weights.h5"
LR_SEARCH = "lr_search.csv"


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


def source_positions(source):
    """The learned positions (`max_sequence_length`) of fine-tuning `source`:
    a preset name, or a resolved pretrained directory."""
    if isinstance(source, str) and source in PRESETS:
        return PRESETS[source]["max_sequence_length"]
    return read_config(source)["backbone"]["max_sequence_length"]


def load_task(cls, source, tokenizer, vocab=None, dtype=None, sequence_length=None,
              stride=None, **task_kwargs):
    """The task model `cls` on a pretrained model or a preset.

    A pretrained directory or name (`albert/albert-base-v2`, see
    `keras_albert.hub`; also a preset that has released weights) brings its
    backbone weights; a preset with `vocab` (a vocabulary directory) is randomly
    initialized, `tokenizer`'s size setting the backbone's `vocabulary_size`.
    With `sequence_length` the model gets an `AlbertPreprocessor` on `tokenizer`
    and takes raw text (long texts in windows of `stride`, if given).
    """
    overrides = {"dtype": dtype} if dtype else {}
    if sequence_length is not None:
        task_kwargs["preprocessor"] = AlbertPreprocessor(tokenizer, sequence_length,
                                                         stride=stride)
    if _random_preset(source, vocab):
        overrides["vocabulary_size"] = tokenizer.vocabulary_size()
        return cls.from_preset(source, backbone_overrides=overrides, load_weights=False,
                               **task_kwargs)
    return cls.from_pretrained(locate(source), backbone_overrides=overrides, **task_kwargs)


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
        group_by_length=False, jit_compile=True, verbose=1, log=print, floor=None):
    """Compile with AdamW + warm-up and linear decay (XLA unless
    `jit_compile=False`), find the learning rate when it is `"auto"` (a range
    test on the training data, written to `out/lr_search.csv`), train with
    early stopping on `monitor` (counted once it passes `floor`, see
    `StopWhenStalled`) and keep the best weights.

    Returns:
        `(history, search)`: the Keras `History` and the `LearningRateSearch`
        (None for a given rate). `group_by_length` as in `AlbertTask.fit`
        (raw-text inputs only).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    x, y = train
    # y is an array, or (QA) a dict of arrays: any leaf counts the examples.
    examples = len(keras.tree.flatten(y)[0])
    steps = epochs * math.ceil(examples / batch_size)
    strategy = model.distribute_strategy  # the one the model was built under
    with strategy.scope():
        model.compile_for_finetuning(learning_rate, steps, warmup_fraction,
                                     jit_compile=jit_compile)
        prepare_multi_worker(model)
        search = None
        if learning_rate == "auto":
            search = model.find_learning_rate(x, y, batch_size=batch_size,
                                              class_weight=class_weight,
                                              group_by_length=group_by_length)
            with atomic_path(out / LR_SEARCH) as temporary:
                search.write_csv(temporary)
            log(f"learning rate: {search.rate:.2g} (range test over "
                f"{len(search.rates)} steps, {search.rule}; --learning-rate sets one)")
        callbacks = [keras.callbacks.TerminateOnNaN(), PeakLearningRate(),
                     keras.callbacks.CSVLogger(str(out / "history.csv"))]
        if validation is not None:
            callbacks += [
                KeepBest(out / BEST_WEIGHTS, monitor, mode),
                StopWhenStalled(monitor, mode, patience, floor),
            ]
        history = model.fit(x, y, batch_size=batch_size, epochs=epochs,
                            validation_data=validation, class_weight=class_weight,
                            callbacks=callbacks, verbose=verbose,
                            group_by_length=group_by_length)
    losses = history.history["loss"]
    if not all(math.isfinite(loss) for loss in losses):
        rate = search.rate if search else learning_rate
        raise ValueError(f"Fine-tuning diverged (loss {losses[-1]}); lower "
                         f"--learning-rate. Received: learning_rate={rate:.3g}")
    return history, search


class PeakLearningRate(keras.callbacks.Callback):
    """The schedule's peak rate in each epoch's logs (so in history.csv)."""

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["peak_learning_rate"] = float(self.model.learning_rate_schedule.peak.numpy())


class StopWhenStalled(keras.callbacks.Callback):
    """Early stopping on `monitor`: stop after `patience` epochs without
    improvement on the best value, counted once the model has learned
    something: once `monitor` has passed `floor` (for classification, the
    majority-class baseline). Fine-tuning a small or briefly pretrained model
    often predicts the majority class for several epochs before it learns;
    Keras' `EarlyStopping` would stop it there, with nothing learned. With
    `floor=None` this is `EarlyStopping`."""

    def __init__(self, monitor, mode, patience, floor=None):
        super().__init__()
        self.monitor, self.mode, self.patience, self.floor = monitor, mode, patience, floor
        self.best, self.wait = None, 0
        self.learning = floor is None

    def _better(self, value, than):
        return value > than if self.mode == "max" else value < than

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(value):
            return
        self.learning = self.learning or self._better(value, self.floor)
        if self.best is None or self._better(value, self.best):
            self.best, self.wait = value, 0
        elif self.learning:
            self.wait += 1
            if self.wait >= self.patience:
                self.model.stop_training = True


def balanced_class_weight(label_ids, num_classes):
    """`n / (k * count)` per class, as scikit-learn's "balanced"."""
    counts = [0] * num_classes
    for label in label_ids:
        counts[label] += 1
    total = len(label_ids)
    return {c: total / (num_classes * n) if n else 0.0 for c, n in enumerate(counts)}
