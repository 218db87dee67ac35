"""Reshapes between (batch, choices, length) and (batch * choices, length)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_albert")
class FoldChoices(keras.layers.Layer):
    """Merge the choice axis into the batch: each (B, C, T) input -> (B * C, T).

    Example:
    >>> FoldChoices()({"token_ids": np.zeros((2, 4, 7), "int32")})["token_ids"].shape
    TensorShape([8, 7])
    """

    def call(self, inputs):
        return {
            name: ops.reshape(x, (-1, ops.shape(x)[-1])) for name, x in inputs.items()
        }

    def compute_output_spec(self, inputs):
        return {
            name: keras.KerasTensor((None, x.shape[-1]), dtype=x.dtype)
            for name, x in inputs.items()
        }


@keras.saving.register_keras_serializable(package="keras_albert")
class UnfoldChoices(keras.layers.Layer):
    """One score per (batch * choice) row back to (B, C), C taken from `reference`.

    Example:
    >>> scores = np.zeros((8, 1), "float32")
    >>> UnfoldChoices()(scores, np.zeros((2, 4, 7), "int32")).shape
    TensorShape([2, 4])
    """

    def call(self, scores, reference):
        return ops.reshape(scores, (-1, ops.shape(reference)[1]))

    def compute_output_spec(self, scores, reference):
        return keras.KerasTensor((None, reference.shape[1]), dtype=scores.dtype)
