"""The metrics users report for each task, computed from predictions in NumPy.

Classification: accuracy, macro-F1, Matthews correlation (multi-class form);
regression: Pearson and Spearman correlation; tagging: entity-level F1 over
BIO/IOB2 spans (as seqeval's default mode); QA: exact match and F1 after
SQuAD's official answer normalization; multiple choice: accuracy.
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


def squad_metrics(predictions, answers):
    """`{"exact_match", "f1"}` in percent: each prediction scored against the
    best of its gold answers (an empty list of answers means unanswerable)."""
    exact = f1 = 0.0
    for prediction, truths in zip(predictions, answers, strict=True):
        truths = truths or [""]
        exact += max(float(normalize_answer(prediction) == normalize_answer(t))
                     for t in truths)
        f1 += max(_token_f1(prediction, t) for t in truths)
    return {"exact_match": 100 * exact / len(predictions),
            "f1": 100 * f1 / len(predictions)}
