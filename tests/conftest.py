import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_keras_state():
    """Each test starts with a clean name scope and the default dtype policy."""
    keras.utils.clear_session(free_memory=True)
    keras.config.set_dtype_policy("float32")
    keras.utils.set_random_seed(0)
    yield
