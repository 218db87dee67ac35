"""`finetune`, `evaluate` and `predict`."""

import argparse
import json
import os
import sys
import tempfile

from keras_albert.cli.options import add_no_xla, add_strategy
from keras_albert.files import atomic_path
from keras_albert.finetune import evaluate, finetune, predict
from keras_albert.finetune.config import (
    CLASS_WEIGHTS,
    DTYPES,
    LONG_TEXT,
    FinetuneConfig,
)
from keras_albert.finetune.registry import TASKS
from keras_albert.locate import locate
from keras_albert.models.lora import TARGETS
from keras_albert.models.pretrained import read_config

# The FinetuneConfig fields `finetune` takes from its options one to one.
FINETUNE_SETTINGS = ("text_columns", "label_column", "vocab", "sequence_length",
                     "batch_size", "epochs", "learning_rate", "warmup_fraction",
                     "patience", "class_weight", "group_by_length", "dtype",
                     "jit_compile", "seed", "restarts", "lora_rank", "lora_targets",
                     "strategy", "tpu", "head_dropout", "max_answer_length",
                     "long_text", "stride")


def _finetune(args):
    label_names = None
    if args.labels:
        label_names = [name for name in args.labels.split(",") if name]
    verbose = 1 if sys.stdout.isatty() else 2  # no progress bars in log files
    settings = {name: getattr(args, name) for name in FINETUNE_SETTINGS}
    settings["lora_targets"] = tuple(settings["lora_targets"])
    summary = finetune(args.task, args.model, args.train, args.out, eval=args.eval,
                       config=FinetuneConfig(label_names=label_names, verbose=verbose,
                                             **settings))
    print(json.dumps({k: summary[k] for k in ("eval_metrics", "majority_baseline",
                                               "train_seconds") if k in summary}))
    if summary.get("chief", True):
        print(f"Wrote {args.out}/model and {args.out}/metrics.json")
    else:
        print(f"This worker wrote nothing: the chief writes {args.out}")


def _evaluate(args):
    metrics = evaluate(args.model, args.data, batch_size=args.batch_size,
                       log=lambda message: print(message, file=sys.stderr),
                       max_answer_length=args.max_answer_length)
    print(json.dumps(metrics))


def _predict(args):
    data = args.input
    if data == "-":  # stdin: one text a line (tab-separated pairs)
        data = _stdin_table(args.model)
    try:
        predictions = predict(args.model, data, batch_size=args.batch_size,
                              n_best=args.n_best, max_answer_length=args.max_answer_length)
    finally:
        if args.input == "-":
            os.remove(data)
    lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions)
    if args.out:
        with atomic_path(args.out) as temporary:
            temporary.write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)


def _stdin_table(model):
    """Standard input as a temporary JSONL file with the model's text columns."""
    columns = read_config(locate(model)).get("source", {}).get("finetune", {}).get(
        "text_columns", ["text"])
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False,
                                         encoding="utf-8")
    with handle:
        for line in sys.stdin.buffer:
            cells = line.decode("utf-8", errors="replace").rstrip("\n").split("\t")
            handle.write(json.dumps(dict(zip(columns, cells, strict=False))) + "\n")
    return handle.name


def _or_auto(kind):
    """An argparse type: `kind(text)`, or the string "auto"."""
    def parse(text):
        if text == "auto":
            return text
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'an integer' if kind is int else 'a number'} or 'auto', "
                f"got {text!r}") from None
    return parse


def add_max_answer_length(parser, default="(default: 30)"):
    parser.add_argument("--max-answer-length", type=int, metavar="PIECES",
                        help=f"qa: the longest answer, in pieces {default}")


