"""The WordPiece tokenizer from ops that TFLite has kernels for.

TFLite has no kernel for the regex, case and Unicode-normalization ops of
`bert_normalization.basic_tokenize`, and tensorflow-text's
`FastBertNormalizer` (which has one) folds case with NFKC, turning Chinese
full-width punctuation (`，（）：`) into ASCII — other tokens. So the basic
tokenizer is carried by SentencePiece's normalizer, which has a TFLite kernel
and applies any character map:

1. a SentencePiece model whose normalization rules map each character to
   `bert_normalization.normalize_character` (deleted, lowercased, accents
   stripped, spaced when CJK or punctuation; the special tokens spaced
   whole), and whose pieces are the characters of the WordPiece vocabulary;
   a character in no token maps to one placeholder that is in no token
   either, so its word becomes `[UNK]` as in transformers;
2. its tokenize-then-detokenize gives the normalized text, the rows of a
   batch joined by a separator word (tensorflow-text's TFLite detokenizer
   writes one string per call correctly, not a batch);
3. `WhitespaceTokenizer` splits words, `FastWordpieceTokenizer` splits them
   into ids, and the separator words give the rows back.

It differs from the graph tokenizer only for a NUL inside a text (which
SentencePiece's normalizer cannot map) and for words of more than 100 bytes
but at most 100 characters, such as 60 Cyrillic letters (the TFLite kernel
counts bytes, transformers characters); `keras-albert verify` reports the
token agreement on real text.
"""

import functools
import tempfile
from pathlib import Path

import sentencepiece as spm
import tensorflow as tf
import tensorflow_text as tf_text
from sentencepiece import sentencepiece_model_pb2

from keras_albert.text.bert_normalization import (
    assigned_characters,
    normalize_character,
)
from keras_albert.text.special_tokens import (
    WORDPIECE_SPECIAL_TOKENS,
    WORDPIECE_SUFFIX_INDICATOR,
)

MAX_BYTES_PER_WORD = 100
_WHITESPACE_PIECE = "\u2581"
_Piece = sentencepiece_model_pb2.ModelProto.SentencePiece


def _vocabulary_characters(vocabulary):
    return {char for token in vocabulary
            for char in (token.removeprefix(WORDPIECE_SUFFIX_INDICATOR))}


def _private_use_characters(excluded, count):
    """`count` private-use characters not in `excluded`."""
    found = [chr(code) for code in range(0xE000, 0xF900) if chr(code) not in excluded]
    return found[:count]


def normalizer_model(vocabulary, lowercase=True, strip_accents=None,
                     tokenize_chinese_chars=True):
    """(SentencePiece model bytes, placeholder, row separator): the model that
    normalizes text as BERT's basic tokenizer does (see the module). Built
    once per vocabulary and flags (about a second: every Unicode character)."""
    return _normalizer_model(tuple(vocabulary), lowercase, strip_accents,
                             tokenize_chinese_chars)


# Plain Python, also when a tf.function being traced calls it (autograph would
# turn its loops over every Unicode character into graph-building calls).
@tf.autograph.experimental.do_not_convert
@functools.lru_cache(maxsize=4)
def _normalizer_model(vocabulary, lowercase, strip_accents, tokenize_chinese_chars):
    characters = _vocabulary_characters(vocabulary) - {" ", _WHITESPACE_PIECE}
    placeholder, separator = _private_use_characters(characters, 2)
    rules = {}
    for char in assigned_characters():
        replacement = "".join(
            c if c == " " or c in characters else placeholder
            for c in normalize_character(char, lowercase, strip_accents,
                                         tokenize_chinese_chars))
        if replacement != char:
            rules[char] = replacement
    tokens = set(vocabulary)
    for token in WORDPIECE_SPECIAL_TOKENS.values():
        if token in tokens:
            rules[token] = f" {token} "
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        (scratch / "rules.tsv").write_text("".join(
            " ".join(f"{ord(c):X}" for c in source) + "\t"
            + " ".join(f"{ord(c):X}" for c in target) + "\n"
            for source, target in rules.items()), "utf-8")
        ordered = sorted(characters)
        (scratch / "text.txt").write_text("\n".join(
            "".join(ordered[i:i + 64]) for i in range(0, len(ordered), 64)), "utf-8")
        spm.SentencePieceTrainer.train(
            input=str(scratch / "text.txt"), model_prefix=str(scratch / "normalizer"),
            model_type="char", vocab_size=len(ordered) + 8, hard_vocab_limit=False,
            character_coverage=1.0, normalization_rule_tsv=str(scratch / "rules.tsv"),
            minloglevel=2)
        model = sentencepiece_model_pb2.ModelProto.FromString(
            (scratch / "normalizer.model").read_bytes())
    # Keep the compiled normalization; the pieces are the characters, each
    # its own piece, so detokenizing gives the normalized text back.
    del model.pieces[:]
    model.pieces.add(piece="<unk>", score=0.0, type=_Piece.UNKNOWN)
    for piece in [_WHITESPACE_PIECE, *ordered, placeholder, separator]:
        model.pieces.add(piece=piece, score=-1.0, type=_Piece.NORMAL)
    model.trainer_spec.model_type = sentencepiece_model_pb2.TrainerSpec.UNIGRAM
    model.trainer_spec.unk_id, model.trainer_spec.bos_id = 0, -1
    model.trainer_spec.eos_id, model.trainer_spec.pad_id = -1, -1
    return model.SerializeToString(), placeholder, separator


