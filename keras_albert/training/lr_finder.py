"""The learning-rate range test (Smith 2017; fastai's `lr_find`), built into the
optimizer's schedule so that it compiles nothing the training does not.

The model trains for a few dozen steps while the learning rate grows
exponentially from `min_rate` to `max_rate`; the loss of each step is recorded,
smoothed, and the test stops once the smoothed loss passes 4x its minimum (or
is not finite). The rate picked (`pick_rate`) is the one at the smoothed loss's
minimum divided by 10 (`RULE`): at the minimum the rate is already as large as
training tolerates, and a tenth of it is where the loss was still falling
fastest. Then the weights and the optimizer's state are put back as they were,
and the schedule's peak set to the rate found.

A curve with no real fall (`FLAT_RULE`) gets a guard: a wide model with random
or barely trained weights can give per-batch losses that scatter more than the
sweep lowers them, and the smoothed minimum then lands where the noise puts it,
often near the sweep's start (measured: 1.9e-6 for an albert_base-shaped model
whose best fixed rate was 3e-5). The fall counts as real when it exceeds
`NOISE` standard deviations of the first `START` raw losses. When it does not,
the pick is a decade below where the loss starts to climb: the first step whose
smoothed loss passes the starting level by `NOISE` standard deviations, moved
back by the moving average's lag (`smoothing / (1 - smoothing)` steps).

`RangeTestSchedule` makes this cheap: its peak and its sweep are variables, so
the range test runs the training step the model compiled (XLA included), on
batches from the same pipeline, with the same shapes: nothing is traced or
compiled twice.

Reference: L. N. Smith, "Cyclical Learning Rates for Training Neural
Networks", WACV 2017, section 3.3; J. Howard and S. Gugger, fastai's
`LRFinder` (`lr_min` = minimum / 10).
"""

import dataclasses
import math

import keras
import numpy as np
from keras import ops

from keras_albert.checks import check_non_negative, check_positive_int

RULE = "the rate at the smoothed loss's minimum / 10"
FLAT_RULE = ("no fall above the noise: a decade below where the smoothed loss starts "
             "to climb, moved back by its lag")
START = 10  # raw losses that measure the starting level and its noise
NOISE = 3.0  # a fall or a climb counts beyond this many standard deviations
MIN_RATE, MAX_RATE = 1e-6, 1.0
DEFAULT_STEPS = 100
SMOOTHING = 0.9  # exponential moving average of the step losses
DIVERGED = 4.0  # stop once the smoothed loss passes this many times its minimum


@keras.saving.register_keras_serializable(package="keras_albert")
class RangeTestSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """`peak * shape(step)`, or `start * growth ** step` while a range test runs.

    Args:
        shape: a schedule peaking at 1 (e.g. `WarmupPolynomialDecay(1.0, ...)`).
        peak: float > 0. The peak learning rate (what `find_learning_rate`
            sets).

    Example:
    >>> from keras_albert.training import WarmupPolynomialDecay
    >>> schedule = RangeTestSchedule(WarmupPolynomialDecay(1.0, 10, 100), peak=2e-5)
    >>> round(float(schedule(55)), 8)
    9e-06
    """

    def __init__(self, shape, peak):
        check_non_negative("peak", peak, strictly=True)
        self.shape = shape
        self.peak = keras.Variable(float(peak), trainable=False, name="peak_learning_rate")
        self.sweep_start = keras.Variable(MIN_RATE, trainable=False, name="sweep_start")
        self.sweep_growth = keras.Variable(1.0, trainable=False, name="sweep_growth")
        self.sweeping = keras.Variable(False, dtype="bool", trainable=False,
                                       name="sweeping")

    def __call__(self, step):
        step = ops.cast(step, "float32")
        sweep = self.sweep_start * ops.power(self.sweep_growth, step)
        return ops.where(self.sweeping, sweep, self.peak * self.shape(step))

    def get_config(self):
        return {"shape": keras.saving.serialize_keras_object(self.shape),
                "peak": float(self.peak.numpy())}

    @classmethod
    def from_config(cls, config):
        return cls(keras.saving.deserialize_keras_object(config["shape"]), config["peak"])


@dataclasses.dataclass
class LearningRateSearch:
    """What a range test found: `rate` (the pick), and per step the `rates`
    tried, the `losses` and their `smoothed` values."""

    rate: float
    rates: list
    losses: list
    smoothed: list
    rule: str = RULE

    def to_json(self):
        return {"rate": self.rate, "rule": self.rule, "steps": len(self.rates),
                "rates": self.rates, "losses": self.losses, "smoothed": self.smoothed}

    def write_csv(self, path):
        lines = ["step,learning_rate,loss,smoothed_loss"]
        lines += [f"{step},{rate:.6g},{loss:.6g},{smooth:.6g}" for step, (rate, loss, smooth)
                  in enumerate(zip(self.rates, self.losses, self.smoothed, strict=True))]
        path.write_text("\n".join(lines) + "\n")


