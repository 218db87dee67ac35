"""Data shipped inside the package, so everything runs with no download."""

from keras_albert.datasets.wordnet import (
    WORDNET_SPLITS,
    gloss_sentences,
    load_wordnet,
    wordnet_label_names,
    write_wordnet,
    write_wordnet_corpus,
)

__all__ = [
    "WORDNET_SPLITS",
    "gloss_sentences",
    "load_wordnet",
    "wordnet_label_names",
    "write_wordnet",
    "write_wordnet_corpus",
]
