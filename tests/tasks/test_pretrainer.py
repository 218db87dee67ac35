"""AlbertPretrainer: MLM + sentence order."""

import numpy as np

from keras_albert import AlbertPretrainer
from tests.helpers import check_task, mlm_batch, predict, tiny_backbone


def test_pretrainer(tmp_path):
    x, mask_ids, mask_weights = mlm_batch()
    y = {"mlm_logits": mask_ids, "sop_logits": np.array([0, 1, 1, 0])}
    sample_weight = {"mlm_logits": mask_weights, "sop_logits": np.ones(4, "float32")}
    # float32 pretraining under XLA: test_pretraining_steps, test_lamb
    model = check_task(lambda dtype: AlbertPretrainer(tiny_backbone(dtype=dtype)),
                       x, y, tmp_path, sample_weight=sample_weight,
                       policies=["mixed_bfloat16"], fit_float32=False)
    outputs = predict(model, x)
    assert outputs["mlm_logits"].shape == (4, 3, 100)
    assert outputs["sop_logits"].shape == (4, 2)
