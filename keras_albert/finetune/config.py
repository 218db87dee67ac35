"""`FinetuneConfig`: the settings of a fine-tuning run, shared by `finetune()`
and `keras-albert finetune` (whose defaults are these)."""

import dataclasses

from keras_albert.checks import (
    check_choice,
    check_non_negative,
    check_non_negative_int,
    check_positive_int,
    check_rate,
)
from keras_albert.models.lora import DEFAULT_TARGETS, TARGETS
from keras_albert.training.distribute import STRATEGIES

CLASS_WEIGHTS = (None, "balanced")
LONG_TEXT = ("truncate", "window")
DEFAULT_SEQUENCE_LENGTH = 128
# epochs="auto": about this many optimizer steps, within these epochs. Small
# data sets need more passes than the usual 3 (Mosbach et al. 2021, "On the
# Stability of Fine-tuning BERT": too few iterations, not the data size, is
# what makes small-data fine-tuning fail; they train 20 epochs).
AUTO_STEPS, MIN_EPOCHS, MAX_EPOCHS = 1000, 3, 20
DTYPES = (None, "float32", "mixed_bfloat16", "mixed_float16")


@dataclasses.dataclass
class FinetuneConfig:
    """How to fine-tune: data columns, model source, optimization, precision.

    Args:
        text_columns: list of str or None. The text column(s); None for the
            task's default (`text`; `text_a`, `text_b` for pairs; `words`).
        label_column: str or None. The label column; None for the task's default.
        label_names: list of str or None. The classes, in order (default: the
            labels found in the training data).
        vocab: str or None. A vocabulary directory, for a preset that starts
            from random weights.
        sequence_length: int or None. The packed length of an example; None:
            128, or the model's positions if it has fewer. Longer than the
            model's positions is an error.
        batch_size: int. Examples per step (global under a strategy).
        epochs: int or "auto". At most this many epochs (early stopping may end
            sooner); "auto" (`auto_epochs`): enough for about 1,000 steps,
            at least 3 and at most 20 epochs.
        learning_rate: float or "auto". The peak learning rate of AdamW;
            "auto" finds it with a range test on the training data
            (`AlbertTask.find_learning_rate`).
        warmup_fraction: float in [0, 1). The share of steps spent warming up.
        patience: int. Epochs without improvement of the eval metric before
            stopping (with eval data), counted once it has improved at all:
            a model still at its first epoch's score is not stopped.
        class_weight: None or "balanced". Weight classes by inverse frequency.
        group_by_length: bool. Batch texts of similar length together
            (classification and pairs).
        dtype: None (float32), "float32", "mixed_bfloat16" or "mixed_float16".
        jit_compile: bool. Compile the training step with XLA.
        seed: int. Weights of new heads, shuffling, dropout.
        restarts: int. Fine-tune this many times, with seeds `seed`,
            `seed + 1`, ..., and keep the run best on the eval data
            (small-data fine-tuning of ALBERT is unstable from seed to seed).
        verbose: int. Keras' `fit` verbosity.
        lora_rank: int or None. Train rank-`lora_rank` LoRA updates of the
            backbone's `lora_targets` and the head only, the backbone frozen
            (`keras_albert.models.lora`).
        lora_targets: the dense layers LoRA adapts (default query and value).
        strategy: str. The `tf.distribute` strategy (`"default"`,
            `"mirrored"`, `"multi-worker"` or `"tpu"`, see
            `keras_albert.training.distribute`); `batch_size` is global,
            split over the replicas, and only the chief writes `out`.
        tpu: str or None. TPU name or address for `strategy="tpu"`.
        head_dropout: float in [0, 1) or None. The dropout before the task's
            head (classification, tagging, choice); None: the task's 0.1.
        max_answer_length: int or None. qa: the longest answer, in pieces;
            None: 30 (run_squad's).
        long_text: "truncate" or "window". What `classify`, `regress` (one
            text) and `tag` do with a text longer than `sequence_length`: cut
            it, or read it in overlapping windows (`keras_albert.text.windows`)
            in training, evaluation, prediction and the exported SavedModel.
        stride: int or None. With `long_text="window"`, how many pieces a
            window moves on; None: half a window (`(sequence_length - 2) // 2`).
    """

    text_columns: list = None
    label_column: str = None
    label_names: list = None
    vocab: str = None
    sequence_length: int = None
    batch_size: int = 32
    epochs: int = "auto"
    learning_rate: float = "auto"
    warmup_fraction: float = 0.1
    patience: int = 2
    class_weight: str = None
    group_by_length: bool = True
    dtype: str = None
    jit_compile: bool = True
    seed: int = 0
    restarts: int = 1
    verbose: int = 1
    lora_rank: int = None
    lora_targets: tuple = DEFAULT_TARGETS
    strategy: str = "default"
    tpu: str = None
    head_dropout: float = None
    max_answer_length: int = None
    long_text: str = "truncate"
    stride: int = None

    def __post_init__(self):
        check_positive_int("batch_size", self.batch_size)
        if self.sequence_length is not None:
            check_positive_int("sequence_length", self.sequence_length)
        if self.epochs != "auto":
            if isinstance(self.epochs, str):
                raise ValueError(f"`epochs` must be a positive integer or 'auto'. "
                                 f"Received: epochs={self.epochs!r}")
            check_positive_int("epochs", self.epochs)
        check_non_negative_int("patience", self.patience)
        check_positive_int("restarts", self.restarts)
        if self.learning_rate != "auto":
            if isinstance(self.learning_rate, str):
                raise ValueError(f"`learning_rate` must be a number > 0 or 'auto'. "
                                 f"Received: learning_rate={self.learning_rate!r}")
            check_non_negative("learning_rate", self.learning_rate, strictly=True)
        check_rate("warmup_fraction", self.warmup_fraction)
        check_choice("class_weight", self.class_weight, CLASS_WEIGHTS)
        check_choice("dtype", self.dtype, DTYPES)
        if self.lora_rank is not None:
            check_positive_int("lora_rank", self.lora_rank)
        for target in self.lora_targets:
            check_choice("lora_targets", target, TARGETS)
        check_choice("strategy", self.strategy, STRATEGIES)
        if self.head_dropout is not None:
            check_rate("head_dropout", self.head_dropout)
        if self.max_answer_length is not None:
            check_positive_int("max_answer_length", self.max_answer_length)
        check_choice("long_text", self.long_text, LONG_TEXT)
        if self.stride is not None:
            check_positive_int("stride", self.stride)
            if self.long_text != "window":
                raise ValueError(f"A stride moves windows: pass long_text='window' "
                                 f"(--long-text window) with it. Received: "
                                 f"stride={self.stride}, long_text={self.long_text!r}")

    def window_stride(self, sequence_length):
        """The stride of the windows at `sequence_length`; None when long
        texts are truncated."""
        if self.long_text != "window":
            return None
        return self.stride or max((sequence_length - 2) // 2, 1)

    def replace(self, **settings):
        """A copy with `settings` changed; an unknown name is a `TypeError`."""
        fields = {field.name for field in dataclasses.fields(self)}
        unknown = sorted(set(settings) - fields)
        if unknown:
            raise TypeError(f"Unknown fine-tuning setting {unknown[0]!r}; the settings "
                            f"are {sorted(fields)}.")
        return dataclasses.replace(self, **settings)


def auto_epochs(examples, batch_size):
    """`epochs="auto"`: enough epochs of `examples` for about `AUTO_STEPS`
    steps of `batch_size`, from `MIN_EPOCHS` to `MAX_EPOCHS`."""
    steps_per_epoch = -(-examples // batch_size)
    return min(MAX_EPOCHS, max(MIN_EPOCHS, -(-AUTO_STEPS // steps_per_epoch)))
