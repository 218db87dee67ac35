"""`keras-albert`: the command line. It parses arguments and calls the library."""

import argparse
import json
import os
import sys
import warnings

from keras_albert.finetune.config import CLASS_WEIGHTS, DTYPES, FinetuneConfig
from keras_albert.finetune.registry import TASKS

# The FinetuneConfig fields `finetune` takes from its options one to one.
FINETUNE_SETTINGS = ("text_columns", "label_column", "vocab", "sequence_length",
                     "batch_size", "epochs", "learning_rate", "warmup_fraction",
                     "patience", "class_weight", "group_by_length", "dtype",
                     "jit_compile", "seed")


def _presets(args):
    from keras_albert.models.presets import (
        PRESET_WEIGHTS,
        PRESETS,
        count_backbone_params,
    )

    for name, config in PRESETS.items():
        weights = PRESET_WEIGHTS[name] or "none (random: needs --vocab)"
        print(f"{name:20s} L={config['num_layers']:<3d} H={config['hidden_dim']:<5d} "
              f"E={config['embedding_dim']:<4d} {count_backbone_params(config):>12,d} "
              f"backbone parameters  weights: {weights}")


def _quickstart(args):
    from keras_albert.quickstart import run_quickstart

    run_quickstart(args.out, minutes=args.minutes)


def _convert(args):
    from keras_albert.convert import convert
    from keras_albert.hub import copy_pretrained

    if args.source_format is None or not os.path.exists(args.source):  # a name
        if args.lowercase is not None:
            raise ValueError("--cased/--uncased apply to a checkpoint on disk with "
                             f"--from; a name brings its own. Received: {args.source}")
        copy_pretrained(args.source, args.out, overwrite=args.overwrite)
        print(f"Wrote {args.source} to {args.out}")
        return
    print(f"Converting {args.source_format} checkpoint {args.source} ...")
    model = convert(args.source_format, args.source, args.out, overwrite=args.overwrite,
                    verbose=True, lowercase=args.lowercase)
    print(f"Wrote {type(model).__name__} ({model.count_params():,d} parameters) to "
          f"{args.out}")


def _cache(args):
    from keras_albert.hub import cache_root, clear, list_entries

    if args.action == "clear":
        print(f"Removed {clear()} converted models from {cache_root()}")
        return
    entries = list_entries()
    for entry in entries:
        source = entry["source"]
        revision = source.get("commit") or source.get("revision") or ""
        print(f"{source.get('name', '?')}  {revision[:12]}  "
              f"{entry['bytes'] / 1e6:.1f} MB  {entry['path']}")
    print(f"{len(entries)} converted models in {cache_root()}")


def _vocab(args):
    from keras_albert.text import train_vocabulary

    model = train_vocabulary(args.input, args.vocab_size, args.out,
                             lowercase=not args.cased, keep_accents=args.keep_accents)
    print(f"Wrote {model} ({args.vocab_size} pieces)")


def _data(args):
    from keras_albert.datasets import write_wordnet, write_wordnet_corpus

    paths = write_wordnet(args.out, limit=args.limit)
    paths.append(write_wordnet_corpus(f"{args.out}/corpus.txt", limit=args.limit))
    print("Wrote " + ", ".join(map(str, paths)))


def _pretrain(args):
    from keras_albert.training.pretrain import run_pretraining

    run_pretraining(args.preset, args.vocab, args.input, args.out, steps=args.steps,
                    batch_size=args.batch_size, sequence_length=args.sequence_length,
                    max_predictions=args.max_predictions,
                    learning_rate=args.learning_rate, warmup_steps=args.warmup_steps,
                    checkpoint_every=args.checkpoint_every,
                    validation_fraction=args.validation_fraction,
                    input_format=args.input_format, dupe_factor=args.dupe_factor,
                    seed=args.seed, dtype=args.dtype, execution=args.execution,
                    strategy=args.strategy, tpu=args.tpu, jit_compile=args.jit_compile)
    print(f"Wrote {args.out}/model")


