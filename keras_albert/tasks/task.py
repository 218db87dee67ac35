"""`AlbertTask`: a backbone plus a head, with a default `compile()`."""

import keras

from keras_albert.models.backbone import AlbertBackbone


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


class AlbertTask(keras.Model):
    """Base of the task models: holds `backbone`, serializes it, compiles sensibly.

    Subclasses build their functional graph on `backbone.input` in `__init__`,
    then call `super().__init__(backbone=..., inputs=..., outputs=...)`; their
    `get_config` adds their own arguments to this one's. The heads are rebuilt in
    `__init__`, so only the backbone needs serializing.
    """

    def __init__(self, backbone, inputs, outputs, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        # The task takes the backbone's dtype policy, so that `compile` wraps the
        # optimizer in a LossScaleOptimizer under "mixed_float16".
        self.dtype_policy = backbone.dtype_policy
        self.backbone = backbone

    @classmethod
    def from_preset(cls, preset, backbone_overrides=None, **task_kwargs):
        """A randomly initialized task model on a preset's backbone shape."""
        backbone = AlbertBackbone.from_preset(preset, **(backbone_overrides or {}))
        return cls(backbone=backbone, **task_kwargs)

    @classmethod
    def from_pretrained(cls, directory, backbone_overrides=None, **task_kwargs):
        """This task on a pretrained directory's backbone, with the saved heads of
        the same name (all of them when the directory holds this task class);
        `task_kwargs` as in the constructor (e.g. `num_classes`)."""
        from keras_albert.models.pretrained import load_pretrained

        return load_pretrained(directory, cls=cls, backbone_overrides=backbone_overrides,
                               **task_kwargs)

    def save_pretrained(self, directory, tokenizer=None, overwrite=True):
        """Write config, weights and (optionally) tokenizer files to `directory`."""
        from keras_albert.models.pretrained import save_pretrained

        save_pretrained(self, directory, tokenizer=tokenizer, overwrite=overwrite)

    def default_losses(self):
        """Loss (or dict of losses by output name) used by `compile()`."""
        raise NotImplementedError

    def default_metrics(self):
        """Metrics (list, or dict by output name) used by `compile()`."""
        return None

    def compile(self, optimizer="auto", loss="auto", metrics="auto",
                jit_compile=True, **kwargs):
        """`keras.Model.compile` with the task's losses and metrics by default,
        AdamW(5e-5) and XLA on (pass `jit_compile=False` to turn it off)."""
        if optimizer == "auto":
            optimizer = keras.optimizers.AdamW(5e-5, weight_decay=0.01)
        if loss == "auto":
            loss = self.default_losses()
        if metrics == "auto":
            metrics = self.default_metrics()
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics,
                        jit_compile=jit_compile, **kwargs)

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
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["backbone"] = keras.saving.deserialize_keras_object(config["backbone"])
        return cls(**config)
