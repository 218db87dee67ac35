"""`pretrain`: MLM + sentence-order pretraining on text files or prepared shards."""

from keras_albert.cli.options import add_no_xla, add_strategy, defaults_of
from keras_albert.layers.shared_encoder import EXECUTION_MODES
from keras_albert.text.corpus import FORMATS
from keras_albert.text.segmenters import SEGMENTERS
from keras_albert.training.pretrain import MIXED_PRECISION, run_pretraining
from keras_albert.training.pretraining_inputs import VALIDATION_BATCHES

# run_pretraining's arguments the command passes on as they are.
SETTINGS = ("steps", "batch_size", "sequence_length", "max_predictions", "learning_rate",
            "warmup_steps", "checkpoint_every", "validation_fraction", "input_format",
            "dupe_factor", "seed", "dtype", "execution", "strategy", "tpu", "jit_compile",
            "whole_word", "data", "shuffle_buffer")


def _pretrain(args):
    run_pretraining(args.preset, args.vocab, args.input, args.out,
                    **{name: getattr(args, name) for name in SETTINGS})
    print(f"Wrote {args.out}/model")


def add_parsers(commands):
    pretrain = commands.add_parser(
        "pretrain", help="pretrain MLM + SOP on text files or prepared shards; rerun "
        "to resume"
    )
    pretrain.add_argument("--preset", default="albert_tiny")
    pretrain.add_argument("--vocab", help="vocabulary directory (default with --data: "
                          "the shards' vocabulary/)")
    source = pretrain.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", nargs="+", help="text files or directories")
    source.add_argument("--data", help="a directory of keras-albert prepare, or a glob "
                        "of its shards ('shards/*.tfrecord'): streamed; validation "
                        f"on at most {VALIDATION_BATCHES} batches of its validation shards")
    pretrain.add_argument("--input-format", choices=FORMATS, help="of --input")
    pretrain.add_argument("--out", required=True)
    pretrain.add_argument("--steps", type=int)
    pretrain.add_argument("--checkpoint-every", type=int)
    pretrain.add_argument("--batch-size", type=int)
    pretrain.add_argument("--sequence-length", type=int,
                          help="default: 128 with --input, the shards' with --data")
    pretrain.add_argument("--max-predictions", type=int)
    pretrain.add_argument("--learning-rate", type=float)
    pretrain.add_argument("--warmup-steps", type=int,
                          help="linear warm-up steps (default: 10%% of --steps)")
    pretrain.add_argument("--validation-fraction", type=float,
                          help="share of --input's documents held out for validation")
    pretrain.add_argument("--dupe-factor", type=int,
                          help="passes over --input making sentence-order pairs")
    pretrain.add_argument("--seed", type=int)
    pretrain.add_argument("--dtype", choices=MIXED_PRECISION,
                          help="mixed precision (float16 with loss scaling)")
    pretrain.add_argument("--execution", choices=EXECUTION_MODES)
    pretrain.add_argument("--whole-word", choices=SEGMENTERS,
                          help="mask whole words of this segmenter (Chinese: jieba, "
                          "pip install jieba); default: the vocabulary's words, each "
                          "CJK character one; with --data: the shards'")
    pretrain.add_argument("--shuffle-buffer", type=int,
                          help="records in the shuffle buffer of --data")
    add_strategy(pretrain)
    add_no_xla(pretrain)
    defaults = defaults_of(run_pretraining)
    pretrain.set_defaults(run=_pretrain, **{name: defaults[name] for name in SETTINGS})