@tf.autograph.experimental.do_not_convert
def lite_tokenizer(tokenizer):
    """A function (batch,) strings -> (batch, None) int32 ragged ids of the
    WordPiece `tokenizer`, built from tensorflow-text ops with TFLite kernels
    (FastSentencepieceTokenize/Detokenize, WhitespaceTokenize,
    FastWordpieceTokenize) and TFLite builtins."""
    vocabulary = tokenizer.get_vocabulary()
    proto, _, separator = normalizer_model(
        vocabulary, tokenizer.lowercase, tokenizer.strip_accents,
        tokenizer.tokenize_chinese_chars)
    pieces = spm.SentencePieceProcessor(model_proto=proto)
    whitespace_id = pieces.piece_to_id(_WHITESPACE_PIECE)
    separator_piece_id = pieces.piece_to_id(separator)
    separator_id = len(vocabulary)
    normalizer = tf_text.FastSentencepieceTokenizer(proto)
    words = tf_text.WhitespaceTokenizer()
    wordpiece = tf_text.FastWordpieceTokenizer(
        vocab=[*vocabulary, separator], suffix_indicator=WORDPIECE_SUFFIX_INDICATOR,
        max_bytes_per_word=MAX_BYTES_PER_WORD, token_out_type=tf.int32,
        unknown_token=tokenizer.oov_token, no_pretokenization=True,
        support_detokenization=False)

    def tokenize(strings):
        characters = normalizer.tokenize(strings)
        splits = tf.cast(characters.row_splits, tf.int32)
        values = characters.flat_values
        rows = tf.shape(splits)[0] - 1
        count = tf.shape(values)[0]
        position = tf.range(count)
        row_of = tf.reduce_sum(
            tf.cast(splits[1:][:, None] <= position[None, :], tf.int32), axis=0)
        # Row r's characters, then a space and the separator word.
        ends = splits[1:] + 2 * tf.range(rows)
        total = count + 2 * rows
        joined = tf.scatter_nd((position + 2 * row_of)[:, None], values, [total])
        joined = tf.tensor_scatter_nd_update(joined, ends[:, None],
                                             tf.fill([rows], whitespace_id))
        joined = tf.tensor_scatter_nd_update(joined, (ends + 1)[:, None],
                                             tf.fill([rows], separator_piece_id))
        text = normalizer.detokenize(
            tf.RaggedTensor.from_row_splits(joined, tf.stack([0, total]), validate=False))
        ids = wordpiece.tokenize(words.tokenize(text).flat_values).flat_values
        is_separator = tf.cast(tf.equal(ids, separator_id), tf.int32)
        row = tf.cumsum(is_separator, exclusive=True)
        kept = tf.where(tf.equal(is_separator, 0))[:, 0]
        ids, row = tf.gather(ids, kept), tf.gather(row, kept)
        lengths = tf.reduce_sum(
            tf.cast(tf.equal(row[None, :], tf.range(rows)[:, None]), tf.int32), axis=1)
        row_splits = tf.concat([[0], tf.cumsum(lengths)], axis=0)
        return tf.RaggedTensor.from_row_splits(ids, row_splits, validate=False)

    return tokenize
