"""`AlbertClassifier`: classification or regression of a text or a text pair."""

import keras

from keras_albert.checks import check_positive_int, check_rate
from keras_albert.tasks.task import AlbertTask, dropout_and_dense


def check_label_names(label_names, num_classes):
    """Label names must be distinct strings, one per class."""
    if label_names is None:
        return None
    label_names = [str(name) for name in label_names]
    if len(label_names) != num_classes or len(set(label_names)) != num_classes:
        raise ValueError(
            f"`label_names` must hold {num_classes} distinct names (num_classes). "
            f"Received: label_names={label_names!r}"
        )
    return label_names


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertClassifier(AlbertTask):
    """Dropout and a dense layer on the pooled output.

    A pair of texts is packed as `[CLS] A [SEP] B [SEP]` with segment ids 0/1, so
    the same model serves single texts and pairs. With `num_classes=1` the model
    is a regressor (mean squared error), as in Hugging Face's convention.

    Args:
        backbone: `AlbertBackbone`.
        num_classes: int. Number of classes; 1 for regression.
        label_names: list of str or None. Class names, stored with the model
            (carried into predictions and exports).
        dropout: float. Dropout on the pooled output.

    Example:
    >>> model = AlbertClassifier.from_preset("albert_tiny", num_classes=3)
    >>> model.compile()
    >>> x = {"token_ids": np.array([[2, 9, 3]]), "segment_ids": np.zeros((1, 3)),
    ...      "padding_mask": np.ones((1, 3))}
    >>> model.predict(x).shape
    (1, 3)
    """

    def __init__(self, backbone, num_classes, label_names=None, dropout=0.1,
                 **kwargs):
        check_positive_int("num_classes", num_classes)
        check_rate("dropout", dropout)
        label_names = check_label_names(label_names, num_classes)

        # === Layers ===
        self.output_dropout, self.output_dense = dropout_and_dense(
            backbone, num_classes, dropout
        )

        # === Functional model ===
        inputs = backbone.input
        pooled = backbone(inputs)["pooled_output"]  # (B, H)
        logits = self.output_dense(self.output_dropout(pooled))  # (B, num_classes)
        super().__init__(backbone=backbone, inputs=inputs, outputs=logits, **kwargs)

        # === Config ===
        self.num_classes = num_classes
        self.label_names = label_names
        self.dropout = dropout

    @property
    def is_regression(self):
        return self.num_classes == 1

    def default_losses(self):
        if self.is_regression:
            return keras.losses.MeanSquaredError()
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def default_metrics(self):
        if self.is_regression:
            return [keras.metrics.MeanAbsoluteError(name="mae")]
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "label_names": self.label_names,
            "dropout": self.dropout,
        }
