import pytest
import tensorflow as tf

from keras_albert.text import normalize_in_graph, normalize_text
from tests.text.conftest import MIXED, NEWER_THAN_PYTHON, UNICODE_14_CAPITALS

FLAGS = [(True, False), (True, True), (False, False), (False, True)]


def in_graph(strings, lowercase=True, keep_accents=False):
    """`normalize_in_graph` on a string or a nested list, as a flat list of str."""
    outputs = normalize_in_graph(tf.constant(strings), lowercase, keep_accents)
    return [s.decode("utf-8") for s in tf.reshape(outputs, [-1]).numpy()]


def test_reference_is_albert_preprocess_text():
    assert normalize_text("  Crème\tBRÛLÉE ``hot''  ") == 'creme brulee "hot"'
    assert normalize_text("Ǆ İ Σ ΟΔΟΣ", keep_accents=True) == "ǆ i̇ σ οδος"
    assert normalize_text("Crème  BRÛLÉE", lowercase=False) == "Creme BRULEE"


@pytest.mark.parametrize("lowercase, keep_accents", FLAGS)
def test_in_graph_equals_reference(lowercase, keep_accents):
    expected = [normalize_text(s, lowercase, keep_accents) for s in MIXED]
    assert in_graph(MIXED, lowercase, keep_accents) == expected


def test_any_shape_and_inside_tf_function():
    outputs = tf.function(normalize_in_graph)(tf.constant([MIXED[:4], MIXED[4:8]]))
    assert outputs.shape == (2, 4)
    assert [s.decode() for s in outputs.numpy().reshape(-1)] == [
        normalize_text(s) for s in MIXED[:8]
    ]
    assert normalize_in_graph(MIXED[1]).numpy().decode() == normalize_text(MIXED[1])


def test_known_differences():
    # TensorFlow's ICU predates Unicode 14.0 and keeps these capitals as they are.
    assert in_graph(UNICODE_14_CAPITALS, keep_accents=True) == [UNICODE_14_CAPITALS]
    assert normalize_text(UNICODE_14_CAPITALS) == "\u2c5f\ua7c1\U00010597"
    # tensorflow-text's ICU knows Unicode 16.0 (OUTLINED LATIN CAPITAL LETTER A).
    assert in_graph(NEWER_THAN_PYTHON, lowercase=False) == ["A"]
    assert normalize_text(NEWER_THAN_PYTHON, lowercase=False) == NEWER_THAN_PYTHON


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received: lowercase=3"):
        normalize_text("a", lowercase=3)
    with pytest.raises(ValueError, match="Received: keep_accents='no'"):
        normalize_in_graph("a", keep_accents="no")
    with pytest.raises(ValueError, match="must be a tf.string tensor"):
        normalize_in_graph(tf.constant([1, 2]))
