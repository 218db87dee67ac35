"""`AlbertTokenizerBase`: what every keras-albert tokenizer gives the pipeline.

A tokenizer is a keras-hub tokenizer (so `tokenize`, `detokenize`,
`get_vocabulary`, `vocabulary_size`, `id_to_token`, `token_to_id` and the
`*_token_id` attributes are keras-hub's) with this mixin on top. Everything
after the tokenizer — packing, masking, pretraining data, fine-tuning, export
— reads what it needs through this interface, so a new vocabulary type is one
new subclass registered in `keras_albert.text.tokenizers`.
"""

import json
from pathlib import Path

import numpy as np

from keras_albert.text.special_tokens import special_token_ids

TOKENIZER_CONFIG_FILE = "tokenizer_config.json"


class AlbertTokenizerBase:
    """The interface of keras-albert's tokenizers (a mixin for a keras-hub
    `Tokenizer` subclass).

    Subclasses set `tokenizer_type` (its name in `tokenizer_config.json`) and
    `vocabulary_file` (the file holding the vocabulary in a directory), and
    implement `is_word_start`, `vocabulary_bytes`, `settings` and
    `read_directory`.
    """

    tokenizer_type = None
    vocabulary_file = None

    @property
    def special_tokens(self):
        """The `SpecialTokenIds` (pad, unk, cls, sep, mask) of the vocabulary,
        found by their spelling."""
        return special_token_ids(self.get_vocabulary(),
                                 where=f"The {self.tokenizer_type} vocabulary")

    def is_word_start(self, piece):
        """Whether the vocabulary entry `piece` begins a word (whole-word and
        n-gram masking group a word start with the pieces that follow it)."""
        raise NotImplementedError

    def word_starts(self):
        """A bool per vocabulary id: `is_word_start` of its entry."""
        return np.array([self.is_word_start(piece) for piece in self.get_vocabulary()])

    def encoder(self):
        """A Python callable text -> list of ids giving the in-graph ids (for
        preparing pretraining data text by text). The default calls the graph;
        a subclass may give a faster one."""
        def encode(text):
            return [int(i) for i in np.asarray(self(text))]
        return encode

    def batch_encoder(self):
        """A Python callable list of texts -> list of id lists, as `encoder`
        text by text; a subclass may encode a batch in one call."""
        encode = self.encoder()
        return lambda texts: [encode(text) for text in texts]

    def lite_tokenizer(self):
        """A function (batch,) strings -> (batch, None) int32 ragged ids built
        only from ops TFLite runs (tensorflow-text's custom ops and builtins),
        for `export tflite --with-tokenizer`; `verify` measures how often it
        gives this tokenizer's own ids."""
        raise NotImplementedError(f"{type(self).__name__} has no TFLite tokenizer.")

    def onnx_tokenizer(self, graph, strings):
        """Add this tokenizer's ONNX nodes (onnxruntime-extensions' operators
        and standard ones) to `graph` (an `onnx_graph.OnnxTokenizerGraph`)
        on the (batch,) string tensor named `strings`; returns the names of the
        flat int32 ids and the int64 row splits, for `export onnx
        --with-tokenizer`."""
        raise ValueError(f"{type(self).__name__} has no ONNX form; "
                         "export the ONNX file without --with-tokenizer (token inputs) "
                         "or a TFLite file with it.")

    def export_resources(self):
        """The TensorFlow resources an export archive must track to save the
        tokenizer's graph (none unless a subclass holds some)."""
        return []

    def reload(self):
        """Re-create what TensorFlow holds for the tokenizer: seeding TensorFlow
        (`keras.utils.set_random_seed`) clears its kernel cache, which holds the
        resources of tokenizer ops. Nothing to do unless a subclass has some."""

    def vocabulary_bytes(self):
        """The content of `vocabulary_file`."""
        raise NotImplementedError

    def settings(self):
        """The flags saved beside the vocabulary (lower-casing, ...): the
        constructor's keyword arguments other than the vocabulary."""
        raise NotImplementedError

    @classmethod
    def read_directory(cls, directory):
        """The constructor's keyword arguments from a directory's files."""
        raise NotImplementedError

    def save_to_directory(self, directory):
        """Write `vocabulary_file` and `tokenizer_config.json` (with
        `tokenizer_type`) into an existing directory."""
        directory = Path(directory)
        (directory / self.vocabulary_file).write_bytes(self.vocabulary_bytes())
        config = {"tokenizer_type": self.tokenizer_type, **self.settings()}
        (directory / TOKENIZER_CONFIG_FILE).write_text(json.dumps(config, indent=2))

    @classmethod
    def from_pretrained(cls, directory, **kwargs):
        """The tokenizer of a pretrained or vocabulary directory, or of a
        pretrained model's name (see `keras_albert.hub`); `kwargs` win over the
        saved settings."""
        from_directory = cls.read_directory(Path(directory))
        return cls(**{**from_directory, **kwargs})


def read_tokenizer_config(directory):
    """The `tokenizer_config.json` of a directory as a dict ({} if absent)."""
    path = Path(directory) / TOKENIZER_CONFIG_FILE
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"Corrupt {path}: {error}") from None
    if not isinstance(config, dict):
        raise ValueError(f"Corrupt {path}: expected a JSON object.")
    return config
