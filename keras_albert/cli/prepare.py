"""`prepare`: a text corpus to sharded TFRecords for `pretrain --data`."""

import json

from keras_albert.cli.options import defaults_of
from keras_albert.text.corpus import FORMATS
from keras_albert.text.segmenters import SEGMENTERS
from keras_albert.training.prepare import prepare

# prepare's arguments the command passes on as they are.
SETTINGS = ("input_format", "text_field", "sequence_length", "dupe_factor",
            "short_seq_prob", "seed", "shards", "validation_fraction", "whole_word",
            "workers", "runner", "overwrite")


def _prepare(args, beam_arguments):
    if beam_arguments and args.runner is None:
        raise ValueError(f"Unrecognized arguments (Beam pipeline options are taken "
                         f"with --runner only). Received: {' '.join(beam_arguments)}")
    manifest = prepare(args.input, args.vocab, args.out,
                       pipeline_options=beam_arguments,
                       **{name: getattr(args, name) for name in SETTINGS})
    splits = ", ".join(f"{split} {entry['examples']} pairs in {len(entry['shards'])} shards"
                       for split, entry in manifest["splits"].items())
    report = manifest["report"]
    print(f"Wrote {args.out}: {splits}; {report['documents']} documents, "
          f"{report['bytes'] / 1e6:.1f} MB of text; skipped "
          f"{json.dumps(report['skipped']) if report['skipped'] else 'nothing'}")


def add_parsers(commands):
    command = commands.add_parser(
        "prepare", help="tokenize a corpus into sharded TFRecords of sentence-order "
        "pairs (in parallel, or on Apache Beam) for pretrain --data",
        description="Unknown --options after the known ones are passed to Beam's "
        "pipeline options (--project, --region, --temp_location, ...).")
    command.add_argument("--vocab", required=True, help="vocabulary directory")
    command.add_argument("--input", nargs="+", required=True,
                         help="text files, directories or glob patterns (local, gs://, ...)")
    command.add_argument("--out", required=True, help="output directory of the shards")
    command.add_argument("--input-format", choices=FORMATS)
    command.add_argument("--text-field", help="JSONL field holding a document's text")
    command.add_argument("--sequence-length", type=int)
    command.add_argument("--dupe-factor", type=int,
                         help="passes over each document, each split differently")
    command.add_argument("--short-seq-prob", type=float)
    command.add_argument("--seed", type=int)
    command.add_argument("--shards", type=int,
                         help="training shards (default: one per 16 MB of text)")
    command.add_argument("--validation-fraction", type=float,
                         help="share of documents held out for validation")
    command.add_argument("--whole-word", choices=SEGMENTERS,
                         help="record this segmenter's word starts for whole-word masking")
    command.add_argument("--workers", type=int,
                         help="local worker processes (default: one per core)")
    command.add_argument("--runner", help="run on Apache Beam with this runner "
                         "(DirectRunner, DataflowRunner, FlinkRunner, SparkRunner; "
                         "pip install keras-albert[beam])")
    command.add_argument("--overwrite", action="store_true",
                         help="replace a finished preparation in --out")
    defaults = defaults_of(prepare)
    command.set_defaults(run=_prepare, takes_unknown=True,
                         **{name: defaults[name] for name in SETTINGS})
