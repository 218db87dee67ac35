"""Extractive question answering from SQuAD v1.1 / v2.0 JSON.

As the original BERT/ALBERT `run_squad.py`: the context is split into words at
whitespace (and, as for Chinese contexts such as CMRC 2018's, every CJK
character is a word of its own), each word into the tokenizer's pieces, and long contexts into windows
of `sequence_length` with a stride of `doc_stride` pieces, each packed as
`[CLS] question [SEP] context window [SEP]`. A window that does not hold the
answer (or a SQuAD 2.0 question without one) points start and end at `[CLS]`
and has answerable label 0. A prediction takes the best-scoring span over all
windows of a question (at most `max_answer_length` pieces long) and maps it
back to the original words; "" when the `[CLS]` (null) score minus the best
span's exceeds `null_score_threshold`. SQuAD 2.0's threshold is tuned on the
eval data after fine-tuning, as the official evaluation script's
`find_best_thresh` (the best F1's), and saved with the model.
"""

import re
from collections.abc import Mapping

import numpy as np

from keras_albert import metrics
from keras_albert.checks import check_positive_int
from keras_albert.finetune import readers
from keras_albert.finetune.spec import TaskSpec
from keras_albert.finetune.squad_answers import (
    best_answers,
    best_spans,
    n_best_json,
    thresholded,
)
from keras_albert.tasks.question_answerer import AlbertQuestionAnswerer
from keras_albert.text.batch_encode import encode_texts

MAX_QUESTION_PIECES = 64
DOC_STRIDE = 128
MAX_ANSWER_PIECES = 30
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_WORDS = re.compile(f"[{_CJK}]|[^\\s{_CJK}]+")


def context_words(context):
    """(words, (start, end) character span of each): runs of non-space
    characters, each CJK character a word of its own."""
    matches = list(_WORDS.finditer(context))
    return [m.group() for m in matches], [m.span() for m in matches]


def _answer_words(context, words_end, text, start):
    """(first word, last word) of the answer `text` at character `start`."""
    if start is None or context[start:start + len(text)] != text:
        start = context.find(text)
    if not text or start < 0:
        return None
    first = next(i for i, end in enumerate(words_end) if end > start)
    last = next(i for i, end in enumerate(words_end) if end >= start + len(text))
    return first, last


def _questions(source):
    """(context, question dict) of each question, from a SQuAD JSON file or
    from records in Hugging Face's `squad` layout (`context`, `question`,
    `id`, `answers: {"text": [...], "answer_start": [...]}`)."""
    if not readers.is_file(source):
        for number, record in readers.read_rows(source):
            if "context" not in record or "question" not in record:
                raise ValueError(f"{readers.where(source, number)}: expected 'context' and "
                                 f"'question' (SQuAD layout). Received: {sorted(record)}")
            answers = record.get("answers") or {}
            if isinstance(answers, Mapping):  # Hugging Face: columns of lists
                answers = [{"text": text, "answer_start": start} for text, start in
                           zip(answers.get("text", []), answers.get("answer_start", []),
                               strict=False)]
            yield record["context"], {**record, "answers": answers}
        return
    data = readers.read_json(source)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ValueError(f"{source} is not SQuAD JSON (no top-level 'data' list).")
    for article in data["data"]:
        for paragraph in article.get("paragraphs", []):
            for qa in paragraph.get("qas", []):
                yield paragraph.get("context", ""), qa


