"""`AlbertPretrainer`: masked LM and sentence-order prediction together."""

import keras

from keras_albert.layers.sentence_order_head import SentenceOrderHead
from keras_albert.tasks.masked_lm import masked_lm_head, masked_lm_inputs, masked_lm_loss
from keras_albert.tasks.task import AlbertTask


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertPretrainer(AlbertTask):
    """ALBERT's pretraining model: MLM on masked positions + SOP on the pooled output.

    Outputs `{"mlm_logits": (B, M, V), "sop_logits": (B, 2)}`. Train with plain
    `fit(x, y, sample_weight)` where `y = {"mlm_logits": mask_ids, "sop_logits":
    sop_labels}` (0 = original order) and `sample_weight = {"mlm_logits":
    mask_weights}`; the total loss is the sum of both, as in the original.

    Args:
        backbone: `AlbertBackbone`.

    Example:
    >>> model = AlbertPretrainer.from_preset("albert_tiny")
    >>> model.compile()
    """

    def __init__(self, backbone, **kwargs):
        # === Layers ===
        self.mlm_head = masked_lm_head(backbone)
        self.sop_head = SentenceOrderHead(
            initializer_range=backbone.initializer_range,
            dtype=backbone.dtype_policy,
            name="sop_head",
        )

        # === Functional model ===
        inputs = masked_lm_inputs(backbone)
        outputs = backbone({name: inputs[name] for name in backbone.input})
        outputs = {
            "mlm_logits": self.mlm_head(
                outputs["sequence_output"], inputs["mask_positions"]
            ),  # (B, M, V)
            "sop_logits": self.sop_head(outputs["pooled_output"]),  # (B, 2)
        }
        super().__init__(backbone=backbone, inputs=inputs, outputs=outputs, **kwargs)

    def default_losses(self):
        return {
            "mlm_logits": masked_lm_loss(),
            "sop_logits": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        }

    def default_metrics(self):
        return {
            "mlm_logits": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
            "sop_logits": [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        }
