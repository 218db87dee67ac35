import keras
import numpy as np
import pytest

from keras_albert import AlbertBackbone, AlbertPretrainer
from tests.helpers import fit_with_xla
from tests.synthetic_data import random_pretraining_batch


@pytest.mark.parametrize("execution", ["unrolled", "loop"])
def test_fifty_xla_steps_lower_the_loss(execution):
    backbone = AlbertBackbone.from_preset("albert_tiny", execution=execution)
    model = AlbertPretrainer(backbone)
    x, y, sample_weight = random_pretraining_batch(
        backbone.vocabulary_size, batch_size=16, sequence_length=32, num_masks=5
    )
    history = fit_with_xla(model, x, y, sample_weight=sample_weight, epochs=50,
                           optimizer=keras.optimizers.Adam(1e-3))
    losses = history.history["loss"]
    assert len(losses) == 50
    assert np.mean(losses[-5:]) < 0.8 * losses[0], losses
