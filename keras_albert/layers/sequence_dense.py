"""A dense layer over (batch, length, width) sequences, as an einsum."""

import keras


def sequence_dense(units, initializer_range, dtype, name):
    """A `(B, T, D) -> (B, T, units)` dense with kernel (D, units) and bias (units,).

    `keras.layers.Dense` on rank-3 inputs lowers to `tensordot`, whose gradient
    inside a `tf.while_loop` carries a transpose permutation XLA cannot treat as
    a constant; an einsum differentiates to einsums and compiles in both
    execution modes. The weights have `Dense`'s shapes.
    """
    return keras.layers.EinsumDense(
        "btd,de->bte",
        output_shape=(None, units),
        bias_axes="e",
        kernel_initializer=keras.initializers.TruncatedNormal(stddev=initializer_range),
        dtype=dtype,
        name=name,
    )
