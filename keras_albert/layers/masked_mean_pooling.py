"""`MaskedMeanPooling`: one vector per text, the mean of its real tokens'."""

import keras

# Below this squared norm a vector is left (near) zero rather than blown up:
# an all-padding row pools to zeros and stays finite.
_EPSILON = 1e-12


def masked_mean(sequence, padding_mask):
    """The mean of `sequence` (B, L, H) over the positions where
    `padding_mask` (B, L) is 1, in float32; a row of padding alone gives 0."""
    sequence = keras.ops.cast(sequence, "float32")
    # expand_dims, not [:, :, None]: TFLite has no kernel for a new-axis slice.
    mask = keras.ops.expand_dims(keras.ops.cast(padding_mask, "float32"), -1)  # (B, L, 1)
    count = keras.ops.maximum(keras.ops.sum(mask, axis=1), 1.0)  # (B, 1)
    return keras.ops.sum(sequence * mask, axis=1) / count  # (B, H)


def unit_length(vectors):
    """`vectors` (B, H) divided by their L2 norm (as `tf.math.l2_normalize`)."""
    squared = keras.ops.sum(keras.ops.square(vectors), axis=-1, keepdims=True)  # (B, 1)
    return vectors * keras.ops.rsqrt(keras.ops.maximum(squared, _EPSILON))  # (B, H)


@keras.saving.register_keras_serializable(package="keras_albert")
class MaskedMeanPooling(keras.layers.Layer):
    """The mean of the token vectors over the real tokens (padding left out),
    optionally scaled to unit length: Sentence-BERT's pooling (Reimers and
    Gurevych 2019, arXiv 1908.10084). Computed in float32 under any policy.

    Args:
        normalize: bool. Divide each vector by its L2 norm, so that a dot
            product is the cosine similarity.
        **kwargs: Passed to `keras.layers.Layer`.

    Example:
    >>> pooling = MaskedMeanPooling()
    >>> sequence = np.ones((2, 4, 8)); mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]])
    >>> pooling(sequence, mask).shape
    (2, 8)
    """

    def __init__(self, normalize=True, **kwargs):
        if not isinstance(normalize, bool):
            raise ValueError(  # noqa: TRY004
                f"`normalize` must be True or False. Received: normalize={normalize!r}")
        super().__init__(**kwargs)
        self.normalize = normalize
        self.built = True  # no weights

    def call(self, sequence, padding_mask):
        pooled = masked_mean(sequence, padding_mask)  # (B, H)
        return unit_length(pooled) if self.normalize else pooled

    def get_config(self):
        return {**super().get_config(), "normalize": self.normalize}
