"""Text classification, text-pair classification and regression from tables."""

import collections

import numpy as np

from keras_albert import metrics
from keras_albert.checks import check_choice
from keras_albert.finetune import readers
from keras_albert.finetune.spec import TaskSpec
from keras_albert.finetune.training import balanced_class_weight
from keras_albert.tasks.classifier import AlbertClassifier
from keras_albert.text.batch_encode import encode_texts

# Task -> the numbers of text columns it reads (regression: one text or a
# pair, as STS-B).
TEXT_COLUMNS = {"classify": (1,), "pair": (2,), "regress": (1, 2)}


class TextClassification(TaskSpec):
    """`classify` (one text), `pair` (two texts) or `regress` (a number, of one
    text or a pair).

    The model takes raw text: its `AlbertPreprocessor` tokenizes and packs inside
    `tf.data`, and the label names are stored with it.

    With a `stride`, a text longer than `sequence_length` is read in
    overlapping windows (`keras_albert.text.windows`): each window trains as
    an example with its text's label, and a text's logits are the mean of its
    windows' (in `evaluate`, `predict` and the exported raw-text signature).
    Pairs are truncated.

    Args:
        kind: "classify", "pair" or "regress".
        text_columns, label_column, tokenizer, sequence_length: see `TaskSpec`.
        stride: int or None. Windows of long texts move by this many pieces;
            None: long texts are truncated.
    """

    task_class = AlbertClassifier
    raw_text = True

    def __init__(self, kind, text_columns=None, label_column=None, *, tokenizer=None,
                 sequence_length=128, stride=None):
        check_choice("task", kind, TEXT_COLUMNS)
        self.kind = kind
        self.default_text_columns = ("text_a", "text_b") if kind == "pair" else ("text",)
        super().__init__(text_columns, label_column, tokenizer=tokenizer,
                         sequence_length=sequence_length, stride=stride)
        allowed = TEXT_COLUMNS[kind]
        if len(self.text_columns) not in allowed:
            raise ValueError(f"Task {kind!r} reads {' or '.join(map(str, allowed))} "
                             f"text column(s). Received: text_columns={self.text_columns}")
        if stride is not None and len(self.text_columns) == 2:
            raise ValueError(f"Windows read one text; a pair ({self.text_columns}) is "
                             f"truncated: drop --long-text window. Received: "
                             f"stride={stride}")
        self.monitor, self.mode = (("val_loss", "min") if kind == "regress"
                                   else ("val_accuracy", "max"))

    def read(self, path, with_labels=True):
        columns = [*self.text_columns, *([self.label_column] if with_labels else [])]
        rows, report = readers.read_table(path, columns)
        for row in rows:
            for column in self.text_columns:
                if not isinstance(row[column], str):
                    raise ValueError(
                        f"{readers.where(path, row['row'])}: {column!r} must be a text. "
                        f"Received: {type(row[column]).__name__} {str(row[column])[:40]} "
                        "(a batched tf.data.Dataset? pass one example per element)")
        names = readers.class_label_names(path, self.label_column)
        if with_labels and names:
            rows, report = readers.name_class_labels(rows, names, self.label_column, report)
        return rows, report

    def model_options(self, rows, path, label_names=None):
        if self.kind == "regress":
            readers.read_floats(rows, path, self.label_column)
            return {"num_classes": 1}
        names = (label_names or readers.class_label_names(path, self.label_column)
                 or readers.label_set(rows, path, self.label_column))
        return {"num_classes": len(names), "label_names": names}

    def inputs(self, rows):
        texts = [np.array([row[c] for row in rows]) for c in self.text_columns]
        return texts[0] if len(texts) == 1 else tuple(texts)

    def arrays(self, model, rows, path):
        x, y = self.inputs(rows), self.labels(model, rows, path)
        if self.stride is None:
            return x, y
        x, y, _, _ = model.window_inputs(x, y)  # each window with its text's label
        return x, y

    def long_texts(self, rows):
        """Texts longer than `sequence_length`: truncated, or (with a stride)
        read in windows."""
        lengths = [sum(len(ids) for ids in pieces) + len(pieces) + 1 for pieces in zip(
            *(encode_texts(self.tokenizer, [row[c] for row in rows])
              for c in self.text_columns), strict=True)]
        long = sum(length > self.sequence_length for length in lengths)
        if self.stride is None:
            return {"truncated_texts": long}
        width = self.sequence_length - 2
        windows = sum(1 + -(-max(length - 2 - width, 0) // self.stride)
                      for length in lengths)
        return {"texts_in_windows": long, "windows": windows}

    def labels(self, model, rows, path):
        if model.is_regression:
            return np.array(readers.read_floats(rows, path, self.label_column), "float32")
        readers.check_known_labels(rows, model.label_names, path, self.label_column)
        return model.label_ids([row[self.label_column] for row in rows])

    def evaluate(self, model, rows, path, batch_size):
        y = self.labels(model, rows, path)
        logits = model.predict(self.inputs(rows), batch_size=batch_size, verbose=0)
        if model.is_regression:
            return metrics.regression_metrics(y, logits[:, 0])
        return metrics.classification_metrics(y, logits.argmax(-1), model.num_classes)

    def predict(self, model, rows, batch_size):
        return model.predict_labels(self.inputs(rows), batch_size=batch_size, verbose=0)

    def class_weight(self, model, y):
        if self.kind == "regress":
            return None
        return balanced_class_weight(list(y), model.num_classes)

    def baseline(self, train_rows, eval_rows):
        """The accuracy of always predicting the training data's commonest label."""
        if self.kind == "regress":
            return None
        counts = collections.Counter(row[self.label_column] for row in train_rows)
        majority = counts.most_common(1)[0][0]
        return {"label": majority,
                "accuracy": sum(row[self.label_column] == majority for row in eval_rows)
                / len(eval_rows)}
