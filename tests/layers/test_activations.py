"""The activations named in ALBERT configs."""

import math

import numpy as np

from keras_albert.layers import get_activation


def test_activations_match_the_reference_formulas():
    # modeling.py's "gelu" is the tanh approximation (Hugging Face's gelu_new);
    # "gelu" in Hugging Face configs is the exact erf form.
    x = np.linspace(-4, 4, 33)
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    erf_form = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])
    expected = {"gelu_new": tanh_form, "gelu": erf_form, "relu": np.maximum(x, 0)}
    for name, values in expected.items():
        actual = np.asarray(get_activation(name)(x.astype("float32")))
        np.testing.assert_allclose(actual, values, atol=1e-6, err_msg=name)
    assert np.abs(tanh_form - erf_form).max() > 1e-4  # the choice matters
