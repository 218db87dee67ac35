"""AlbertTask: what every task's training step does."""

import numpy as np

from keras_albert import AlbertPretrainer
from tests.helpers import mlm_batch, tiny_backbone, traced_step_function


def test_first_step_is_traced_once():
    """`fit` and `train_on_batch` create the optimizer's, losses' and metrics'
    variables before tracing the step; left to the trace, `tf.function` traces
    the step twice (seconds of every first step)."""
    for train in (lambda model, x, y: model.fit(x, y, verbose=0),
                  lambda model, x, y: model.train_on_batch(x, y)):
        model = AlbertPretrainer(tiny_backbone())
        x, mask_ids, _ = mlm_batch()
        model.compile(jit_compile=False)
        train(model, x, {"mlm_logits": mask_ids, "sop_logits": np.array([0, 1, 1, 0])})
        assert model.optimizer.built
        assert traced_step_function(model).experimental_get_tracing_count() == 1
