"""One post-LN ALBERT transformer block (the original's `inner_group_i`)."""

import keras

from keras_albert.checks import check_positive_int, check_rate
from keras_albert.layers.activations import get_activation
from keras_albert.layers.attention import AlbertAttention
from keras_albert.layers.sequence_dense import sequence_dense


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertTransformerLayer(keras.layers.Layer):
    """Post-LN transformer block: `h = LN(x + Attn(x))`, `y = LN(h + FFN(h))`.

    Args:
        hidden_dim: int. H, the model width.
        num_heads: int. Attention heads; must divide `hidden_dim`.
        intermediate_dim: int. Width of the feed-forward network.
        hidden_act: str. `"gelu_new"` (tanh approximation, the original "gelu"),
            `"gelu"` (exact) or `"relu"` (the Chinese models).
        dropout: float. Dropout on the attention and feed-forward outputs.
        attention_dropout: float. Dropout on the attention probabilities.
        layer_norm_epsilon: float. LayerNorm epsilon.
        initializer_range: float. Standard deviation of the truncated normal
            initializer.

    Example:
    >>> block = AlbertTransformerLayer(hidden_dim=16, num_heads=2, intermediate_dim=32)
    >>> x = np.random.rand(2, 5, 16).astype("float32")
    >>> block(x, padding_mask=np.ones((2, 5), "int32")).shape
    TensorShape([2, 5, 16])
    """

    def __init__(
        self,
        hidden_dim,
        num_heads,
        intermediate_dim,
        hidden_act="gelu_new",
        dropout=0.0,
        attention_dropout=0.0,
        layer_norm_epsilon=1e-12,
        initializer_range=0.02,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int("intermediate_dim", intermediate_dim)
        check_rate("dropout", dropout)
        self.activation = get_activation(hidden_act)
        self.hidden_dim = hidden_dim
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.hidden_act = hidden_act
        self.dropout = dropout
        self.attention_dropout = attention_dropout
        self.layer_norm_epsilon = layer_norm_epsilon
        self.initializer_range = initializer_range

        self.attention = AlbertAttention(
            hidden_dim, num_heads, dropout=attention_dropout,
            initializer_range=initializer_range, dtype=self.dtype_policy,
            name="attention",
        )
        self.attention_layer_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy,
            name="attention_layer_norm",
        )
        self.ffn = sequence_dense(intermediate_dim, initializer_range,
                                  self.dtype_policy, "ffn")
        self.ffn_output = sequence_dense(hidden_dim, initializer_range,
                                         self.dtype_policy, "ffn_output")
        self.ffn_layer_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="ffn_layer_norm",
        )
        self.dropout_layer = keras.layers.Dropout(
            dropout, dtype=self.dtype_policy, name="dropout"
        )

    def build(self, input_shape=None):
        shape = (None, None, self.hidden_dim)
        self.attention.build(shape)
        self.attention_layer_norm.build(shape)
        self.ffn.build(shape)
        self.ffn_output.build((None, None, self.intermediate_dim))
        self.ffn_layer_norm.build(shape)

    def call(self, x, padding_mask, training=None):
        attended = self.attention(x, padding_mask, training=training)  # (B, T, H)
        attended = self.dropout_layer(attended, training=training)
        x = self.attention_layer_norm(x + attended)  # (B, T, H)
        hidden = self.activation(self.ffn(x))  # (B, T, I)
        hidden = self.dropout_layer(self.ffn_output(hidden), training=training)
        return self.ffn_layer_norm(x + hidden)  # (B, T, H)

    def compute_output_shape(self, x_shape, padding_mask_shape=None):
        return x_shape

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "intermediate_dim": self.intermediate_dim,
            "hidden_act": self.hidden_act,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "initializer_range": self.initializer_range,
        }
