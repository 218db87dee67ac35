"""Text classification, text-pair classification and regression from tables."""

import numpy as np

from keras_albert import metrics
from keras_albert.finetune import readers
from keras_albert.finetune.training import load_task
from keras_albert.tasks.classifier import AlbertClassifier


class TextClassification:
    """`classify` (one text), `pair` (two texts) or `regress` (a number, of one
    text or a pair).

    The model takes raw text: its `AlbertPreprocessor` tokenizes and packs inside
    `tf.data`, and the label names are stored with it.
    """

    monitor, mode = "val_accuracy", "max"

    def __init__(self, kind, text_columns=None, label_column="label"):
        self.kind = kind
        # Regression reads one text or a pair (STS-B).
        allowed = {"classify": (1,), "pair": (2,), "regress": (1, 2)}[kind]
        text_columns = list(text_columns or (["text_a", "text_b"] if kind == "pair"
                                             else ["text"]))
        if len(text_columns) not in allowed:
            raise ValueError(f"Task {kind!r} reads {' or '.join(map(str, allowed))} "
                             f"text column(s). Received: text_columns={text_columns}")
        self.text_columns, self.label_column = text_columns, label_column
        if kind == "regress":
            self.monitor, self.mode = "val_loss", "min"

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

    def build(self, source, vocab, rows, path, sequence_length, dtype,
              label_names=None):
        if self.kind == "regress":
            readers.read_floats(rows, path, self.label_column)
            options = {"num_classes": 1}
        else:
            names = (label_names or readers.class_label_names(path, self.label_column)
                     or readers.label_set(rows, path, self.label_column))
            options = {"num_classes": len(names), "label_names": names}
        return load_task(AlbertClassifier, source, vocab, dtype, sequence_length,
                         **options)

    def inputs(self, rows):
        texts = [np.array([row[c] for row in rows]) for c in self.text_columns]
        return texts[0] if len(texts) == 1 else tuple(texts)

    def arrays(self, model, rows, path):
        return self.inputs(rows), self.labels(model, rows, path)

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
