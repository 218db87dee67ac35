"""BERT's WordPiece tokenizer as a keras-albert tokenizer (Chinese ALBERTs).

The Chinese ALBERTs (Google's `albert_*_zh`, brightmart's `albert_zh`, the
Hub's `*-chinese` models) use BERT's WordPiece vocabulary (`vocab.txt`, one
token per line, `##` marking a word's continuation) and BERT's basic
tokenizer: every CJK character is a word, text is lowercased and accents are
stripped, punctuation is split off.
"""

from pathlib import Path

import keras
import tensorflow as tf
import tensorflow_text as tf_text
from keras_hub.tokenizers import WordPieceTokenizer

from keras_albert.checks import check_positive_int
from keras_albert.compat import preprocessing_function, sentencepiece_graph_only
from keras_albert.locate import locate
from keras_albert.text.bert_normalization import MAX_CHARS_PER_WORD, basic_tokenize
from keras_albert.text.special_tokens import (
    WORDPIECE_SPECIAL_TOKENS,
    WORDPIECE_SUFFIX_INDICATOR,
)
from keras_albert.text.tokenizer_base import AlbertTokenizerBase, read_tokenizer_config
from keras_albert.text.wordpiece_lite import lite_tokenizer
from keras_albert.text.wordpiece_onnx import add_wordpiece


