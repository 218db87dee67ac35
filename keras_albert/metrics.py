"""The metrics users report for each task, computed from predictions in NumPy.

Classification: accuracy, macro-F1, Matthews correlation (multi-class form);
regression: Pearson and Spearman correlation; tagging: entity-level F1 over
BIO/IOB2 spans (as seqeval's default mode); QA: exact match and F1 after
SQuAD's official answer normalization, and for SQuAD 2.0 the official script's
null-answer threshold and metrics; multiple choice: accuracy.
"""

import collections
import re
import string

import numpy as np


def classification_metrics(labels, predictions, num_classes):
    """`{"accuracy", "macro_f1", "mcc", "top_prediction_share"}` of integer
    labels and predictions."""
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    confusion = np.zeros((num_classes, num_classes), np.float64)
    np.add.at(confusion, (labels, predictions), 1)
    true_positives = np.diag(confusion)
    precision = np.divide(true_positives, confusion.sum(0),
                          out=np.zeros(num_classes), where=confusion.sum(0) > 0)
    recall = np.divide(true_positives, confusion.sum(1),
                       out=np.zeros(num_classes), where=confusion.sum(1) > 0)
    f1 = np.divide(2 * precision * recall, precision + recall,
                   out=np.zeros(num_classes), where=precision + recall > 0)
    present = (confusion.sum(0) + confusion.sum(1)) > 0  # as scikit-learn's labels
    # Gorodkin's multi-class MCC (scikit-learn's matthews_corrcoef).
    total, correct = confusion.sum(), true_positives.sum()
    predicted, actual = confusion.sum(0), confusion.sum(1)
    denominator = np.sqrt((total**2 - predicted @ predicted) * (total**2 - actual @ actual))
    mcc = (correct * total - predicted @ actual) / denominator if denominator else 0.0
    return {"accuracy": float(correct / total), "macro_f1": float(f1[present].mean()),
            "mcc": float(mcc),
            # The share of the commonest prediction: near 1, the model collapsed.
            "top_prediction_share": float(predicted.max() / total)}


def _ranks(values):
    """Average ranks (ties share the mean rank), as scipy.stats.rankdata."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    for value in np.unique(values):
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def regression_metrics(targets, predictions):
    """`{"pearson", "spearman", "mse"}` of real-valued targets and predictions."""
    targets = np.asarray(targets, np.float64)
    predictions = np.asarray(predictions, np.float64)

    def correlation(a, b):
        if a.std() == 0 or b.std() == 0:
            return 0.0
        return float(np.corrcoef(a, b)[0, 1])

    return {"pearson": correlation(targets, predictions),
            "spearman": correlation(_ranks(targets), _ranks(predictions)),
            "mse": float(np.mean((targets - predictions) ** 2))}


def entity_spans(tags):
    """Set of `(type, start, end)` entities of a BIO/IOB2 tag sequence; an `I-`
    that does not continue an entity of its type starts one (as seqeval)."""
    spans, start, kind = set(), None, None
    for index, tag in enumerate([*tags, "O"]):
        prefix, _, tag_type = tag.partition("-")
        continues = prefix == "I" and kind == tag_type
        if start is not None and not continues:
            spans.add((kind, start, index))
            start, kind = None, None
        if prefix in ("B", "I") and not continues:
            start, kind = index, tag_type
    return spans


def entity_f1(true_tags, predicted_tags):
    """`{"precision", "recall", "f1"}` of entities over sentences of tags."""
    true_count = predicted_count = correct = 0
    for truth, prediction in zip(true_tags, predicted_tags, strict=True):
        true_spans, predicted_spans = entity_spans(truth), entity_spans(prediction)
        true_count += len(true_spans)
        predicted_count += len(predicted_spans)
        correct += len(true_spans & predicted_spans)
    precision = correct / predicted_count if predicted_count else 0.0
    recall = correct / true_count if true_count else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def normalize_answer(text):
    """SQuAD's official normalization: lower case, no punctuation, no articles,
    single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


# A CJK ideograph is a token of its own (Chinese has no spaces between words),
# as in CMRC 2018's evaluation; other text splits at whitespace, as SQuAD's.
_ANSWER_TOKENS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                            r"\U00020000-\U0002fa1f]|[^\s\u3400-\u4dbf\u4e00-\u9fff"
                            r"\uf900-\ufaff\U00020000-\U0002fa1f]+")


def answer_tokens(text):
    """The tokens F1 counts in an answer, after `normalize_answer`."""
    return _ANSWER_TOKENS.findall(normalize_answer(text))


