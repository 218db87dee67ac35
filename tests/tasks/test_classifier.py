"""AlbertClassifier: classes, regression, label names."""

import numpy as np
import pytest

from keras_albert import AlbertClassifier
from tests.helpers import check_task, predict, tiny_backbone, token_batch


def test_classifier(tmp_path):
    x = token_batch()
    model = check_task(
        lambda dtype: AlbertClassifier(tiny_backbone(dtype=dtype), num_classes=3,
                                       label_names=["a", "b", "c"]),
        x, np.array([0, 1, 2, 0]), tmp_path, policies=["mixed_float16"],
        fit_float32=False,  # float32 under XLA: the finetune and example tests
    )
    assert predict(model, x).shape == (4, 3)
    assert model.get_config()["label_names"] == ["a", "b", "c"]

def test_regressor(tmp_path):
    check_task(lambda dtype: AlbertClassifier(tiny_backbone(dtype=dtype), num_classes=1),
               token_batch(), np.array([0.5, 1.0, -1.0, 0.0], "float32"), tmp_path,
               policies=["mixed_bfloat16"], fit_float32=False)  # float32: finetune tests

def test_classifier_rejects_wrong_label_names():
    with pytest.raises(ValueError, match="label_names"):
        AlbertClassifier(tiny_backbone(), num_classes=3, label_names=["a", "b"])
