"""Sentence similarity from pairs of texts: a sentence encoder, as Sentence-BERT.

The model `finetune` writes is an `AlbertSentenceEncoder`: it takes one raw
text and gives a unit-length vector (the mean of its token vectors), so the
cosine of two texts is the dot product of their vectors. It trains as a
siamese pair (`AlbertSentencePairs`), with the objective the data calls for,
read off the label column:

- every pair has a number (a graded similarity, as STS-B's 0 to 5): cosine
  regression, the mean squared error between cos(a, b) and the score scaled
  to [0, 1] by the training scores' range; Sentence-BERT's loss for STS.
- no pair has one (pairs that are all similar: paraphrases, a title and its
  abstract): in-batch negatives, each a told from the other pairs' b's by a
  cross-entropy over the batch's cosines x 20 (Sentence-BERT's
  MultipleNegativesRankingLoss, SimCSE's supervised loss). It needs no
  scores and gets B - 1 negatives from every batch of B pairs.

A score on some rows only, or one that is not a number, is an error.

Metrics: the STS standard, Spearman's correlation between the cosine and the
score (and Pearson's); for eval pairs without scores, the retrieval accuracy
(the share of texts a whose nearest b among all eval pairs is their own) and
the mean reciprocal rank of their own b.
"""

import numpy as np

from keras_albert import metrics
from keras_albert.finetune import readers
from keras_albert.finetune.spec import TaskSpec
from keras_albert.tasks.sentence_pairs import SIDES, AlbertSentencePairs
from keras_albert.text.batch_encode import encode_texts

RETRIEVAL_CHUNK = 1024  # rows of the eval similarity matrix at a time


def retrieval_metrics(u, v):
    """`{"accuracy", "mrr"}` of finding each `v[i]` as the nearest of all `v`
    to `u[i]` (unit vectors, (N, H) each); ties count against."""
    ranks = []
    for start in range(0, len(u), RETRIEVAL_CHUNK):
        cosines = u[start:start + RETRIEVAL_CHUNK] @ v.T  # (C, N)
        rows = np.arange(len(cosines))
        own = cosines[rows, start + rows]  # (C,)
        ranks.append((cosines >= own[:, None]).sum(1))  # 1 for the nearest
    ranks = np.concatenate(ranks)
    return {"accuracy": float((ranks == 1).mean()), "mrr": float((1 / ranks).mean())}


class SentenceSimilarity(TaskSpec):
    """`similarity`: a sentence encoder from pairs of texts (two text columns,
    an optional score column; see the module docstring).

    Args:
        text_columns: two column names (default `text_a`, `text_b`).
        label_column: the score column (default `label`); absent from the
            data: the pairs are all similar.
        tokenizer, sequence_length: see `TaskSpec`. Each text is packed alone
            to `sequence_length`.
    """

    kind, task_class = "similarity", AlbertSentencePairs
    raw_text = True
    default_text_columns = ("text_a", "text_b")

    def __init__(self, text_columns=None, label_column=None, *, tokenizer=None,
                 sequence_length=128):
        super().__init__(text_columns, label_column, tokenizer=tokenizer,
                         sequence_length=sequence_length)
        if len(self.text_columns) != 2:
            raise ValueError("Task 'similarity' reads 2 text columns (the two texts of "
                             f"a pair). Received: text_columns={self.text_columns}")

    def scored(self, rows):
        """Whether the rows (as `read` returned them) have scores."""
        return self.label_column in rows[0]

    def read(self, path, with_labels=True):
        optional = (self.label_column,) if with_labels else ()
        rows, report = readers.read_table(path, self.text_columns, optional)
        for row in rows:
            for column in self.text_columns:
                if not isinstance(row[column], str):
                    raise ValueError(  # noqa: TRY004
                        f"{readers.where(path, row['row'])}: {column!r} must be a "
                        f"text. Received: {str(row[column])[:40]}")
        if with_labels:
            unscored = [row["row"] for row in rows if self.label_column not in row]
            if 0 < len(unscored) < len(rows):
                raise ValueError(
                    f"{readers.where(path, unscored[0])}: no {self.label_column!r}, but "
                    f"{len(rows) - len(unscored)} other pairs have one: score every pair, "
                    "or none (pairs that are all similar).")
            if not unscored:
                readers.read_floats(rows, path, self.label_column)  # numbers, or an error
        return rows, report

    def model_options(self, rows, path, label_names=None):
        if label_names:
            raise ValueError("Task 'similarity' has no classes to name. Received: "
                             f"label_names={label_names}")
        if not self.scored(rows):
            return {"objective": "in_batch_negatives"}
        scores = readers.read_floats(rows, path, self.label_column)
        if min(scores) == max(scores):
            raise ValueError(f"All {len(rows)} pairs of {readers.describe(path)} have the "
                             f"score {scores[0]}: cosine regression needs scores that "
                             "differ (leave the column out for pairs that are all similar).")
        return {"objective": "cosine", "score_range": (min(scores), max(scores))}

    def prepare_eval(self, train_rows, eval_rows, path):
        if self.scored(train_rows) and not self.scored(eval_rows):
            raise ValueError(f"{readers.describe(path)} has no {self.label_column!r} "
                             "column, but the training pairs are scored: score the eval "
                             "pairs too (the model is judged by how its cosines rank them).")

    def _texts(self, rows, column):
        return np.array([row[column] for row in rows])

    def arrays(self, model, rows, path):
        x = {f"{name}_{side}": value.numpy()
             for side, column in zip(SIDES, self.text_columns, strict=True)
             for name, value in model.preprocessor(self._texts(rows, column)).items()}
        if model.objective == "cosine":
            return x, model.scaled_scores(readers.read_floats(rows, path,
                                                              self.label_column))
        return x, np.zeros(len(rows), "float32")  # the loss reads a batch's positions

    def _vectors(self, model, rows, batch_size):
        encoder = getattr(model, "encoder", model)  # pairs in training, else the encoder
        return [encoder.predict(self._texts(rows, column), batch_size=batch_size, verbose=0)
                for column in self.text_columns]

    def evaluate(self, model, rows, path, batch_size):
        u, v = self._vectors(model, rows, batch_size)
        if not self.scored(rows):
            return retrieval_metrics(u, v)
        scores = readers.read_floats(rows, path, self.label_column)
        correlations = metrics.regression_metrics(scores, (u * v).sum(-1))
        return {"spearman": correlations["spearman"], "pearson": correlations["pearson"]}

    def predict(self, model, rows, batch_size):
        u, v = self._vectors(model, rows, batch_size)
        return [{"similarity": float(cosine)} for cosine in (u * v).sum(-1)]

    def long_texts(self, rows):
        """Texts (a or b) longer than `sequence_length`: truncated."""
        width = self.sequence_length - 2  # [CLS] and [SEP]
        return {"truncated_texts": sum(
            len(ids) > width for column in self.text_columns
            for ids in encode_texts(self.tokenizer, [row[column] for row in rows]))}
