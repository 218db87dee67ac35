"""`AlbertMaskedLM`: predict the tokens at masked positions."""

import keras

from keras_albert.layers.masked_lm_head import MaskedLMHead
from keras_albert.tasks.masked_lm_loss import MaskedLMLoss
from keras_albert.tasks.task import AlbertTask


def masked_lm_inputs(backbone):
    """The backbone's inputs plus `mask_positions` (B, M) int32."""
    return {
        **backbone.input,
        "mask_positions": keras.Input(shape=(None,), dtype="int32",
                                      name="mask_positions"),
    }


def masked_lm_head(backbone):
    """The `MaskedLMHead` for `backbone`, its decoder tied to the word table."""
    return MaskedLMHead(
        token_embedding=backbone.token_embedding,
        hidden_act=backbone.hidden_act,
        layer_norm_epsilon=backbone.layer_norm_epsilon,
        initializer_range=backbone.initializer_range,
        dtype=backbone.dtype_policy,
        name="mlm_head",
    )


def masked_lm_loss():
    """Cross-entropy averaged over real masked positions (the original divides the
    weighted sum by the sum of `mask_weights`); pass those as `sample_weight`."""
    return MaskedLMLoss()


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertMaskedLM(AlbertTask):
    """The backbone and the masked-LM head (`cls/predictions` in the original).

    Inputs are the backbone's plus `mask_positions` (B, M); the output is (B, M, V)
    logits. Train with `y = mask_ids` and `sample_weight = mask_weights` (0 for
    padding slots in `mask_positions`).

    Args:
        backbone: `AlbertBackbone`.

    Example:
    >>> model = AlbertMaskedLM.from_preset("albert_tiny")
    >>> model.compile()
    >>> x = {"token_ids": np.array([[2, 4, 9, 3]]), "segment_ids": np.zeros((1, 4)),
    ...      "padding_mask": np.ones((1, 4)), "mask_positions": np.array([[1]])}
    >>> model.predict(x).shape
    (1, 1, 1000)
    """

    def __init__(self, backbone, **kwargs):
        # === Layers ===
        self.mlm_head = masked_lm_head(backbone)

        # === Functional model ===
        inputs = masked_lm_inputs(backbone)
        backbone_inputs = {name: inputs[name] for name in backbone.input}
        sequence = backbone(backbone_inputs)["sequence_output"]  # (B, T, H)
        logits = self.mlm_head(sequence, inputs["mask_positions"])  # (B, M, V)
        super().__init__(backbone=backbone, inputs=inputs, outputs=logits, **kwargs)

    def default_losses(self):
        return masked_lm_loss()

    def default_metrics(self):
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
