"""`export` and `verify`: TF Serving, TFLite and ONNX files, and their check."""

import json
import sys

from keras_albert.cli.options import defaults_of
from keras_albert.export import (
    export_onnx,
    export_saved_model,
    export_tflite,
    format_table,
    verify,
)
from keras_albert.export.encoder import saved_as_encoder
from keras_albert.export.int8 import FLOAT_IN_INT8
from keras_albert.export.serving import DTYPES
from keras_albert.export.tflite import QUANTIZATIONS
from keras_albert.files import atomic_path
from keras_albert.finetune import read_texts


def _export(args):
    if args.format == "saved-model":
        path = export_saved_model(args.model, args.out, args.name, version=args.version,
                                  sequence_length=args.sequence_length,
                                  overwrite=args.overwrite, dtype=args.dtype)
    elif args.format == "tflite":
        texts = None
        if args.representative:
            texts, _ = read_texts(args.model, args.representative)
        path = export_tflite(args.model, args.out, quantize=args.quantize,
                             representative=texts, with_tokenizer=args.with_tokenizer,
                             batch_size=args.batch_size,
                             sequence_length=args.sequence_length,
                             keep_float=None if args.keep_float == "none" else args.keep_float,
                             target_agreement=args.target_agreement, log=print)
    else:
        texts = None
        if args.representative:
            texts, _ = read_texts(args.model, args.representative)
        path = export_onnx(args.model, args.out, opset=args.opset, quantize=args.quantize,
                           representative=texts, with_tokenizer=args.with_tokenizer,
                           sequence_length=args.sequence_length)
    print(f"Wrote {path}")


def _verify(args):
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


def add_parsers(commands):
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
    export.add_argument("--dtype", default="float32", choices=DTYPES,
                        help="saved-model: compute in float32, or in bfloat16 "
                        "(mixed_bfloat16: float32 weights and outputs) for CPUs with "
                        "bfloat16 units")
    export.add_argument("--quantize", default="none", choices=QUANTIZATIONS,
                        help="tflite: weights (and, for int8, activations); onnx: "
                        "none, dynamic or int8 (static, calibrated)")
    export.add_argument("--representative", help="int8: texts to calibrate "
                        "on (a data file in the model's format, or .txt, one a line)")
    export.add_argument("--keep-float", default=defaults_of(export_tflite)["keep_float"],
                        choices=[*FLOAT_IN_INT8, "none"],
                        help="tflite int8: ops left in float (default: all but the "
                        "dense layers; plain int8 loses labels)")
    export.add_argument("--target-agreement", type=float, metavar="SHARE",
                        help="tflite int8: measure which op groups must stay float "
                        "for this share of held-out representative texts to keep "
                        "the Keras model's label (e.g. 0.99, verify's bound); "
                        "replaces --keep-float; the export fails if no choice meets it")
    export.add_argument("--with-tokenizer", action="store_true",
                        help="take raw text: tflite with tensorflow-text's custom ops, "
                        "onnx with onnxruntime-extensions'")
    export.add_argument("--batch-size", type=int, help="tflite: fixed batch size")
    export.add_argument("--sequence-length", type=int, help="fixed token length "
                        "(tflite), or the packing length of raw-text signatures")
    minimum = defaults_of(export_onnx)["opset"]
    export.add_argument("--opset", type=int, default=minimum,
                        help=f"onnx: opset (>= {minimum})")
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
