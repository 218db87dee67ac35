"""The masked-LM head, its decoder tied to the word embeddings."""

import keras
from keras import ops

from keras_albert.layers.activations import get_activation


@keras.saving.register_keras_serializable(package="keras_albert")
class MaskedLMHead(keras.layers.Layer):
    """Gather the masked positions, transform H -> E, decode with the word table.

    As the original `cls/predictions`: Dense H -> E, activation, LayerNorm
    (epsilon 1e-12), then logits against the transposed V x E word embeddings plus
    an output bias. The decoder has no weights of its own: pass the backbone's
    `token_embedding` (a `ReversibleEmbedding`).

    Args:
        token_embedding: `keras.layers.ReversibleEmbedding`. The tied word table.
        hidden_act: str. Activation of the transform, as the backbone's.
        layer_norm_epsilon: float. LayerNorm epsilon.
        initializer_range: float. Stddev of the truncated normal initializer.

    Call arguments:
        sequence_output: (B, T, H) encoder output.
        mask_positions: (B, M) int positions to predict.

    Returns:
        (B, M, V) logits.
    """

    def __init__(self, token_embedding, hidden_act="gelu_new",
                 layer_norm_epsilon=1e-12, initializer_range=0.02, **kwargs):
        super().__init__(**kwargs)
        # Not tracked as a sublayer: the table belongs to the backbone, and
        # tracking it here would save it twice in a `.keras` file.
        object.__setattr__(self, "token_embedding", token_embedding)
        self.activation = get_activation(hidden_act)
        self.hidden_act = hidden_act
        self.layer_norm_epsilon = layer_norm_epsilon
        self.initializer_range = initializer_range
        self.dense = keras.layers.Dense(
            token_embedding.output_dim,
            kernel_initializer=keras.initializers.TruncatedNormal(
                stddev=initializer_range
            ),
            dtype=self.dtype_policy,
            name="dense",
        )
        self.layer_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="layer_norm"
        )

    def build(self, sequence_output_shape, mask_positions_shape=None):
        self.dense.build((None, None, sequence_output_shape[-1]))
        self.layer_norm.build((None, None, self.token_embedding.output_dim))
        self.output_bias = self.add_weight(
            name="output_bias", shape=(self.token_embedding.input_dim,),
            initializer="zeros",
        )

    def call(self, sequence_output, mask_positions):
        mask_positions = ops.cast(mask_positions, "int32")
        x = ops.take_along_axis(
            sequence_output, mask_positions[:, :, None], axis=1
        )  # (B, M, H)
        x = self.layer_norm(self.activation(self.dense(x)))  # (B, M, E)
        logits = self.token_embedding(x, reverse=True)  # (B, M, V)
        return logits + ops.cast(self.output_bias, logits.dtype)

    def compute_output_shape(self, sequence_output_shape, mask_positions_shape):
        return (*mask_positions_shape, self.token_embedding.input_dim)

    def get_config(self):
        # `token_embedding` is not serialized: the owning task passes it again.
        return {
            **super().get_config(),
            "hidden_act": self.hidden_act,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "initializer_range": self.initializer_range,
        }
