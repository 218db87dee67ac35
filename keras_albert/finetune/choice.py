"""Multiple choice (RACE, SWAG and the like) from JSONL.

Each row becomes K packed pairs `[CLS] context [SEP] question choice_k [SEP]`
of shape (K, T); the model scores them and is trained on the right index. Rows
are read in one of three layouts:

- generic: `{"context", "question" (optional), "choices": [...], "label": int}`
- RACE:    `{"article", "question", "options": [...], "answer": "A" | "B" | ...}`
- SWAG:    `{"sent1", "sent2", "ending0", ..., "label": int}`
"""

import numpy as np
import tensorflow as tf

from keras_albert.finetune import readers
from keras_albert.finetune.spec import TaskSpec
from keras_albert.tasks.multiple_choice import AlbertMultipleChoice
from keras_albert.text.batch_encode import encode_texts
from keras_albert.text.packing import pack_segments


def _parse(record, path, number, with_labels):
    """(context, [second segment per choice], label index or None)."""
    if "options" in record:  # RACE
        context, question, choices = record.get("article"), record.get("question", ""), record["options"]
        label = record.get("answer")
        label = "ABCDEFGHIJ".find(label) if isinstance(label, str) else label
    elif "ending0" in record:  # SWAG
        context, question = record.get("sent1"), record.get("sent2", "")
        choices = [record[f"ending{i}"] for i in range(10) if f"ending{i}" in record]
        label = record.get("label")
    else:
        context, question = record.get("context"), record.get("question", "")
        choices, label = record.get("choices"), record.get("label")
    if not isinstance(context, str) or not isinstance(choices, list) or len(choices) < 2:
        raise ValueError(f"{readers.where(path, number)}: expected a context and at least 2 "
                         "choices (generic, RACE or SWAG layout). Received keys: "
                         f"{sorted(record)}")
    label = None if not with_labels else label
    if with_labels:
        try:
            label = int(label)
        except (TypeError, ValueError):
            label = -1
        if not 0 <= label < len(choices):
            raise ValueError(f"{readers.where(path, number)}: the label must index one of the "
                             f"{len(choices)} choices. Received: {record.get('label', record.get('answer'))!r}")
    return context, [f"{question} {choice}".strip() for choice in choices], label


class MultipleChoice(TaskSpec):
    """`choice`: pick the right one of K candidate texts."""

    kind, task_class = "choice", AlbertMultipleChoice
    monitor, mode = "val_accuracy", "max"
    default_text_columns = ("context",)

    def read(self, path, with_labels=True):
        rows, report = [], {}
        for number, record in readers.read_rows(path):
            context, seconds, label = _parse(record, path, number, with_labels)
            if rows and len(seconds) != len(rows[0]["seconds"]):
                raise ValueError(f"{readers.where(path, number)}: {len(seconds)} choices, but "
                                 f"line {rows[0]['row']} has {len(rows[0]['seconds'])}; "
                                 "every row needs the same number.")
            rows.append({"row": number, "context": context, "seconds": seconds,
                         "label": label})
        if not rows:
            raise ValueError(f"No rows in {readers.describe(path)}.")
        return rows, report

    def inputs(self, rows):
        choices = len(rows[0]["seconds"])
        contexts = [row["context"] for row in rows for _ in range(choices)]
        seconds = [second for row in rows for second in row["seconds"]]
        segments = [tf.ragged.constant(encode_texts(self.tokenizer, texts), "int32",
                                       ragged_rank=1) for texts in (contexts, seconds)]
        packed = pack_segments(
            segments, self.sequence_length,
            cls_id=self.tokenizer.cls_token_id, sep_id=self.tokenizer.sep_token_id,
            pad_id=self.tokenizer.pad_token_id)
        return {name: tensor.numpy().reshape(len(rows), choices, -1)
                for name, tensor in packed.items()}

    def arrays(self, model, rows, path):
        return self.inputs(rows), np.array([row["label"] for row in rows], "int32")

    def evaluate(self, model, rows, path, batch_size):
        best = model.predict(self.inputs(rows), batch_size=batch_size, verbose=0).argmax(-1)
        labels = np.array([row["label"] for row in rows])
        return {"accuracy": float((best == labels).mean())}

    def predict(self, model, rows, batch_size):
        logits = model.predict(self.inputs(rows), batch_size=batch_size, verbose=0)
        probabilities = tf.nn.softmax(logits.astype("float32")).numpy()
        return [{"choice": int(p.argmax()), "probability": float(p.max())}
                for p in probabilities]
