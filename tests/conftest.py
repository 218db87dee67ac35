import atexit
import os
import shutil
import tempfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The tests never touch the user's caches, nor a real Hub: tests that load by
# name start a local one (tests/hub_server.py) and point HF_ENDPOINT at it.
_CACHES = tempfile.mkdtemp(prefix="keras_albert_test_caches_")
atexit.register(shutil.rmtree, _CACHES, True)
os.environ["KERAS_ALBERT_CACHE"] = os.path.join(_CACHES, "keras_albert")
os.environ["HF_HOME"] = os.path.join(_CACHES, "huggingface")
os.environ["KAGGLEHUB_CACHE"] = os.path.join(_CACHES, "kagglehub")
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"  # nothing listens there

import keras  # noqa: E402
import pytest  # noqa: E402

from keras_albert.datasets import write_wordnet, write_wordnet_corpus  # noqa: E402
from keras_albert.text import train_vocabulary  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_keras_state():
    """Each test starts with a clean name scope and the default dtype policy."""
    keras.utils.clear_session(free_memory=True)
    keras.config.set_dtype_policy("float32")
    keras.utils.set_random_seed(0)
    yield


@pytest.fixture(scope="session")
def wordnet_vocab(tmp_path_factory):
    """A 600-piece vocabulary of 3,000 WordNet training glosses."""
    directory = tmp_path_factory.mktemp("wordnet")
    corpus = write_wordnet_corpus(directory / "corpus.txt", limit=3000)
    train_vocabulary(corpus, 600, directory / "vocab")
    return directory / "vocab"


@pytest.fixture(scope="session")
def wordnet_files(tmp_path_factory):
    """train/validation/test.jsonl slices of the embedded task (48 rows each)."""
    directory = tmp_path_factory.mktemp("wordnet_task")
    write_wordnet(directory, limit=48)
    return directory
