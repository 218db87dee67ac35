"""Exports of an albert_base-shaped backbone: ours vs keras-hub vs transformers.

One process builds keras-hub's `AlbertBackbone` at albert_base_v2 shapes
(random weights, seed 0), converts it to ours (`backbone_from_keras_hub`) and
to transformers (`save_hf`), so all three hold the same weights. Then, on the
same token inputs (batch 1 with 16 and 128 tokens; batch 32 with 128):

- our Keras model (`predict_on_batch`, XLA), our TF Serving SavedModel
  (`serve_tokens`), our TFLite exports (float32, float16, dynamic int8, full
  int8) and ONNX (float32, dynamic int8), run with TensorFlow / ai-edge-litert / onnxruntime;
- keras-hub's own `AlbertBackbone.export(format="litert")` (float32, and
  dynamic-range int8 through the converter's `optimizations`) and
  `export(format="onnx")`;
- transformers' PyTorch `AlbertModel` (eager, CPU);

and prints, for each, the max |difference| of the pooled and sequence outputs
from our Keras model (and the cosine of the pooled outputs, for the quantized
files), the file size against the parameter count, the median latency, and the
latency ratios to keras-hub's exports. Full int8 calibrates on WordNet glosses
tokenized with a vocabulary trained here (the weights are random, so this
measures speed and size, not accuracy: label agreement of int8 is measured on
the fine-tuned WordNet model, BENCHMARKS.md). Needs torch and transformers.

    python bench/export_compare.py --out out/export_compare
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import keras
import keras_hub
import numpy as np
from train_throughput import model_flops_per_step

from keras_albert.convert.hugging_face import save_hf
from keras_albert.convert.keras_hub import backbone_from_keras_hub
from keras_albert.datasets import load_wordnet, write_wordnet_corpus
from keras_albert.export import export_onnx, export_saved_model, export_tflite
from keras_albert.export.runners import OnnxRunner, SavedModelRunner, TFLiteRunner
from keras_albert.export.verify import LATENCY_RUNS, median_ms
from keras_albert.text import train_vocabulary
from keras_albert.text.tokenizer_files import write_tokenizer_files

BASE = dict(vocabulary_size=30000, num_layers=12, hidden_dim=768, num_heads=12,
            intermediate_dim=3072, embedding_dim=128, max_sequence_length=512)
SHAPES = ((1, 16), (1, 128), (32, 128))  # (batch, length)
BATCH_RUNS = 6  # latency runs at batch 32 (seconds each for the slow ones)
ROUNDS = 3  # interleaved latency rounds


def inputs(batch, length, seed=0):
    rng = np.random.default_rng(seed)
    return {"token_ids": rng.integers(5, BASE["vocabulary_size"],
                                      (batch, length)).astype(np.int32),
            "segment_ids": np.zeros((batch, length), np.int32),
            "padding_mask": np.ones((batch, length), np.int32)}


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


def keras_hub_onnx_runner(path):
    """keras-hub's ONNX file: its outputs are told apart by rank."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [item.name for item in session.get_inputs()]

    def run(x):
        values = session.run(None, {name: x[_input_key(name)] for name in names})
        return {("sequence_output" if value.ndim == 3 else "pooled_output"): value
                for value in values}

    return run


def base_backbones(out):
    """keras-hub's `AlbertBackbone` at albert_base_v2 shapes (random weights,
    seed 0) and ours converted from it, saved to `out/ours`."""
    keras.utils.set_random_seed(0)
    hub = keras_hub.models.AlbertBackbone(**BASE)
    ours = backbone_from_keras_hub(hub)
    ours.save_pretrained(out / "ours")
    return hub, ours


def _input_key(name):
    return next(key for key in ("token_ids", "segment_ids", "padding_mask") if key in name)


