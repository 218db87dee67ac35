"""The SentencePiece tokenizer's files in a pretrained or vocabulary directory.

    DIR/spiece.model           the SentencePiece vocabulary
    DIR/tokenizer_config.json  {"tokenizer_type": "sentencepiece", "lowercase": ...,
                                "keep_accents": ...}

A tokenizer spec is the dict `{"proto": bytes, "lowercase": bool,
"keep_accents": bool}` that these files hold and `AlbertTokenizer` takes.
"""

import json
from pathlib import Path

from keras_albert.text.tokenizer_base import (
    TOKENIZER_CONFIG_FILE,
    AlbertTokenizerBase,
    read_tokenizer_config,
)

TOKENIZER_TYPE = "sentencepiece"
VOCABULARY_FILE = "spiece.model"


def tokenizer_spec(tokenizer):
    """`{"proto": bytes, "lowercase": bool, "keep_accents": bool}` from such a
    dict (`proto` may be a path) or an `AlbertTokenizer`."""
    if not isinstance(tokenizer, dict):
        tokenizer = {"proto": tokenizer.proto, "lowercase": tokenizer.lowercase,
                     "keep_accents": tokenizer.keep_accents}
    proto = tokenizer["proto"]
    return {"proto": proto if isinstance(proto, bytes) else Path(proto).read_bytes(),
            "lowercase": bool(tokenizer.get("lowercase", True)),
            "keep_accents": bool(tokenizer.get("keep_accents", False))}


def has_tokenizer_files(directory):
    """Whether `directory` holds a vocabulary."""
    return (Path(directory) / VOCABULARY_FILE).is_file()


def read_tokenizer_files(directory):
    """`{"proto": bytes, "lowercase", "keep_accents"}` of a directory's tokenizer."""
    directory = Path(directory)
    if not has_tokenizer_files(directory):
        raise ValueError(f"No {VOCABULARY_FILE} in {directory}.")
    flags = read_tokenizer_config(directory)
    return {"proto": (directory / VOCABULARY_FILE).read_bytes(),
            "lowercase": flags.get("lowercase", True),
            "keep_accents": flags.get("keep_accents", False)}


def write_tokenizer_files(directory, tokenizer):
    """A tokenizer's files into an existing directory: any keras-albert
    tokenizer's, or `spiece.model` and `tokenizer_config.json` of a
    SentencePiece spec dict."""
    if isinstance(tokenizer, AlbertTokenizerBase):
        tokenizer.save_to_directory(directory)
        return
    spec = tokenizer_spec(tokenizer)
    (Path(directory) / VOCABULARY_FILE).write_bytes(spec.pop("proto"))
    config = {"tokenizer_type": TOKENIZER_TYPE, **spec}
    (Path(directory) / TOKENIZER_CONFIG_FILE).write_text(json.dumps(config, indent=2))