def read_vocabulary(path):
    """The tokens of a `vocab.txt`, one per line, id order."""
    try:
        text = Path(path).read_text("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"The WordPiece vocabulary {path} is not UTF-8: {error}") from None
    return [line.rstrip("\r") for line in text.split("\n")[:-1 if text.endswith("\n") else None]]


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertWordPieceTokenizer(AlbertTokenizerBase, WordPieceTokenizer):
    """Text to ids with a BERT WordPiece vocabulary, in the graph, with the
    ids of transformers' `BertTokenizer` (see `bert_normalization`).

    Outputs follow keras-hub, as `AlbertTokenizer`'s do: a batch of strings
    gives a ragged tensor of ids in a graph and a list of id lists eagerly;
    with `sequence_length`, a dense tensor padded with `[PAD]`. The special
    tokens' ids are read from the vocabulary.

    Args:
        vocabulary: list of str, or the path of a `vocab.txt`.
        lowercase: bool. Lowercase the text (transformers' `do_lower_case`).
        strip_accents: bool or None. Strip accents; None (the default) strips
            them exactly when lowercasing, as transformers does.
        tokenize_chinese_chars: bool. Make every CJK character its own word.
        sequence_length: int or None. If set, the output is dense with this length.
        **kwargs: Passed to `keras_hub.tokenizers.WordPieceTokenizer`
            (`dtype`, `name`, ...).

    Example:
    >>> tokenizer = AlbertWordPieceTokenizer("albert_base_zh/vocab_chinese.txt")
    >>> tokenizer(["今天天气很好！", "ALBERT 模型"])
    """

    tokenizer_type = "wordpiece"
    vocabulary_file = "vocab.txt"

    def __init__(self, vocabulary=None, lowercase=True, strip_accents=None,
                 tokenize_chinese_chars=True, sequence_length=None, **kwargs):
        if sequence_length is not None:
            check_positive_int("sequence_length", sequence_length)
        if strip_accents is not None and not isinstance(strip_accents, bool):
            raise ValueError(f"`strip_accents` must be True, False or None. "
                             f"Received: strip_accents={strip_accents!r}")
        self.tokenize_chinese_chars = bool(tokenize_chinese_chars)
        for name, token in WORDPIECE_SPECIAL_TOKENS.items():
            self._add_special_token(token, name)
        if isinstance(vocabulary, (str, Path)):
            vocabulary = read_vocabulary(vocabulary)
        kwargs.pop("oov_token", None)
        kwargs.pop("suffix_indicator", None)
        super().__init__(vocabulary=vocabulary, sequence_length=sequence_length,
                         lowercase=bool(lowercase), suffix_indicator=WORDPIECE_SUFFIX_INDICATOR,
                         oov_token=WORDPIECE_SPECIAL_TOKENS["unk_token"],
                         **sentencepiece_graph_only(kwargs))
        # keras-hub stores a bool; None (follow the lowercasing) is ours.
        self.strip_accents = strip_accents

    def _set_vocabulary_tf(self):
        # Words are cut at 100 characters by `basic_tokenize` (transformers
        # counts characters; tensorflow-text would count bytes).
        self._fast_word_piece = tf_text.FastWordpieceTokenizer(
            vocab=self.vocabulary, token_out_type=self.compute_dtype,
            suffix_indicator=WORDPIECE_SUFFIX_INDICATOR, unknown_token=self.oov_token,
            max_bytes_per_word=4 * MAX_CHARS_PER_WORD, no_pretokenization=True,
            support_detokenization=True)

    @preprocessing_function
    def _tokenize_tf(self, inputs):
        self._maybe_initialized_tf()
        if not isinstance(inputs, tf.RaggedTensor):
            inputs = tf.convert_to_tensor(inputs)
        unbatched = inputs.shape.rank == 0
        if unbatched:
            inputs = tf.expand_dims(inputs, 0)
        tokens = self._ragged_ids(inputs)
        if self.sequence_length:
            tokens = tokens.to_tensor(default_value=self.pad_token_id,
                                      shape=[None, self.sequence_length])
        if unbatched:
            tokens = tf.squeeze(tokens, 0)
        return tokens

    def _ragged_ids(self, strings):
        """(batch,) strings -> (batch, None) ids: BERT's basic tokenizer, then
        WordPiece on each word."""
        words = basic_tokenize(strings, self.lowercase, self.strip_accents,
                               self.tokenize_chinese_chars,
                               special_tokens=list(WORDPIECE_SPECIAL_TOKENS.values()),
                               unknown_token=self.oov_token)
        return self._fast_word_piece.tokenize(words).merge_dims(-2, -1)

    def lite_tokenizer(self):
        return lite_tokenizer(self)  # see keras_albert.text.wordpiece_lite

    def onnx_tokenizer(self, graph, strings):
        return add_wordpiece(graph, self, strings)  # see keras_albert.text.wordpiece_onnx

    def encoder(self):
        # One traced graph for every text (an eager layer call per text costs
        # some 20 ms).
        self._maybe_initialized_tf()
        ids = tf.function(lambda texts: self._ragged_ids(texts).flat_values,
                          input_signature=[tf.TensorSpec([None], tf.string)])
        return lambda text: ids(tf.constant([text])).numpy().tolist()

    def batch_encoder(self):
        # One graph call for a batch of texts.
        self._maybe_initialized_tf()
        ids = tf.function(lambda texts: self._ragged_ids(texts),
                          input_signature=[tf.TensorSpec([None], tf.string)])
        return lambda texts: ids(tf.constant(texts, tf.string)).to_list() if texts else []

    @classmethod
    def from_pretrained(cls, directory, **kwargs):
        """The tokenizer of a pretrained or vocabulary directory (its
        `vocab.txt` with the flags of its `tokenizer_config.json`), or of a
        pretrained model's name (see `keras_albert.hub`)."""
        return super().from_pretrained(locate(directory), **kwargs)

    @classmethod
    def read_directory(cls, directory):
        directory = Path(directory)
        path = directory / cls.vocabulary_file
        if not path.is_file():
            raise ValueError(f"No {cls.vocabulary_file} in {directory}.")
        flags = read_tokenizer_config(directory)
        return {"vocabulary": read_vocabulary(path),
                "lowercase": flags.get("lowercase", flags.get("do_lower_case", True)),
                "strip_accents": flags.get("strip_accents"),
                "tokenize_chinese_chars": flags.get("tokenize_chinese_chars", True)}

    def vocabulary_bytes(self):
        return "".join(f"{token}\n" for token in self.vocabulary).encode("utf-8")

    def settings(self):
        return {"lowercase": self.lowercase, "strip_accents": self.strip_accents,
                "tokenize_chinese_chars": self.tokenize_chinese_chars}

    def is_word_start(self, piece):
        return not piece.startswith(WORDPIECE_SUFFIX_INDICATOR)

    def get_config(self):
        config = super().get_config()
        for name in ("oov_token", "suffix_indicator", "split", "split_on_cjk",
                     "special_tokens", "special_tokens_in_strings"):
            config.pop(name, None)
        return {**config, **self.settings()}