def add_tokenizer(directory, work):
    """A SentencePiece vocabulary of WordNet glosses in `directory` (for the
    int8 calibration text); returns the calibration texts."""
    corpus = write_wordnet_corpus(work / "corpus.txt")
    train_vocabulary(corpus, 8000, work / "vocab")
    write_tokenizer_files(directory, {"proto": (work / "vocab" / "spiece.model").read_bytes(),
                                      "lowercase": True, "keep_accents": False})
    return [example["text"] for example in load_wordnet("train", limit=2000)]


def cosine(a, b):
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    return float(np.min((a * b).sum(-1) / np.linalg.norm(a, axis=-1)
                        / np.linalg.norm(b, axis=-1)))


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the exports")
    parser.add_argument("--machine-peak", action="store_true",
                        help="measure this CPU's matmul peak per precision first and "
                        "print each latency at 1x128 as a share of it")
    args = parser.parse_args()
    peaks = None
    if args.machine_peak:
        import machine_peak

        peaks = machine_peak.peaks(runs=5)
        print(f"machine peak, GFLOP/s: {peaks}", flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    hub, ours = base_backbones(out)
    parameters = ours.count_params()
    texts = add_tokenizer(out / "ours", out)
    save_hf(ours, out / "hf")
    export_seconds, runs = {}, {}
    import tensorflow as tf

    hub_files = {"keras-hub litert float32": (out / "keras_hub.tflite", {}),
                 "keras-hub litert dynamic": (out / "keras_hub_dynamic.tflite",
                                              {"optimizations": [tf.lite.Optimize.DEFAULT]})}
    for name, (path, kwargs) in hub_files.items():
        _, export_seconds[name] = timed(lambda path=path, kwargs=kwargs: hub.export(
            str(path), format="litert", verbose=False, **kwargs))
        runs[name] = (path, 4 if "float32" in name else 1, TFLiteRunner(path).tokens)
    hub_onnx = out / "keras_hub.onnx"
    _, export_seconds["keras-hub onnx"] = timed(
        lambda: hub.export(str(hub_onnx), format="onnx", verbose=False))
    runs["keras-hub onnx float32"] = (hub_onnx, 4, keras_hub_onnx_runner(hub_onnx))

    ours.compile(jit_compile=True)
    runs["ours keras (XLA)"] = (None, 4, lambda x: {
        key: np.asarray(value) for key, value in ours.predict_on_batch(x).items()})
    served, export_seconds["ours saved_model"] = timed(
        lambda: export_saved_model(out / "ours", out / "serving", "albert", overwrite=True))
    runs["ours saved_model"] = (None, 4, SavedModelRunner(served).tokens)
    for quantize, bytes_per_weight in (("none", 4), ("float16", 2), ("dynamic", 1),
                                       ("int8", 1)):
        name = f"ours tflite {'float32' if quantize == 'none' else quantize}"
        path, export_seconds[name] = timed(lambda quantize=quantize: export_tflite(
            out / "ours", out / f"ours_{quantize}.tflite", quantize=quantize,
            representative=texts if quantize == "int8" else None))
        runs[name] = (path, bytes_per_weight, TFLiteRunner(path).tokens)
    for quantize, bytes_per_weight in (("none", 4), ("dynamic", 1), ("int8", 1)):
        name = f"ours onnx {'float32' if quantize == 'none' else quantize}"
        path, export_seconds[name] = timed(lambda quantize=quantize: export_onnx(
            out / "ours", out / f"ours_{quantize}.onnx", quantize=quantize,
            representative=texts if quantize == "int8" else None))
        runs[name] = (path, bytes_per_weight, OnnxRunner(path).tokens)
    runs["transformers torch float32"] = (None, 4, torch_runner(out / "hf"))

    reference = {shape: {k: np.asarray(v) for k, v in ours(inputs(*shape)).items()}
                 for shape in SHAPES}
    rows = []
    for name, (path, bytes_per_weight, run) in runs.items():
        row = {"artifact": name}
        for shape in SHAPES:
            x = inputs(*shape)
            got = run(x)
            key = "{}x{}".format(*shape)
            for output in ("pooled_output", "sequence_output"):
                row[f"{output}_diff@{key}"] = float(
                    np.abs(got[output] - reference[shape][output]).max())
            row[f"pooled_cosine@{key}"] = cosine(got["pooled_output"],
                                                 reference[shape]["pooled_output"])
        if path is not None:
            size = sum(f.stat().st_size for f in Path(path).rglob("*")) if Path(
                path).is_dir() else path.stat().st_size
            row["MB"] = size / 1e6
            row["size/params"] = size / (parameters * bytes_per_weight)
        rows.append(row)
    # Latency in interleaved rounds (every artifact once a round, a fresh
    # median each), the median of the rounds' medians: drift on a shared
    # machine then hits every artifact alike, as in train_throughput.py.
    timings = {(row["artifact"], shape): [] for row in rows for shape in SHAPES}
    for _ in range(ROUNDS):
        for name, (_, _, run) in runs.items():
            for shape in SHAPES:
                x = inputs(*shape)
                count = BATCH_RUNS if shape[0] > 1 else LATENCY_RUNS
                timings[name, shape].append(
                    median_ms(lambda run=run, x=x: run(x), runs=max(count // ROUNDS, 2)))
    for row in rows:
        for shape in SHAPES:
            row["ms@{}x{}".format(*shape)] = statistics.median(timings[row["artifact"], shape])
        print(json.dumps(row), flush=True)

    keys = ["{}x{}".format(*shape) for shape in SHAPES]
    print(f"\nalbert_base_v2 shapes, {parameters:,} parameters; latency in ms at batch x "
          f"length: median of {ROUNDS} interleaved rounds, each a median of "
          f"{max(LATENCY_RUNS // ROUNDS, 2)} runs at batch 1 and "
          f"{max(BATCH_RUNS // ROUNDS, 2)} at batch 32")
    print(f"{'artifact':28s} {'|dpooled|':>9s} {'cos':>7s} {'MB':>7s} {'x par':>6s} "
          + " ".join(f"{key:>8s}" for key in keys))
    for row in rows:
        pooled = max(row[f"pooled_output_diff@{key}"] for key in keys)
        cos = min(row[f"pooled_cosine@{key}"] for key in keys)
        size = (f"{row['MB']:7.1f} {row['size/params']:6.3f}" if "MB" in row
                else f"{'':7s} {'':6s}")
        print(f"{row['artifact']:28s} {pooled:9.2e} {cos:7.4f} {size} "
              + " ".join(f"{row[f'ms@{key}']:8.2f}" for key in keys))
    by_name = {row["artifact"]: row for row in rows}
    for anchor in ("keras-hub litert float32", "keras-hub litert dynamic",
                   "keras-hub onnx float32"):
        print(f"\nlatency / {anchor}:")
        for row in rows:
            if row["artifact"].startswith("ours"):
                print(f"  {row['artifact']:26s} " + ", ".join(
                    f"{row[f'ms@{key}'] / by_name[anchor][f'ms@{key}']:.2f}x @{key}"
                    for key in keys))
    if peaks:
        # The forward pass's matmul FLOPs at 1 x 128 (a third of a training step's).
        flops = model_flops_per_step(1, 128, **BASE) / 3
        print(f"\nshare of the machine's peak at 1x128 ({flops / 1e9:.1f} GFLOP a pass; "
              f"int8 artifacts against the int8 peak, the rest float32):")
        for row in rows:
            precision = "int8" if row["artifact"].endswith(("dynamic", "int8")) else "float32"
            row["share_of_peak@1x128"] = flops / (row["ms@1x128"] / 1000) / (peaks[precision] * 1e9)
            print(f"  {row['artifact']:28s} {row['share_of_peak@1x128']:6.1%} of {precision}")
    print(json.dumps({"parameters": parameters, "export_seconds": export_seconds,
                      "machine_peak_gflops": peaks, "rows": rows}))


if __name__ == "__main__":
    main()
