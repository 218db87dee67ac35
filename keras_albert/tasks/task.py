"""`AlbertTask`: a backbone plus a head, with a default `compile()`, the
fine-tuning optimizer and a learning-rate range test."""

import math

import keras
import numpy as np
import tensorflow as tf

from keras_albert.checks import check_positive_int
from keras_albert.compat import symbolic_build
from keras_albert.models.backbone import AlbertBackbone
from keras_albert.models.presets import PRESET_WEIGHTS
from keras_albert.models.pretrained import load_pretrained, save_pretrained
from keras_albert.tasks.windows import ReadsWindows
from keras_albert.training.length_groups import MAX_WIDTHS, group_by_length
from keras_albert.training.lr_finder import (
    DEFAULT_STEPS,
    MAX_RATE,
    MIN_RATE,
    RangeTestSchedule,
    range_test,
)
from keras_albert.training.optimizer import finetuning_optimizer
from keras_albert.training.schedule import WarmupPolynomialDecay


def dropout_and_dense(backbone, units, dropout):
    """The usual task head: `Dropout(dropout)` then `Dense(units)`, initialized and
    typed like the backbone."""
    return (
        keras.layers.Dropout(dropout, dtype=backbone.dtype_policy,
                             name="output_dropout"),
        keras.layers.Dense(
            units,
            kernel_initializer=keras.initializers.TruncatedNormal(
                stddev=backbone.initializer_range
            ),
            dtype=backbone.dtype_policy,
            name="logits",
        ),
    )


