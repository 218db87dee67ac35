"""Training from prepared shards: peak memory against corpus size, and the step
time from shards against from memory.

1. Memory: `keras-albert pretrain --data` on the shards of two corpus sizes
   (`--sizes`, MB of text; `tools/build_pretraining_corpus.py`'s corpus and
   vocabulary, shared with `prepare_compare.py`), the same steps; the peak RSS
   and PSS of each process tree and their ratio. Streaming should make it
   independent of the corpus.
2. Step time: the same model on the same text, one file of the corpus
   (`STEP_FILE_MB` of it), read into memory (`--input`) and prepared into shards
   (`--data`); the mean time of a step over the epochs after the first (the
   first compiles), from the run's Keras log lines. No validation in either run
   (`--validation-fraction 0`; the `train-*` shards only), so a step is a step.

    python bench/pretrain_data_compare.py --sizes 100,1000
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from prepare_compare import ROOT, corpus, timed, two_sizes, vocabulary

PRESET = "albert_tiny"
BATCH_SIZE = 32
SEQUENCE_LENGTH = 128
STEPS = 300
CHECKPOINT_EVERY = 100  # a Keras epoch; the first one compiles
WORKERS = 2
STEP_FILE = "part-00000.txt"  # the text of the step-time comparison
MS_PER_STEP = re.compile(r"(\d+(?:\.\d+)?)(m?s)/step")


def prepare(corpus_directory, vocab, output, pattern="part-*.txt"):
    """Shards of `corpus_directory` (reused when finished)."""
    if not (output / "manifest.json").exists():
        subprocess.run([sys.executable, "-m", "keras_albert.cli", "prepare", "--vocab",
                        str(vocab), "--input", f"{corpus_directory}/{pattern}", "--out",
                        str(output), "--sequence-length", str(SEQUENCE_LENGTH),
                        "--workers", str(WORKERS), "--overwrite"], check=True)
    return output


def pretrain(source, vocab, output, log, steps=STEPS, checkpoint_every=CHECKPOINT_EVERY):
    """`timed` pretraining from `source` (`["--data", ...]` or `["--input", ...]`),
    with the mean ms a step after the first epoch."""
    shutil.rmtree(output, ignore_errors=True)
    command = [sys.executable, "-m", "keras_albert.cli", "pretrain", "--preset", PRESET,
               "--vocab", str(vocab), *source, "--out", str(output), "--steps", str(steps),
               "--checkpoint-every", str(checkpoint_every), "--batch-size",
               str(BATCH_SIZE), "--sequence-length", str(SEQUENCE_LENGTH)]
    result = timed(command, log)
    times = [float(value) * (1 if unit == "ms" else 1000) for value, unit in
             MS_PER_STEP.findall(Path(log).read_text(errors="replace"))]
    epochs = steps // checkpoint_every
    later = times[-(epochs - 1):] if len(times) >= epochs else []
    result["ms_per_step"] = sum(later) / len(later) if later else float("nan")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "prepare"))
    parser.add_argument("--sizes", type=two_sizes, default=[100.0, 1000.0],
                        help="two corpus sizes in MB (e.g. 100,1000)")
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--checkpoint-every", type=int, default=CHECKPOINT_EVERY)
    args = parser.parse_args()
    steps = {"steps": args.steps, "checkpoint_every": args.checkpoint_every}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for megabytes in args.sizes:
        directory, summary = corpus(out, megabytes)
        vocab = vocabulary(out, directory)
        shards = prepare(directory, vocab, out / f"shards-{megabytes:g}mb")
        result = pretrain(["--data", str(shards / "train-*.tfrecord")], vocab,
                          out / f"pretrain-{megabytes:g}mb", out / f"pretrain-{megabytes:g}mb.log",
                          **steps)
        rows.append({"name": f"pretrain --data ({summary['bytes'] / 1e6:.0f} MB of text)",
                     **result})
        print(json.dumps(rows[-1]), flush=True)
    small, _ = corpus(out, args.sizes[0])
    vocab = vocabulary(out, small)
    one_file = prepare(small, vocab, out / "shards-one-file", STEP_FILE)
    text_mb = (small / STEP_FILE).stat().st_size / 1e6
    for name, source in ((f"pretrain --input ({text_mb:.0f} MB, in memory)",
                          ["--input", str(small / STEP_FILE), "--validation-fraction", "0"]),
                         (f"pretrain --data ({text_mb:.0f} MB, shards)",
                          ["--data", str(one_file / "train-*.tfrecord")])):
        tag = "memory" if "--input" in source else "shards"
        rows.append({"name": name, **pretrain(source, vocab, out / f"step-{tag}",
                                              out / f"step-{tag}.log", **steps)})
        print(json.dumps(rows[-1]), flush=True)
    (out / "pretrain_results.json").write_text(json.dumps(rows, indent=2) + "\n")
    print("\n| | seconds | ms/step (after the first epoch) | peak RSS MB (tree) "
          "| peak PSS MB (tree) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['name']} | {row['seconds']:.0f} | {row['ms_per_step']:.1f} | "
              f"{row['rss_mb']:.0f} | {row['pss_mb']:.0f} |")
    print(f"\npeak memory of pretrain --data at {args.sizes[1]:g} MB / at "
          f"{args.sizes[0]:g} MB: RSS {rows[1]['rss_mb'] / rows[0]['rss_mb']:.2f}x, "
          f"PSS {rows[1]['pss_mb'] / rows[0]['pss_mb']:.2f}x")
    print(f"step time from shards / from memory: "
          f"{rows[3]['ms_per_step'] / rows[2]['ms_per_step']:.2f}x")


if __name__ == "__main__":
    main()
