"""The learning-rate range test: its rule, its schedule, and that it runs on the
training step the model compiled, leaving the model as it found it."""

import numpy as np
import pytest

from keras_albert import AlbertClassifier, AlbertTokenizer
from keras_albert.text import AlbertPreprocessor
from keras_albert.training import WarmupPolynomialDecay
from keras_albert.training.lr_finder import FLAT_RULE, RULE, RangeTestSchedule, pick_rate
from tests.convert.conversion_fixtures import FIXTURES
from tests.helpers import check_config_round_trip, tiny_backbone, traced_step_function

WORDS = ["the", "cat", "sat", "on", "a", "mat", "while", "dogs", "ran", "over", "green", "hills", "near", "old", "towns"]


def test_rule_is_the_minimum_of_the_smoothed_loss_over_ten():
    rates = list(np.geomspace(1e-6, 1.0, 60))
    # Falls until rate 1e-2 (step 40), then climbs: the pick is near 1e-3.
    losses = [2.0 - 0.02 * min(step, 40) + 0.3 * max(step - 40, 0) for step in range(60)]
    rate, smoothed, rule = pick_rate(rates, losses)
    best = int(np.argmin(smoothed))
    assert rule == RULE
    assert rate == rates[best] / 10
    assert 40 <= best <= 42  # the moving average lags the raw minimum by a step or two
    assert 5e-4 < rate < 2e-3


def test_a_flat_noisy_curve_takes_a_decade_below_the_climb():
    """Per-batch noise larger than any fall (a wide model with random weights):
    the smoothed minimum is noise, so the pick comes from where the loss climbs,
    not from the minimum (which the noise puts near the start here)."""
    rates = list(np.geomspace(1e-6, 1.0, 100))
    rng = np.random.default_rng(0)
    # Flat at 1.8 with noise 0.05 until step 60 (rate 4e-3), then climbing.
    losses = [1.8 + 0.05 * rng.standard_normal() + 0.1 * max(step - 60, 0) for step in range(100)]
    losses[3] = 1.5  # one lucky batch early on: the old rule's minimum
    rate, smoothed, rule = pick_rate(rates, losses)
    assert rule == FLAT_RULE
    best = int(np.argmin(smoothed))
    assert best < 10 and rate != rates[best] / 10
    assert 1e-4 < rate < 1e-3  # a decade below the climb at 4e-3 (the lag taken back)


def test_a_real_fall_keeps_the_minimum_rule_however_small():
    """A sweep whose losses barely scatter (a small model's near-uniform start)
    and fall 1%: the fall is real, the minimum rule applies."""
    rates = list(np.geomspace(1e-6, 1.0, 100))
    losses = [1.79 - 0.0005 * min(step, 70) + 0.001 * (step % 2) + 0.2 * max(step - 70, 0)
              for step in range(100)]
    rate, smoothed, rule = pick_rate(rates, losses)
    assert rule == RULE
    assert rate == rates[int(np.argmin(smoothed))] / 10


def test_schedule_is_peak_times_shape_or_the_sweep():
    schedule = RangeTestSchedule(WarmupPolynomialDecay(1.0, 10, 100), peak=2e-5)
    assert float(schedule(55)) == pytest.approx(2e-5 * 0.45)
    schedule.sweep_start.assign(1e-6)
    schedule.sweep_growth.assign(10.0)
    schedule.sweeping.assign(True)
    assert float(schedule(2)) == pytest.approx(1e-4)
    schedule.sweeping.assign(False)
    schedule.peak.assign(1e-3)
    assert float(schedule(55)) == pytest.approx(1e-3 * 0.45)
    check_config_round_trip(schedule)


def _classifier():
    tokenizer = AlbertTokenizer(proto=(FIXTURES / "spiece.model").read_bytes())
    backbone = tiny_backbone(vocabulary_size=tokenizer.vocabulary_size())
    return AlbertClassifier(backbone, num_classes=2,
                            preprocessor=AlbertPreprocessor(tokenizer, 24))


def _data():
    rng = np.random.default_rng(0)
    texts = np.array([" ".join(rng.choice(WORDS, rng.integers(2, 12))) for _ in range(40)])
    return texts, (np.char.count(texts, "cat") > 0).astype("int32")


def test_range_test_reuses_the_compiled_step_and_restores_the_model():
    """The sweep runs the step `fit` then uses (no trace of its own, the same
    batch widths), and puts weights and optimizer state back."""
    texts, labels = _data()
    fit_only = _classifier()
    fit_only.compile_for_finetuning(1e-3, total_steps=10, jit_compile=False)
    fit_only.fit(texts, labels, batch_size=8, epochs=2, group_by_length=True, verbose=0)
    traces_of_fit = traced_step_function(fit_only).experimental_get_tracing_count()

    model = _classifier()
    model.compile_for_finetuning("auto", total_steps=10, jit_compile=False)
    before = [w.copy() for w in model.get_weights()]
    search = model.find_learning_rate(texts, labels, batch_size=8, steps=30,
                                      group_by_length=True)
    step = model.train_function
    for kept, now in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, now)
    assert int(model.optimizer.iterations.numpy()) == 0
    assert float(model.learning_rate_schedule.peak.numpy()) == pytest.approx(search.rate)
    assert 1e-6 <= search.rate <= 0.1 and len(search.losses) == len(search.rates) >= 6
    assert search.rates == sorted(search.rates)
    model.fit(texts, labels, batch_size=8, epochs=2, group_by_length=True, verbose=0)
    assert model.train_function is step
    assert traced_step_function(model).experimental_get_tracing_count() == traces_of_fit


def test_find_learning_rate_compiles_when_not_compiled():
    texts, labels = _data()
    model = _classifier()
    search = model.find_learning_rate(texts, labels, batch_size=8, epochs=1, steps=8,
                                      jit_compile=False)
    assert model.learning_rate_schedule is not None
    assert search.to_json()["rule"] and search.to_json()["steps"] == len(search.rates)
    model.compile(jit_compile=False)  # a plain compile forgets the schedule
    assert model.learning_rate_schedule is None
