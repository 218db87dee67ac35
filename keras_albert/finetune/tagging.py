"""Token tagging (NER, POS, chunking) from CoNLL files or JSONL word lists.

Each word's tag goes to its first SentencePiece piece; the other pieces,
`[CLS]`, `[SEP]` and padding get the ignored label -100. Predictions read the
first piece of each word back, so the output has exactly one tag per word;
words past the sequence length (reported) are tagged `O`.
"""

import collections

import numpy as np
import tensorflow as tf

from keras_albert import metrics
from keras_albert.finetune import readers
from keras_albert.finetune.spec import TaskSpec
from keras_albert.tasks.token_classifier import IGNORE_LABEL, AlbertTokenClassifier
from keras_albert.text.batch_encode import encode_texts
from keras_albert.text.windows import make_windows

OUTSIDE = "O"


class TokenTagging(TaskSpec):
    """`tag`: one label per word."""

    kind, task_class = "tag", AlbertTokenClassifier
    default_text_columns, default_label_column = ("words",), "tags"

    def read(self, path, with_labels=True):
        if readers.table_format(path) in ("jsonl", "records"):
            columns = [self.text_columns[0], *([self.label_column] if with_labels else [])]
            rows, report = readers.read_table(path, columns)
            names = readers.class_label_names(path, self.label_column, sequence=True)
            rows = [{"row": r["row"], "words": list(r[self.text_columns[0]]),
                     "tags": [names[int(t)] if names else t
                              for t in r.get(self.label_column) or []]} for r in rows]
        else:
            rows, report = readers.read_conll(path)
        for row in rows:
            if with_labels and len(row["tags"]) != len(row["words"]):
                raise ValueError(f"{readers.where(path, row['row'])}: {len(row['words'])} "
                                 f"words but {len(row['tags'])} tags.")
        return rows, report

    def model_options(self, rows, path, label_names=None):
        names = (label_names
                 or readers.class_label_names(path, self.label_column, sequence=True)
                 or sorted({tag for row in rows for tag in row["tags"]}))
        if len(names) < 2:
            raise ValueError(f"All words of {readers.describe(path)} have the tag {names[0]!r}: a "
                             "tagger needs at least 2 tags.")
        return {"num_classes": len(names), "label_names": names}

    def __init__(self, text_columns=None, label_column=None, *, tokenizer=None,
                 sequence_length=128, stride=None):
        super().__init__(text_columns, label_column, tokenizer=tokenizer,
                         sequence_length=sequence_length, stride=stride)

    def _pieces(self, rows, tags=None):
        """Per row: its pieces, their labels (the word's tag id on its first
        piece, else -100) and the position of each word's first piece."""
        all_pieces = encode_texts(self.tokenizer, [w for r in rows for w in r["words"]])
        pieces, labels, first_pieces, offset = [], [], [], 0
        for index, row in enumerate(rows):
            ids, row_labels, positions = [], [], []
            for word_number, word in enumerate(all_pieces[offset:offset + len(row["words"])]):
                word = word or [self.tokenizer.unk_token_id]
                positions.append(len(ids))
                row_labels += [tags[index][word_number] if tags else IGNORE_LABEL]
                row_labels += [IGNORE_LABEL] * (len(word) - 1)
                ids += word
            offset += len(row["words"])
            pieces.append(ids)
            labels.append(row_labels)
            first_pieces.append(positions)
        return pieces, labels, first_pieces

    def features(self, rows, tags=None):
        """`(x, y, first_pieces, windows)`: packed inputs, per-piece labels
        (-100 where ignored), per row the positions of its words' first pieces
        in `[CLS] pieces [SEP]`, and with a `stride` the `Windows` that `x`
        packs (None: each row truncated to `sequence_length`, words past it
        counted in `truncated_words`)."""
        pieces, labels, first_pieces = self._pieces(rows, tags)
        first_pieces = [[position + 1 for position in row] for row in first_pieces]
        tokenizer, length = self.tokenizer, self.sequence_length
        if self.stride is not None:
            windows = make_windows(tf.ragged.constant(pieces, dtype=tf.int32), length,
                                   self.stride, cls_id=tokenizer.cls_token_id,
                                   sep_id=tokenizer.sep_token_id,
                                   pad_id=tokenizer.pad_token_id)
            y = windows.split(tf.ragged.constant(labels, dtype=tf.int32), length,
                              IGNORE_LABEL).numpy()
            self.truncated_words = 0
            return ({name: value.numpy() for name, value in windows.inputs.items()}, y,
                    first_pieces, windows)
        # Words that fit whole before [SEP]: those ending by position length - 1.
        kept, ends = [], []
        for row, ids in zip(first_pieces, pieces, strict=True):
            word_ends = [*row[1:], len(ids) + 1]  # each word's end in the packing
            count = sum(end <= length - 1 for end in word_ends)
            kept.append(row[:count])
            ends.append(word_ends[count - 1] if count else 1)
        self.truncated_words = sum(len(row) - len(k) for row, k in zip(first_pieces, kept,
                                                                       strict=True))
        token_ids = np.full((len(rows), length), tokenizer.pad_token_id, "int32")
        padding_mask = np.zeros((len(rows), length), "int32")
        y = np.full((len(rows), length), IGNORE_LABEL, "int32")
        for index, (ids, row_labels, end) in enumerate(zip(pieces, labels, ends,
                                                           strict=True)):
            packed = [tokenizer.cls_token_id, *ids[:end - 1], tokenizer.sep_token_id]
            token_ids[index, :len(packed)] = packed
            padding_mask[index, :len(packed)] = 1
            y[index, 1:end] = row_labels[:end - 1]
        x = {"token_ids": token_ids, "segment_ids": np.zeros_like(token_ids),
             "padding_mask": padding_mask}
        return x, y, kept, None

    def labels(self, model, rows, path):
        index = {name: i for i, name in enumerate(model.label_names)}
        unknown = [(r["row"], t) for r in rows for t in r["tags"] if t not in index]
        if unknown:
            raise ValueError(f"{len(unknown)} words of {readers.describe(path)} have tags the model does "
                             f"not know (line {unknown[0][0]}: {unknown[0][1]!r}). "
                             f"Known tags: {model.label_names}")
        return [[index[t] for t in r["tags"]] for r in rows]

    def arrays(self, model, rows, path):
        x, y, _, _ = self.features(rows, self.labels(model, rows, path))
        return x, y

    def _predicted_tags(self, model, rows, batch_size):
        x, _, first_pieces, windows = self.features(rows)
        logits = model.predict(x, batch_size=batch_size, verbose=0)
        if windows is not None:
            logits = windows.by_most_central(logits).numpy()
        best = logits.argmax(-1)
        return [[model.label_names[best[i, p]] for p in positions]
                + [OUTSIDE] * (len(row["words"]) - len(positions))
                for i, (row, positions) in enumerate(zip(rows, first_pieces, strict=True))]

    def evaluate(self, model, rows, path, batch_size):
        predicted = self._predicted_tags(model, rows, batch_size)
        words = collections.Counter(
            p == t for row, pred in zip(rows, predicted, strict=True)
            for p, t in zip(pred, row["tags"], strict=True))
        return {**metrics.entity_f1([r["tags"] for r in rows], predicted),
                "token_accuracy": words[True] / sum(words.values()),
                "truncated_words": self.truncated_words}

    def predict(self, model, rows, batch_size):
        return [{"words": row["words"], "tags": tags} for row, tags in zip(
            rows, self._predicted_tags(model, rows, batch_size), strict=True)]