class QuestionAnswering(TaskSpec):
    """`qa`: answer spans in a context.

    Args:
        max_answer_length: int. The longest answer, in pieces.
        null_score_threshold: float or None (0.0). Answer "" where the null
            score minus the best span's exceeds it; `finetune` sets it to the
            one tuned on eval data with unanswerable questions.
        n_best: int or None. `predict` also lists the `n_best` best answers
            of each question, with their logits, and the null score.
        (the others as `TaskSpec`'s)
    """

    kind, task_class = "qa", AlbertQuestionAnswerer
    default_text_columns, default_label_column = ("question", "context"), "answers"

    def __init__(self, text_columns=None, label_column=None, *, tokenizer=None,
                 sequence_length=128, max_answer_length=MAX_ANSWER_PIECES,
                 null_score_threshold=None, n_best=None):
        super().__init__(text_columns, label_column, tokenizer=tokenizer,
                         sequence_length=sequence_length)
        check_positive_int("max_answer_length", max_answer_length)
        if n_best is not None:
            check_positive_int("n_best", n_best)
        self.max_answer_length = max_answer_length
        self.null_score_threshold = null_score_threshold
        self.n_best = n_best
        self._tune_threshold = False

    def read(self, path, with_labels=True):
        rows, report, contexts = [], {"skipped_answer_not_in_context": 0}, {}
        for number, (context, qa) in enumerate(_questions(path), start=1):
            if context not in contexts:
                contexts[context] = context_words(context)
            words, spans = contexts[context]
            ends = [end for _, end in spans]
            answers = ([] if qa.get("is_impossible") else
                       [a.get("text", "") for a in qa.get("answers", [])])
            span = None
            if with_labels and answers and not qa.get("is_impossible"):
                first = qa["answers"][0]
                span = _answer_words(context, ends, first["text"], first.get("answer_start"))
                if span is None:
                    report["skipped_answer_not_in_context"] += 1
                    report.setdefault("first_skipped_question", qa.get("id", number))
                    continue
            rows.append({"row": number, "id": qa.get("id", str(number)),
                         "question": qa.get("question", ""), "words": words,
                         "context": context, "spans": spans,
                         "answers": answers, "span": span})
        if not rows:
            raise ValueError(f"No usable questions in {readers.describe(path)} ({report}).")
        return rows, report

    def features(self, rows):
        """Windows of every question: inputs, labels, and for each window its
        row index and the word of each context piece (-1 elsewhere)."""
        length = self.sequence_length
        questions = encode_texts(self.tokenizer, [r["question"] for r in rows])
        all_words = encode_texts(self.tokenizer, [w for r in rows for w in r["words"]])
        windows, offset = [], 0
        for index, (row, question) in enumerate(zip(rows, questions, strict=True)):
            question = question[:MAX_QUESTION_PIECES]
            pieces, piece_word = [], []
            for word_number, word_pieces in enumerate(
                    all_words[offset:offset + len(row["words"])]):
                pieces += word_pieces
                piece_word += [word_number] * len(word_pieces)
            offset += len(row["words"])
            room = length - len(question) - 3
            if room < 1:
                raise ValueError(f"sequence_length={length} leaves no room for the "
                                 f"context after question {row['id']!r}.")
            start = 0
            while True:
                windows.append(self._window(index, row, question, pieces[start:start + room],
                                            piece_word[start:start + room]))
                if start + room >= len(pieces):
                    break
                start += min(room, DOC_STRIDE)
        x = {name: np.stack([w[name] for w in windows])
             for name in ("token_ids", "segment_ids", "padding_mask")}
        y = {name: np.array([w[name] for w in windows], "int32")
             for name in ("start_logits", "end_logits", "answerable_logits")}
        return x, y, windows

    def _window(self, index, row, question, pieces, piece_word):
        tokenizer, length = self.tokenizer, self.sequence_length
        ids = [tokenizer.cls_token_id, *question, tokenizer.sep_token_id, *pieces,
               tokenizer.sep_token_id]
        first = len(question) + 2  # position of the first context piece
        token_ids = np.full(length, tokenizer.pad_token_id, "int32")
        token_ids[:len(ids)] = ids
        segment_ids = np.zeros(length, "int32")
        segment_ids[first:len(ids)] = 1
        word_at = np.full(length, -1)
        word_at[first:first + len(pieces)] = piece_word
        start = end = 0
        if row["span"] is not None:
            inside_start = np.flatnonzero(word_at == row["span"][0])
            inside_end = np.flatnonzero(word_at == row["span"][1])
            if len(inside_start) and len(inside_end):
                start, end = int(inside_start[0]), int(inside_end[-1])
        return {"token_ids": token_ids, "segment_ids": segment_ids,
                "padding_mask": (np.arange(length) < len(ids)).astype("int32"), "row": index,
                "word_at": word_at, "start_logits": start, "end_logits": end,
                "answerable_logits": int(start > 0)}

    def arrays(self, model, rows, path):
        x, y, _ = self.features(rows)
        return x, y

    def prepare_eval(self, train_rows, eval_rows, path):
        """SQuAD 2.0: the null-answer threshold is tuned on the eval data,
        which needs unanswerable questions where the training data has them."""
        unanswerable = sum(not row["answers"] for row in train_rows)
        if unanswerable and all(row["answers"] for row in eval_rows):
            raise ValueError(
                f"{readers.describe(path)} has no unanswerable questions, but "
                f"{unanswerable} training questions are: SQuAD 2.0's null-answer "
                "threshold is tuned on eval questions with and without answers.")
        self._tune_threshold = any(not row["answers"] for row in eval_rows)

    def scored(self, model, rows, batch_size, n_best=1):
        """`squad_answers.best_spans` of `model` on `rows`."""
        x, _, windows = self.features(rows)
        outputs = model.predict(x, batch_size=batch_size, verbose=0)
        return best_spans(rows, windows, outputs, self.max_answer_length, n_best)

    def evaluate(self, model, rows, path, batch_size):
        """SQuAD 1.1 data (every question answerable): `{"exact_match", "f1"}`;
        SQuAD 2.0 data: the official script's metrics (`squad_v2_metrics`),
        at the saved threshold or at the one tuned here after fine-tuning."""
        texts, diffs = best_answers(*self.scored(model, rows, batch_size))
        answers = [row["answers"] for row in rows]
        threshold = self.null_score_threshold or 0.0
        if all(answers):
            return metrics.squad_metrics(thresholded(texts, diffs, threshold), answers)
        result = metrics.squad_v2_metrics(texts, answers, diffs,
                                          None if self._tune_threshold else threshold)
        if self._tune_threshold:
            self.null_score_threshold = result["null_score_threshold"]
            self._tune_threshold = False
        return result

    def predict(self, model, rows, batch_size):
        n_bests, null = self.scored(model, rows, batch_size, self.n_best or 1)
        answers = thresholded(*best_answers(n_bests, null), self.null_score_threshold or 0.0)
        predictions = []
        for row, answer, best, null_score in zip(rows, answers, n_bests, null, strict=True):
            prediction = {"id": row["id"], "answer": answer}
            if self.n_best:
                prediction.update(null_score=null_score, n_best=n_best_json(best))
            predictions.append(prediction)
        return predictions

    def get_config(self):
        return {**super().get_config(), "max_answer_length": self.max_answer_length,
                "null_score_threshold": self.null_score_threshold}
