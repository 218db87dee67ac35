"""Pretrained ALBERTs by name: download, convert once, cache.

`resolve("albert/albert-base-v2")` (or `hf://org/name@revision`, a keras-hub
preset, a release archive's URL, a directory in any supported format) returns
a keras-albert pretrained directory; every `from_pretrained` and every command
that takes a model calls it (it is registered with `keras_albert.locate`).
"""

from keras_albert.hub.cache import cache_root, clear, list_entries
from keras_albert.hub.huggingface import HubError
from keras_albert.hub.names import LEGACY_NAMES, Source, parse_name
from keras_albert.hub.resolve import copy_pretrained, resolve
from keras_albert.locate import register_locator

register_locator(resolve)

__all__ = ["LEGACY_NAMES", "HubError", "Source", "cache_root", "clear", "copy_pretrained",
           "list_entries", "parse_name", "resolve"]
