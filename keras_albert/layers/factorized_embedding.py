"""ALBERT's factorized embedding: V x E tables, then a projection E -> H."""

import keras
import tensorflow as tf
from keras import ops

from keras_albert.checks import check_choice, check_positive_int, check_rate

# Where the E -> H projection sits. "after_norm": Google's ALBERT (and
# transformers', keras-hub's) -- sum and normalize at width E, then project
# with a bias. "before_sum": brightmart's albert_zh -- project each word vector
# (no bias), then add H-wide position and token-type embeddings and normalize
# at width H.
EMBEDDING_PROJECTIONS = ("after_norm", "before_sum")


@keras.saving.register_keras_serializable(package="keras_albert")
class FactorizedEmbedding(keras.layers.Layer):
    """Word, token-type and position embeddings of width E, projected to width H.

    The embedding width E is decoupled from the hidden width H (Lan et al. 2019,
    section 3.1): the vocabulary table costs V x E instead of V x H. The sum of the
    three embeddings is normalized (epsilon 1e-12), dropped out and projected to H,
    as in the original `embedding_hidden_mapping_in`. `word_embeddings` is a
    `keras.layers.ReversibleEmbedding`, so a masked-LM head can use it as the tied
    decoder with `word_embeddings(x, reverse=True)`.

    With `projection="before_sum"` (brightmart's albert_zh) the word vector is
    projected to H first, by a bias-free `word_projection` (E x H); the position
    and token-type tables are H wide and the LayerNorm normalizes over H.

    Args:
        vocabulary_size: int. V, the number of token ids.
        embedding_dim: int. E, the width of the embedding tables.
        hidden_dim: int. H, the width the projection maps to.
        max_sequence_length: int. P, the number of learned positions.
        num_segments: int. The number of token types (2 in ALBERT).
        dropout: float. Dropout rate after the LayerNorm.
        layer_norm_epsilon: float. LayerNorm epsilon.
        initializer_range: float. Standard deviation of the truncated normal
            initializer.
        projection: str. `"after_norm"` (Google's ALBERT) or `"before_sum"`
            (brightmart's albert_zh); see above.

    Example:
    >>> layer = FactorizedEmbedding(100, embedding_dim=8, hidden_dim=16,
    ...                             max_sequence_length=32)
    >>> ids = np.ones((2, 10), "int32")
    >>> layer(ids, np.zeros_like(ids)).shape
    TensorShape([2, 10, 16])
    """

    def __init__(
        self,
        vocabulary_size,
        embedding_dim,
        hidden_dim,
        max_sequence_length=512,
        num_segments=2,
        dropout=0.0,
        layer_norm_epsilon=1e-12,
        initializer_range=0.02,
        projection="after_norm",
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name in ("vocabulary_size", "embedding_dim", "hidden_dim",
                     "max_sequence_length", "num_segments"):
            check_positive_int(name, locals()[name])
        check_rate("dropout", dropout)
        check_choice("projection", projection, EMBEDDING_PROJECTIONS)
        self.projection_position = projection
        # The width at which the three embeddings are summed and normalized.
        self.sum_dim = embedding_dim if projection == "after_norm" else hidden_dim
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim
        self.hidden_dim = hidden_dim
        self.max_sequence_length = max_sequence_length
        self.num_segments = num_segments
        self.dropout = dropout
        self.layer_norm_epsilon = layer_norm_epsilon
        self.initializer_range = initializer_range

        initializer = keras.initializers.TruncatedNormal(stddev=initializer_range)
        self.word_embeddings = keras.layers.ReversibleEmbedding(
            vocabulary_size, embedding_dim, embeddings_initializer=initializer,
            dtype=self.dtype_policy, name="word_embeddings",
        )
        self.token_type_embeddings = keras.layers.Embedding(
            num_segments, self.sum_dim, embeddings_initializer=initializer,
            dtype=self.dtype_policy, name="token_type_embeddings",
        )
        self.layer_norm = keras.layers.LayerNormalization(
            epsilon=layer_norm_epsilon, dtype=self.dtype_policy, name="layer_norm"
        )
        self.dropout_layer = keras.layers.Dropout(
            dropout, dtype=self.dtype_policy, name="dropout"
        )
        self.projection = keras.layers.Dense(
            hidden_dim, kernel_initializer=initializer, dtype=self.dtype_policy,
            use_bias=projection == "after_norm",
            name=("embedding_hidden_mapping_in" if projection == "after_norm"
                  else "word_projection"),
        )

    def build(self, token_ids_shape=None, segment_ids_shape=None):
        self.word_embeddings.build()
        self.token_type_embeddings.build()
        # A weight here, not keras_hub's PositionEmbedding sublayer: that would move it
        # in every saved .weights.h5 and in the converters' name table.
        self.position_embeddings = self.add_weight(
            name="position_embeddings",
            shape=(self.max_sequence_length, self.sum_dim),
            initializer=keras.initializers.TruncatedNormal(
                stddev=self.initializer_range
            ),
        )
        self.layer_norm.build((None, None, self.sum_dim))
        self.projection.build((None, None, self.embedding_dim))

    def call(self, token_ids, segment_ids, training=None):
        sequence_length = token_ids.shape[1]
        if sequence_length is not None and sequence_length > self.max_sequence_length:
            raise ValueError(
                "Input is longer than `max_sequence_length`. Received: "
                f"sequence_length={sequence_length}, "
                f"max_sequence_length={self.max_sequence_length}"
            )
        sequence_length = ops.shape(token_ids)[1]
        if not isinstance(sequence_length, int):
            # Length known only at run time (e.g. a tf.function with a None
            # length): check it there too, or the slice below would silently clip.
            # The slice waits for the check: in a graph, an assert that
            # nothing depends on may run after the add below has failed.
            check = tf.debugging.assert_less_equal(
                sequence_length, self.max_sequence_length,
                message="Input is longer than `max_sequence_length`="
                f"{self.max_sequence_length}",
            )
            with tf.control_dependencies([check] if check is not None else []):
                sequence_length = tf.identity(sequence_length)
        positions = ops.cast(self.position_embeddings, self.compute_dtype)
        positions = positions[:sequence_length]  # (T, S), S = E or H
        x = self.word_embeddings(token_ids)  # (B, T, E)
        if self.projection_position == "before_sum":
            x = self.projection(x)  # (B, T, H)
        x = x + self.token_type_embeddings(segment_ids) + positions[None]
        x = self.layer_norm(x)
        x = self.dropout_layer(x, training=training)
        if self.projection_position == "after_norm":
            x = self.projection(x)
        return x  # (B, T, H)

    def compute_output_shape(self, token_ids_shape, segment_ids_shape=None):
        return (*token_ids_shape, self.hidden_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "hidden_dim": self.hidden_dim,
            "max_sequence_length": self.max_sequence_length,
            "num_segments": self.num_segments,
            "dropout": self.dropout,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "initializer_range": self.initializer_range,
            "projection": self.projection_position,
        }
