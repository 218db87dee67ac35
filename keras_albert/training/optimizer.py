"""`albert_optimizer`, the optimizer ALBERT was pretrained with, and
`finetuning_optimizer`, the AdamW BERT and ALBERT are fine-tuned with."""

import keras

from keras_albert.training.clipping import GlobalBatchClipping
from keras_albert.training.lamb import AlbertLamb

# `optimization.py` `create_optimizer(optimizer="lamb")`: variables whose name
# holds one of these get neither weight decay nor the LAMB trust ratio.
EXCLUDE_FROM_WEIGHT_DECAY = ("LayerNorm", "layer_norm", "bias")


def albert_optimizer(learning_rate, weight_decay=0.01, epsilon=1e-6, global_clipnorm=1.0,
                     exclude_from_weight_decay=EXCLUDE_FROM_WEIGHT_DECAY, **kwargs):
    """LAMB configured as the original ALBERT pretraining (`create_optimizer`).

    beta_1 0.9, beta_2 0.999, epsilon 1e-6, weight decay 0.01 inside the LAMB
    update, no decay and no trust ratio for layer norms and biases, gradients
    clipped to a global norm of 1.0 before the update. See `AlbertLamb` for how
    this update differs from `keras.optimizers.Lamb`.

    Args:
        learning_rate: float or `LearningRateSchedule`; ALBERT used
            `WarmupPolynomialDecay(0.00176, warmup_steps=3125, total_steps=125000)`.
        weight_decay: float, the original's `weight_decay_rate`.
        epsilon: float, added to `sqrt(v)`.
        global_clipnorm: float or None, the global norm all gradients are
            clipped to (the original's `tf.clip_by_global_norm(grads, 1.0)`).
        exclude_from_weight_decay: regular expressions searched in variable
            paths; matches get neither weight decay nor the trust ratio.
        **kwargs: other `AlbertLamb` arguments (`beta_1`, `name`, ...).

    Returns:
        An `AlbertLamb`.

    Example:

    >>> from keras_albert.training import WarmupPolynomialDecay, albert_optimizer
    >>> schedule = WarmupPolynomialDecay(1e-3, warmup_steps=100, total_steps=1000)
    >>> optimizer = albert_optimizer(schedule)
    >>> optimizer.global_clipnorm
    1.0
    """
    return AlbertLamb(learning_rate, epsilon=epsilon, weight_decay=weight_decay,
                      exclude_from_weight_decay=list(exclude_from_weight_decay),
                      global_clipnorm=global_clipnorm, **kwargs)


def finetuning_optimizer(learning_rate, weight_decay=0.01):
    """AdamW as BERT and ALBERT are fine-tuned: epsilon 1e-6, weight decay 0.01
    except on LayerNorm and biases, gradients clipped to a global norm of 1.

    Args:
        learning_rate: float or `LearningRateSchedule` (`finetune`: warm-up
            and linear decay in a `RangeTestSchedule`).
        weight_decay: float.
    """
    optimizer = FinetuningAdamW(learning_rate, weight_decay=weight_decay, epsilon=1e-6,
                                global_clipnorm=1.0)
    optimizer.exclude_from_weight_decay(var_names=list(EXCLUDE_FROM_WEIGHT_DECAY))
    return optimizer


@keras.saving.register_keras_serializable(package="keras_albert")
class FinetuningAdamW(GlobalBatchClipping, keras.optimizers.AdamW):
    """`keras.optimizers.AdamW` whose clipping applies to the global batch
    under `tf.distribute` (`GlobalBatchClipping`)."""
