import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_albert.training import WarmupPolynomialDecay
from tests.helpers import check_config_round_trip


def original_albert_learning_rate(step, init_lr, num_warmup_steps, num_train_steps,
                                  end_learning_rate=0.0, power=1.0):
    """google-research/albert `optimization.py` lines 35-65, in NumPy."""
    decay_step = min(step, num_train_steps)  # tf.train.polynomial_decay, cycle=False
    learning_rate = ((init_lr - end_learning_rate)
                     * (1 - decay_step / num_train_steps) ** power + end_learning_rate)
    if num_warmup_steps and step < num_warmup_steps:
        learning_rate = init_lr * step / num_warmup_steps
    return learning_rate


@pytest.mark.parametrize("step, expected", [
    (0, 0.0),      # warm-up starts from 0
    (10, 0.05),    # half way up
    (19, 0.095),   # last warm-up step
    (20, 0.08),    # decay is on the global step: 0.1 * (1 - 20/100), not the peak
    (60, 0.04),    # 0.1 * (1 - 60/100)
    (100, 0.0),    # total_steps
    (150, 0.0),    # stays at the end
])
def test_values_of_the_original_schedule(step, expected):
    schedule = WarmupPolynomialDecay(0.1, warmup_steps=20, total_steps=100)
    np.testing.assert_allclose(float(schedule(step)), expected, atol=1e-7)


@pytest.mark.parametrize("warmup_steps, end_learning_rate, power",
                         [(10, 0.0, 1.0), (0, 0.0, 1.0), (25, 0.01, 2.0)])
def test_matches_the_original_at_every_step(warmup_steps, end_learning_rate, power):
    schedule = WarmupPolynomialDecay(0.1, warmup_steps, total_steps=100,
                                     end_learning_rate=end_learning_rate, power=power)
    steps = np.arange(120)
    expected = [original_albert_learning_rate(step, 0.1, warmup_steps, 100,
                                              end_learning_rate, power) for step in steps]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(schedule(steps)), expected,
                               atol=1e-7)


def test_runs_under_xla_on_the_optimizer_step_counter():
    schedule = WarmupPolynomialDecay(0.1, warmup_steps=10, total_steps=100)
    compiled = tf.function(schedule, jit_compile=True)
    for step in (0, 5, 10, 55, 100):
        np.testing.assert_allclose(float(compiled(tf.constant(step, "int64"))),
                                   float(schedule(step)), atol=1e-7)


def test_config_round_trip():
    schedule = WarmupPolynomialDecay(0.1, warmup_steps=10, total_steps=100,
                                     end_learning_rate=0.01, power=2.0)
    check_config_round_trip(schedule)
    restored = keras.optimizers.schedules.deserialize(
        keras.optimizers.schedules.serialize(schedule))
    assert isinstance(restored, WarmupPolynomialDecay)
    assert restored.get_config() == schedule.get_config()


@pytest.mark.parametrize("kwargs, message", [
    ({"total_steps": 0}, "Received: total_steps=0"),
    ({"warmup_steps": -1}, "Received: warmup_steps=-1"),
    ({"warmup_steps": 101}, "Received: warmup_steps=101"),
    ({"peak_learning_rate": 0.0}, "Received: peak_learning_rate=0.0"),
    ({"end_learning_rate": -0.1}, "Received: end_learning_rate=-0.1"),
    ({"power": 0}, "Received: power=0"),
])
def test_rejects_bad_arguments(kwargs, message):
    arguments = {"peak_learning_rate": 0.1, "warmup_steps": 10, "total_steps": 100}
    with pytest.raises(ValueError, match=message):
        WarmupPolynomialDecay(**{**arguments, **kwargs})
