"""First-step XLA compile time and step time: our two execution modes vs keras-hub.

Each configuration runs in a fresh subprocess (no warm caches), builds a
classifier, compiles with `jit_compile=True` and times the first `train_on_batch`
(trace + XLA compile + one step) and the median of the next steps.

    python bench/compile_time.py                      # tiny width, 12 and 48 layers
    python bench/compile_time.py --width base --depths 12
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

WIDTHS = {  # hidden, heads, intermediate, embedding
    "tiny": dict(hidden_dim=64, num_heads=2, intermediate_dim=128, embedding_dim=32),
    "base": dict(hidden_dim=768, num_heads=12, intermediate_dim=3072, embedding_dim=128),
}
BATCH_SIZE, SEQUENCE_LENGTH, VOCABULARY_SIZE = 8, 128, 30000
TIMED_STEPS = 10


def measure(impl, width, depth):
    """Runs in the child process: returns compile and median step seconds."""
    import keras
    import numpy as np

    shape = WIDTHS[width]
    rng = np.random.default_rng(0)
    x = {
        "token_ids": rng.integers(5, VOCABULARY_SIZE, (BATCH_SIZE, SEQUENCE_LENGTH)),
        "segment_ids": np.zeros((BATCH_SIZE, SEQUENCE_LENGTH), "int32"),
        "padding_mask": np.ones((BATCH_SIZE, SEQUENCE_LENGTH), "int32"),
    }
    y = rng.integers(0, 2, BATCH_SIZE)
    if impl == "keras_hub":
        import keras_hub

        backbone = keras_hub.models.AlbertBackbone(
            vocabulary_size=VOCABULARY_SIZE, num_layers=depth, **shape,
            max_sequence_length=512,
        )
        model = keras_hub.models.AlbertTextClassifier(backbone, num_classes=2,
                                                      preprocessor=None)
    else:
        from keras_albert import AlbertBackbone, AlbertClassifier

        backbone = AlbertBackbone(vocabulary_size=VOCABULARY_SIZE, num_layers=depth,
                                  **shape, execution=impl)
        model = AlbertClassifier(backbone, num_classes=2)
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=True)
    started = time.perf_counter()
    model.train_on_batch(x, y)
    compile_seconds = time.perf_counter() - started
    steps = []
    for _ in range(TIMED_STEPS):
        started = time.perf_counter()
        model.train_on_batch(x, y)
        steps.append(time.perf_counter() - started)
    return {"impl": impl, "width": width, "layers": depth,
            "first_step_s": round(compile_seconds, 2),
            "step_s": round(statistics.median(steps), 4)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", choices=WIDTHS, default="tiny")
    parser.add_argument("--depths", type=int, nargs="+", default=[12, 48])
    parser.add_argument("--impls", nargs="+", default=["unrolled", "loop", "keras_hub"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        impl, width, depth = args.child
        print(json.dumps(measure(impl, width, int(depth))))
        return

    results = []
    for depth in args.depths:
        for impl in args.impls:
            output = subprocess.run(
                [sys.executable, __file__, "--child", impl, args.width, str(depth)],
                capture_output=True, text=True, check=True,
            ).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), flush=True)

    def first(impl, depth):
        return next(r for r in results if r["impl"] == impl and r["layers"] == depth)

    print(f"\nwidth={args.width} batch={BATCH_SIZE} length={SEQUENCE_LENGTH}")
    print(f"{'impl':10s} {'layers':>6s} {'first step s':>12s} {'step s':>8s}")
    for r in results:
        print(f"{r['impl']:10s} {r['layers']:6d} {r['first_step_s']:12.2f} "
              f"{r['step_s']:8.4f}")
    low, high = min(args.depths), max(args.depths)
    for impl in args.impls:
        if high != low:
            ratio = first(impl, high)["first_step_s"] / first(impl, low)["first_step_s"]
            print(f"{impl}: first step at {high} layers / at {low} layers = {ratio:.2f}")
    if "keras_hub" in args.impls:
        for impl in (i for i in args.impls if i != "keras_hub"):
            for depth in args.depths:
                ratio = (first(impl, depth)["first_step_s"]
                         / first("keras_hub", depth)["first_step_s"])
                print(f"{impl} / keras_hub first step at {depth} layers = {ratio:.2f}")


if __name__ == "__main__":
    main()
