"""FactorizedEmbedding: word/position tables, projection, length checks."""

import numpy as np
import pytest
import tensorflow as tf

from keras_albert.layers import FactorizedEmbedding
from tests.helpers import check_layer, token_batch

BATCH = token_batch(batch_size=3, length=6)


def test_factorized_embedding_shapes_and_round_trip():
    layer = FactorizedEmbedding(100, embedding_dim=8, hidden_dim=16,
                                max_sequence_length=12)
    check_layer(layer, BATCH["token_ids"], BATCH["segment_ids"])
    assert layer(BATCH["token_ids"], BATCH["segment_ids"]).shape == (3, 6, 16)
    assert layer.word_embeddings.embeddings.shape == (100, 8)
    assert layer.position_embeddings.shape == (12, 8)
    assert layer.projection.kernel.shape == (8, 16)
    # The word table doubles as the tied decoder: E -> V logits.
    assert layer.word_embeddings(np.zeros((2, 8), "float32"), reverse=True).shape \
        == (2, 100)

def test_factorized_embedding_refuses_too_long_input():
    layer = FactorizedEmbedding(100, embedding_dim=8, hidden_dim=16,
                                max_sequence_length=4)
    with pytest.raises(ValueError, match="sequence_length=6, max_sequence_length=4"):
        layer(BATCH["token_ids"], BATCH["segment_ids"])

def test_factorized_embedding_checks_length_known_only_at_run_time():
    layer = FactorizedEmbedding(100, embedding_dim=8, hidden_dim=16,
                                max_sequence_length=4)
    spec = tf.TensorSpec((None, None), tf.int32)
    run = tf.function(layer.__call__, input_signature=[spec, spec])
    assert run(BATCH["token_ids"][:, :4], BATCH["segment_ids"][:, :4]).shape == (3, 4, 16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_sequence_length`=4"):
        run(BATCH["token_ids"], BATCH["segment_ids"])


def test_projection_before_sum_is_brightmarts_layout():
    """Word vectors projected to H (no bias) before H-wide position and
    token-type embeddings and an H-wide LayerNorm."""
    layer = FactorizedEmbedding(100, embedding_dim=8, hidden_dim=16, max_sequence_length=12,
                                projection="before_sum")
    check_layer(layer, BATCH["token_ids"], BATCH["segment_ids"])
    assert layer(BATCH["token_ids"], BATCH["segment_ids"]).shape == (3, 6, 16)
    assert {w.path: tuple(w.shape) for w in layer.weights} == {
        f"{layer.name}/word_embeddings/embeddings": (100, 8),
        f"{layer.name}/token_type_embeddings/embeddings": (2, 16),
        f"{layer.name}/position_embeddings": (12, 16),
        f"{layer.name}/layer_norm/gamma": (16,),
        f"{layer.name}/layer_norm/beta": (16,),
        f"{layer.name}/word_projection/kernel": (8, 16),
    }
    with pytest.raises(ValueError, match="projection.*'after'"):
        FactorizedEmbedding(100, embedding_dim=8, hidden_dim=16, projection="after")
