"""Long texts in windows, against the loops of BERT's `run_squad.py`: its
document spans (`doc_stride`) and `_check_is_max_context`, written out here."""

import random

import numpy as np
import pytest
import tensorflow as tf

from keras_albert.text.windows import make_windows

CLS, SEP, PAD = 2, 3, 0


def run_squad_spans(length, width, stride):
    """`(start, length)` of each span, as run_squad's `while start_offset <
    len(all_doc_tokens)` loop makes them (one empty span for an empty text)."""
    spans, start = [], 0
    while True:
        size = min(length - start, width)
        spans.append((start, size))
        if start + size >= length:
            return spans
        start += min(size, stride)


def max_context_span(spans, position):
    """The span `_check_is_max_context` gives `position` to."""
    best_score, best = None, None
    for index, (start, size) in enumerate(spans):
        end = start + size - 1
        if position < start or position > end:
            continue
        score = min(position - start, end - position) + 0.01 * size
        if best_score is None or score > best_score:
            best_score, best = score, index
    return best


@pytest.mark.parametrize("sequence_length,stride", [(8, 3), (8, 6), (5, 1), (12, 5)])
def test_windows_are_run_squads_spans(sequence_length, stride):
    rng = random.Random(sequence_length * 10 + stride)
    texts = [[rng.randrange(10, 99) for _ in range(rng.randrange(0, 40))]
             for _ in range(12)]
    width = sequence_length - 2
    windows = make_windows(tf.ragged.constant(texts, dtype=tf.int32, ragged_rank=1),
                           sequence_length, stride, cls_id=CLS, sep_id=SEP, pad_id=PAD)
    expected = [(row, start, size) for row, text in enumerate(texts)
                for start, size in run_squad_spans(len(text), width, stride)]
    actual = list(zip(windows.rows.numpy(), windows.starts.numpy(),
                      windows.lengths.numpy(), strict=True))
    assert actual == expected
    token_ids = windows.inputs["token_ids"].numpy()
    for ids, (row, start, size) in zip(token_ids, expected, strict=True):
        packed = [CLS, *texts[row][start:start + size], SEP]
        assert ids.tolist() == packed + [PAD] * (sequence_length - len(packed))

    # Per piece, the value of the window run_squad picks for it.
    values = np.random.default_rng(0).normal(size=(len(expected), sequence_length, 3))
    merged = windows.by_most_central(tf.constant(values)).numpy()
    longest = max(len(text) for text in texts)
    assert merged.shape == (len(texts), longest + 2, 3)
    for row, text in enumerate(texts):
        spans = [(start, size) for r, start, size in expected if r == row]
        first = [r for r, _, _ in expected].index(row)
        for position in range(len(text)):
            index = max_context_span(spans, position)
            start = spans[index][0]
            np.testing.assert_array_equal(merged[row, position + 1],
                                          values[first + index, position - start + 1])
        assert not merged[row, 0].any() and not merged[row, len(text) + 1:].any()

    means = windows.mean_by_text(tf.constant(values[:, 0])).numpy()
    rows = windows.rows.numpy()
    np.testing.assert_allclose(means, [values[rows == row, 0].mean(0)
                                       for row in range(len(texts))], rtol=1e-6)


def test_windows_text_token_ids_and_labels():
    windows = make_windows(tf.ragged.constant([[5, 6, 7, 8, 9], [4]]), 5, 2,
                           cls_id=CLS, sep_id=SEP, pad_id=PAD)
    assert windows.text_token_ids(CLS, SEP, PAD).numpy().tolist() == [
        [2, 5, 6, 7, 8, 9, 3], [2, 4, 3, 0, 0, 0, 0]]
    labels = tf.ragged.constant([[1, -100, 2, 3, 4], [5]])
    assert windows.split(labels, 5, -100).numpy().tolist() == [
        [-100, 1, -100, 2, -100], [-100, 2, 3, 4, -100], [-100, 5, -100, -100, -100]]


def test_a_stride_past_the_window_is_one_line():
    with pytest.raises(ValueError, match="`stride` must be at most the 6 pieces"):
        make_windows(tf.ragged.constant([[1]]), 8, 7, cls_id=CLS, sep_id=SEP, pad_id=PAD)
