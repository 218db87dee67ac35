"""Pretraining throughput (tokens/s) at albert_base shapes: ours vs keras-hub.

One process builds the same pretraining model three ways — our `AlbertPretrainer`
(`unrolled` and `loop` execution) and keras-hub's `AlbertBackbone` with its
`AlbertMaskedLM` head plus a sentence-order `Dense(2)` on the pooled output —
compiles each with `jit_compile=True` and the same optimizer (ALBERT's LAMB,
`albert_optimizer`), float32, then times `train_on_batch` in interleaved rounds
so that machine noise hits every model alike. Prints the first step (trace +
XLA compile), the median step, tokens/s and the ratios to keras-hub.

    python bench/pretrain_throughput.py                    # batch 8, length 128
    python bench/pretrain_throughput.py --batch-size 32 --rounds 3
"""

import argparse
import json
import statistics
import time

import keras
import keras_hub
import numpy as np

from keras_albert import AlbertBackbone, AlbertPretrainer
from keras_albert.training import albert_optimizer

BASE = dict(vocabulary_size=30000, num_layers=12, hidden_dim=768, num_heads=12,
            intermediate_dim=3072, embedding_dim=128)


def keras_hub_pretrainer(max_sequence_length):
    """keras-hub's ALBERT with MLM (its own head, tied to the word table) and SOP."""
    backbone = keras_hub.models.AlbertBackbone(**BASE,
                                               max_sequence_length=max_sequence_length)
    masked_lm = keras_hub.models.AlbertMaskedLM(backbone, preprocessor=None)
    inputs = {name: keras.Input((None,), dtype="int32", name=name) for name in
              ("token_ids", "segment_ids", "padding_mask", "mask_positions")}
    outputs = backbone({name: inputs[name] for name in backbone.input})
    return keras.Model(inputs, {
        "mlm_logits": masked_lm.masked_lm_head(outputs["sequence_output"],
                                               mask_positions=inputs["mask_positions"]),
        "sop_logits": keras.layers.Dense(2, name="sop")(outputs["pooled_output"]),
    })


def batch(batch_size, length, predictions, seed=0):
    rng = np.random.default_rng(seed)
    x = {
        "token_ids": rng.integers(5, BASE["vocabulary_size"], (batch_size, length),
                                  dtype=np.int32),
        "segment_ids": np.repeat([[0] * (length // 2) + [1] * (length - length // 2)],
                                 batch_size, axis=0).astype(np.int32),
        "padding_mask": np.ones((batch_size, length), np.int32),
        "mask_positions": np.sort(rng.choice(np.arange(1, length), (batch_size,
                                  predictions)), axis=1).astype(np.int32),
    }
    y = {"mlm_logits": rng.integers(5, BASE["vocabulary_size"], (batch_size, predictions),
                                    dtype=np.int32),
         "sop_logits": rng.integers(0, 2, (batch_size,), dtype=np.int32)}
    return x, y


def build(impl, length):
    if impl == "keras_hub":
        model = keras_hub_pretrainer(length)
    else:
        model = AlbertPretrainer(AlbertBackbone(**BASE, max_sequence_length=length,
                                                execution=impl))
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=albert_optimizer(1e-4),
                  loss={"mlm_logits": sparse, "sop_logits": sparse}, jit_compile=True)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--predictions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=5, help="timed steps a round")
    parser.add_argument("--impls", nargs="+", default=["unrolled", "loop", "keras_hub"])
    args = parser.parse_args()
    x, y = batch(args.batch_size, args.length, args.predictions)
    models, first_step, steps = {}, {}, {impl: [] for impl in args.impls}
    for impl in args.impls:
        models[impl] = build(impl, args.length)
        started = time.perf_counter()
        models[impl].train_on_batch(x, y)
        first_step[impl] = time.perf_counter() - started
        print(f"{impl}: {models[impl].count_params():,d} parameters, first step "
              f"{first_step[impl]:.1f} s", flush=True)
    for _ in range(args.rounds):
        for impl in args.impls:
            models[impl].train_on_batch(x, y)  # back in cache after the others
            for _ in range(args.steps):
                started = time.perf_counter()
                models[impl].train_on_batch(x, y)
                steps[impl].append(time.perf_counter() - started)
    tokens = args.batch_size * args.length
    results = {impl: {"first_step_s": round(first_step[impl], 2),
                      "step_s": round(statistics.median(steps[impl]), 4),
                      "tokens_per_s": round(tokens / statistics.median(steps[impl]), 1)}
               for impl in args.impls}
    print(f"\nalbert_base shapes, batch {args.batch_size}, length {args.length}, "
          f"{args.predictions} predictions, float32, XLA, "
          f"{args.rounds * args.steps} timed steps each")
    print(f"{'impl':10s} {'first step s':>12s} {'median step s':>14s} {'tokens/s':>9s}")
    for impl, r in results.items():
        print(f"{impl:10s} {r['first_step_s']:12.2f} {r['step_s']:14.4f} "
              f"{r['tokens_per_s']:9.1f}")
    if "keras_hub" in results:
        for impl in (i for i in results if i != "keras_hub"):
            print(f"{impl} / keras_hub: throughput "
                  f"{results[impl]['tokens_per_s'] / results['keras_hub']['tokens_per_s']:.2f}, "
                  f"first step "
                  f"{results[impl]['first_step_s'] / results['keras_hub']['first_step_s']:.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
