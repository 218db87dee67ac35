"""FinetuneConfig: the settings the command line and the Python call share."""

import dataclasses

import pytest

from keras_albert.cli import build_parser
from keras_albert.cli.finetune import FINETUNE_SETTINGS
from keras_albert.finetune import FinetuneConfig, finetune

REQUIRED = ["finetune", "--task", "classify", "--model", "m", "--train", "t", "--out", "o"]


def test_the_command_line_defaults_are_the_config_defaults():
    args = build_parser().parse_args(REQUIRED)
    defaults = FinetuneConfig()
    for name in FINETUNE_SETTINGS:
        assert getattr(args, name) == getattr(defaults, name), name
    # Every setting but the two the command derives is an option.
    fields = {field.name for field in dataclasses.fields(FinetuneConfig)}
    assert fields - set(FINETUNE_SETTINGS) == {"label_names", "verbose"}


def test_options_reach_the_config():
    args = build_parser().parse_args([*REQUIRED, "--epochs", "7", "--no-xla",
                                      "--text-column", "a", "b", "--dtype", "mixed_bfloat16"])
    config = FinetuneConfig(**{name: getattr(args, name) for name in FINETUNE_SETTINGS})
    assert (config.epochs, config.jit_compile, config.text_columns, config.dtype) == (
        7, False, ["a", "b"], "mixed_bfloat16")


@pytest.mark.parametrize(("name", "value"), [
    ("epochs", 0), ("batch_size", -1), ("sequence_length", 2.5), ("patience", -1),
    ("learning_rate", 0), ("warmup_fraction", 1.0), ("class_weight", "inverse"),
    ("dtype", "float8"),
])
def test_bad_settings_name_the_field_and_value(name, value):
    with pytest.raises(ValueError, match=f"{name}={value!r}"):
        FinetuneConfig(**{name: value})


def test_unknown_setting_is_a_type_error():
    with pytest.raises(TypeError, match="'epoch'"):
        FinetuneConfig().replace(epoch=3)
    with pytest.raises(TypeError, match="'epoch'"):
        finetune("classify", "albert_tiny", "train.csv", "out", epoch=3)


def test_keywords_change_a_copy():
    base = FinetuneConfig(epochs=5)
    changed = base.replace(learning_rate=1e-3)
    assert (changed.epochs, changed.learning_rate, base.learning_rate) == (5, 1e-3, "auto")


@pytest.mark.parametrize("rate", ["fast", 0, -1e-3])
def test_a_learning_rate_is_a_positive_number_or_auto(rate):
    with pytest.raises(ValueError, match="learning_rate"):
        FinetuneConfig(learning_rate=rate)
