"""Fine-tuning throughput (tokens/s) and first-step time of an ALBERT classifier:
ours (`unrolled`, `loop`) vs keras-hub vs transformers' PyTorch model.

One process builds the same classifier four ways at albert_base shapes (2
classes, dropout 0 everywhere, AdamW): our `AlbertClassifier` in each execution
mode and keras-hub's `AlbertTextClassifier`, compiled with `jit_compile=True`,
and transformers' `AlbertForSequenceClassification` (eager PyTorch, the way
its `Trainer` runs it). It times the first step (trace + XLA compile + one
step; "compile" is that less a median step), then training steps in
interleaved rounds so that machine noise hits every model alike, and prints the median step, tokens/s, the ratios to
keras-hub and transformers and, with `--peak-tflops`, the model-FLOPs
utilisation (MFU: the matmul FLOPs of forward and backward per second over the
device's dense peak).

    python bench/train_throughput.py                      # CPU, batch 8, length 128

An implementation may carry its own precision and compilation, so that float32
and bfloat16 run side by side in one run, every ratio against keras-hub's
float32 XLA step; `--machine-peak` measures this CPU's matmul peak per
precision first (`machine_peak.py`) and prints each step's matmul FLOP rate as
a share of the peak of its precision:

    python bench/train_throughput.py --rounds 3 --steps 3 --machine-peak --impls \
        unrolled unrolled:mixed_bfloat16 unrolled:mixed_bfloat16:nojit \
        keras_hub keras_hub:mixed_bfloat16:nojit transformers
    python bench/train_throughput.py --impls unrolled loop keras_hub \
        --dtype mixed_bfloat16 --length 512 --batch-size 32 --peak-tflops 989   # H100
"""

import argparse
import json
import statistics
import time

import keras
import numpy as np

BASE = dict(vocabulary_size=30000, num_layers=12, hidden_dim=768, num_heads=12,
            intermediate_dim=3072, embedding_dim=128)
IMPLS = ("unrolled", "loop", "keras_hub", "transformers")


def model_flops_per_step(batch_size, length, num_layers, hidden_dim, intermediate_dim,
                         embedding_dim, **_):
    """Matmul FLOPs of one training step (forward x 3): per token and layer the
    Q/K/V/output projections (4 H^2), the feed-forward (2 H I) and attention
    scores and mixing (2 T H), each 2 FLOPs a multiply-add; plus the E->H
    projection. Every depth counts, shared weights or not."""
    per_token = num_layers * (4 * hidden_dim**2 + 2 * hidden_dim * intermediate_dim
                              + 2 * length * hidden_dim) + embedding_dim * hidden_dim
    return 3 * 2 * per_token * batch_size * length


