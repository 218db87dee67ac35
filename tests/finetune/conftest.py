import json

import pytest

from keras_albert.datasets import write_wordnet, write_wordnet_corpus
from keras_albert.text import train_vocabulary


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


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
