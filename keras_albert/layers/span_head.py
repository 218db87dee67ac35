"""Start/end span logits for extractive question answering."""

import keras
from keras import ops

from keras_albert.layers.attention import MASK_LOGIT


@keras.saving.register_keras_serializable(package="keras_albert")
class SpanHead(keras.layers.Layer):
    """A Dense(2) over every token, split into start and end logits.

    Padded positions get -10000 so a softmax or argmax over the sequence never
    picks them. The dense is the Hugging Face `qa_outputs` (H -> 2).

    Args:
        initializer_range: float. Stddev of the truncated normal initializer.

    Call arguments:
        sequence_output: (B, T, H).
        padding_mask: (B, T), 1 for real tokens.

    Returns:
        `(start_logits, end_logits)`, each (B, T), float32.
    """

    def __init__(self, initializer_range=0.02, **kwargs):
        super().__init__(**kwargs)
        self.initializer_range = initializer_range
        self.dense = keras.layers.Dense(
            2,
            kernel_initializer=keras.initializers.TruncatedNormal(
                stddev=initializer_range
            ),
            dtype=self.dtype_policy,
            name="qa_outputs",
        )

    def build(self, sequence_output_shape, padding_mask_shape=None):
        self.dense.build(sequence_output_shape)

    def call(self, sequence_output, padding_mask):
        logits = ops.cast(self.dense(sequence_output), "float32")  # (B, T, 2)
        is_pad = 1.0 - ops.cast(padding_mask, "float32")  # (B, T)
        logits = logits + is_pad[:, :, None] * MASK_LOGIT
        return logits[:, :, 0], logits[:, :, 1]

    def compute_output_spec(self, sequence_output, padding_mask):
        # Two distinct specs: the functional graph tells outputs apart by identity.
        shape = sequence_output.shape[:2]
        return (keras.KerasTensor(shape, dtype="float32"),
                keras.KerasTensor(shape, dtype="float32"))

    def get_config(self):
        return {**super().get_config(), "initializer_range": self.initializer_range}
