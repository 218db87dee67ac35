"""AlbertAttention: padded keys ignored, head count checked."""

import numpy as np
import pytest

from keras_albert.layers import AlbertAttention
from tests.helpers import check_layer, token_batch

BATCH = token_batch(batch_size=3, length=6)
HIDDEN = np.random.default_rng(0).normal(size=(3, 6, 16)).astype("float32")


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
