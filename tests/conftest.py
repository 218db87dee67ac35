import atexit
import os
import shutil
import tempfile
from pathlib import Path

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
from tests.hub_server import HubServer  # noqa: E402

HUB_FIXTURES = Path(__file__).parent / "fixtures" / "hub"


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


@pytest.fixture
def caches(tmp_path, monkeypatch):
    """Empty keras-albert and Hugging Face caches for this test."""
    monkeypatch.setenv("KERAS_ALBERT_CACHE", str(tmp_path / "keras_albert_cache"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    return tmp_path / "keras_albert_cache"


@pytest.fixture
def hub(tmp_path, caches, monkeypatch):
    """A local Hub on 127.0.0.1 serving a copy of tests/fixtures/hub (tests
    may add repositories under `hub.root`), with HF_ENDPOINT pointing at it."""
    root = tmp_path / "hub_root"
    shutil.copytree(HUB_FIXTURES, root, ignore=shutil.ignore_patterns("reference*.json"))
    with HubServer(root) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        # keras-albert reads HF_ENDPOINT at each load; transformers takes what
        # huggingface_hub read at its import, so a test that runs it here too
        # sets that as well.
        import huggingface_hub.constants as hf_constants

        monkeypatch.setattr(hf_constants, "ENDPOINT", server.endpoint)
        monkeypatch.setattr(hf_constants, "HUGGINGFACE_CO_URL_TEMPLATE",
                            server.endpoint + "/{repo_id}/resolve/{revision}/{filename}")
        yield server
