"""The building blocks: embedding, attention, transformer layer, heads."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_albert.layers import (
    AlbertAttention,
    AlbertTransformerLayer,
    FactorizedEmbedding,
    SentenceOrderHead,
    get_activation,
)
from tests.helpers import check_layer, token_batch

BATCH = token_batch(batch_size=3, length=6)
HIDDEN = np.random.default_rng(0).normal(size=(3, 6, 16)).astype("float32")


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


def test_attention_ignores_padded_keys():
    attention = AlbertAttention(hidden_dim=16, num_heads=2)
    check_layer(attention, HIDDEN, BATCH["padding_mask"])
    changed = HIDDEN + (1 - BATCH["padding_mask"])[..., None] * 5.0
    real = BATCH["padding_mask"].astype(bool)
    before = np.asarray(attention(HIDDEN, BATCH["padding_mask"]))
    after = np.asarray(attention(changed, BATCH["padding_mask"]))
    np.testing.assert_allclose(after[real], before[real], atol=1e-5)
    assert np.isfinite(before).all()  # the last row is all padding


def test_attention_needs_divisible_heads():
    with pytest.raises(ValueError, match="hidden_dim=16, num_heads=3"):
        AlbertAttention(hidden_dim=16, num_heads=3)


@pytest.mark.parametrize("hidden_act", ["gelu_new", "gelu", "relu"])
def test_transformer_layer_is_post_ln(hidden_act):
    block = AlbertTransformerLayer(hidden_dim=16, num_heads=2, intermediate_dim=32,
                                   hidden_act=hidden_act)
    check_layer(block, HIDDEN, BATCH["padding_mask"])
    mask = BATCH["padding_mask"]
    # LN(x + Attn(x)), then LN(h + FFN(h)), written with the block's own parts.
    activation = {"gelu_new": lambda v: keras.activations.gelu(v, approximate=True),
                  "gelu": lambda v: keras.activations.gelu(v, approximate=False),
                  "relu": keras.activations.relu}[hidden_act]
    h = block.attention_layer_norm(HIDDEN + block.attention(HIDDEN, mask))
    expected = block.ffn_layer_norm(h + block.ffn_output(activation(block.ffn(h))))
    np.testing.assert_allclose(block(HIDDEN, mask), expected, atol=1e-6)
    assert block.attention_layer_norm.epsilon == 1e-12


def test_activations_match_the_reference_formulas():
    # modeling.py's "gelu" is the tanh approximation (Hugging Face's gelu_new);
    # "gelu" in Hugging Face configs is the exact erf form.
    x = np.linspace(-4, 4, 33)
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    erf_form = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])
    expected = {"gelu_new": tanh_form, "gelu": erf_form, "relu": np.maximum(x, 0)}
    for name, values in expected.items():
        actual = np.asarray(get_activation(name)(x.astype("float32")))
        np.testing.assert_allclose(actual, values, atol=1e-6, err_msg=name)
    assert np.abs(tanh_form - erf_form).max() > 1e-4  # the choice matters


def test_sentence_order_head():
    head = SentenceOrderHead()
    check_layer(head, np.ones((2, 16), "float32"))
    assert head(np.ones((2, 16), "float32")).shape == (2, 2)


def test_factorized_embedding_checks_length_known_only_at_run_time():
    layer = FactorizedEmbedding(100, embedding_dim=8, hidden_dim=16,
                                max_sequence_length=4)
    spec = tf.TensorSpec((None, None), tf.int32)
    run = tf.function(layer.__call__, input_signature=[spec, spec])
    assert run(BATCH["token_ids"][:, :4], BATCH["segment_ids"][:, :4]).shape == (3, 4, 16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_sequence_length`=4"):
        run(BATCH["token_ids"], BATCH["segment_ids"])
