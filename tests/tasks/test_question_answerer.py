"""AlbertQuestionAnswerer: span and answerability logits."""

import numpy as np

from keras_albert import AlbertQuestionAnswerer
from tests.helpers import check_task, predict, tiny_backbone, token_batch


def test_question_answerer(tmp_path):
    x = token_batch()
    y = {
        "start_logits": np.array([1, 2, 0, 0]),
        "end_logits": np.array([3, 2, 0, 0]),
        "answerable_logits": np.array([1, 1, 0, 0], "float32"),
    }
    model = check_task(lambda dtype: AlbertQuestionAnswerer(tiny_backbone(dtype=dtype)),
                       x, y, tmp_path, policies=["mixed_bfloat16"], fit_float32=False)
    outputs = predict(model, x)
    assert outputs["start_logits"].shape == (4, 10)
    assert outputs["answerable_logits"].shape == (4,)
    # Padding is never a span boundary.
    padded = x["padding_mask"][:-1] == 0
    assert (outputs["start_logits"][:-1][padded] < -1000).all()
