"""`AlbertLamb`: the LAMB update of the original ALBERT, on `keras.optimizers.Lamb`."""

import re

import keras
import tensorflow as tf
from keras import ops

from keras_albert.compat import optimizer_slots
from keras_albert.training.clipping import GlobalBatchClipping


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertLamb(GlobalBatchClipping, keras.optimizers.Lamb):
    """LAMB exactly as google-research/albert `lamb_optimizer.py` computes it.

    For each variable `w` with gradient `g`:

    ```
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    update = m / (sqrt(v) + epsilon)            # no bias correction
    if w is not excluded:
        update += weight_decay * w              # decay inside the update ...
        ratio = |w| / |update| if both > 0 else 1
        update *= ratio                         # ... and inside the trust ratio
    w -= learning_rate * update
    ```

    Where and why this differs from `keras.optimizers.Lamb` (Keras 3.15):

    1. No bias correction: Keras divides `m` and `v` by `1 - beta**t`
       (`lamb.py` lines 93-100, 116-119); the original does not (its lines
       90-96). At step `t` the original's `m / sqrt(v)` is
       `(1 - beta_1**t) / sqrt(1 - beta_2**t)` times Keras': 3.16 at step 1,
       3.24 at step 100, 1.03 at step 3000. The trust ratio hides most of it
       for kernels, not for the excluded biases and layer norms.
    2. Weight decay is part of the update: Keras' base optimizer decays
       `w -= lr * weight_decay * w` before the update step, outside the trust
       ratio (`base_optimizer.py` `_apply_weight_decay`, lines 952-959, called
       at 589); the original adds `weight_decay * w` to the update (line 105),
       so the decay counts in `|update|` and is scaled by the trust ratio.
       `_apply_weight_decay` is therefore a no-op here.
    3. Variables excluded from weight decay are excluded from the trust ratio
       too (the original's `exclude_from_layer_adaptation` defaults to
       `exclude_from_weight_decay`, lines 62-65, 107-112); Keras applies the
       ratio to every variable (lines 122-132).
    4. Exclusion patterns are regular expressions searched in the variable's
       full path (`"encoder/group_0_inner_0/ffn_layer_norm/gamma"`), as the
       original searches the TF1 scope name (lines 128-131, 136-139). Keras'
       `exclude_from_weight_decay(var_names=...)` only sees the bare name
       (`"gamma"`), so `build()` resolves the patterns to variables and passes
       them to it as `var_list`.
    5. `epsilon` defaults to the original 1e-6, not 1e-7; it is added to
       `sqrt(v)` in both.

    Gradient clipping is the base optimizer's: ALBERT clips all gradients to a
    global norm of 1.0 before the update (`optimization.py` line 103), which is
    `global_clipnorm=1.0` here (`keras_albert.training.albert_optimizer` sets it).

    Args:
        learning_rate: float, or a `LearningRateSchedule` such as
            `keras_albert.training.WarmupPolynomialDecay`.
        beta_1: float, decay of the first moment.
        beta_2: float, decay of the second moment.
        epsilon: float, added to `sqrt(v)`.
        weight_decay: float or None, the original's `weight_decay_rate`.
        exclude_from_weight_decay: list of regular expressions; a variable whose
            path matches one gets neither weight decay nor the trust ratio
            (ALBERT: `["LayerNorm", "layer_norm", "bias"]`).
        **kwargs: the other `keras.optimizers.Optimizer` arguments
            (`global_clipnorm`, `name`, ...).

    Example:

    >>> optimizer = AlbertLamb(1e-3, weight_decay=0.01,
    ...                        exclude_from_weight_decay=["layer_norm", "bias"],
    ...                        global_clipnorm=1.0)

    Reference: You et al. 2019, https://arxiv.org/abs/1904.00962.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-6,
                 weight_decay=None, exclude_from_weight_decay=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, weight_decay=weight_decay, **kwargs)
        try:
            re.compile("|".join(exclude_from_weight_decay or []))
        except (re.error, TypeError) as error:
            raise ValueError(
                "`exclude_from_weight_decay` must be a list of regular expressions. "
                f"Received: exclude_from_weight_decay={exclude_from_weight_decay!r}"
            ) from error
        self.exclude_patterns = tuple(exclude_from_weight_decay or ())

    def build(self, var_list):
        if self.built:
            return
        if self.exclude_patterns:  # else leave any `exclude_from_weight_decay()` call be
            excluded = [variable for variable in var_list
                        if any(re.search(pattern, variable.path)
                               for pattern in self.exclude_patterns)]
            self.exclude_from_weight_decay(var_list=excluded)
        super().build(var_list)

    def _apply_weight_decay(self, variables):
        """Nothing: the decay is part of `update_step`, inside the trust ratio."""

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        # The word table's gradient arrives as `tf.IndexedSlices` when nothing
        # clipped it; LAMB's update and trust ratio are dense anyway.
        gradient = ops.cast(tf.convert_to_tensor(gradient), variable.dtype)
        m, v = optimizer_slots(self, variable)
        self.assign(m, self.beta_1 * m + (1.0 - self.beta_1) * gradient)
        self.assign(v, self.beta_2 * v + (1.0 - self.beta_2) * ops.square(gradient))
        update = m / (ops.sqrt(v) + self.epsilon)
        # Decided per variable while tracing, so the compiled step has no branch.
        if self._use_weight_decay(variable):
            if self.weight_decay:
                update = update + ops.cast(self.weight_decay, variable.dtype) * variable
            w_norm = ops.sqrt(ops.sum(ops.square(variable)))
            update_norm = ops.sqrt(ops.sum(ops.square(update)))
            ratio = ops.where((w_norm > 0) & (update_norm > 0),
                              w_norm / update_norm, 1.0)
            update = ratio * update
        self.assign_sub(variable, lr * update)

    def get_config(self):
        return {**super().get_config(),
                "exclude_from_weight_decay": list(self.exclude_patterns)}
