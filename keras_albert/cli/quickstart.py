"""`quickstart`: the whole flow on the embedded data."""

from keras_albert.quickstart import run_quickstart


def _quickstart(args):
    run_quickstart(args.out, minutes=args.minutes)


def add_parsers(commands):
    quickstart = commands.add_parser(
        "quickstart", help="vocabulary, pretraining, fine-tuning, exports and their "
        "verification on the embedded WordNet data, with a report")
    quickstart.add_argument("--out", default="out/quickstart", help="output directory "
                            "(a rerun resumes; other settings start it clean)")
    quickstart.add_argument("--minutes", type=float, default=10,
                            help="time budget on 2 CPU cores: more, better models")
    quickstart.set_defaults(run=_quickstart)
