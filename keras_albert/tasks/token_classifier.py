"""`AlbertTokenClassifier`: a label for every token (tagging, NER)."""

import keras

from keras_albert.checks import check_positive_int, check_rate
from keras_albert.tasks.classifier import check_label_names
from keras_albert.tasks.task import AlbertTask, dropout_and_dense

IGNORE_LABEL = -100


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertTokenClassifier(AlbertTask):
    """Dropout and a dense layer on every position of the sequence output.

    Outputs (B, T, num_classes) logits. Label positions that should not count
    (padding, special tokens, non-first pieces of a word) with -100, as in Hugging
    Face; the default loss ignores them.

    Args:
        backbone: `AlbertBackbone`.
        num_classes: int. Number of tags.
        label_names: list of str or None. Tag names, stored with the model.
        dropout: float. Dropout on the sequence output.

    Example:
    >>> model = AlbertTokenClassifier.from_preset("albert_tiny", num_classes=5)
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
        sequence = backbone(inputs)["sequence_output"]  # (B, T, H)
        logits = self.output_dense(self.output_dropout(sequence))  # (B, T, C)
        super().__init__(backbone=backbone, inputs=inputs, outputs=logits, **kwargs)

        # === Config ===
        self.num_classes = num_classes
        self.label_names = label_names
        self.dropout = dropout

    def merge_windows(self, outputs, windows):
        """A long text's logits per piece, each from the window where the
        piece is most central, laid out as `[CLS] text [SEP]` (zeros outside
        the pieces)."""
        return windows.by_most_central(outputs)

    def default_losses(self):
        return keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, ignore_class=IGNORE_LABEL
        )

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "label_names": self.label_names,
            "dropout": self.dropout,
        }
