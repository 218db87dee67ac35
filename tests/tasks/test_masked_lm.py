"""AlbertMaskedLM: the MLM head on the tied word table."""

import numpy as np

from keras_albert import AlbertMaskedLM
from tests.helpers import check_task, mlm_batch, predict, tiny_backbone


def test_masked_lm(tmp_path):
    x, mask_ids, mask_weights = mlm_batch()
    model = check_task(lambda dtype: AlbertMaskedLM(tiny_backbone(dtype=dtype)),
                       x, mask_ids, tmp_path, sample_weight=mask_weights,
                       policies=["mixed_float16"], fit_float32=False)  # float32: pretrainer
    assert predict(model, x).shape == (4, 3, 100)

def test_masked_lm_decoder_is_tied_to_word_embeddings():
    model = AlbertMaskedLM(tiny_backbone())
    table = model.backbone.token_embedding.embeddings
    # The head adds only its transform (H -> E, LayerNorm) and the output bias.
    head_params = (16 * 8 + 8) + 2 * 8 + 100
    assert model.count_params() == model.backbone.count_params() + head_params
    x, _, _ = mlm_batch()
    before = predict(model, x)
    table.assign(table * 2.0)
    assert not np.allclose(predict(model, x), before)
