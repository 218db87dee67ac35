"""ONNX files with the tokenizer inside: raw strings in, the model's outputs out.

The tokenizer's graph (`AlbertTokenizerBase.onnx_tokenizer`, with
onnxruntime-extensions' custom operators) gives flat ids and row splits; the
packing here, in standard ONNX operators, lays them out as the preprocessor
does — `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`, truncated as its
`truncate` says (`longest_first`: A keeps `min(len A, max(budget - len B,
ceil(budget / 2)))`, B the rest of the budget, which is where tensorflow-text's
round-robin trimming ends; `waterfall`: A first) and padded to the batch's
longest row — and feeds them to the token model. The packed `token_ids` are an
output too, so that `verify` measures the tokenizer's agreement on the file
itself.

Running such a file needs onnxruntime-extensions' library registered in the
session (`register_custom_ops_library(onnxruntime_extensions.get_library_path())`).
"""

from keras_albert.text.onnx_graph import CUSTOM_DOMAIN, OnnxTokenizerGraph

PREFIX = "text/"
DOMAIN_VERSIONS = {CUSTOM_DOMAIN: 1, "ai.onnx.ml": 3}  # LabelEncoder: opset 2 or newer
INT64_MAX = 2**63 - 1


def add_packing(graph, ids, splits, num_texts, sequence_length, truncate, special):
    """The packed int32 `token_ids`, `segment_ids`, `padding_mask` names of the
    flat `ids` and row `splits` of `num_texts` x batch rows (all A rows, then
    all B rows)."""
    from onnx import TensorProto

    op, const = graph.op, graph.int64

    starts = op("Slice", splits, const(0), const(-1))
    lengths = op("Sub", op("Slice", splits, const(1), const(INT64_MAX)), starts)
    budget = const(sequence_length - num_texts - 1)
    if num_texts == 1:
        kept, row_starts = [op("Min", lengths, budget)], [starts]
    else:
        rows = op("Div", op("Shape", lengths), const(2))
        length_a = op("Slice", lengths, const(0), rows)
        length_b = op("Slice", lengths, rows, const(INT64_MAX))
        if truncate == "waterfall":
            kept_a = op("Min", length_a, budget)
        else:  # longest_first: the shorter keeps all, else A gets ceil(budget / 2)
            half = const(-(-(sequence_length - num_texts - 1) // 2))
            kept_a = op("Min", length_a, op("Max", op("Sub", budget, length_b), half))
        kept_b = op("Min", length_b, op("Sub", budget, kept_a))
        kept = [kept_a, kept_b]
        row_starts = [op("Slice", starts, const(0), rows),
                      op("Slice", starts, rows, const(INT64_MAX))]
    total = kept[0] if num_texts == 1 else op("Add", *kept)
    longest = op("ReduceMax", op("Concat", total, const(0), axis=0), keepdims=0)
    width = op("Add", longest, const(num_texts + 1, ()))
    position = op("Unsqueeze", op("Range", const(0, ()), width, const(1, ())),
                  const(0))  # (1, W)

    def column(name):  # (B,) -> (B, 1)
        return op("Unsqueeze", name, const(1))

    # Row b, position j: which flat id it takes, or the padding past the last id.
    index = op("Shape", ids)  # (1,): one past the last id, where the pad is appended
    first = const(1)  # A's first position, after [CLS]
    separators, segment_b = [], None
    for segment, (count, start) in enumerate(zip(kept, row_starts, strict=True)):
        count, start = column(count), column(start)
        last = op("Sub", op("Add", first, count), const(1))
        inside = op("And", op("GreaterOrEqual", position, first),
                    op("LessOrEqual", position, last))
        index = op("Where", inside, op("Add", start, op("Sub", position, first)), index)
        if segment == 1:
            segment_b = op("GreaterOrEqual", position, first)
        separators.append(op("Add", last, const(1)))
        first = op("Add", last, const(2))  # past this segment's [SEP]
    end = first  # one past the last [SEP]
    table = op("Concat", ids, graph.constant(special.pad, TensorProto.INT32, "pad", [1]),
               axis=0)
    token_ids = op("Gather", table, index, axis=0)
    for separator in separators:
        token_ids = op("Where", op("Equal", position, separator),
                       graph.constant(special.sep, TensorProto.INT32, "sep"), token_ids)
    token_ids = op("Where", op("Equal", position, const(0)),
                   graph.constant(special.cls, TensorProto.INT32, "cls"), token_ids)
    mask = op("Less", position, end)
    segment_ids = (op("And", mask, segment_b) if segment_b is not None
                   else op("Less", position, const(0)))  # one text: all 0
    return {"token_ids": token_ids,
            "segment_ids": op("Cast", segment_ids, to=TensorProto.INT32),
            "padding_mask": op("Cast", mask, to=TensorProto.INT32)}


def text_model(token_model, tokenizer, names, sequence_length, truncate):
    """The ONNX model of `token_model` (an `onnx.ModelProto` on `token_ids`,
    `segment_ids`, `padding_mask`) with `tokenizer` and the packing in front:
    inputs the (batch,) strings `names` (`text`, or `text_a` and `text_b`),
    outputs the token model's and `token_ids`."""
    import onnx
    from onnx import TensorProto, helper

    graph = OnnxTokenizerGraph(PREFIX)
    strings = names[0] if len(names) == 1 else graph.node("Concat", names, axis=0)
    ids, splits = tokenizer.onnx_tokenizer(graph, strings)
    packed = add_packing(graph, ids, splits, len(names), sequence_length, truncate,
                         tokenizer.special_tokens)
    # The token model's inputs become the packing's outputs.
    renames = {name: packed[name] for name in packed}
    body = onnx.ModelProto()
    body.CopyFrom(token_model)
    for node in body.graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]
    outputs = [output for output in body.graph.output if output.name not in renames]
    graph.nodes.append(helper.make_node("Identity", [packed["token_ids"]], ["token_ids"],
                                        name=f"{PREFIX}token_ids"))
    outputs.append(helper.make_tensor_value_info("token_ids", TensorProto.INT32,
                                                 ["batch", "sequence"]))
    merged = helper.make_graph(
        [*graph.nodes, *body.graph.node], body.graph.name,
        [helper.make_tensor_value_info(name, TensorProto.STRING, ["batch"])
         for name in names],
        outputs, [*graph.initializers, *body.graph.initializer])
    merged.value_info.extend(body.graph.value_info)
    del body.graph.node[:]
    body.graph.CopyFrom(merged)
    imported = {entry.domain for entry in body.opset_import}
    for domain in sorted({node.domain for node in graph.nodes} - imported - {""}):
        body.opset_import.append(helper.make_opsetid(domain, DOMAIN_VERSIONS[domain]))
    return body
