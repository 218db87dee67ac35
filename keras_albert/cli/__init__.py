"""`keras-albert`: the command line. It parses arguments and calls the library.

One module per group of subcommands; each adds its parsers with
`add_parsers(commands)` and sets `run` to a function of the parsed arguments.
Choices and defaults come from the library, never copies of it.
"""

import argparse
import sys
import warnings

from keras_albert.cli import (
    data,
    embed,
    export,
    finetune,
    models,
    prepare,
    pretrain,
    quickstart,
)

GROUPS = (models, quickstart, data, prepare, pretrain, finetune, embed, export)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-albert", description="ALBERT for Keras 3 on TensorFlow."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parsers(commands)
    return parser


def _one_line_warning(message, category, filename, lineno, line=None):
    return f"keras-albert: warning: {message}\n"


def main(argv=None):
    warnings.formatwarning = _one_line_warning
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "takes_unknown", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "export" and args.format == "saved-model" and not args.name:
        parser.error("export saved-model needs --name")
    try:
        if getattr(args, "takes_unknown", False):
            return args.run(args, unknown) or 0
        return args.run(args) or 0
    except ValueError as error:  # bad input: one line, no traceback
        print(f"keras-albert: error: {error}", file=sys.stderr)
        return 2
