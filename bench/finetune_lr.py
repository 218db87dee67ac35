"""`finetune --learning-rate auto` against a grid of fixed rates, on three real
data sets the machine carries (`keras_albert.datasets.local_text`: Python
docstrings, Debian manual pages, Debian package descriptions).

For each data set: a SentencePiece vocabulary and `keras-albert pretrain`
(albert_tiny, a few hundred steps) on its training texts, then `finetune` of
that model with each fixed rate of the grid and with `auto`, every run with
the same seed and the other defaults (`--epochs auto`, early stopping on the
held-out split); also the old defaults (5e-5, 3 epochs) for reference. Prints a
Markdown table of held-out accuracy.

    python bench/finetune_lr.py --out lr_bench --pretrain-steps 300

`--model DIR` fine-tunes that model instead (e.g. an albert_base-shaped model
converted with `keras-albert convert`), with its own vocabulary; `--data-sets`,
`--limit` (rows of each set) and `--epochs` narrow the run where each step is
slow:

    python bench/finetune_lr.py --out lr_base --model base --data-sets man --epochs 3 --rates 3e-5 1e-4 3e-4 --limit 600
"""

import argparse
import json
import statistics
import time
from pathlib import Path

from keras_albert.datasets import local_text
from keras_albert.finetune import finetune
from keras_albert.sampling import evenly_spaced
from keras_albert.text import train_vocabulary
from keras_albert.training.pretrain import run_pretraining

DATA_SETS = {"Python docstrings": local_text.python_docstrings,
             "Debian man pages": local_text.man_page_names,
             "Debian package descriptions": local_text.package_descriptions}
SHORT_NAMES = {"docstrings": "Python docstrings", "man": "Debian man pages",
               "packages": "Debian package descriptions"}
GRID = (5e-5, 1e-4, 3e-4, 1e-3, 3e-3)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def prepare(name, build, out, pretrain_steps, vocab_size, model=None, limit=None):
    directory = out / name.lower().replace(" ", "_")
    directory.mkdir(parents=True, exist_ok=True)
    rows = build()
    train, held_out = local_text.split_rows(evenly_spaced(rows, limit) if limit else rows)
    write_jsonl(directory / "train.jsonl", train)
    write_jsonl(directory / "eval.jsonl", held_out)
    corpus = directory / "corpus.txt"
    corpus.write_text("".join(row["text"] + "\n" for row in train), encoding="utf-8")
    if model is not None:
        (directory / "pretrain").mkdir(exist_ok=True)
        link = directory / "pretrain" / "model"
        if not link.exists():
            link.symlink_to(Path(model).resolve())
    elif not (directory / "pretrain" / "model").is_dir():
        train_vocabulary(corpus, vocab_size, directory / "vocab")
        run_pretraining("albert_tiny", directory / "vocab", [corpus], directory / "pretrain",
                        steps=pretrain_steps, sequence_length=64, verbose=0)
    words = statistics.mean(len(row["text"].split()) for row in train)
    return directory, len(train), len(held_out), words


def run(directory, learning_rate, epochs="auto"):
    started = time.perf_counter()
    tag = f"{learning_rate}_{epochs}"
    summary = finetune("classify", directory / "pretrain" / "model",
                       directory / "train.jsonl", directory / "runs" / tag,
                       eval=directory / "eval.jsonl", learning_rate=learning_rate,
                       epochs=epochs, verbose=0, log=lambda message: None)
    return {"accuracy": summary["eval_metrics"]["accuracy"],
            "rate": summary["learning_rate"], "epochs_run": summary["epochs_run"],
            "baseline": summary["majority_baseline"]["accuracy"],
            "seconds": time.perf_counter() - started}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--pretrain-steps", type=int, default=300)
    parser.add_argument("--vocab-size", type=int, default=1000)
    parser.add_argument("--rates", type=float, nargs="+", default=GRID)
    parser.add_argument("--model", help="fine-tune this model instead of pretraining one")
    parser.add_argument("--data-sets", nargs="+", choices=SHORT_NAMES,
                        default=list(SHORT_NAMES))
    parser.add_argument("--limit", type=int, help="rows of each data set, evenly spaced")
    parser.add_argument("--epochs", default="auto",
                        type=lambda text: text if text == "auto" else int(text))
    args = parser.parse_args()
    out = Path(args.out)
    results = {}
    for short in args.data_sets:
        name = SHORT_NAMES[short]
        directory, train, held_out, words = prepare(name, DATA_SETS[name], out,
                                                    args.pretrain_steps, args.vocab_size,
                                                    args.model, args.limit)
        row = {"train": train, "eval": held_out, "words": words,
               "old defaults": run(directory, 5e-5, 3),
               "grid": {rate: run(directory, rate, args.epochs) for rate in args.rates},
               "auto": run(directory, "auto", args.epochs)}
        results[name] = row
        print(json.dumps({name: row}, default=str), flush=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    rates = " | ".join(f"{rate:g}" for rate in args.rates)
    print(f"\n| data set | train / eval | words a text | majority | old defaults "
          f"(5e-5, 3 epochs) | {rates} | best fixed | auto (rate found) | auto - best |")
    print("|---" * (len(args.rates) + 8) + "|")
    for name, row in results.items():
        grid = [row["grid"][rate]["accuracy"] for rate in args.rates]
        best = max(grid)
        auto = row["auto"]
        print(f"| {name} | {row['train']} / {row['eval']} | {row['words']:.0f} | "
              f"{auto['baseline']:.3f} | {row['old defaults']['accuracy']:.3f} | "
              + " | ".join(f"{value:.3f}" for value in grid)
              + f" | {best:.3f} | {auto['accuracy']:.3f} ({auto['rate']:.2g}) | "
              f"{100 * (auto['accuracy'] - best):+.1f} points |")


if __name__ == "__main__":
    main()
