"""`AlbertMultipleChoice`: score each (context, choice) pair, softmax over choices."""

import keras

from keras_albert.checks import check_rate
from keras_albert.layers.choices import FoldChoices, UnfoldChoices
from keras_albert.tasks.task import AlbertTask, dropout_and_dense


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertMultipleChoice(AlbertTask):
    """One score per choice from the pooled output of each packed pair.

    Inputs are (B, C, T): choice c of example b packs `[CLS] context [SEP]
    choice_c [SEP]`. The choices run through the backbone as a batch of B * C;
    the output is (B, C) logits, trained with the index of the right choice.

    Args:
        backbone: `AlbertBackbone`.
        dropout: float. Dropout on the pooled output.

    Example:
    >>> model = AlbertMultipleChoice.from_preset("albert_tiny")
    """

    def __init__(self, backbone, dropout=0.1, **kwargs):
        check_rate("dropout", dropout)

        # === Layers ===
        self.fold_choices = FoldChoices(name="fold_choices")
        self.unfold_choices = UnfoldChoices(name="unfold_choices")
        self.output_dropout, self.output_dense = dropout_and_dense(
            backbone, 1, dropout
        )

        # === Functional model ===
        inputs = {
            name: keras.Input(shape=(None, None), dtype="int32", name=name)
            for name in backbone.input
        }
        pooled = backbone(self.fold_choices(inputs))["pooled_output"]  # (B*C, H)
        scores = self.output_dense(self.output_dropout(pooled))  # (B*C, 1)
        logits = self.unfold_choices(scores, inputs["token_ids"])  # (B, C)
        super().__init__(backbone=backbone, inputs=inputs, outputs=logits, **kwargs)

        # === Config ===
        self.dropout = dropout

    def default_losses(self):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def default_metrics(self):
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]

    def get_config(self):
        return {**super().get_config(), "dropout": self.dropout}
