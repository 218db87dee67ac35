"""The tokenizer's files in a pretrained or vocabulary directory.

    DIR/spiece.model           the SentencePiece vocabulary
    DIR/tokenizer_config.json  {"lowercase": ..., "keep_accents": ...}

A tokenizer spec is the dict `{"proto": bytes, "lowercase": bool,
"keep_accents": bool}` that these files hold and `AlbertTokenizer` takes.
"""

import json
from pathlib import Path

VOCABULARY_FILE = "spiece.model"
TOKENIZER_CONFIG_FILE = "tokenizer_config.json"


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
    flags = {}
    if (directory / TOKENIZER_CONFIG_FILE).is_file():
        try:
            flags = json.loads((directory / TOKENIZER_CONFIG_FILE).read_text("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"Corrupt {directory / TOKENIZER_CONFIG_FILE}: "
                             f"{error}") from None
    return {"proto": (directory / VOCABULARY_FILE).read_bytes(),
            "lowercase": flags.get("lowercase", True),
            "keep_accents": flags.get("keep_accents", False)}


def write_tokenizer_files(directory, tokenizer):
    """`spiece.model` and `tokenizer_config.json` into an existing directory."""
    spec = tokenizer_spec(tokenizer)
    (Path(directory) / VOCABULARY_FILE).write_bytes(spec.pop("proto"))
    (Path(directory) / TOKENIZER_CONFIG_FILE).write_text(json.dumps(spec, indent=2))
