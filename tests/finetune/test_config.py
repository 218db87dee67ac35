"""FinetuneConfig: the settings the command line and the Python call share."""

import dataclasses

import keras
import pytest

from keras_albert.cli import build_parser
from keras_albert.cli.finetune import FINETUNE_SETTINGS
from keras_albert.finetune import FinetuneConfig, finetune
from keras_albert.finetune.config import auto_epochs
from keras_albert.finetune.training import StopWhenStalled

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


@pytest.mark.parametrize("examples, batch_size, epochs", [
    (1000, 32, 20),  # 32 steps an epoch: capped at 20 epochs
    (8000, 32, 4),  # 250 steps an epoch: 4 for about 1,000 steps
    (100000, 32, 3),  # at least 3
])
def test_auto_epochs_aim_at_a_thousand_steps(examples, batch_size, epochs):
    assert auto_epochs(examples, batch_size) == epochs


@pytest.mark.parametrize("values, floor, stopped_after", [
    ([0.2, 0.2, 0.2, 0.2, 0.35, 0.4, 0.38, 0.37], 0.21, 8),  # waits out the plateau
    ([0.2, 0.2, 0.2, 0.2, 0.35, 0.4, 0.38, 0.37], None, 3),  # Keras' EarlyStopping
    ([0.5, 0.6, 0.55, 0.54, 0.7], 0.21, 4),
])
def test_early_stopping_counts_once_the_model_beats_the_baseline(values, floor,
                                                                  stopped_after):
    callback = StopWhenStalled("val_accuracy", "max", patience=2, floor=floor)
    callback.set_model(keras.Sequential([keras.layers.Dense(1)]))
    callback.model.stop_training = False
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {"val_accuracy": value})
        if callback.model.stop_training:
            break
    assert epoch + 1 == stopped_after
