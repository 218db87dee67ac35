"""Building tokenizer graphs in ONNX: a node builder, and the character
table that stands for Unicode normalization, which onnxruntime-extensions
does not have.

`add_character_map` replaces each character of a (batch,) string tensor
through a table, in one pass: characters out (`StringRegexSplitWithOffsets`
on `(.)`), the table (`StringMapping`; a character it lacks stays), the rows
gathered back and joined (`StringJoin`). Characters that map to nothing,
and tabs and line breaks, are replaced by regex first (`StringMapping`
cannot map to an empty string, nor hold its own separators).
"""

import sys

from keras_albert.text.normalization import character_class

CUSTOM_DOMAIN = "ai.onnx.contrib"  # onnxruntime-extensions' operators
TABLE_SEPARATORS = "\t\n"  # StringMapping's table: key TAB value, a line each


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

    def op(self, op_type, *inputs, **attributes):
        """`node` with the inputs as arguments."""
        return self.node(op_type, inputs, **attributes)

    def int64(self, value, dims=(1,)):
        """An int64 constant: shape (1,) by default, () for a scalar."""
        from onnx import TensorProto

        return self.constant(value, TensorProto.INT64, "int64", dims)

    def string(self, value):
        """A (1,) string constant."""
        from onnx import TensorProto

        return self.constant(value.encode(), TensorProto.STRING, "string", [1])

    def filled(self, shape, value):
        """An int64 tensor of `shape` (the name of a 1-D shape) holding `value`."""
        from onnx import TensorProto

        return self.op("ConstantOfShape", shape, value=self.helper.make_tensor(
            "value", TensorProto.INT64, [1], [value]))


def add_regex_replace(graph, strings, pattern, rewrite):
    """RE2 `pattern` -> `rewrite` everywhere in each string."""
    return graph.op("StringRegexReplace", strings, graph.string(pattern),
                    graph.string(rewrite), domain=CUSTOM_DOMAIN, global_replace=1)


def add_character_map(graph, strings, mapping):
    """Each character of the (batch,) `strings` replaced by `mapping[c]`
    (a dict of characters to strings, "" to delete) where it has one."""
    op, int64, string = graph.op, graph.int64, graph.string
    # By regex: what the table cannot hold (nothing; a tab or a line break,
    # its separators) and what `(.)` does not match (a line break).
    by_regex = {c: target for c, target in mapping.items()
                if not target or {c, *target} & set(TABLE_SEPARATORS)}
    for target in sorted(set(by_regex.values())):
        codes = sorted(ord(c) for c, value in by_regex.items() if value == target)
        strings = add_regex_replace(graph, strings, character_class(codes),
                                    target.replace("\\", "\\\\"))
    mapping = {c: target for c, target in mapping.items() if c not in by_regex}
    if not mapping:
        return strings
    # One row more, so that no batch is empty (StringJoin writes a row for it).
    strings = op("Concat", strings, string(""), axis=0)
    characters, _, _, splits = graph.node(
        "StringRegexSplitWithOffsets", [strings, string("(.)"), string("(.)")],
        domain=CUSTOM_DOMAIN, outputs=4)
    characters = op("StringMapping", characters, domain=CUSTOM_DOMAIN,
                    map="\n".join(f"{c}\t{target}" for c, target in mapping.items()))
    starts = op("Slice", splits, int64(0), int64(-1))
    lengths = op("Sub", op("Slice", splits, int64(1), int64(2**63 - 1)), starts)
    width = op("Max", op("ReduceMax", lengths, keepdims=0), int64(1, ()))
    position = op("Unsqueeze", op("Range", int64(0, ()), width, int64(1, ())),
                  int64(0))  # (1, W)
    index = op("Where", op("Less", position, op("Unsqueeze", lengths, int64(1))),
               op("Add", op("Unsqueeze", starts, int64(1)), position),
               op("Shape", characters))  # past the end: the "" appended below
    dense = op("Gather", op("Concat", characters, string(""), axis=0), index, axis=0)
    strings = op("StringJoin", dense, string(""), int64(1), domain=CUSTOM_DOMAIN)
    return op("Slice", strings, int64(0), int64(-1))


def code_points():
    """Every code point but the surrogates."""
    return [code for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
