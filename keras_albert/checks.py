"""Argument checks shared by layers and models.

Each check raises `ValueError` naming the argument and the value received, at the
place where the bad value enters (the constructor), not deep inside TensorFlow.
"""


def check_positive_int(name, value):
    """Raise unless `value` is an int > 0 (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"`{name}` must be a positive integer. Received: {name}={value!r}"
        )


def check_rate(name, value):
    """Raise unless `value` is a float in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"`{name}` must be a float in [0, 1). Received: {name}={value!r}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"`{name}` must be in [0, 1). Received: {name}={value!r}")


def check_choice(name, value, choices):
    """Raise unless `value` is one of `choices`."""
    if value not in choices:
        raise ValueError(
            f"`{name}` must be one of {sorted(choices, key=str)}. Received: {name}={value!r}"
        )


def check_non_negative_int(name, value):
    """Raise unless `value` is an int >= 0 (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"`{name}` must be a non-negative integer. Received: {name}={value!r}"
        )


def check_non_negative(name, value, strictly=False):
    """Raise unless `value` is a number >= 0 (> 0 when `strictly`)."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not is_number or value < 0 or (strictly and value == 0):
        bound = "> 0" if strictly else ">= 0"
        raise ValueError(f"`{name}` must be a number {bound}. Received: {name}={value!r}")
