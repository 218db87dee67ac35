import pytest

from keras_albert.finetune.training import balanced_class_weight


def test_balanced_weights_are_scikit_learns():
    # n / (k * count): 4 / (3 * 3), 4 / (3 * 1); a class never seen weighs 0.
    weights = balanced_class_weight([0, 0, 1, 0], num_classes=3)
    assert weights == pytest.approx({0: 4 / 9, 1: 4 / 3, 2: 0.0})
    # Each class then carries the same total weight.
    assert 3 * weights[0] == pytest.approx(1 * weights[1])
