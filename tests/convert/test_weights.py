import numpy as np
import pytest

from keras_albert.convert.weights import (
    ORIGINAL,
    TRANSFORMERS,
    ConversionError,
    assign_weights,
    collect_weights,
    source_name,
)
from tests.helpers import tiny_backbone


def test_every_backbone_weight_has_both_names():
    backbone = tiny_backbone(num_hidden_groups=2, inner_group_num=2)
    for layout in (ORIGINAL, TRANSFORMERS):
        names = [source_name(w.path, layout)[0] for w in backbone.weights]
        assert None not in names and len(set(names)) == len(names)
    assert source_name("encoder/group_1_inner_0/ffn_layer_norm/gamma", ORIGINAL) == (
        "bert/encoder/transformer/group_1/inner_group_0/LayerNorm_1/gamma", False)


def test_incomplete_or_extra_tensors_assign_nothing():
    backbone = tiny_backbone()
    tensors = collect_weights(backbone, ORIGINAL)
    before = [w.numpy().copy() for w in backbone.weights]
    extra = {**{k: v + 1 for k, v in tensors.items()}, "bert/extra/kernel": np.zeros(3)}
    with pytest.raises(ConversionError, match="left unmapped.*bert/extra/kernel"):
        assign_weights(backbone, extra, ORIGINAL, "test checkpoint")
    del extra["bert/extra/kernel"], extra["bert/pooler/dense/bias"]
    with pytest.raises(ConversionError, match="missing.*pooler/bias"):
        assign_weights(backbone, extra, ORIGINAL, "test checkpoint")
    for weight, value in zip(backbone.weights, before):
        np.testing.assert_array_equal(weight.numpy(), value)


def test_optimizer_slots_are_skipped():
    backbone = tiny_backbone()
    tensors = {k: v + 1 for k, v in collect_weights(backbone, ORIGINAL).items()}
    slots = {f"{name}/adam_m": np.zeros_like(value) for name, value in tensors.items()}
    assign_weights(backbone, {**tensors, **slots, "global_step": np.int64(7)}, ORIGINAL,
                   "test checkpoint")
    # The weights are the checkpoint's, not its (zero) Adam slots.
    for name, value in collect_weights(backbone, ORIGINAL).items():
        np.testing.assert_allclose(value, tensors[name], err_msg=name)
