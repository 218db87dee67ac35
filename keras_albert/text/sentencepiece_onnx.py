"""The SentencePiece tokenizer inside an ONNX file.

onnxruntime-extensions runs SentencePiece itself (`SentencepieceTokenizer`,
with the model's own NFKC), RE2 replacement, splitting and a string-to-string
table (`StringMapping`), but no Unicode decomposition, and its `StringLower`
knows fewer capitals than Python (and changed some Greek small letters in
our tests). So ALBERT's normalization (`normalization.normalize_text`) is rebuilt
from the first three: whitespace runs to one space, the ends stripped, LaTeX
quotes to `"`, then every character on which NFKD + dropping combining marks
+ `str.lower` gives something SentencePiece's NFKC would not is replaced
through one table, character by character (3,746 characters on Python
3.11's Unicode 14.0 for an uncased model).

Differs from `AlbertTokenizer` only on a word-final capital sigma (`str.lower`
gives final sigma, a character table cannot see the word's end) and after a
NUL (onnxruntime-extensions reads a string up to its first NUL);
`keras-albert verify` measures the token agreement on real text.
"""

import functools
import unicodedata

from keras_albert.text.normalization import whitespace_class
from keras_albert.text.onnx_graph import (
    CUSTOM_DOMAIN,
    add_character_map,
    add_regex_replace,
    code_points,
)


@functools.cache
def character_map(lowercase, keep_accents):
    """{character: replacement} that makes the graph's normalization ALBERT's
    up to SentencePiece's NFKC: each character on which `normalize_text`'s
    NFKD + dropping combining marks (unless `keep_accents`) and `str.lower`
    (if `lowercase`) give something NFKC does not, maps to that."""
    mapping = {}
    for code in code_points():
        character = chr(code)
        target = character
        if not keep_accents:
            target = "".join(c for c in unicodedata.normalize("NFKD", target)
                             if not unicodedata.combining(c))
        if lowercase:
            target = target.lower()
        if unicodedata.normalize("NFKC", character) != unicodedata.normalize("NFKC", target):
            mapping[character] = target
    return mapping


def add_normalization(graph, strings, lowercase, keep_accents):
    """ALBERT's text normalization of the (batch,) `strings` (see the module)."""
    strings = add_regex_replace(graph, strings, whitespace_class() + "+", " ")
    strings = add_regex_replace(graph, strings, "^ | $", "")
    strings = add_regex_replace(graph, strings, "``|''", '"')
    return add_character_map(graph, strings, character_map(lowercase, keep_accents))


def add_sentencepiece(graph, tokenizer, strings):
    """`tokenizer`'s normalization and SentencePiece on the (batch,) string
    tensor `strings`: returns the names of the flat int32 ids and the int64
    row splits (batch + 1)."""
    from onnx import TensorProto

    strings = add_normalization(graph, strings, tokenizer.lowercase, tokenizer.keep_accents)
    flags = [graph.constant(False, TensorProto.BOOL, name)
             for name in ("add_bos", "add_eos", "reverse")]
    ids, splits = graph.node(
        "SentencepieceTokenizer",
        [strings, graph.constant(0, TensorProto.INT64, "nbest_size"),
         graph.constant(0.0, TensorProto.FLOAT, "alpha"), *flags],
        domain=CUSTOM_DOMAIN, hint="sentencepiece", outputs=2, model=tokenizer.proto)
    return ids, splits
