"""Writing files so that a reader never sees a half-written one."""

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; rename it to `path` on success.

    The temporary name keeps the suffixes. On error the
    temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # All suffixes kept: Keras checks `.keras` and `.weights.h5`.
    suffix = "".join(path.suffixes)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name[:len(path.name) - len(suffix)]}.",
        suffix=suffix,
    )
    os.close(handle)
    os.remove(temporary)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def save_model(model, path):
    """`model.save(path)` through a temporary name, so `path` is whole or absent."""
    with atomic_path(path) as temporary:
        model.save(temporary)
