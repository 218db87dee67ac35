"""`embed`: one unit-length sentence vector per text, as JSON lines."""

import json
import sys

from keras_albert.finetune.embedding import DEFAULT_TEXT_COLUMN, embed_file


def _embed(args):
    source = sys.stdin.buffer if args.input == "-" else args.input
    report = embed_file(args.model, source, args.out or sys.stdout,
                        text_column=args.text_column, batch_size=args.batch_size,
                        sequence_length=args.sequence_length)
    # The vectors may be on stdout: what was done goes to stderr.
    print(json.dumps(report), file=sys.stderr)
    if args.out:
        print(f"Wrote {report['texts']} vectors to {args.out}", file=sys.stderr)


def add_parsers(commands):
    embed = commands.add_parser(
        "embed", help="sentence vectors (masked mean, unit length) of texts, as JSONL")
    embed.add_argument("model", help="pretrained or fine-tuned model directory, or a "
                       "name (albert/albert-base-v2, hf://ORG/NAME@REV, ...)")
    embed.add_argument("--input", default="-", help="CSV/TSV/JSONL file (its "
                       "--text-column), any other file with one text a line, or - "
                       "for standard input (one text a line)")
    embed.add_argument("--out", help="JSONL file to write, one {\"row\", \"embedding\"} "
                       "a text (default: stdout)")
    embed.add_argument("--text-column", default=DEFAULT_TEXT_COLUMN,
                       help=f"the text column of a table (default: {DEFAULT_TEXT_COLUMN})")
    embed.add_argument("--batch-size", type=int, default=32)
    embed.add_argument("--sequence-length", type=int, help="pack texts to this many "
                       "pieces (default: the model's saved length, else 128); longer "
                       "texts are truncated and counted")
    embed.set_defaults(run=_embed)