def _token_f1(prediction, truth):
    prediction, truth = answer_tokens(prediction), answer_tokens(truth)
    if not prediction or not truth:  # SQuAD 2.0: no answer scores 1 only against none
        return float(prediction == truth)
    common = sum((collections.Counter(prediction) & collections.Counter(truth)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(prediction), common / len(truth)
    return 2 * precision * recall / (precision + recall)


def squad_scores(predictions, answers):
    """`(exact, f1)` arrays, 0 to 1 per question: each prediction against the
    best of its gold answers, as the official SQuAD 2.0 script's
    `get_raw_scores` (gold answers that normalize to nothing are dropped; none
    left means unanswerable, where only "" scores)."""
    exact, f1 = [], []
    for prediction, truths in zip(predictions, answers, strict=True):
        truths = [t for t in truths if normalize_answer(t)] or [""]
        exact.append(max(float(normalize_answer(prediction) == normalize_answer(t))
                         for t in truths))
        f1.append(max(_token_f1(prediction, t) for t in truths))
    return np.array(exact), np.array(f1)


def squad_metrics(predictions, answers):
    """`{"exact_match", "f1"}` in percent (SQuAD 1.1's keys) of `squad_scores`."""
    exact, f1 = squad_scores(predictions, answers)
    return {"exact_match": 100 * float(exact.mean()), "f1": 100 * float(f1.mean())}


def best_null_threshold(scores, null_score_diffs, has_answer, answered):
    """`(best score in percent, threshold)` as the official SQuAD 2.0 script's
    `find_best_thresh`: questions are answered in order of rising null score
    difference, and the threshold is the difference at which the summed
    `scores` (of the answers, 0 for "" on an unanswerable question, -1 for an
    answer to one) peaks; 0.0 where answering nothing is best.

    Args:
        scores: per-question exact or F1 of the best non-null answer.
        null_score_diffs: per-question null score minus the best answer's.
        has_answer: per-question bool, whether the question has gold answers.
        answered: per-question bool, whether the best non-null answer is not "".
    """
    total = best = float(np.sum(~np.asarray(has_answer)))
    threshold = 0.0
    for index in np.argsort(null_score_diffs, kind="stable"):  # as Python's sorted
        total += scores[index] if has_answer[index] else -float(answered[index])
        if total > best:
            best, threshold = total, float(null_score_diffs[index])
    return 100 * best / len(scores), threshold


def squad_v2_metrics(predictions, answers, null_score_diffs, threshold=None):
    """The official SQuAD 2.0 evaluation (`evaluate-v2.0.py` with BERT's and
    ALBERT's null score differences as its `na_probs`), in its key names.

    A question is answered "" where its null score difference exceeds
    `threshold`: `exact` and `f1` (percent, over `total` questions, split
    into `HasAns_*` and `NoAns_*`) are at that threshold, `best_exact` and
    `best_f1` at the best of each (`best_*_thresh`), `null_score_threshold`
    is the one applied.

    Args:
        predictions: the best non-null answer of each question.
        answers: the gold answer texts of each question ([] if unanswerable).
        null_score_diffs: per question, the null (`[CLS]`) score minus the
            best answer's score (each a start plus an end logit).
        threshold: float, or None for the threshold of the best F1 (tuning
            on these questions).
    """
    exact, f1 = squad_scores(predictions, answers)
    diffs = np.asarray(null_score_diffs, np.float64)
    has_answer = np.array([bool(truths) for truths in answers])
    answered = np.array([bool(prediction) for prediction in predictions])
    best_exact, exact_threshold = best_null_threshold(exact, diffs, has_answer, answered)
    best_f1, f1_threshold = best_null_threshold(f1, diffs, has_answer, answered)
    threshold = f1_threshold if threshold is None else float(threshold)
    null = diffs > threshold
    exact = np.where(null, ~has_answer, exact)
    f1 = np.where(null, ~has_answer, f1)
    result = {"exact": 100 * float(exact.mean()), "f1": 100 * float(f1.mean()),
              "total": len(exact)}
    for prefix, subset in (("HasAns", has_answer), ("NoAns", ~has_answer)):
        if subset.any():
            result.update({f"{prefix}_exact": 100 * float(exact[subset].mean()),
                           f"{prefix}_f1": 100 * float(f1[subset].mean()),
                           f"{prefix}_total": int(subset.sum())})
    return {**result, "best_exact": best_exact, "best_exact_thresh": exact_threshold,
            "best_f1": best_f1, "best_f1_thresh": f1_threshold,
            "null_score_threshold": threshold}
