"""`AlbertSentenceOrder`: is segment B really the continuation of segment A?"""

import keras

from keras_albert.layers.sentence_order_head import SentenceOrderHead
from keras_albert.tasks.task import AlbertTask


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertSentenceOrder(AlbertTask):
    """The backbone and the pretrained sentence-order head (`cls/seq_relationship`).

    Outputs (B, 2) logits: 0 = the two segments are in their original order,
    1 = swapped.

    Args:
        backbone: `AlbertBackbone`.

    Example:
    >>> model = AlbertSentenceOrder.from_preset("albert_tiny")
    """

    def __init__(self, backbone, **kwargs):
        # === Layers ===
        self.sop_head = SentenceOrderHead(
            initializer_range=backbone.initializer_range,
            dtype=backbone.dtype_policy,
            name="sop_head",
        )

        # === Functional model ===
        inputs = backbone.input
        logits = self.sop_head(backbone(inputs)["pooled_output"])  # (B, 2)
        super().__init__(backbone=backbone, inputs=inputs, outputs=logits, **kwargs)

    def default_losses(self):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def default_metrics(self):
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