def inputs(batch_size, length, seed=0):
    rng = np.random.default_rng(seed)
    x = {"token_ids": rng.integers(5, BASE["vocabulary_size"], (batch_size, length),
                                   dtype=np.int32),
         "segment_ids": np.repeat([[0] * (length // 2) + [1] * (length - length // 2)],
                                  batch_size, axis=0).astype(np.int32),
         "padding_mask": np.ones((batch_size, length), np.int32)}
    return x, rng.integers(0, 2, batch_size).astype(np.int32)


def parse_variant(spec, default_dtype):
    """`impl[:dtype][:nojit]` -> (impl, dtype, jit_compile)."""
    parts = spec.split(":")
    if parts[0] not in IMPLS:
        raise SystemExit(f"unknown implementation {parts[0]!r} in {spec!r}; one of {IMPLS}")
    jit = "nojit" not in parts[1:]
    dtypes = [part for part in parts[1:] if part != "nojit"]
    return parts[0], (dtypes[0] if dtypes else default_dtype), jit


def keras_step(impl, length, dtype, jit_compile=True):
    """A function running one `train_on_batch` of a compiled Keras classifier."""
    if impl == "keras_hub":
        import keras_hub

        backbone = keras_hub.models.AlbertBackbone(**BASE, max_sequence_length=length,
                                                   dtype=dtype)
        model = keras_hub.models.AlbertTextClassifier(backbone, num_classes=2,
                                                      preprocessor=None, dropout=0.0)
    else:
        from keras_albert import AlbertBackbone, AlbertClassifier

        backbone = AlbertBackbone(**BASE, max_sequence_length=length, execution=impl,
                                  dtype=dtype)
        model = AlbertClassifier(backbone, num_classes=2, dropout=0.0)
    model.compile(optimizer=keras.optimizers.AdamW(1e-5),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit_compile)
    return model.count_params(), model.train_on_batch


def transformers_step(length):
    import torch
    import transformers

    config = transformers.AlbertConfig(
        vocab_size=BASE["vocabulary_size"], embedding_size=BASE["embedding_dim"],
        hidden_size=BASE["hidden_dim"], num_hidden_layers=BASE["num_layers"],
        num_attention_heads=BASE["num_heads"], intermediate_size=BASE["intermediate_dim"],
        hidden_act="gelu_new", max_position_embeddings=length, num_labels=2,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
        classifier_dropout_prob=0.0)
    torch.manual_seed(0)
    model = transformers.AlbertForSequenceClassification(config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)

    def step(x, y):
        optimizer.zero_grad()
        loss = model(input_ids=torch.from_numpy(x["token_ids"]).long(),
                     token_type_ids=torch.from_numpy(x["segment_ids"]).long(),
                     attention_mask=torch.from_numpy(x["padding_mask"]).long(),
                     labels=torch.from_numpy(y).long()).loss
        loss.backward()
        optimizer.step()
        return loss.item()

    return sum(p.numel() for p in model.parameters()), step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=5, help="timed steps a round")
    parser.add_argument("--impls", nargs="+", default=list(IMPLS),
                        help=f"of {IMPLS}, each optionally :DTYPE and :nojit")
    parser.add_argument("--dtype", default="float32",
                        help="Keras dtype policy (e.g. mixed_bfloat16); PyTorch runs float32")
    parser.add_argument("--peak-tflops", type=float,
                        help="the device's dense peak for --dtype, for MFU")
    parser.add_argument("--machine-peak", action="store_true",
                        help="measure this CPU's matmul peak per precision first and "
                        "print each step's share of it")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    variants = {spec: parse_variant(spec, args.dtype) for spec in args.impls}
    if any(v[0] == "transformers" and v[1] != "float32" for v in variants.values()):
        parser.error("transformers runs float32 here: leave it out of --impls "
                     "with another --dtype (same precision for every model)")
    peaks = None
    if args.machine_peak:
        import machine_peak

        peaks = machine_peak.peaks(runs=5)
        print(f"machine peak, GFLOP/s: {peaks}", flush=True)
    x, y = inputs(args.batch_size, args.length)
    steps, first_step, params = {}, {}, {}
    for impl, (name, dtype, jit) in variants.items():
        params[impl], steps[impl] = (transformers_step(args.length) if name == "transformers"
                                     else keras_step(name, args.length, dtype, jit))
        started = time.perf_counter()
        steps[impl](x, y)
        first_step[impl] = time.perf_counter() - started
        print(f"{impl}: {params[impl]:,d} parameters, first step {first_step[impl]:.1f} s",
              flush=True)
    times = {impl: [] for impl in args.impls}
    for _ in range(args.rounds):
        for impl in args.impls:
            steps[impl](x, y)  # back in cache after the others
            for _ in range(args.steps):
                started = time.perf_counter()
                steps[impl](x, y)
                times[impl].append(time.perf_counter() - started)
    tokens = args.batch_size * args.length
    flops = model_flops_per_step(args.batch_size, args.length, **BASE)
    results = {}
    for impl in args.impls:
        step = statistics.median(times[impl])
        results[impl] = {"first_step_s": round(first_step[impl], 2),
                         # trace + compile: the first step less an ordinary one
                         "compile_s": round(first_step[impl] - step, 2),
                         "step_s": round(step, 4), "tokens_per_s": round(tokens / step, 1),
                         "parameters": params[impl]}
        if args.peak_tflops:
            results[impl]["mfu"] = round(flops / step / (args.peak_tflops * 1e12), 4)
        if peaks:
            precision = "bfloat16" if "bfloat16" in variants[impl][1] else "float32"
            results[impl]["share_of_peak"] = round(flops / step / (peaks[precision] * 1e9), 4)
    print(f"\nclassifier at albert_base shapes, batch {args.batch_size}, length "
          f"{args.length}, {args.dtype}, {args.rounds * args.steps} timed steps each")
    width = max(12, *(len(impl) for impl in results))
    print(f"{'impl':{width}s} {'first step s':>12s} {'compile s':>9s} {'median step s':>14s} "
          f"{'tokens/s':>9s}"
          + (f" {'MFU':>6s}" if args.peak_tflops else "")
          + (f" {'of peak':>7s}" if peaks else ""))
    for impl, r in results.items():
        print(f"{impl:{width}s} {r['first_step_s']:12.2f} {r['compile_s']:9.2f} "
              f"{r['step_s']:14.4f} {r['tokens_per_s']:9.1f}"
              + (f" {r['mfu']:6.1%}" if args.peak_tflops else "")
              + (f" {r['share_of_peak']:7.1%}" if peaks else ""))
    for anchor in ("keras_hub", "transformers"):
        for impl in results:
            if anchor in results and impl != anchor:
                ratio = results[impl]["tokens_per_s"] / results[anchor]["tokens_per_s"]
                compile_ratio = (f", compile {results[impl]['compile_s'] / results[anchor]['compile_s']:.2f}"
                                 if results[anchor]["compile_s"] > 0.05 else "")
                print(f"{impl} / {anchor}: throughput {ratio:.2f}{compile_ratio}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"args": vars(args), "machine_peak_gflops": peaks,
                       "results": results}, file, indent=2)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
