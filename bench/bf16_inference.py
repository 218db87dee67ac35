"""Inference in bfloat16 against float32 on this CPU: Keras and the TF Serving
SavedModel at albert_base shapes.

One process builds the albert_base-shaped backbone of `export_compare.py`
(keras-hub's at albert_base_v2 shapes, random weights, seed 0, converted to
ours) and runs it as our Keras model (`predict_on_batch`) in float32 with XLA
and in `mixed_bfloat16` with and without XLA, and as our SavedModel's
`serve_tokens` exported in float32 and with `--dtype mixed_bfloat16`. It
prints the median latency at 1 x 128 and 8 x 128 (interleaved rounds), the
ratio to the float32 SavedModel, and the largest pooled-output difference
and least cosine from the float32 Keras model.

    cd bench && python bf16_inference.py --out out/bf16_inference
"""

import argparse
import statistics
from pathlib import Path

import numpy as np
from export_compare import base_backbones, cosine, inputs

from keras_albert.export import export_saved_model
from keras_albert.export.runners import SavedModelRunner
from keras_albert.export.verify import median_ms
from keras_albert.models import AlbertBackbone

SHAPES = ((1, 128), (8, 128))
RUNS = {(1, 128): 10, (8, 128): 4}
ROUNDS = 3


def keras_runner(directory, dtype, jit_compile):
    model = AlbertBackbone.from_pretrained(directory, dtype=dtype)
    model.compile(jit_compile=jit_compile)
    return lambda x: {key: np.asarray(value, np.float32)
                      for key, value in model.predict_on_batch(x).items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the exports")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help="interleaved latency rounds (more on a noisy machine)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base_backbones(out)
    runs = {
        "keras float32 (XLA)": keras_runner(out / "ours", "float32", True),
        "keras bfloat16 (XLA)": keras_runner(out / "ours", "mixed_bfloat16", True),
        "keras bfloat16 (no XLA)": keras_runner(out / "ours", "mixed_bfloat16", False),
    }
    for dtype in ("float32", "mixed_bfloat16"):
        path = export_saved_model(out / "ours", out / "serving", dtype, dtype=dtype,
                                  overwrite=True)
        runs[f"saved_model {dtype}"] = SavedModelRunner(path).tokens
    reference = runs["keras float32 (XLA)"](inputs(8, 128))["pooled_output"]
    rows = {name: {} for name in runs}
    for name, run in runs.items():
        pooled = run(inputs(8, 128))["pooled_output"]
        rows[name]["max_diff"] = float(np.abs(pooled - reference).max())
        rows[name]["cosine"] = cosine(pooled, reference)
    for shape in SHAPES:
        x = inputs(*shape)
        medians = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, run in runs.items():
                medians[name].append(median_ms(lambda run=run, x=x: run(x), RUNS[shape]))
        for name in runs:
            rows[name][shape] = statistics.median(medians[name])
    anchor = rows["saved_model float32"]
    print(f"{'run':26s} {'max|diff|':>9s} {'cosine':>7s} {'ms@1x128':>9s} {'ratio':>6s} "
          f"{'ms@8x128':>9s} {'ratio':>6s}")
    for name, row in rows.items():
        print(f"{name:26s} {row['max_diff']:9.2e} {row['cosine']:7.4f} "
              f"{row[(1, 128)]:9.1f} {row[(1, 128)] / anchor[(1, 128)]:6.2f} "
              f"{row[(8, 128)]:9.1f} {row[(8, 128)] / anchor[(8, 128)]:6.2f}")


if __name__ == "__main__":
    main()
