import pydoc_data.topics
import pytest

from keras_albert.text import train_vocabulary


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """(text file, vocabulary directory): 60 help topics of Python's own
    documentation in the `plain` format, and a 400-piece vocabulary."""
    directory = tmp_path_factory.mktemp("corpus")
    text = directory / "topics.txt"
    text.write_text("\n\n".join(list(pydoc_data.topics.topics.values())[:60]))
    train_vocabulary(text, 400, directory / "vocab")
    return text, directory / "vocab"
