"""The activations ALBERT configs name, resolved to Keras functions.

The original configs say "gelu" but mean the tanh approximation; Hugging Face calls
that "gelu_new". We accept the Hugging Face names so configs move across unchanged.
"""

import keras

from keras_albert.checks import check_choice


def gelu_new(x):
    """GELU, tanh approximation (the original ALBERT `gelu`)."""
    return keras.activations.gelu(x, approximate=True)


def gelu_exact(x):
    """GELU with the exact erf form."""
    return keras.activations.gelu(x, approximate=False)


ACTIVATIONS = {
    "gelu_new": gelu_new,
    "gelu_pytorch_tanh": gelu_new,
    "gelu": gelu_exact,
    "relu": keras.activations.relu,
}


def get_activation(name):
    """Return the function for an activation name from an ALBERT config."""
    check_choice("hidden_act", name, ACTIVATIONS)
    return ACTIVATIONS[name]
