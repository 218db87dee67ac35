"""Extractive question answering from SQuAD v1.1 / v2.0 JSON.

As the original BERT/ALBERT `run_squad.py`: the context is split into words at
whitespace (and, as for Chinese contexts such as CMRC 2018's, every CJK
character is a word of its own), each word into the tokenizer's pieces, and long contexts into windows
of `sequence_length` with a stride of `doc_stride` pieces, each packed as
`[CLS] question [SEP] context window [SEP]`. A window that does not hold the
answer (or a SQuAD 2.0 question without one) points start and end at `[CLS]`
and has answerable label 0. A prediction takes the best-scoring span over all
windows of a question (at most `max_answer_pieces` long) and maps it back to
the original words; "" when the `[CLS]` score beats every span.
"""

import re
from collections.abc import Mapping

import numpy as np

from keras_albert import metrics
from keras_albert.finetune import readers
from keras_albert.finetune.spec import TaskSpec
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
    """`qa`: answer spans in a context."""

    kind, task_class = "qa", AlbertQuestionAnswerer
    default_text_columns, default_label_column = ("question", "context"), "answers"

    def read(self, path, with_labels=True):
        rows, report, contexts = [], {"skipped_answer_not_in_context": 0}, {}
        for number, (context, qa) in enumerate(_questions(path), start=1):
            if context not in contexts:
                contexts[context] = context_words(context)
            words, spans = contexts[context]
            ends = [end for _, end in spans]
            answers = [a.get("text", "") for a in qa.get("answers", [])]
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

    def answers(self, model, rows, batch_size):
        x, _, windows = self.features(rows)
        outputs = model.predict(x, batch_size=batch_size, verbose=0)
        best = [(-np.inf, "")] * len(rows)
        null = [np.inf] * len(rows)
        for window, start, end in zip(windows, outputs["start_logits"],
                                      outputs["end_logits"], strict=True):
            row, word_at = rows[window["row"]], window["word_at"]
            null[window["row"]] = min(null[window["row"]], start[0] + end[0])
            context = np.flatnonzero(word_at >= 0)
            if not len(context):
                continue
            starts = context[np.argsort(start[context])[-20:]]
            ends = context[np.argsort(end[context])[-20:]]
            for s in starts:
                for e in ends:
                    if s <= e < s + MAX_ANSWER_PIECES and start[s] + end[e] > best[window["row"]][0]:
                        first, last = row["spans"][word_at[s]], row["spans"][word_at[e]]
                        text = row["context"][first[0]:last[1]]
                        best[window["row"]] = (start[s] + end[e], text)
        # SQuAD 2.0: no answer when [CLS] scores higher than the best span.
        return [text if score > null_score else ""
                for (score, text), null_score in zip(best, null, strict=True)]

    def evaluate(self, model, rows, path, batch_size):
        predictions = self.answers(model, rows, batch_size)
        return metrics.squad_metrics(predictions, [row["answers"] for row in rows])

    def predict(self, model, rows, batch_size):
        return [{"id": row["id"], "answer": answer} for row, answer in zip(
            rows, self.answers(model, rows, batch_size), strict=True)]
