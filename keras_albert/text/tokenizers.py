"""The registry of tokenizer types, and loading the right one from a directory.

    tokenizer_config.json {"tokenizer_type": "sentencepiece", ...}  -> AlbertTokenizer
    tokenizer_config.json {"tokenizer_type": "wordpiece", ...}      -> AlbertWordPieceTokenizer

A directory written before `tokenizer_type` was recorded is recognized by its
vocabulary file. A new tokenizer type is a subclass of `AlbertTokenizerBase`
added to `TOKENIZERS`; nothing else in the pipeline changes.
"""

from pathlib import Path

from keras_albert.locate import locate
from keras_albert.text.tokenizer import AlbertTokenizer
from keras_albert.text.tokenizer_base import read_tokenizer_config
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer

TOKENIZERS = {cls.tokenizer_type: cls for cls in (AlbertTokenizer, AlbertWordPieceTokenizer)}


def tokenizer_class(directory):
    """The tokenizer class of a directory's files.

    Raises:
        ValueError: an unknown `tokenizer_type`, or no vocabulary file.
    """
    directory = Path(directory)
    kind = read_tokenizer_config(directory).get("tokenizer_type")
    if kind is not None:
        if kind not in TOKENIZERS:
            raise ValueError(f"Unknown tokenizer type in {directory}/tokenizer_config.json: "
                             f"tokenizer_type={kind!r}; keras-albert reads "
                             f"{sorted(TOKENIZERS)}.")
        return TOKENIZERS[kind]
    for cls in TOKENIZERS.values():
        if (directory / cls.vocabulary_file).is_file():
            return cls
    files = " or ".join(cls.vocabulary_file for cls in TOKENIZERS.values())
    raise ValueError(f"No tokenizer in {directory}: expected {files}.")


def has_tokenizer(directory):
    """Whether a directory holds a tokenizer's vocabulary."""
    return any((Path(directory) / cls.vocabulary_file).is_file()
               for cls in TOKENIZERS.values())


def load_tokenizer(directory, **kwargs):
    """The tokenizer of a pretrained or vocabulary directory, or of a
    pretrained model's name (see `keras_albert.hub`), whatever its type;
    `kwargs` win over its saved settings."""
    directory = locate(directory)
    return tokenizer_class(directory).from_pretrained(directory, **kwargs)