def _finetune(args):
    from keras_albert.finetune import finetune

    label_names = None
    if args.labels:
        label_names = [name for name in args.labels.split(",") if name]
    verbose = 1 if sys.stdout.isatty() else 2  # no progress bars in log files
    settings = {name: getattr(args, name) for name in FINETUNE_SETTINGS}
    summary = finetune(args.task, args.model, args.train, args.out, eval=args.eval,
                       config=FinetuneConfig(label_names=label_names, verbose=verbose,
                                             **settings))
    print(json.dumps({k: summary[k] for k in ("eval_metrics", "majority_baseline",
                                               "train_seconds") if k in summary}))
    print(f"Wrote {args.out}/model and {args.out}/metrics.json")


def _evaluate(args):
    from keras_albert.finetune import evaluate

    print(json.dumps(evaluate(args.model, args.data, batch_size=args.batch_size)))


def _predict(args):
    from keras_albert.files import atomic_path
    from keras_albert.finetune import predict

    data = args.input
    if data == "-":  # stdin: one text a line (tab-separated pairs)
        data = _stdin_table(args.model)
    try:
        predictions = predict(args.model, data, batch_size=args.batch_size)
    finally:
        if args.input == "-":
            os.remove(data)
    lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions)
    if args.out:
        with atomic_path(args.out) as temporary:
            temporary.write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)


def _export(args):
    if args.format == "saved-model":
        from keras_albert.export import export_saved_model

        path = export_saved_model(args.model, args.out, args.name, version=args.version,
                                  sequence_length=args.sequence_length,
                                  overwrite=args.overwrite)
    elif args.format == "tflite":
        from keras_albert.export import export_tflite
        from keras_albert.finetune import read_texts

        texts = None
        if args.representative:
            texts, _ = read_texts(args.model, args.representative)
        path = export_tflite(args.model, args.out, quantize=args.quantize,
                             representative=texts, with_tokenizer=args.with_tokenizer,
                             batch_size=args.batch_size,
                             sequence_length=args.sequence_length,
                             keep_float=None if args.keep_float == "none" else args.keep_float)
    else:
        from keras_albert.export import export_onnx

        path = export_onnx(args.model, args.out, opset=args.opset, quantize=args.quantize)
    print(f"Wrote {path}")


def _verify(args):
    from keras_albert.export import format_table, verify
    from keras_albert.export.encoder import saved_as_encoder
    from keras_albert.files import atomic_path
    from keras_albert.finetune import read_texts

    texts, labels = read_texts(args.model, args.data, limit=args.limit,
                               with_labels=not saved_as_encoder(args.model))
    report = verify(args.model, args.artifacts, texts, labels)
    print(format_table(report))
    if args.json:
        with atomic_path(args.json) as temporary:
            temporary.write_text(json.dumps(report, indent=2))
    if not report["passed"]:
        print("keras-albert: verify: an artifact missed its bounds", file=sys.stderr)
        return 1
    return 0


def _stdin_table(model):
    """Standard input as a temporary JSONL file with the model's text columns."""
    import tempfile

    from keras_albert.locate import locate
    from keras_albert.models.pretrained import read_config

    columns = read_config(locate(model)).get("source", {}).get("finetune", {}).get(
        "text_columns", ["text"])
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False,
                                         encoding="utf-8")
    with handle:
        for line in sys.stdin.buffer:
            cells = line.decode("utf-8", errors="replace").rstrip("\n").split("\t")
            handle.write(json.dumps(dict(zip(columns, cells, strict=False))) + "\n")
    return handle.name


