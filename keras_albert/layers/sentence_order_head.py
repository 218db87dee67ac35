"""The sentence-order prediction head (the original `cls/seq_relationship`)."""

import keras


@keras.saving.register_keras_serializable(package="keras_albert")
class SentenceOrderHead(keras.layers.Dense):
    """Two logits from the pooled output: 0 = segments in original order, 1 = swapped.

    A `Dense(2)` kept as its own class so checkpoints and users find it by name
    (Lan et al. 2019, section 3.1, "inter-sentence coherence loss").

    Args:
        initializer_range: float. Stddev of the truncated normal initializer.

    Example:
    >>> head = SentenceOrderHead()
    >>> head(np.zeros((3, 64), "float32")).shape
    TensorShape([3, 2])
    """

    def __init__(self, initializer_range=0.02, **kwargs):
        kwargs.pop("units", None)
        kwargs.setdefault(
            "kernel_initializer",
            keras.initializers.TruncatedNormal(stddev=initializer_range),
        )
        super().__init__(units=2, **kwargs)
        self.initializer_range = initializer_range

    def get_config(self):
        return {**super().get_config(), "initializer_range": self.initializer_range}
