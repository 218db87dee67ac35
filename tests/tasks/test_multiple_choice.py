"""AlbertMultipleChoice: one score per choice."""

import numpy as np

from keras_albert import AlbertMultipleChoice
from tests.helpers import check_task, predict, tiny_backbone, token_batch


def test_multiple_choice(tmp_path):
    x = token_batch(shape=(3, 4))
    model = check_task(
        lambda dtype: AlbertMultipleChoice(tiny_backbone(dtype=dtype)),
        x, np.array([0, 3, 1]), tmp_path, policies=["mixed_float16"], fit_float32=False,
    )
    logits = predict(model, x)
    assert logits.shape == (3, 4)
    # Each choice is scored on its own: choice 2 of example 0 equals the
    # classifier-style score of that packed pair run alone.
    single = {name: value[:1, 2:3] for name, value in x.items()}
    np.testing.assert_allclose(predict(model, single)[0, 0], logits[0, 2],
                               atol=1e-5)
