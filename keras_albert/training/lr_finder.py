"""The learning-rate range test (Smith 2017; fastai's `lr_find`), built into the
optimizer's schedule so that it compiles nothing the training does not.

The model trains for a few dozen steps while the learning rate grows
exponentially from `min_rate` to `max_rate`; the loss of each step is recorded,
smoothed, and the test stops once the smoothed loss passes 4x its minimum (or
is not finite). The rate picked is the one at the smoothed loss's minimum
divided by 10 (`RULE`): at the minimum the rate is already as large as
training tolerates, and a tenth of it is where the loss was still falling
fastest. Then the weights and the optimizer's state are put back as they were,
and the schedule's peak set to the rate found.

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


def pick_rate(rates, losses, smoothing=SMOOTHING):
    """`(rate, smoothed)`: `RULE` applied to a sweep's step losses (an
    exponential moving average with bias correction, as fastai's)."""
    smoothed, average = [], 0.0
    for step, loss in enumerate(losses):
        average = smoothing * average + (1 - smoothing) * loss
        smoothed.append(average / (1 - smoothing ** (step + 1)))
    best = int(np.argmin(smoothed))
    return rates[best] / 10, smoothed


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
    rate, smoothed = pick_rate(rates, sweep.losses)
    schedule.peak.assign(rate)
    return LearningRateSearch(rate=float(rate), rates=rates, losses=sweep.losses,
                              smoothed=[float(s) for s in smoothed])