def smooth(losses, smoothing=SMOOTHING):
    """An exponential moving average with bias correction, as fastai's."""
    smoothed, average = [], 0.0
    for step, loss in enumerate(losses):
        average = smoothing * average + (1 - smoothing) * loss
        smoothed.append(average / (1 - smoothing ** (step + 1)))
    return smoothed


def pick_rate(rates, losses, smoothing=SMOOTHING):
    """`(rate, smoothed, rule)`: the rate a sweep's step losses give by `RULE`,
    or by `FLAT_RULE` when the smoothed loss never falls more than `NOISE`
    standard deviations of the first `START` losses below their mean (and does
    climb above it later; a curve that does neither keeps `RULE`)."""
    smoothed = smooth(losses, smoothing)
    best = int(np.argmin(smoothed))
    start = losses[:START]
    level, noise = float(np.mean(start)), float(np.std(start))
    if level - smoothed[best] > NOISE * noise:
        return rates[best] / 10, smoothed, RULE
    climbing = [step for step, value in enumerate(smoothed) if value > level + NOISE * noise]
    if not climbing:
        return rates[best] / 10, smoothed, RULE
    lag = round(smoothing / (1 - smoothing))
    return rates[max(climbing[0] - lag, 0)] / 10, smoothed, FLAT_RULE


class _Sweep(keras.callbacks.Callback):
    """Records each step's own loss (metrics reset before every step) and
    stops the sweep once the loss diverges."""

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule
        self.rates, self.losses = [], []
        self.best = math.inf
        self.average = 0.0

    def on_train_batch_begin(self, batch, logs=None):
        self.model.reset_metrics()
        step = len(self.rates)
        self.rates.append(float(self.schedule(step)))

    def on_train_batch_end(self, batch, logs=None):
        loss = float((logs or {}).get("loss", math.nan))
        if not math.isfinite(loss):
            self.rates.pop()
            self.model.stop_training = True
            return
        self.losses.append(loss)
        step = len(self.losses)
        self.average = SMOOTHING * self.average + (1 - SMOOTHING) * loss
        smoothed = self.average / (1 - SMOOTHING ** step)
        self.best = min(self.best, smoothed)
        if step > 5 and smoothed > DIVERGED * self.best:
            self.model.stop_training = True


def range_test(model, schedule, dataset, steps=DEFAULT_STEPS, min_rate=MIN_RATE,
               max_rate=MAX_RATE, class_weight=None):
    """Run the range test on `model`, compiled with `schedule` (a
    `RangeTestSchedule`) as its optimizer's learning rate, over `dataset`
    (batched model inputs and labels, repeated as needed); put weights and
    optimizer state back; set the schedule's peak to the rate found.

    Returns:
        A `LearningRateSearch`.
    """
    check_positive_int("steps", steps)
    check_non_negative("min_rate", min_rate, strictly=True)
    if not max_rate > min_rate:
        raise ValueError(f"`max_rate` must be above `min_rate`. Received: "
                         f"min_rate={min_rate}, max_rate={max_rate}")
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    weights = [variable.numpy() for variable in model.variables]
    state = [variable.numpy() for variable in optimizer.variables]
    schedule.sweep_start.assign(min_rate)
    schedule.sweep_growth.assign((max_rate / min_rate) ** (1 / max(steps - 1, 1)))
    schedule.sweeping.assign(True)
    sweep = _Sweep(schedule)
    try:
        optimizer.iterations.assign(0)
        model.fit(dataset.repeat(), epochs=1, steps_per_epoch=steps, callbacks=[sweep],
                  class_weight=class_weight, shuffle=False, verbose=0)
    finally:
        schedule.sweeping.assign(False)
        for variable, value in zip(model.variables, weights, strict=True):
            variable.assign(value)
        for variable, value in zip(optimizer.variables, state, strict=True):
            variable.assign(value)
        model.reset_metrics()
    if len(sweep.losses) < 2:
        raise ValueError(f"The learning-rate range test diverged at its first steps "
                         f"(from min_rate={min_rate}); lower min_rate, or pass a rate.")
    rates = sweep.rates[:len(sweep.losses)]
    rate, smoothed, rule = pick_rate(rates, sweep.losses)
    schedule.peak.assign(rate)
    return LearningRateSearch(rate=float(rate), rates=rates, losses=sweep.losses,
                              smoothed=[float(s) for s in smoothed], rule=rule)
