"""LoRA against full fine-tuning: trainable parameters, step time, peak memory
and the held-out metric, on the embedded WordNet task and on Debian's manual
page sections (`keras_albert.datasets.local_text`).

For each data set: a SentencePiece vocabulary and `keras-albert pretrain`
(albert_tiny, a few hundred steps) on its training texts (`finetune_lr.py`'s
preparation), then `keras-albert finetune` of that model, each run in its own
process (its peak resident memory is the process's): full fine-tuning, and
LoRA at each `--ranks` on query and value, all with `--learning-rate auto`
(LoRA wants a larger rate than full fine-tuning; the range test finds each),
the same seed, epochs and rows. Prints a Markdown table.

    cd bench && python lora_compare.py --out out/lora --limit 4000 --epochs 3
"""

import argparse
import collections
import json
import os
import subprocess
import sys
from pathlib import Path

from finetune_lr import prepare

from keras_albert.datasets import load_wordnet, local_text


def wordnet_rows(min_count=200):
    """The embedded task's train and validation glosses of its commoner
    classes (a rare class can fall in the eval split only, once sampled)."""
    rows = [{"text": row["text"], "label": row["label"]}
            for split in ("train", "validation") for row in load_wordnet(split)]
    counts = collections.Counter(row["label"] for row in rows)
    return [row for row in rows if counts[row["label"]] >= min_count]


DATA_SETS = {"WordNet glosses (embedded)": wordnet_rows,
             "Debian man pages": local_text.man_page_names}


def finetune_process(directory, out, epochs, lora_rank=None):
    """One `keras-albert finetune` in a child process: (metrics.json, peak
    resident memory in MB)."""
    command = [sys.executable, "-m", "keras_albert.cli", "finetune", "--task", "classify",
               "--model", str(directory / "pretrain" / "model"),
               "--train", str(directory / "train.jsonl"),
               "--eval", str(directory / "eval.jsonl"), "--out", str(out),
               "--epochs", str(epochs), "--learning-rate", "auto"]
    if lora_rank:
        command += ["--lora-rank", str(lora_rank)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"finetune failed: {' '.join(command)}")
    return json.loads((out / "metrics.json").read_text()), usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--pretrain-steps", type=int, default=300)
    parser.add_argument("--vocab-size", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=4000, help="rows of each data set")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--ranks", type=int, nargs="+", default=[4, 16])
    args = parser.parse_args()
    out = Path(args.out)
    results = {}
    for name, build in DATA_SETS.items():
        directory, train, held_out, _ = prepare(name, build, out, args.pretrain_steps,
                                                args.vocab_size, limit=args.limit)
        runs = {"full": finetune_process(directory, directory / "full", args.epochs)}
        for rank in args.ranks:
            runs[f"LoRA r={rank}"] = finetune_process(directory, directory / f"lora_{rank}",
                                                      args.epochs, rank)
        results[name] = {"train": train, "eval": held_out, "runs": {}}
        for label, (summary, peak_mb) in runs.items():
            # The range test's steps are in train_seconds too.
            steps = (summary["epochs_run"] * -(-train // 32)
                     + summary["learning_rate_search"]["steps"])
            results[name]["runs"][label] = {
                "trainable": summary.get("lora", {}).get("trainable_parameters"),
                "accuracy": summary["eval_metrics"]["accuracy"],
                "majority": summary["majority_baseline"]["accuracy"],
                "rate": summary["learning_rate"], "epochs_run": summary["epochs_run"],
                "ms_per_step": 1000 * summary["train_seconds"] / steps,
                "peak_mb": peak_mb}
        print(json.dumps({name: results[name]}), flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print("\n| data set (train / eval) | run | trainable parameters | ms a step | "
          "peak memory (MB) | rate (auto) | accuracy | majority |")
    print("|---|---|---|---|---|---|---|---|")
    for name, row in results.items():
        for label, run in row["runs"].items():
            trainable = "all" if run["trainable"] is None else f"{run['trainable']:,}"
            print(f"| {name} ({row['train']} / {row['eval']}) | {label} | {trainable} | "
                  f"{run['ms_per_step']:.0f} | {run['peak_mb']:.0f} | {run['rate']:.2g} | "
                  f"{run['accuracy']:.3f} | {run['majority']:.3f} |")


if __name__ == "__main__":
    main()