class AlbertTask(ReadsWindows, keras.Model):
    """Base of the task models: holds `backbone`, serializes it, compiles sensibly.

    Subclasses build their functional graph on `backbone.input` in `__init__`,
    then call `super().__init__(backbone=..., inputs=..., outputs=...)`; their
    `get_config` adds their own arguments to this one's. The heads are rebuilt in
    `__init__`, so only the backbone needs serializing.

    With a `preprocessor` (e.g. `AlbertPreprocessor`), `fit`, `evaluate` and
    `predict` take raw text, as keras-hub's tasks do: lists or arrays of
    strings, a tuple of two of them for pairs, or a batched `tf.data.Dataset` of
    them. The preprocessor runs in a `tf.data` map, so the model itself still
    sees fixed-shape int tensors and compiles once with XLA. Inputs that are
    already token dicts pass through untouched. `fit(..., group_by_length=True)`
    batches raw-text rows of similar length together instead (see
    `group_by_length`): fewer padding tokens, one XLA compilation per batch
    width, of which there are at most 4 (or `group_by_length=N`: N).
    """

    def __init__(self, backbone, inputs, outputs, preprocessor=None, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        # The task takes the backbone's dtype policy, so that `compile` wraps the
        # optimizer in a LossScaleOptimizer under "mixed_float16".
        self.dtype_policy = backbone.dtype_policy
        self.backbone = backbone
        self.preprocessor = preprocessor

    @classmethod
    def from_preset(cls, preset, backbone_overrides=None, load_weights=True,
                    **task_kwargs):
        """This task on a preset's backbone: the released weights where the
        preset has them (see `AlbertBackbone.from_preset`), else, or with
        `load_weights=False`, randomly initialized."""
        if load_weights and PRESET_WEIGHTS[preset]:
            return cls.from_pretrained(PRESET_WEIGHTS[preset], backbone_overrides,
                                       **task_kwargs)
        backbone = AlbertBackbone.from_preset(preset, load_weights=False,
                                              **(backbone_overrides or {}))
        return cls(backbone=backbone, **task_kwargs)

    @classmethod
    def from_pretrained(cls, directory, backbone_overrides=None, **task_kwargs):
        """This task on a pretrained directory's backbone, with the saved heads of
        the same name (all of them when the directory holds this task class);
        `directory` may be a name (`"albert/albert-base-v2"`,
        `"hf://org/name@revision"`, a keras-hub preset, a release archive: see
        `keras_albert.hub`); `task_kwargs` as in the constructor (e.g.
        `num_classes`)."""
        return load_pretrained(directory, cls=cls, backbone_overrides=backbone_overrides,
                               **task_kwargs)

    def save_pretrained(self, directory, tokenizer=None, overwrite=True):
        """Write config, weights and (optionally) tokenizer files to `directory`."""
        save_pretrained(self, directory, tokenizer=tokenizer, overwrite=overwrite)

    def preprocess_samples(self, x, y=None, sample_weight=None):
        """One batch of raw samples to model inputs (runs inside `tf.data`)."""
        return self.preprocessor(x, y, sample_weight)

    def label_ids(self, y):
        """Labels as the model's targets; tasks with label names override this
        to accept the names."""
        return y

    def _needs_preprocessing(self, x):
        if self.preprocessor is None:
            return False
        if isinstance(x, tf.data.Dataset):
            x = x.element_spec
            x = x[0] if isinstance(x, tuple) and isinstance(x[0], dict) else x
        return not isinstance(x, dict)

    def _raw_dataset(self, x, y, sample_weight, batch_size, shuffle=False,
                     by_length=False):
        """A batched `tf.data.Dataset` of model inputs from raw samples; arrays
        are shuffled anew every epoch when `shuffle` (as `fit` does with arrays),
        and batched by length into at most `by_length` widths when it is not
        False (True: `MAX_WIDTHS`; see `group_by_length`)."""
        if isinstance(x, tf.data.Dataset):
            if y is not None or sample_weight is not None:
                raise ValueError("When `x` is a `tf.data.Dataset` it holds the "
                                 "labels too: do not pass `y` or `sample_weight`.")
            dataset = x
        else:
            if y is not None:
                y = self.label_ids(y)
            data = keras.utils.pack_x_y_sample_weight(x, y, sample_weight)
            dataset = tf.data.Dataset.from_tensor_slices(
                tf.nest.map_structure(np.asarray, data))
            if shuffle:
                dataset = dataset.shuffle(dataset.cardinality(),
                                          reshuffle_each_iteration=True)
            dataset = dataset.batch(batch_size or 32)
        dataset = dataset.map(lambda *data: self.preprocess_samples(*data),
                              num_parallel_calls=tf.data.AUTOTUNE)
        if by_length and not isinstance(x, tf.data.Dataset):
            widths = MAX_WIDTHS if by_length is True else by_length
            dataset = group_by_length(dataset, batch_size or 32, widths)
        return dataset.prefetch(tf.data.AUTOTUNE)

    def fit(self, x=None, y=None, batch_size=None, sample_weight=None,
            validation_data=None, group_by_length=False, **kwargs):
        if not isinstance(group_by_length, bool):
            check_positive_int("group_by_length", group_by_length)
        if self._reads_windows(x):  # token inputs from here on
            x, y, sample_weight, _ = self.window_inputs(x, y, sample_weight)
            validation_data = self._windowed_data(validation_data)
        if self._needs_preprocessing(x):
            x = self._raw_dataset(x, y, sample_weight, batch_size,
                                  shuffle=kwargs.pop("shuffle", True),
                                  by_length=group_by_length)
            kwargs["shuffle"] = False  # done in the dataset
            y = sample_weight = batch_size = None
            if validation_data is not None and self._needs_preprocessing(
                    validation_data):
                data = (validation_data,) if isinstance(
                    validation_data, tf.data.Dataset) else validation_data
                validation_data = self._raw_dataset(
                    *keras.utils.unpack_x_y_sample_weight(data), None)
        self._build_before_tracing(x, y, sample_weight)
        return super().fit(x, y, batch_size=batch_size, sample_weight=sample_weight,
                           validation_data=validation_data, **kwargs)

    def train_on_batch(self, x, y=None, sample_weight=None, **kwargs):
        self._build_before_tracing(x, y, sample_weight)
        return super().train_on_batch(x, y, sample_weight=sample_weight, **kwargs)

    def _build_before_tracing(self, x, y, sample_weight):
        """Create the optimizer's, metrics' and losses' variables now, as Keras
        does itself under a distribution strategy. Left to the first trace of
        the training step (Keras' default without one), they are created inside
        `tf.function`, which is slow and makes it trace the step twice: seconds
        of every first `fit`, with or without XLA."""
        if not self.built or getattr(self, "optimizer", None) is None:
            return
        if isinstance(x, tf.data.Dataset):
            batch = x.element_spec
        elif all(value is None or hasattr(value, "shape")
                 for value in keras.tree.flatten((x, y, sample_weight))):
            batch = (x, y, sample_weight)  # arrays: only shapes and dtypes are read
        else:  # lists, generators, PyDatasets: the optimizer only
            batch = None
        # Keras' private build: should a release drop it, build the optimizer alone.
        with self.distribute_strategy.scope():
            if not (batch is not None and symbolic_build(self, batch)) and (
                    not self.optimizer.built):
                self.optimizer.build(self.trainable_variables)

    def evaluate(self, x=None, y=None, batch_size=None, sample_weight=None,
                 **kwargs):
        if self._reads_windows(x):
            x, y, sample_weight, _ = self.window_inputs(x, y, sample_weight)
        if self._needs_preprocessing(x) and not kwargs.get("_use_cached_eval_dataset"):
            x = self._raw_dataset(x, y, sample_weight, batch_size)
            y = sample_weight = batch_size = None
        return super().evaluate(x, y, batch_size=batch_size,
                                sample_weight=sample_weight, **kwargs)

    def predict(self, x, batch_size=None, **kwargs):
        if self._reads_windows(x):
            return self._predict_windows(super().predict, x, batch_size=batch_size,
                                         **kwargs)
        if self._needs_preprocessing(x):
            x = self._raw_dataset(x, None, None, batch_size)
            batch_size = None
        return super().predict(x, batch_size=batch_size, **kwargs)

    def default_losses(self):
        """Loss (or dict of losses by output name) used by `compile()`."""
        raise NotImplementedError

    def default_metrics(self):
        """Metrics (list, or dict by output name) used by `compile()`; none here."""

    def compile(self, optimizer="auto", loss="auto", metrics="auto",
                jit_compile=True, **kwargs):
        """`keras.Model.compile` with the task's losses and metrics by default,
        AdamW(5e-5) and XLA on (pass `jit_compile=False` to turn it off)."""
        self.learning_rate_schedule = None  # set by compile_for_finetuning
        if optimizer == "auto":
            optimizer = keras.optimizers.AdamW(5e-5, weight_decay=0.01)
        if loss == "auto":
            loss = self.default_losses()
        if metrics == "auto":
            metrics = self.default_metrics()
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics,
                        jit_compile=jit_compile, **kwargs)

    def compile_for_finetuning(self, learning_rate, total_steps, warmup_fraction=0.1,
                               weight_decay=0.01, jit_compile=True):
        """Compile as BERT and ALBERT are fine-tuned: `finetuning_optimizer`
        (AdamW, no decay on LayerNorm and biases, gradients clipped to norm 1)
        with linear warm-up over `warmup_fraction` of `total_steps` and linear
        decay to 0 from the peak `learning_rate`; `"auto"` leaves the peak to
        `find_learning_rate`. The schedule is a `RangeTestSchedule`
        (`self.learning_rate_schedule`): the range test runs on the step
        compiled here."""
        check_positive_int("total_steps", total_steps)
        peak = 1.0 if learning_rate == "auto" else learning_rate
        schedule = RangeTestSchedule(WarmupPolynomialDecay(
            1.0, int(total_steps * warmup_fraction), total_steps), peak)
        self.compile(optimizer=finetuning_optimizer(schedule, weight_decay),
                     jit_compile=jit_compile)
        self.learning_rate_schedule = schedule

    def find_learning_rate(self, x=None, y=None, batch_size=None, sample_weight=None,
                           epochs=1, steps=DEFAULT_STEPS, min_rate=MIN_RATE,
                           max_rate=MAX_RATE, class_weight=None, group_by_length=False,
                           warmup_fraction=0.1, jit_compile=True):
        """A learning-rate range test on the training data (see
        `keras_albert.training.lr_finder`): up to `steps` steps at rates growing
        from `min_rate` to `max_rate`, on the batches `fit` would make (same
        `batch_size`, `class_weight` and `group_by_length`, so the same shapes);
        the weights and optimizer state are put back afterwards and the peak
        learning rate set to the rate found, for the `fit` that follows.

        Compiles with `compile_for_finetuning` (`epochs` of `batch_size`
        steps) unless the model already is; takes what `fit` takes (raw text
        with a preprocessor, token dicts, a batched `tf.data.Dataset`).

        Returns:
            A `LearningRateSearch`: `.rate`, and `.rates`, `.losses`,
            `.smoothed` per step.

        Example:
        >>> search = classifier.find_learning_rate(texts, labels, batch_size=32,
        ...                                        epochs=3)  # doctest: +SKIP
        >>> classifier.fit(texts, labels, batch_size=32, epochs=3)  # doctest: +SKIP
        """
        if getattr(self, "learning_rate_schedule", None) is None:
            if isinstance(x, tf.data.Dataset):
                batches = int(x.cardinality())
                if batches < 1:
                    raise ValueError("find_learning_rate needs a finite dataset to "
                                     "size the schedule, or a model compiled with "
                                     "compile_for_finetuning first.")
            else:
                examples = len(keras.tree.flatten(y)[0] if y is not None
                               else keras.tree.flatten(x)[0])
                batches = math.ceil(examples / (batch_size or 32))
            self.compile_for_finetuning("auto", epochs * batches, warmup_fraction,
                                        jit_compile=jit_compile)
        if self._needs_preprocessing(x):
            dataset = self._raw_dataset(x, y, sample_weight, batch_size, shuffle=True,
                                        by_length=group_by_length)
        elif isinstance(x, tf.data.Dataset):
            dataset = x
        else:
            y = self.label_ids(y) if y is not None else None
            data = keras.utils.pack_x_y_sample_weight(x, y, sample_weight)
            dataset = tf.data.Dataset.from_tensor_slices(
                tf.nest.map_structure(np.asarray, data))
            dataset = dataset.shuffle(dataset.cardinality()).batch(batch_size or 32)
        return range_test(self, self.learning_rate_schedule, dataset, steps, min_rate,
                          max_rate, class_weight)

    def compile_from_config(self, config):
        """Recompile a loaded `.keras` file with its saved optimizer and losses
        (Keras skips this for models that override `compile`)."""
        self.compile(**keras.saving.deserialize_keras_object(config))
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "backbone": keras.saving.serialize_keras_object(self.backbone),
            "preprocessor": keras.saving.serialize_keras_object(self.preprocessor),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("backbone", "preprocessor"):
            config[name] = keras.saving.deserialize_keras_object(config.get(name))
        return cls(**config)
