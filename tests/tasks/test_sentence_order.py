"""AlbertSentenceOrder."""

import numpy as np

from keras_albert import AlbertSentenceOrder
from tests.helpers import check_task, tiny_backbone, token_batch


def test_sentence_order(tmp_path):
    # float32: the same head trains in the pretrainer (test_pretraining_steps)
    check_task(lambda dtype: AlbertSentenceOrder(tiny_backbone(dtype=dtype)),
               token_batch(), np.array([0, 1, 1, 0]), tmp_path, policies=["mixed_bfloat16"],
               fit_float32=False)
