"""`AlbertQuestionAnswerer`: extractive QA (SQuAD 1.1 and 2.0)."""

import keras
from keras import ops

from keras_albert.layers.span_head import SpanHead
from keras_albert.tasks.task import AlbertTask


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertQuestionAnswerer(AlbertTask):
    """Start/end logits over the tokens plus an answerability logit.

    Inputs pack `[CLS] question [SEP] context [SEP]`. Outputs
    `{"start_logits": (B, T), "end_logits": (B, T), "answerable_logits": (B,)}`;
    padding gets -10000 in the span logits. The answerability head (a dense on
    the pooled output) serves SQuAD 2.0: label 0 when the context holds no answer
    (then give the span losses sample weight 0). Labels: start and end token
    positions (B,), answerable (B,).

    Args:
        backbone: `AlbertBackbone`.

    Example:
    >>> model = AlbertQuestionAnswerer.from_preset("albert_tiny")
    """

    def __init__(self, backbone, **kwargs):
        # === Layers ===
        self.span_head = SpanHead(
            initializer_range=backbone.initializer_range,
            dtype=backbone.dtype_policy,
            name="span_head",
        )
        self.answerable_head = keras.layers.Dense(
            1,
            kernel_initializer=keras.initializers.TruncatedNormal(
                stddev=backbone.initializer_range
            ),
            dtype="float32",
            name="answerable_head",
        )

        # === Functional model ===
        inputs = backbone.input
        outputs = backbone(inputs)
        start, end = self.span_head(outputs["sequence_output"], inputs["padding_mask"])
        answerable = self.answerable_head(outputs["pooled_output"])  # (B, 1)
        outputs = {
            "start_logits": start,  # (B, T)
            "end_logits": end,  # (B, T)
            "answerable_logits": ops.squeeze(answerable, axis=-1),  # (B,)
        }
        super().__init__(backbone=backbone, inputs=inputs, outputs=outputs, **kwargs)

    def default_losses(self):
        span_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        return {
            "start_logits": span_loss,
            "end_logits": span_loss,
            "answerable_logits": keras.losses.BinaryCrossentropy(from_logits=True),
        }
