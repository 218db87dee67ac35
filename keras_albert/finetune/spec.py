"""`TaskSpec`: the one shape every fine-tuning task has.

A spec knows how a task's rows are read from a file, which Keras task model it
trains, how rows become model inputs and labels, and how predictions are
scored and reported. Everything it needs is given to its constructor — the
tokenizer and the sequence length it packs to — so no method depends on
another having run first. A spec made without a tokenizer can only read files.

    spec = TextClassification("classify", tokenizer=tokenizer, sequence_length=128)
    rows, report = spec.read("train.csv")
    model = spec.build("albert/albert-base-v2", rows, "train.csv")
    x, y = spec.arrays(model, rows, "train.csv")
    spec.evaluate(model, eval_rows, "eval.csv", batch_size=32)

`get_config()` is what `finetune` records in the saved model's `config.json`
(`source.finetune`), from which `keras_albert.finetune.saved_spec` rebuilds it.
"""

import abc
import inspect

from keras_albert.checks import check_positive_int
from keras_albert.finetune.training import load_task
from keras_albert.text.windows import check_stride


class TaskSpec(abc.ABC):
    """Base of the fine-tuning task specs.

    Args:
        text_columns: list of str or None. The columns holding the text(s);
            None for the task's default.
        label_column: str or None. The column holding the label; None for the
            task's default.
        tokenizer: the tokenizer of the model being fine-tuned; None for a spec
            that only reads files.
        sequence_length: int. The packed length of one example.

    Subclasses set `kind` (the task's name on the command line), `task_class`
    (the `AlbertTask` it trains), `monitor` and `mode` (early stopping), and
    their default columns.
    """

    kind = None
    task_class = None
    monitor, mode = "val_loss", "min"
    default_text_columns = ("text",)
    default_label_column = "label"
    # Whether the saved model takes raw text (an `AlbertPreprocessor` inside).
    raw_text = False

    def __init__(self, text_columns=None, label_column=None, *, tokenizer=None,
                 sequence_length=128, stride=None):
        check_positive_int("sequence_length", sequence_length)
        if stride is not None:
            check_stride(stride, sequence_length)
        self._tokenizer = tokenizer
        self.sequence_length = sequence_length
        self.stride = stride
        self.text_columns = list(text_columns or self.default_text_columns)
        self.label_column = label_column or self.default_label_column

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            raise ValueError(f"This {type(self).__name__} was made without a tokenizer: "
                             "it reads files only. Make it with tokenizer=... (the "
                             "model's) to encode texts or build a model.")
        return self._tokenizer

    @abc.abstractmethod
    def read(self, path, with_labels=True):
        """`(rows, report)`: the usable rows of `path` (a file or records),
        each with its `"row"` number, and counts of what was skipped."""

    def model_options(self, rows, path, label_names=None):
        """Keyword arguments of `task_class` that depend on the data (classes)."""
        return {}

    def build(self, source, rows, path, vocab=None, dtype=None, label_names=None,
              head_dropout=None):
        """The task model on `source` (a pretrained directory, a name, or a
        preset with `vocab`), shaped by the training rows; `head_dropout`
        replaces the task's dropout before its head (where it has one)."""
        options = self.model_options(rows, path, label_names)
        if head_dropout is not None:
            if "dropout" not in inspect.signature(self.task_class).parameters:
                raise ValueError(f"The {self.kind!r} task has no dropout before its "
                                 f"head. Received: head_dropout={head_dropout}")
            options["dropout"] = head_dropout
        # A model that reads windows carries a preprocessor with their stride.
        length = self.sequence_length if self.raw_text or self.stride else None
        return load_task(self.task_class, source, self.tokenizer, vocab, dtype, length,
                         stride=self.stride, **options)

    @abc.abstractmethod
    def arrays(self, model, rows, path):
        """`(x, y)` to train `model` on."""

    @abc.abstractmethod
    def evaluate(self, model, rows, path, batch_size):
        """The task's metrics of `model` on labelled rows."""

    @abc.abstractmethod
    def predict(self, model, rows, batch_size):
        """One prediction dict per row."""

    def class_weight(self, model, y):
        """Per-class weights for `balanced` class weighting; None where the
        task has no classes to balance."""

    def baseline(self, train_rows, eval_rows):
        """The eval metric of the trivial predictor, where the task has one."""

    def prepare_eval(self, train_rows, eval_rows, path):
        """Before training: raise where the eval rows (from `path`) cannot
        score what the training rows teach, and note what `evaluate` tunes on
        them after training (qa: SQuAD 2.0's null-answer threshold)."""

    def long_texts(self, rows):
        """What happens to the rows longer than `sequence_length` (counts for
        `metrics.json`), where the task reads raw texts."""
        return {}

    def get_config(self):
        config = {"task": self.kind, "text_columns": self.text_columns,
                  "label_column": self.label_column,
                  "sequence_length": self.sequence_length}
        if self.stride is not None:
            config["stride"] = self.stride
        return config
