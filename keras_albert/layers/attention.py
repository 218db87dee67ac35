"""Multi-head self-attention as in the original ALBERT (`attention_1`)."""

import keras
from keras import ops

from keras_albert.checks import check_positive_int, check_rate
from keras_albert.layers.sequence_dense import sequence_dense

# The original adds this to the logits of padded keys. A finite value (rather than
# -inf) keeps rows that are all padding finite: they attend uniformly.
MASK_LOGIT = -10000.0


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertAttention(keras.layers.Layer):
    """Self-attention with separate query/key/value projections and an output dense.

    Separate `query`, `key`, `value` and `output_dense` (H -> H each) keep the
    weights one-to-one with the original checkpoints. Padded keys get -10000 added
    to their logits, as in the original; softmax runs in float32 under mixed
    precision.

    Args:
        hidden_dim: int. H, the model width; must be divisible by `num_heads`.
        num_heads: int. Number of attention heads.
        dropout: float. Dropout rate on the attention probabilities.
        initializer_range: float. Standard deviation of the truncated normal
            initializer.

    Example:
    >>> attention = AlbertAttention(hidden_dim=16, num_heads=2)
    >>> x = np.random.rand(2, 5, 16).astype("float32")
    >>> attention(x, padding_mask=np.ones((2, 5), "int32")).shape
    TensorShape([2, 5, 16])
    """

    def __init__(self, hidden_dim, num_heads, dropout=0.0, initializer_range=0.02,
                 **kwargs):
        super().__init__(**kwargs)
        check_positive_int("hidden_dim", hidden_dim)
        check_positive_int("num_heads", num_heads)
        check_rate("dropout", dropout)
        if hidden_dim % num_heads:
            raise ValueError(
                "`hidden_dim` must be divisible by `num_heads`. Received: "
                f"hidden_dim={hidden_dim}, num_heads={num_heads}"
            )
        self.hidden_dim = hidden_dim
        self.num_heads = num_heads
        self.head_dim = hidden_dim // num_heads
        self.dropout = dropout
        self.initializer_range = initializer_range

        def dense(name):
            return sequence_dense(hidden_dim, initializer_range, self.dtype_policy,
                                  name)

        self.query = dense("query")
        self.key = dense("key")
        self.value = dense("value")
        self.output_dense = dense("output_dense")
        self.dropout_layer = keras.layers.Dropout(
            dropout, dtype=self.dtype_policy, name="dropout"
        )

    def build(self, input_shape=None):
        for layer in (self.query, self.key, self.value, self.output_dense):
            layer.build((None, None, self.hidden_dim))

    def _split_heads(self, x):
        batch_size, length = ops.shape(x)[0], ops.shape(x)[1]
        x = ops.reshape(x, (batch_size, length, self.num_heads, self.head_dim))
        return ops.transpose(x, (0, 2, 1, 3))  # (B, N, T, D)

    def call(self, x, padding_mask, training=None):
        batch_size, length = ops.shape(x)[0], ops.shape(x)[1]
        query = self._split_heads(self.query(x))  # (B, N, T, D)
        key = self._split_heads(self.key(x))  # (B, N, T, D)
        value = self._split_heads(self.value(x))  # (B, N, T, D)

        query = query * ops.cast(self.head_dim**-0.5, query.dtype)
        logits = ops.matmul(query, ops.transpose(key, (0, 1, 3, 2)))  # (B, N, T, T)
        logits = ops.cast(logits, "float32")
        key_is_pad = 1.0 - ops.cast(padding_mask, "float32")  # (B, T)
        # expand_dims, not `[:, None, None, :]`: TFLite has no builtin for a
        # strided slice that adds axes to a dynamic shape.
        key_is_pad = ops.expand_dims(key_is_pad, (1, 2))  # (B, 1, 1, T)
        logits = logits + key_is_pad * MASK_LOGIT
        probs = ops.cast(ops.softmax(logits, axis=-1), self.compute_dtype)
        probs = self.dropout_layer(probs, training=training)

        context = ops.matmul(probs, value)  # (B, N, T, D)
        context = ops.transpose(context, (0, 2, 1, 3))  # (B, T, N, D)
        context = ops.reshape(context, (batch_size, length, self.hidden_dim))
        return self.output_dense(context)  # (B, T, H)

    def compute_output_shape(self, x_shape, padding_mask_shape=None):
        return x_shape

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "dropout": self.dropout,
            "initializer_range": self.initializer_range,
        }
