"""`WarmupPolynomialDecay`: ALBERT's learning-rate schedule."""

import keras
from keras import ops

from keras_albert.checks import check_non_negative, check_positive_int


@keras.saving.register_keras_serializable(package="keras_albert")
class WarmupPolynomialDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up, then polynomial decay, exactly as the original ALBERT.

    The original `optimization.py` (`create_optimizer`) decays on the *global*
    step, not on `step - warmup_steps`, and replaces the decayed rate by the
    warm-up rate while `step < warmup_steps`:

    ```
    decayed = (peak - end) * (1 - min(step, total_steps) / total_steps) ** power + end
    rate    = peak * step / warmup_steps   if step < warmup_steps   else decayed
    ```

    So the warm-up climbs towards `peak_learning_rate` (`init_lr` in the
    original) without reaching it: at `step == warmup_steps` the rate is already
    the decayed `peak * (1 - warmup_steps / total_steps)` (for `power=1`,
    `end=0`). With the original `power=1.0, end_learning_rate=0.0` this is
    `tf.compat.v1.train.polynomial_decay(init_lr, step, num_train_steps)` plus
    the warm-up of ALBERT's `create_optimizer`, step for step. Keras calls the
    schedule with `optimizer.iterations` before incrementing it, as the original
    read `global_step` before its increment, so the first update uses step 0
    (rate 0 when there is a warm-up).

    Args:
        peak_learning_rate: float > 0, the rate the decay starts from at step 0
            and the warm-up climbs towards (ALBERT: 0.00176 for batch 4096).
        warmup_steps: int >= 0, steps of linear warm-up from 0 (0 = none).
        total_steps: int > 0, the step at which the rate reaches
            `end_learning_rate` and stays there.
        end_learning_rate: float >= 0, the final rate (the original: 0.0).
        power: float > 0, the polynomial's power (the original: 1.0, linear).

    Example:

    >>> schedule = WarmupPolynomialDecay(1e-3, warmup_steps=10, total_steps=100)
    >>> [round(float(schedule(step)), 6) for step in (0, 5, 10, 55, 100)]
    [0.0, 0.0005, 0.0009, 0.00045, 0.0]

    Reference: Lan et al. 2019, https://arxiv.org/abs/1909.11942, section 4.1;
    google-research/albert `optimization.py`.
    """

    def __init__(self, peak_learning_rate, warmup_steps, total_steps,
                 end_learning_rate=0.0, power=1.0):
        check_non_negative("peak_learning_rate", peak_learning_rate, strictly=True)
        check_positive_int("total_steps", total_steps)
        if (isinstance(warmup_steps, bool) or not isinstance(warmup_steps, int)
                or not 0 <= warmup_steps <= total_steps):
            raise ValueError(
                f"`warmup_steps` must be an integer in [0, total_steps={total_steps}]. "
                f"Received: warmup_steps={warmup_steps!r}"
            )
        check_non_negative("end_learning_rate", end_learning_rate)
        check_non_negative("power", power, strictly=True)
        self.peak_learning_rate = peak_learning_rate
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        # The decay is Keras' own; ALBERT's part is the warm-up that replaces it.
        self._decay = keras.optimizers.schedules.PolynomialDecay(
            peak_learning_rate, total_steps, end_learning_rate, power)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        decayed = self._decay(step)
        # max(.., 1): with no warm-up the branch is never taken, but must not divide by 0.
        warmup = self.peak_learning_rate * step / max(self.warmup_steps, 1)
        return ops.where(step < self.warmup_steps, warmup, decayed)

    def get_config(self):
        return {
            "peak_learning_rate": self.peak_learning_rate,
            "warmup_steps": self.warmup_steps,
            "total_steps": self.total_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
        }
