"""Under mixed precision the numerically fragile ops stay float32.

Matmuls run in bfloat16/float16, but attention's softmax (with its -10000 mask
logits), every LayerNorm's mean, variance and reciprocal square root, and the
losses' softmax/log must run in float32 — float16 overflows at 65504 and
bfloat16 keeps 8 bits of mantissa, so the -10000 mask and a variance would
lose their meaning. The check reads the traced graph: an op that ran in the
narrow type fails it whatever the numbers happen to be.
"""

from collections import Counter

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_albert import AlbertClassifier, AlbertPretrainer, AlbertQuestionAnswerer
from tests.helpers import MIXED_POLICIES, tiny_backbone, token_batch

# Ops that must see float32 under any policy.
FLOAT32_ONLY = {"Softmax", "LogSoftmax", "Rsqrt", "Mean", "SquaredDifference",
                "SparseSoftmaxCrossEntropyWithLogits", "Log", "Exp"}
MATMULS = {"MatMul", "BatchMatMulV2"}


def op_dtypes(function, *args):
    """Counter of (op type, dtype) over the graph `function(*args)` traces."""
    graph = tf.function(function, autograph=False).get_concrete_function(*args).graph
    counts = Counter()
    for op in graph.get_operations():
        if "T" in op.node_def.attr:
            counts[op.type, op.get_attr("T").name] += 1
    return counts


def check_islands(counts, policy):
    narrow = policy.removeprefix("mixed_")
    fragile = {(op, dtype) for op, dtype in counts if op in FLOAT32_ONLY}
    assert {op for op, _ in fragile} >= {"Softmax", "Rsqrt"}, counts
    assert all(dtype == "float32" for _, dtype in fragile), sorted(fragile)
    # ... while the matmuls really run narrow (the policy took effect).
    assert any(op in MATMULS and dtype == narrow for op, dtype in counts), counts


def tasks(policy):
    """Each head that adds a fragile op: MLM LayerNorm + SOP, classifier, spans."""
    backbone = lambda: tiny_backbone(dtype=policy)
    return {
        "pretrainer": AlbertPretrainer(backbone()),
        "classifier": AlbertClassifier(backbone(), num_classes=3),
        "question_answerer": AlbertQuestionAnswerer(backbone()),
    }


@pytest.mark.parametrize("policy", MIXED_POLICIES)
def test_forward_pass_keeps_float32_islands(policy):
    x = token_batch()
    x_mlm = {**x, "mask_positions": np.zeros((4, 2), "int32")}
    for name, model in tasks(policy).items():
        inputs = x_mlm if name == "pretrainer" else x
        counts = op_dtypes(lambda inputs: model(inputs), inputs)
        check_islands(counts, policy)


@pytest.mark.parametrize("policy", MIXED_POLICIES)
def test_classifier_loss_is_float32(policy):
    model = AlbertClassifier(tiny_backbone(dtype=policy), num_classes=3)
    model.compile()
    x, y = token_batch(), np.array([0, 1, 2, 0])

    def loss(x, y):
        return model.compute_loss(x=x, y=y, y_pred=model(x))

    counts = op_dtypes(loss, x, y)
    check_islands(counts, policy)
    assert keras.ops.convert_to_numpy(loss(x, y)).dtype == np.float32
