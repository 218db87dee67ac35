"""Token tagging (NER, POS, chunking) from CoNLL files or JSONL word lists.

Each word's tag goes to its first SentencePiece piece; the other pieces,
`[CLS]`, `[SEP]` and padding get the ignored label -100. Predictions read the
first piece of each word back, so the output has exactly one tag per word;
words past the sequence length (reported) are tagged `O`.
"""

import collections

import numpy as np

from keras_albert import metrics
from keras_albert.finetune import readers
from keras_albert.finetune.spec import TaskSpec
from keras_albert.tasks.token_classifier import IGNORE_LABEL, AlbertTokenClassifier
from keras_albert.text.batch_encode import encode_texts

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

    def features(self, rows, tags=None):
        """`(x, y, first_pieces)`: packed inputs, per-piece labels (-100 where
        ignored) and, per row, the positions of its words' first pieces."""
        length = self.sequence_length
        all_pieces = encode_texts(self.tokenizer, [w for r in rows for w in r["words"]])
        token_ids = np.full((len(rows), length), self.tokenizer.pad_token_id, "int32")
        padding_mask = np.zeros((len(rows), length), "int32")
        labels = np.full((len(rows), length), IGNORE_LABEL, "int32")
        first_pieces, offset = [], 0
        self.truncated_words = 0
        for index, row in enumerate(rows):
            row_pieces = all_pieces[offset:offset + len(row["words"])]
            offset += len(row["words"])
            ids, positions = [self.tokenizer.cls_token_id], []
            for word_number, pieces in enumerate(row_pieces):
                pieces = pieces or [self.tokenizer.unk_token_id]
                if len(ids) + len(pieces) > length - 1:  # room for [SEP]
                    self.truncated_words += len(row_pieces) - word_number
                    break
                positions.append(len(ids))
                if tags is not None:
                    labels[index, len(ids)] = tags[index][word_number]
                ids += pieces
            ids.append(self.tokenizer.sep_token_id)
            token_ids[index, :len(ids)] = ids
            padding_mask[index, :len(ids)] = 1
            first_pieces.append(positions)
        x = {"token_ids": token_ids, "segment_ids": np.zeros_like(token_ids),
             "padding_mask": padding_mask}
        return x, labels, first_pieces

    def labels(self, model, rows, path):
        index = {name: i for i, name in enumerate(model.label_names)}
        unknown = [(r["row"], t) for r in rows for t in r["tags"] if t not in index]
        if unknown:
            raise ValueError(f"{len(unknown)} words of {readers.describe(path)} have tags the model does "
                             f"not know (line {unknown[0][0]}: {unknown[0][1]!r}). "
                             f"Known tags: {model.label_names}")
        return [[index[t] for t in r["tags"]] for r in rows]

    def arrays(self, model, rows, path):
        x, y, _ = self.features(rows, self.labels(model, rows, path))
        return x, y

    def _predicted_tags(self, model, rows, batch_size):
        x, _, first_pieces = self.features(rows)
        best = model.predict(x, batch_size=batch_size, verbose=0).argmax(-1)
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
