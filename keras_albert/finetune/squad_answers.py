"""From a question answerer's logits to answers, as BERT's and ALBERT's
`run_squad.py` (v2): the best spans over all windows of a question, the null
(`[CLS]`) score, and "" where the null score beats the best span's by more
than a threshold.

A span's score is its start logit plus its end logit; of each window the
`TOP_POSITIONS` best starts and ends are paired, spans longer than
`max_answer_length` pieces or ending before they start are dropped, and a
question keeps its distinct answer texts, best first.
"""

import numpy as np

TOP_POSITIONS = 20  # start and end positions tried per window (run_squad's n_best_size)


def best_spans(rows, windows, outputs, max_answer_length, n_best=1):
    """`(n_bests, null_scores)`: for each row up to `n_best` distinct answers,
    best first, each `(score, start logit, end logit, text)`, and the lowest
    `[CLS]` score over its windows.

    Args:
        rows: the spec's rows (`context`, `spans` of its words).
        windows: one dict per model input, with its `row` index and `word_at`
            (the word of each context piece, -1 elsewhere).
        outputs: the model's `start_logits` and `end_logits`, one row per window.
        max_answer_length: int. The longest answer, in pieces.
        n_best: int. How many answers to keep per row.
    """
    candidates = [[] for _ in rows]
    null = [np.inf] * len(rows)
    top = max(TOP_POSITIONS, n_best)
    for window, start, end in zip(windows, outputs["start_logits"],
                                  outputs["end_logits"], strict=True):
        index, word_at = window["row"], window["word_at"]
        null[index] = min(null[index], float(start[0] + end[0]))
        context = np.flatnonzero(word_at >= 0)
        for s in context[np.argsort(start[context])[-top:]]:
            for e in context[np.argsort(end[context])[-top:]]:
                if s <= e < s + max_answer_length:
                    candidates[index].append((float(start[s] + end[e]), float(start[s]),
                                              float(end[e]), word_at[s], word_at[e]))
    n_bests = []
    for row, spans in zip(rows, candidates, strict=True):
        best, seen = [], set()
        for score, start_logit, end_logit, first, last in sorted(spans, reverse=True):
            text = row["context"][row["spans"][first][0]:row["spans"][last][1]]
            if text not in seen:
                seen.add(text)
                best.append((score, start_logit, end_logit, text))
            if len(best) == n_best:
                break
        n_bests.append(best)
    return n_bests, null


def best_answers(n_bests, null_scores):
    """`(texts, null score differences)`: each question's best non-null
    answer and its null score minus that answer's; `("", inf)` where no span
    fits (the answer is then always "")."""
    texts = [best[0][3] if best else "" for best in n_bests]
    diffs = [null_score - best[0][0] if best else np.inf
             for best, null_score in zip(n_bests, null_scores, strict=True)]
    return texts, diffs


def thresholded(texts, diffs, threshold):
    """The answers: "" where the null score difference exceeds `threshold`
    (as the official SQuAD 2.0 evaluation applies it)."""
    return [text if diff <= threshold else "" for text, diff in zip(texts, diffs, strict=True)]


def n_best_json(best):
    """One question's n-best answers as `predict` writes them, each with its
    probability among them (a softmax of the scores, as run_squad's)."""
    if not best:
        return []
    scores = np.array([entry[0] for entry in best])
    probabilities = np.exp(scores - scores.max())
    probabilities /= probabilities.sum()
    return [{"text": text, "probability": float(probability), "score": score,
             "start_logit": start_logit, "end_logit": end_logit}
            for (score, start_logit, end_logit, text), probability
            in zip(best, probabilities, strict=True)]
