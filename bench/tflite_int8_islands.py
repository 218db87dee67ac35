"""Full-int8 TFLite at albert_base shapes: what its float islands cost.

One process builds the albert_base-shaped backbone of `export_compare.py`
(keras-hub's at albert_base_v2 shapes, random weights, seed 0, converted to
ours), exports it as dynamic-range int8 and as full int8 with each
`--keep-float` choice (`all-but-dense`, the default; `attention`; `none`,
every op int8 but the outputs), beside keras-hub's dynamic-range LiteRT
export, and prints per file the ops by kind (int8, float, quantize and
dequantize at the islands' edges), the pooled output's cosine to the Keras
model (the weights are random: this is speed, not accuracy) and the median
latency at 1 x 16 and 1 x 128 in interleaved rounds, with ratios to
keras-hub's dynamic file.

    python bench/tflite_int8_islands.py --out out/int8_islands
"""

import argparse
import collections
import json
import statistics
from pathlib import Path

from export_compare import add_tokenizer, base_backbones, cosine, inputs
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

from keras_albert.export import export_tflite
from keras_albert.export.runners import TFLiteRunner
from keras_albert.export.verify import median_ms

KEEP_FLOAT = ("all-but-dense", "attention", "none")
SHAPES = ((1, 16), (1, 128))
ROUNDS = 3
_OPCODES = {value: name for name, value in vars(schema.BuiltinOperator).items()
            if not name.startswith("_")}
_FLOAT_TYPES = {schema.TensorType.FLOAT32, schema.TensorType.FLOAT16}


def op_kinds(path):
    """Counts of the file's ops: QUANTIZE, DEQUANTIZE, and the others by
    whether their first input is float or integer."""
    model = flatbuffer_utils.read_model(str(path))
    graph = model.subgraphs[0]
    counts = collections.Counter()
    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        name = _OPCODES.get(max(code.builtinCode, code.deprecatedBuiltinCode), "CUSTOM")
        if name in ("QUANTIZE", "DEQUANTIZE"):
            counts[name.lower()] += 1
            continue
        first = graph.tensors[op.inputs[0]] if len(op.inputs) and op.inputs[0] >= 0 else None
        kind = "float" if first is not None and first.type in _FLOAT_TYPES else "integer"
        counts[kind] += 1
        counts[f"{kind} {name}"] += 1
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the exports")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import tensorflow as tf

    hub, ours = base_backbones(out)
    texts = add_tokenizer(out / "ours", out)
    files = {"keras-hub litert dynamic": out / "keras_hub_dynamic.tflite"}
    hub.export(str(files["keras-hub litert dynamic"]), format="litert", verbose=False,
               optimizations=[tf.lite.Optimize.DEFAULT])
    files["ours dynamic"] = export_tflite(out / "ours", out / "ours_dynamic.tflite",
                                          quantize="dynamic")
    for keep in KEEP_FLOAT:
        files[f"ours int8, float: {keep}"] = export_tflite(
            out / "ours", out / f"ours_int8_{keep}.tflite", quantize="int8",
            representative=texts, keep_float=None if keep == "none" else keep)
    runners = {name: TFLiteRunner(path).tokens for name, path in files.items()}
    reference = ours(inputs(1, 128))["pooled_output"].numpy()
    rows = {}
    for name, path in files.items():
        counts = op_kinds(path)
        rows[name] = {"ops": dict(counts), "MB": path.stat().st_size / 1e6,
                      "pooled_cosine": cosine(runners[name](inputs(1, 128))["pooled_output"],
                                              reference)}
    for shape in SHAPES:
        key = "{}x{}".format(*shape)
        medians = {name: [] for name in files}
        x = inputs(*shape)
        for _ in range(ROUNDS):
            for name, run in runners.items():
                medians[name].append(median_ms(lambda run=run, x=x: run(x)))
        for name in files:
            rows[name][f"ms@{key}"] = statistics.median(medians[name])
    anchor = rows["keras-hub litert dynamic"]
    print(f"{'file':32s} {'int8 ops':>8s} {'float':>6s} {'q/dq':>6s} {'cos':>7s} "
          f"{'MB':>6s} {'ms@1x16':>8s} {'ms@1x128':>9s} {'x hub@128':>9s}")
    for name, row in rows.items():
        ops = row["ops"]
        print(f"{name:32s} {ops.get('integer', 0):8d} {ops.get('float', 0):6d} "
              f"{ops.get('quantize', 0) + ops.get('dequantize', 0):6d} "
              f"{row['pooled_cosine']:7.4f} {row['MB']:6.1f} {row['ms@1x16']:8.2f} "
              f"{row['ms@1x128']:9.2f} {row['ms@1x128'] / anchor['ms@1x128']:9.2f}")
    (out / "int8_islands.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
