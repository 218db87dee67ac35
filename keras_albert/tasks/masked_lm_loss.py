"""The masked-LM loss: cross-entropy averaged over the real masked positions of
the whole global batch, on one device or many."""

import keras
import tensorflow as tf
from keras import ops


def global_sum(value):
    """`value` summed over the replicas of the current `tf.distribute` step
    (itself on one device or outside a replica context)."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return value
    return context.all_reduce(tf.distribute.ReduceOp.SUM, value)


@keras.saving.register_keras_serializable(package="keras_albert")
class MaskedLMLoss(keras.losses.SparseCategoricalCrossentropy):
    """Sparse cross-entropy on logits, weighted by `mask_weights` (pass them as
    `sample_weight`) and divided by the sum of the weights, as the original
    divides by the sum of its `masked_lm_weights`.

    The divisor is the weight sum of the *global* batch: under `tf.distribute`
    each replica divides its own weighted sum by the sum over all replicas, so
    the summed gradients are the single-device gradient of the same batch
    (Keras' `mean_with_sample_weight` divides by each replica's own sum, which
    differs whenever the replicas hold different numbers of masked tokens).
    """

    def __init__(self, name="masked_lm_loss", dtype=None):
        super().__init__(from_logits=True, reduction="sum", name=name, dtype=dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        total = super().__call__(y_true, y_pred, sample_weight)  # this replica's sum
        if sample_weight is None:
            count = ops.cast(ops.size(y_true), total.dtype)
        else:
            count = ops.sum(ops.cast(sample_weight, total.dtype))
        return ops.divide_no_nan(total, global_sum(count))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
