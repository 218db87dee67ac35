"""Exports of an albert_base-shaped backbone: ours vs keras-hub vs transformers.

One process builds keras-hub's `AlbertBackbone` at albert_base_v2 shapes
(random weights, seed 0), converts it to ours (`backbone_from_keras_hub`) and
to transformers (`save_hf`), so all three hold the same weights. Then, on the
same token inputs (batch 1; 16 and 128 tokens):

- our TFLite exports (float32, float16, dynamic int8) and ONNX, run with
  ai-edge-litert / onnxruntime;
- keras-hub's own `AlbertBackbone.export(format="litert")`, run with ai-edge-litert;
- transformers' PyTorch `AlbertModel` (eager, CPU);

and prints, for each, the max |difference| of the pooled and sequence outputs
from our Keras model, the file size against the parameter count, and the median
latency. Needs the `reference` extra (torch, transformers).

    python bench/export_compare.py --out out/export_compare
"""

import argparse
import json
import time
from pathlib import Path

import keras
import keras_hub
import numpy as np

from keras_albert.convert.hugging_face import save_hf
from keras_albert.convert.keras_hub import backbone_from_keras_hub
from keras_albert.export import export_onnx, export_tflite
from keras_albert.export.runners import OnnxRunner, TFLiteRunner
from keras_albert.export.verify import LATENCY_RUNS, median_ms

BASE = dict(vocabulary_size=30000, num_layers=12, hidden_dim=768, num_heads=12,
            intermediate_dim=3072, embedding_dim=128, max_sequence_length=512)
LENGTHS = (16, 128)


def inputs(length, seed=0):
    rng = np.random.default_rng(seed)
    return {"token_ids": rng.integers(5, BASE["vocabulary_size"], (1, length)).astype(np.int32),
            "segment_ids": np.zeros((1, length), np.int32),
            "padding_mask": np.ones((1, length), np.int32)}


def torch_runner(directory):
    import torch
    from transformers import AlbertModel

    model = AlbertModel.from_pretrained(directory).eval()

    def run(x):
        with torch.no_grad():
            out = model(input_ids=torch.tensor(x["token_ids"], dtype=torch.long),
                        token_type_ids=torch.tensor(x["segment_ids"], dtype=torch.long),
                        attention_mask=torch.tensor(x["padding_mask"], dtype=torch.long))
        return {"sequence_output": out.last_hidden_state.numpy(),
                "pooled_output": out.pooler_output.numpy()}

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the exports")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    keras.utils.set_random_seed(0)
    hub = keras_hub.models.AlbertBackbone(**BASE)
    ours = backbone_from_keras_hub(hub)
    parameters = ours.count_params()
    ours.save_pretrained(out / "ours")
    save_hf(ours, out / "hf")
    hub_file = out / "keras_hub.tflite"
    started = time.perf_counter()
    hub.export(str(hub_file), format="litert", verbose=False)
    export_seconds = {"keras-hub litert": time.perf_counter() - started}

    runs = {}
    for name, quantize in (("ours tflite float32", "none"), ("ours tflite float16", "float16"),
                           ("ours tflite dynamic", "dynamic")):
        started = time.perf_counter()
        path = export_tflite(out / "ours", out / f"ours_{quantize}.tflite", quantize=quantize)
        export_seconds[name] = time.perf_counter() - started
        runs[name] = (path, 4 if quantize == "none" else 2 if quantize == "float16" else 1,
                      TFLiteRunner(path).tokens)
    started = time.perf_counter()
    onnx_path = export_onnx(out / "ours", out / "ours.onnx")
    export_seconds["ours onnx"] = time.perf_counter() - started
    runs["ours onnx float32"] = (onnx_path, 4, OnnxRunner(onnx_path).tokens)
    hub_runner = TFLiteRunner(hub_file)
    runs["keras-hub litert float32"] = (hub_file, 4, hub_runner.tokens)
    runs["transformers torch float32"] = (None, 4, torch_runner(out / "hf"))

    reference = {length: {k: np.asarray(v) for k, v in ours(inputs(length)).items()}
                 for length in LENGTHS}
    rows = []
    for name, (path, bytes_per_weight, run) in runs.items():
        row = {"artifact": name}
        for length in LENGTHS:
            x = inputs(length)
            got = run(x)
            for output in ("pooled_output", "sequence_output"):
                diff = float(np.abs(got[output] - reference[length][output]).max())
                row[f"{output}_diff@{length}"] = diff
            row[f"ms@{length}"] = median_ms(lambda run=run, x=x: run(x))
        if path is not None:
            row["MB"] = path.stat().st_size / 1e6
            row["size/params"] = path.stat().st_size / (parameters * bytes_per_weight)
        rows.append(row)

    print(f"albert_base_v2 shapes, {parameters:,} parameters; batch 1; median of {LATENCY_RUNS}")
    print(f"{'artifact':28s} {'|dpooled|':>9s} {'|dseq|':>9s} {'MB':>7s} {'x par':>6s} "
          f"{'ms@16':>7s} {'ms@128':>7s}")
    for row in rows:
        pooled = max(row[f"pooled_output_diff@{n}"] for n in LENGTHS)
        sequence = max(row[f"sequence_output_diff@{n}"] for n in LENGTHS)
        size = (f"{row['MB']:7.1f} {row['size/params']:6.3f}" if "MB" in row
                else f"{'':7s} {'':6s}")
        print(f"{row['artifact']:28s} {pooled:9.2e} {sequence:9.2e} {size} "
              f"{row['ms@16']:7.2f} {row['ms@128']:7.2f}")
    hub_ms = {n: next(r for r in rows if r["artifact"].startswith("keras-hub"))[f"ms@{n}"]
              for n in LENGTHS}
    for row in rows:
        print(f"{row['artifact']:28s} latency vs keras-hub litert: " + ", ".join(
            f"{row[f'ms@{n}'] / hub_ms[n]:.2f}x @{n}" for n in LENGTHS))
    print(json.dumps({"parameters": parameters, "export_seconds": export_seconds,
                      "rows": rows}))


if __name__ == "__main__":
    main()