def add_parsers(commands):
    finetune = commands.add_parser(
        "finetune", help="fine-tune on a CSV, TSV or JSONL file")
    finetune.add_argument("--task", required=True, choices=TASKS)
    finetune.add_argument("--model", required=True,
                          help="pretrained directory or name (albert/albert-base-v2, "
                          "hf://ORG/NAME, a keras-hub preset), or a preset with --vocab "
                          "for random weights")
    finetune.add_argument("--vocab", help="vocabulary directory (for a preset)")
    finetune.add_argument("--train", required=True)
    finetune.add_argument("--eval", help="held-out file: early stopping, best "
                          "weights and the metrics in metrics.json")
    finetune.add_argument("--out", required=True)
    finetune.add_argument("--text-column", dest="text_columns", nargs="+",
                          help="text column(s): one, or two for --task pair")
    finetune.add_argument("--label-column",
                          help="label column (default: label; tags for --task tag)")
    finetune.add_argument("--labels", help="comma-separated label names (default: "
                          "the labels found in --train)")
    finetune.add_argument("--sequence-length", type=int)
    finetune.add_argument("--batch-size", type=int)
    finetune.add_argument("--epochs", type=_or_auto(int),
                          help="at most this many epochs, or auto (default): about "
                          "1,000 steps, 3 to 20 epochs")
    finetune.add_argument("--learning-rate", type=_or_auto(float),
                          help="peak learning rate, or auto (default): a range test "
                          "on the training data picks it")
    finetune.add_argument("--warmup-fraction", type=float)
    finetune.add_argument("--patience", type=int,
                          help="epochs without improvement before stopping")
    finetune.add_argument("--class-weight", choices=[c for c in CLASS_WEIGHTS if c])
    finetune.add_argument("--no-group-by-length", dest="group_by_length",
                          action="store_false",
                          help="pad every batch to --sequence-length instead of "
                          "batching texts of similar length together")
    finetune.add_argument("--dtype", choices=[d for d in DTYPES if d])
    add_no_xla(finetune)
    add_strategy(finetune)
    finetune.add_argument("--head-dropout", type=float,
                          help="dropout before the task's head (default 0.1)")
    finetune.add_argument("--long-text", choices=LONG_TEXT,
                          help="classify/regress/tag: a text longer than "
                          "--sequence-length is truncated (default) or read in "
                          "overlapping windows")
    finetune.add_argument("--stride", type=int, metavar="PIECES",
                          help="--long-text window: pieces a window moves on "
                          "(default: half a window)")
    finetune.add_argument("--seed", type=int)
    finetune.add_argument("--restarts", type=int,
                          help="fine-tune N times (seeds --seed, --seed + 1, ...) and "
                          "keep the run best on --eval")
    finetune.add_argument("--lora-rank", type=int, metavar="R",
                          help="train rank-R LoRA updates of the backbone's dense layers "
                          "and the head only (the backbone frozen); writes the merged "
                          "model and OUT/adapter (the trained weights alone)")
    finetune.add_argument("--lora-targets", nargs="+", choices=list(TARGETS),
                          metavar="LAYER", help="the dense layers LoRA adapts: "
                          f"{', '.join(TARGETS)} (default: query value)")
    add_max_answer_length(finetune)
    # Defaults are FinetuneConfig's, so the command and the Python call agree.
    finetune.set_defaults(**{name: getattr(FinetuneConfig(), name)
                             for name in FINETUNE_SETTINGS})
    finetune.set_defaults(run=_finetune)
    evaluate = commands.add_parser(
        "evaluate", help="the task metrics of a fine-tuned model on a labelled file")
    evaluate.add_argument("model", help="the model directory finetune wrote, or a "
                          "classifier's name on the Hub")
    evaluate.add_argument("--data", required=True)
    evaluate.add_argument("--batch-size", type=int, default=32)
    add_max_answer_length(evaluate, "(default: the model's)")
    evaluate.set_defaults(run=_evaluate)
    predict = commands.add_parser(
        "predict", help="predictions of a fine-tuned model as JSONL")
    predict.add_argument("model", help="the model directory finetune wrote, or a "
                         "classifier's name on the Hub")
    predict.add_argument("--input", default="-", help="CSV/TSV/JSONL file, or - "
                         "for standard input (one text a line, tab between a pair)")
    predict.add_argument("--out", help="JSONL file to write (default: stdout)")
    predict.add_argument("--batch-size", type=int, default=32)
    predict.add_argument("--n-best", type=int, metavar="N",
                         help="qa: also write the N best answers of each question "
                         "(text, probability, score, start and end logit) and its "
                         "null score")
    add_max_answer_length(predict, "(default: the model's)")
    predict.set_defaults(run=_predict)
