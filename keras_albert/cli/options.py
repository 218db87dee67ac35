"""Options several subcommands share, and defaults read from the library."""

import inspect

from keras_albert.training.distribute import STRATEGIES


def add_no_xla(parser):
    parser.add_argument("--no-xla", dest="jit_compile", action="store_false",
                        help="train without XLA (jit_compile=False): to debug, or "
                        "when compiling would take longer than a short run")


def add_strategy(parser):
    parser.add_argument("--strategy", choices=STRATEGIES,
                        help="tf.distribute strategy; --batch-size is global")
    parser.add_argument("--tpu", help="TPU name or address (--strategy tpu); "
                        "'local' on a TPU VM")


def defaults_of(function):
    """`{argument: default}` of a library function, for `set_defaults`."""
    return {name: parameter.default
            for name, parameter in inspect.signature(function).parameters.items()
            if parameter.default is not inspect.Parameter.empty}
