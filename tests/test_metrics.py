import numpy as np
import pytest

from keras_albert.metrics import (
    classification_metrics,
    entity_f1,
    entity_spans,
    normalize_answer,
    regression_metrics,
    squad_metrics,
)


def test_classification_metrics_on_a_worked_example():
    # Confusion (rows true, columns predicted): [[2, 1], [0, 1]].
    result = classification_metrics([0, 0, 0, 1], [0, 0, 1, 1], num_classes=2)
    assert result["accuracy"] == 0.75
    # F1 class 0: p=1, r=2/3 -> 0.8; class 1: p=1/2, r=1 -> 2/3.
    assert result["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2)
    # Binary MCC = (tp*tn - fp*fn) / sqrt(...) = (1*2 - 1*0) / sqrt(2*1*3*2).
    assert result["mcc"] == pytest.approx(2 / np.sqrt(12))
    # A class never seen nor predicted does not dilute macro-F1.
    assert classification_metrics([0, 1], [0, 1], num_classes=5)["macro_f1"] == 1.0
    assert classification_metrics([0, 0], [0, 0], num_classes=2)["mcc"] == 0.0


def test_regression_metrics_rank_ties_like_spearman():
    result = regression_metrics([1, 2, 3, 4], [10, 20, 20, 40])
    assert result["spearman"] == pytest.approx(np.corrcoef([1, 2, 3, 4],
                                                           [1, 2.5, 2.5, 4])[0, 1])
    assert result["pearson"] == pytest.approx(np.corrcoef([1, 2, 3, 4],
                                                          [10, 20, 20, 40])[0, 1])
    assert regression_metrics([1, 1], [1, 2])["pearson"] == 0.0  # constant: no NaN


def test_entities_are_whole_spans():
    assert entity_spans(["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-PER"]) == {
        ("PER", 0, 2), ("LOC", 3, 4), ("LOC", 4, 5), ("PER", 5, 6)}
    truth = [["B-PER", "I-PER", "O", "B-LOC"]]
    half = [["B-PER", "O", "O", "B-LOC"]]  # the person is cut short: wrong entity
    assert entity_f1(truth, truth)["f1"] == 1.0
    assert entity_f1(truth, half) == pytest.approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5})


def test_squad_scores_use_the_official_normalization():
    assert normalize_answer("The  Eiffel-Tower!") == "eiffeltower"
    scores = squad_metrics(["the Eiffel Tower", "Paris France", ""],
                           [["Eiffel Tower"], ["Paris"], []])
    assert scores["exact_match"] == pytest.approx(200 / 3)
    # F1: 1, then 2*(1/2*1)/(1/2+1) = 2/3, then 1 (no answer to an unanswerable).
    assert scores["f1"] == pytest.approx(100 * (1 + 2 / 3 + 1) / 3)