def _add_no_xla(parser):
    parser.add_argument("--no-xla", dest="jit_compile", action="store_false",
                        help="train without XLA (jit_compile=False): to debug, or "
                        "when compiling would take longer than a short run")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-albert", description="ALBERT for Keras 3 on TensorFlow."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    presets = commands.add_parser("presets", help="list the architecture presets")
    presets.set_defaults(run=_presets)

    quickstart = commands.add_parser(
        "quickstart", help="vocabulary, pretraining, fine-tuning, exports and their "
        "verification on the embedded WordNet data, with a report")
    quickstart.add_argument("--out", default="out/quickstart", help="output directory "
                            "(a rerun resumes; other settings start it clean)")
    quickstart.add_argument("--minutes", type=float, default=10,
                            help="time budget on 2 CPU cores: more, better models")
    quickstart.set_defaults(run=_quickstart)

    convert = commands.add_parser(
        "convert", help="convert an original, transformers or keras-hub checkpoint, "
        "or a pretrained model by name"
    )
    convert.add_argument("--from", dest="source_format",
                         choices=["original", "hf", "keras-hub"],
                         help="the format of a checkpoint on disk (a name needs none)")
    convert.add_argument("source", help="checkpoint directory (or .tar.gz release), or "
                         "a name: albert/albert-base-v2, hf://ORG/NAME@REV, a "
                         "keras-hub preset, a release archive's URL")
    convert.add_argument("--out", required=True, help="pretrained directory to write")
    convert.add_argument("--overwrite", action="store_true",
                         help="replace --out if it exists")
    case = convert.add_mutually_exclusive_group()
    case.add_argument("--cased", dest="lowercase", action="store_false", default=None,
                      help="the vocabulary is cased: do not lower-case text")
    case.add_argument("--uncased", dest="lowercase", action="store_true",
                      help="lower-case text before SentencePiece")
    convert.set_defaults(run=_convert)

    cache = commands.add_parser(
        "cache", help="list or clear the converted pretrained models "
        "(KERAS_ALBERT_CACHE)")
    cache.add_argument("action", choices=["list", "clear"])
    cache.set_defaults(run=_cache)

    data = commands.add_parser(
        "data", help="write the embedded WordNet task (train/validation/test.jsonl) "
        "and its pretraining corpus (corpus.txt)"
    )
    data.add_argument("name", choices=["wordnet"])
    data.add_argument("--out", required=True, help="directory to write")
    data.add_argument("--limit", type=int,
                      help="about this many examples a split (spread evenly)")
    data.set_defaults(run=_data)

    vocab = commands.add_parser(
        "vocab", help="train a SentencePiece vocabulary with ALBERT's special pieces"
    )
    vocab.add_argument("--input", nargs="+", required=True,
                       help="UTF-8 text files, one sentence a line")
    vocab.add_argument("--vocab-size", type=int, default=30000)
    vocab.add_argument("--out", required=True, help="vocabulary directory to write")
    vocab.add_argument("--cased", action="store_true", help="do not lower-case")
    vocab.add_argument("--keep-accents", action="store_true",
                       help="do not strip accents")
    vocab.set_defaults(run=_vocab)

    pretrain = commands.add_parser(
        "pretrain", help="pretrain MLM + SOP on text files; rerun to resume"
    )
    pretrain.add_argument("--preset", default="albert_tiny")
    pretrain.add_argument("--vocab", required=True, help="vocabulary directory")
    pretrain.add_argument("--input", nargs="+", required=True,
                          help="text files or directories")
    pretrain.add_argument("--input-format", default="sentences",
                          choices=["sentences", "plain", "jsonl"])
    pretrain.add_argument("--out", required=True)
    pretrain.add_argument("--steps", type=int, default=1000)
    pretrain.add_argument("--checkpoint-every", type=int, default=100)
    pretrain.add_argument("--batch-size", type=int, default=32)
    pretrain.add_argument("--sequence-length", type=int, default=128)
    pretrain.add_argument("--max-predictions", type=int, default=20)
    pretrain.add_argument("--learning-rate", type=float, default=1e-3)
    pretrain.add_argument("--warmup-steps", type=int,
                          help="linear warm-up steps (default: 10%% of --steps)")
    pretrain.add_argument("--validation-fraction", type=float, default=0.05,
                          help="share of documents held out for validation")
    pretrain.add_argument("--dupe-factor", type=int, default=5,
                          help="passes over the corpus making sentence-order pairs")
    pretrain.add_argument("--seed", type=int, default=0)
    pretrain.add_argument("--dtype", choices=["mixed_bfloat16", "mixed_float16"],
                          help="mixed precision (float16 with loss scaling)")
    pretrain.add_argument("--execution", choices=["unrolled", "loop"], default="loop")
    pretrain.add_argument("--strategy", default="default",
                          choices=["default", "mirrored", "multi-worker", "tpu"],
                          help="tf.distribute strategy; --batch-size is global")
    pretrain.add_argument("--tpu", help="TPU name or address (--strategy tpu); "
                          "'local' on a TPU VM")
    _add_no_xla(pretrain)
    pretrain.set_defaults(run=_pretrain)

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
    finetune.add_argument("--epochs", type=int)
    finetune.add_argument("--learning-rate", type=float)
    finetune.add_argument("--warmup-fraction", type=float)
    finetune.add_argument("--patience", type=int,
                          help="epochs without improvement before stopping")
    finetune.add_argument("--class-weight", choices=[c for c in CLASS_WEIGHTS if c])
    finetune.add_argument("--no-group-by-length", dest="group_by_length",
                          action="store_false",
                          help="pad every batch to --sequence-length instead of "
                          "batching texts of similar length together")
    finetune.add_argument("--dtype", choices=[d for d in DTYPES if d])
    _add_no_xla(finetune)
    finetune.add_argument("--seed", type=int)
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
    evaluate.set_defaults(run=_evaluate)

    predict = commands.add_parser(
        "predict", help="predictions of a fine-tuned model as JSONL")
    predict.add_argument("model", help="the model directory finetune wrote, or a "
                         "classifier's name on the Hub")
    predict.add_argument("--input", default="-", help="CSV/TSV/JSONL file, or - "
                         "for standard input (one text a line, tab between a pair)")
    predict.add_argument("--out", help="JSONL file to write (default: stdout)")
    predict.add_argument("--batch-size", type=int, default=32)
    predict.set_defaults(run=_predict)

    export = commands.add_parser(
        "export", help="export a model for TF Serving, TFLite or ONNX")
    export.add_argument("format", choices=["saved-model", "tflite", "onnx"])
    export.add_argument("model", help="pretrained or fine-tuned model directory, or "
                        "a name (albert/albert-base-v2, hf://ORG/NAME@REV, ...)")
    export.add_argument("--out", required=True, help="saved-model: the TF Serving base "
                        "path (writes OUT/NAME/VERSION); tflite/onnx: the file")
    export.add_argument("--name", help="saved-model: the model name")
    export.add_argument("--version", type=int, default=1, help="saved-model: version")
    export.add_argument("--overwrite", action="store_true",
                        help="saved-model: replace an existing version")
    export.add_argument("--quantize", default="none",
                        choices=["none", "float16", "dynamic", "int8"],
                        help="tflite: weights (and, for int8, activations); onnx: "
                        "none or dynamic")
    export.add_argument("--representative", help="tflite int8: texts to calibrate "
                        "on (a data file in the model's format, or .txt, one a line)")
    export.add_argument("--keep-float", default="all-but-dense",
                        choices=["all-but-dense", "attention", "none"],
                        help="tflite int8: ops left in float (default: all but the "
                        "dense layers; plain int8 loses labels)")
    export.add_argument("--with-tokenizer", action="store_true",
                        help="tflite: take raw text (tensorflow-text custom ops)")
    export.add_argument("--batch-size", type=int, help="tflite: fixed batch size")
    export.add_argument("--sequence-length", type=int, help="fixed token length "
                        "(tflite), or the packing length of raw-text signatures")
    export.add_argument("--opset", type=int, default=17, help="onnx: opset (>= 17)")
    export.set_defaults(run=_export)

    check = commands.add_parser(
        "verify", help="run exported artifacts against the Keras model and check "
        "their bounds (exit 1 when one misses)")
    check.add_argument("model", help="the model directory (or name) that was exported")
    check.add_argument("artifacts", nargs="+",
                       help="SavedModel version directories, .tflite and .onnx files")
    check.add_argument("--data", required=True, help="labelled held-out file")
    check.add_argument("--limit", type=int, help="use N examples spread over the file")
    check.add_argument("--json", help="also write the report as JSON")
    check.set_defaults(run=_verify)
    return parser


def _one_line_warning(message, category, filename, lineno, line=None):
    return f"keras-albert: warning: {message}\n"


def main(argv=None):
    warnings.formatwarning = _one_line_warning
    args = build_parser().parse_args(argv)
    if args.command == "export" and args.format == "saved-model" and not args.name:
        build_parser().error("export saved-model needs --name")
    try:
        return args.run(args) or 0
    except ValueError as error:  # bad input: one line, no traceback
        print(f"keras-albert: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
