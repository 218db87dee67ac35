"""`GlobalBatchClipping`: gradient clipping of the global batch under
`tf.distribute`, as one device would clip it."""

import tensorflow as tf


class GlobalBatchClipping:
    """A mixin for Keras optimizers (before the optimizer in the bases):
    `global_clipnorm` (or `clipnorm`, `clipvalue`) applies to the gradient of
    the global batch.

    Keras clips each replica's gradient before it sums the replicas'
    (`_backend_update_step`), so under `tf.distribute` every replica's share
    is clipped to the norm on its own, and a run on two devices does not take
    the steps a run on one does. Here the replicas' gradients are summed first,
    clipped once, and handed back divided by the number of replicas for Keras'
    own sum to restore: one more all-reduce a step, of ALBERT's few (shared)
    parameters.
    """

    def _clip_gradients(self, grads):
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1 or not (
                self.global_clipnorm or self.clipnorm or self.clipvalue):
            return super()._clip_gradients(grads)
        present = [index for index, grad in enumerate(grads) if grad is not None]
        # Sparse gradients (the word table's) stay `tf.IndexedSlices`: their
        # sum holds every replica's rows, and the norm Keras (and TensorFlow's
        # `global_norm`) takes of it, over rows without merging repeated
        # tokens, is the norm it takes of the one-device gradient.
        summed = context.all_reduce(tf.distribute.ReduceOp.SUM,
                                    [grads[index] for index in present])
        clipped = super()._clip_gradients(summed)
        replicas = context.num_replicas_in_sync
        grads = list(grads)
        for index, grad in zip(present, clipped, strict=True):
            grads[index] = grad / replicas
        return grads
