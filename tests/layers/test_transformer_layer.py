"""AlbertTransformerLayer: the post-LN block."""

import keras
import numpy as np
import pytest

from keras_albert.layers import AlbertTransformerLayer
from tests.helpers import check_layer, token_batch

BATCH = token_batch(batch_size=3, length=6)
HIDDEN = np.random.default_rng(0).normal(size=(3, 6, 16)).astype("float32")


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
