"""Where a pretrained model's name points: a local directory.

Every `from_pretrained` takes a directory or a name (`hf://org/name`,
`albert/albert-base-v2`, a keras-hub preset, a release archive's URL, ...).
Turning a name into a directory means downloading and converting, which the
layers above the models do (`keras_albert.hub`); it registers itself here
when `keras_albert` is imported, so that the models and the tokenizer, which
sit below it, reach it without importing it.
"""

from pathlib import Path

_locator = None


def register_locator(locator):
    """Make `locator(name) -> Path` the way names are resolved."""
    global _locator
    _locator = locator


def locate(name):
    """The local directory for `name` (a directory, or a name the registered
    locator knows)."""
    if not isinstance(name, (str, Path)):
        raise ValueError(f"A pretrained model is a directory or a name. Received: "
                         f"{name!r}")
    if _locator is None:
        return Path(name)
    return _locator(name)
