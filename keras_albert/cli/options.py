"""Options several subcommands share, and defaults read from the library."""

import inspect


def add_no_xla(parser):
    parser.add_argument("--no-xla", dest="jit_compile", action="store_false",
                        help="train without XLA (jit_compile=False): to debug, or "
                        "when compiling would take longer than a short run")


def defaults_of(function):
    """`{argument: default}` of a library function, for `set_defaults`."""
    return {name: parameter.default
            for name, parameter in inspect.signature(function).parameters.items()
            if parameter.default is not inspect.Parameter.empty}
