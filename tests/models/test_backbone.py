import keras_hub
import numpy as np
import pytest

from keras_albert import AlbertBackbone
from keras_albert.convert import backbone_from_keras_hub
from keras_albert.models import PRESETS, count_backbone_params, get_preset
from tests.helpers import (
    TINY,
    check_config_round_trip,
    check_saved_round_trip,
    tiny_backbone,
    token_batch,
)

# Backbone parameters of the released shapes at vocabulary 30000 (the paper's
# Table 1 rounds them to 12M, 18M, 60M and 235M with the MLM head).
RELEASED = {"base": 11_683_584, "large": 17_683_968, "xlarge": 58_724_864,
            "xxlarge": 222_595_584}


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("size", list(RELEASED))
def test_preset_parameter_counts(size, version):
    assert count_backbone_params(get_preset(f"albert_{size}_{version}")) == RELEASED[size]


@pytest.mark.parametrize("preset", ["albert_tiny", "albert_base_v2", "albert_large_v1"])
def test_counted_parameters_match_built_model(preset):
    config = get_preset(preset)
    assert AlbertBackbone(**config).count_params() == count_backbone_params(config)


def test_v2_presets_have_no_dropout():
    assert PRESETS["albert_base_v2"]["dropout"] == 0.0
    assert PRESETS["albert_base_v1"]["dropout"] == 0.1


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(ValueError, match="albert_base_v2"):
        AlbertBackbone.from_preset("albert_base")


@pytest.mark.parametrize("execution", ["unrolled", "loop"])
def test_matches_keras_hub(execution):
    """Same weights, same numbers as keras-hub's AlbertBackbone (the reference)."""
    hub = keras_hub.models.AlbertBackbone(
        vocabulary_size=100, num_layers=4, num_heads=2, embedding_dim=8,
        hidden_dim=16, intermediate_dim=32, num_groups=2, num_inner_repetitions=2,
        max_sequence_length=24,
    )
    # keras-hub initialises biases and betas to 0 and gammas to 1: perturb
    # every weight so a swapped bias, beta or gamma shows.
    rng = np.random.default_rng(0)
    for weight in hub.weights:
        weight.assign(weight + rng.normal(0, 0.1, weight.shape))
    ours = backbone_from_keras_hub(hub, execution=execution)
    x = token_batch(batch_size=5)
    real = x["padding_mask"].astype(bool)
    expected, actual = hub(x), ours(x)
    np.testing.assert_allclose(np.asarray(actual["sequence_output"])[real],
                               np.asarray(expected["sequence_output"])[real],
                               atol=1e-5)
    np.testing.assert_allclose(np.asarray(actual["pooled_output"])[:-1],
                               np.asarray(expected["pooled_output"])[:-1], atol=1e-5)


def test_any_batch_and_length_up_to_max(tmp_path):
    backbone = tiny_backbone()
    for batch_size, length in [(1, 1), (3, 7), (2, TINY["max_sequence_length"])]:
        outputs = backbone(token_batch(batch_size, length))
        assert outputs["sequence_output"].shape == (batch_size, length, 16)
        assert outputs["pooled_output"].shape == (batch_size, 16)
    check_config_round_trip(backbone)
    check_saved_round_trip(backbone, token_batch(), tmp_path)


def test_input_longer_than_max_sequence_length_is_refused():
    with pytest.raises(ValueError, match="max_sequence_length=24"):
        tiny_backbone()(token_batch(2, 25))


def test_hidden_states():
    backbone = tiny_backbone(output_hidden_states=True)
    outputs = backbone(token_batch())
    assert outputs["hidden_states"].shape == (4, TINY["num_layers"] + 1, 10, 16)
    np.testing.assert_array_equal(outputs["hidden_states"][:, -1],
                                  outputs["sequence_output"])


@pytest.mark.parametrize("argument, value, message", [
    ("num_heads", 3, "divisible by `num_heads`"),
    ("num_hidden_groups", 4, "at most `num_layers`"),
    ("hidden_dim", 0, "hidden_dim=0"),
    ("embedding_dim", -8, "embedding_dim=-8"),
    ("num_layers", 0, "num_layers=0"),
    ("intermediate_dim", 2.5, "intermediate_dim=2.5"),
    ("hidden_act", "swish", "hidden_act='swish'"),
    ("execution", "scan", "execution='scan'"),
    ("dropout", 1.5, "dropout=1.5"),
])
def test_bad_configuration_names_argument_and_value(argument, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        tiny_backbone(**{argument: value})
