"""`AlbertClassifier`: classification or regression of a text or a text pair."""

import keras
import numpy as np

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

    def label_ids(self, y):
        """Class ids of `y`; label names (strings) are looked up in `label_names`."""
        y = np.asarray(y)
        if y.dtype.kind not in "USO" or self.is_regression:
            return y
        if self.label_names is None:
            raise ValueError("String labels need a classifier built with "
                             f"`label_names`. Received: labels like {y.flat[0]!r}")
        index = {name: i for i, name in enumerate(self.label_names)}
        unknown = sorted({str(label) for label in y.flat} - index.keys())
        if unknown:
            raise ValueError(f"Labels not in `label_names` ({len(self.label_names)} "
                             f"classes). Received: {unknown[:5]}")
        return np.array([index[str(label)] for label in y.flat]).reshape(y.shape)

    def predict_labels(self, x, batch_size=None, **kwargs):
        """`predict`, then the most probable class of each example: a list of
        `{"label": name or id, "probability": float}` (regression: `{"value"}`)."""
        logits = self.predict(x, batch_size=batch_size, **kwargs)
        if self.is_regression:
            return [{"value": float(value)} for value in logits[:, 0]]
        probabilities = keras.ops.convert_to_numpy(
            keras.ops.softmax(keras.ops.cast(logits, "float32")))
        names = self.label_names or list(range(self.num_classes))
        return [{"label": names[int(row.argmax())], "probability": float(row.max())}
                for row in probabilities]

    def merge_windows(self, outputs, windows):
        """A long text's logits: the mean of its windows' logits."""
        return windows.mean_by_text(outputs)

    def window_targets(self, y, rows):
        """Each window learns its text's label (or score)."""
        return np.asarray(y)[rows]

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
