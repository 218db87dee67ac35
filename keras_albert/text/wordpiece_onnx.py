"""The WordPiece tokenizer (BERT's, the Chinese ALBERTs') inside an ONNX file.

BERT's basic tokenizer works character by character (`bert_normalization.
normalize_character`: control characters deleted, whitespace to a space,
lowercased, accents stripped, CJK characters and punctuation spaced as words
of their own), so it is one character table (`onnx_graph.add_character_map`).
The special tokens (`[MASK]`, ...) stay whole: each is first replaced by a
private-use character the vocabulary does not use, which the table maps to the
token spaced as a word. onnxruntime-extensions' `WordpieceTokenizer` then
splits the words on spaces and into pieces (a word of more than 100
characters, or one it cannot split, is `[UNK]`, as in transformers), and
ONNX-ML's `LabelEncoder` gives the pieces' ids.

onnxruntime-extensions' `WordpieceTokenizer` ends a word it cannot split
with `[UNK]` after the pieces it found; BERT makes the whole word `[UNK]`, so
the words are split first (a row each) and a word with an `[UNK]` keeps only
that.

Differs from `AlbertWordPieceTokenizer` after a NUL (the operators read a
string up to its first NUL) and where the text holds one of the placeholders
(from the end of plane 16's private use area); `keras-albert verify` measures
the token agreement on real text.
"""

import functools
import json
import re

from keras_albert.text.bert_normalization import (
    MAX_CHARS_PER_WORD,
    assigned_characters,
    normalize_character,
)
from keras_albert.text.onnx_graph import (
    CUSTOM_DOMAIN,
    add_character_map,
    add_regex_replace,
)
from keras_albert.text.special_tokens import (
    WORDPIECE_SPECIAL_TOKENS,
    WORDPIECE_SUFFIX_INDICATOR,
)

ML_DOMAIN = "ai.onnx.ml"


@functools.lru_cache(maxsize=4)
def _character_map(lowercase, strip_accents, tokenize_chinese_chars):
    mapping = {}
    for character in assigned_characters():
        target = normalize_character(character, lowercase, strip_accents,
                                     tokenize_chinese_chars)
        if target != character:
            mapping[character] = target
    return mapping


def _placeholders(vocabulary):
    """{special token in the vocabulary: a private-use character no token has}
    (from the end of plane 16, where text seldom has any)."""
    used = {c for token in vocabulary for c in token}
    free = (chr(code) for code in range(0x10FFFD, 0xFFFFF, -1) if chr(code) not in used)
    present = set(vocabulary)
    return {token: next(free) for token in WORDPIECE_SPECIAL_TOKENS.values()
            if token in present}


def add_wordpiece(graph, tokenizer, strings):
    """`tokenizer`'s (an `AlbertWordPieceTokenizer`) basic tokenizer and
    WordPiece on the (batch,) string tensor `strings`: returns the names of
    the flat int32 ids and the int64 row splits (batch + 1)."""
    from onnx import TensorProto

    vocabulary = tokenizer.get_vocabulary()
    placeholders = _placeholders(vocabulary)
    for token, placeholder in placeholders.items():
        strings = add_regex_replace(graph, strings, re.escape(token), placeholder)
    mapping = dict(_character_map(tokenizer.lowercase, tokenizer.strip_accents,
                                  tokenizer.tokenize_chinese_chars))
    mapping.update({placeholder: f" {token} " for token, placeholder in placeholders.items()})
    strings = add_character_map(graph, strings, mapping)
    ids = {}
    for index, token in enumerate(vocabulary):
        ids.setdefault(token, index)
    unknown = ids[tokenizer.oov_token]
    op, int64 = graph.op, graph.int64

    # Words, one a row: WordPiece's row splits are then per word.
    words, _, _, word_splits = graph.node(
        "StringRegexSplitWithOffsets",
        [strings, graph.string("( +)"), graph.string("")],  # RE2 splits on a group
        domain=CUSTOM_DOMAIN, outputs=4)
    pieces, piece_splits, _, _ = graph.node(
        "WordpieceTokenizer", [words, graph.int64([], (0,))],
        domain=CUSTOM_DOMAIN, hint="wordpiece", outputs=4,
        vocab=json.dumps(ids, ensure_ascii=False), suffix_indicator=WORDPIECE_SUFFIX_INDICATOR,
        unknown_token=tokenizer.oov_token, max_input_chars_per_word=MAX_CHARS_PER_WORD)
    piece_ids = op("LabelEncoder", pieces, domain=ML_DOMAIN, keys_strings=list(ids),
                   values_int64s=list(ids.values()), default_int64=unknown)
    # The operator ends a word it cannot split with [UNK] after the pieces it
    # found; BERT makes the whole word [UNK]: keep only that [UNK].
    count = op("Shape", piece_ids)
    starts = op("Slice", piece_splits, int64(1), int64(-1))  # every word's but the first
    word_of = op("CumSum", op("ScatterElements", graph.filled(count, 0), starts,
                              graph.filled(op("Shape", starts), 1), reduction="add"),
                 int64(0, ()))
    is_unknown = op("Equal", piece_ids, int64(unknown, ()))
    unknown_in_word = op("Greater", op(
        "ScatterElements", graph.filled(op("Sub", op("Shape", piece_splits), int64(1)), 0),
        word_of, op("Cast", is_unknown, to=TensorProto.INT64), reduction="add"),
        int64(0, ()))
    keep = op("Or", op("Not", op("Gather", unknown_in_word, word_of, axis=0)), is_unknown)
    kept_ids = op("Compress", piece_ids, keep, axis=0)
    # Row splits per text: the kept pieces per word, summed over each text's words.
    per_word = op("Where", unknown_in_word, graph.filled(op("Shape", unknown_in_word), 1),
                  op("Sub", op("Slice", piece_splits, int64(1), int64(2**63 - 1)),
                     op("Slice", piece_splits, int64(0), int64(-1))))
    ends = op("Concat", int64(0), op("CumSum", per_word, int64(0, ())), axis=0)
    splits = op("Gather", ends, word_splits, axis=0)
    return op("Cast", kept_ids, to=TensorProto.INT32), splits

