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
gives final sigma, a character table cannot see the word's end);
`keras-albert verify` measures the token agreement on real text.
"""

import functools
import sys
import unicodedata

from keras_albert.text.normalization import character_class, whitespace_class

CUSTOM_DOMAIN = "ai.onnx.contrib"  # onnxruntime-extensions' operators


class OnnxTokenizerGraph:
    """ONNX nodes and initializers under a name prefix: each helper adds
    nodes and returns the name of its output."""

    def __init__(self, prefix):
        from onnx import helper

        self.helper = helper
        self.prefix = prefix
        self.nodes = []
        self.initializers = []
        self._count = 0

    def name(self, hint):
        self._count += 1
        return f"{self.prefix}{hint}_{self._count}"

    def constant(self, value, data_type, hint="constant", dims=()):
        """An initializer holding `value` (a list for `dims`, else a scalar)."""
        name = self.name(hint)
        values = value if isinstance(value, list) else [value]
        self.initializers.append(self.helper.make_tensor(name, data_type, list(dims), values))
        return name

    def node(self, op_type, inputs, domain="", hint=None, outputs=1, **attributes):
        names = [self.name(hint or op_type) for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), names,
                                                name=names[0], domain=domain, **attributes))
        return names[0] if outputs == 1 else names


def _code_points():
    return [code for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]


@functools.cache
def character_map(lowercase, keep_accents):
    """{character: replacement} that makes the graph's normalization ALBERT's
    up to SentencePiece's NFKC: each character on which `normalize_text`'s
    NFKD + dropping combining marks (unless `keep_accents`) and `str.lower`
    (if `lowercase`) give something NFKC does not, maps to that."""
    mapping = {}
    for code in _code_points():
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
    from onnx import TensorProto

    def string(value):
        return graph.constant(value.encode(), TensorProto.STRING, "string", [1])

    def int64(value):
        return graph.constant(value, TensorProto.INT64, "int64", [1])

    def op(op_type, *inputs, **attributes):
        return graph.node(op_type, inputs, **attributes)

    def replace(strings, pattern, rewrite):
        return op("StringRegexReplace", strings, string(pattern), string(rewrite),
                  domain=CUSTOM_DOMAIN, global_replace=1)

    strings = replace(strings, whitespace_class() + "+", " ")
    strings = replace(strings, "^ | $", "")
    strings = replace(strings, "``|''", '"')
    mapping = character_map(lowercase, keep_accents)
    dropped = sorted(ord(c) for c, target in mapping.items() if not target)
    if dropped:  # StringMapping cannot map to nothing
        strings = replace(strings, character_class(dropped), "")
    mapping = {c: target for c, target in mapping.items() if target}
    if mapping:
        # Characters (one row more, so that no batch is empty), mapped, joined.
        strings = op("Concat", strings, string(""), axis=0)
        characters, _, _, splits = graph.node(
            "StringRegexSplitWithOffsets", [strings, string("(.)"), string("(.)")],
            domain=CUSTOM_DOMAIN, outputs=4)
        characters = op("StringMapping", characters, domain=CUSTOM_DOMAIN,
                        map="\n".join(f"{c}\t{target}" for c, target in mapping.items()))
        starts = op("Slice", splits, int64(0), int64(-1))
        lengths = op("Sub", op("Slice", splits, int64(1), int64(2**63 - 1)), starts)
        width = op("Max", op("ReduceMax", lengths, keepdims=0),
                   graph.constant(1, TensorProto.INT64, "int64"))
        position = op("Unsqueeze", op("Range", graph.constant(0, TensorProto.INT64, "int64"),
                                      width, graph.constant(1, TensorProto.INT64, "int64")),
                      int64(0))  # (1, W)
        index = op("Where", op("Less", position, op("Unsqueeze", lengths, int64(1))),
                   op("Add", op("Unsqueeze", starts, int64(1)), position),
                   op("Shape", characters))  # past the end: the "" appended below
        dense = op("Gather", op("Concat", characters, string(""), axis=0), index, axis=0)
        strings = op("StringJoin", dense, string(""), int64(1), domain=CUSTOM_DOMAIN)
        strings = op("Slice", strings, int64(0), int64(-1))
    return strings


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
