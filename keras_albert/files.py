"""Writing files so that a reader never sees a half-written one."""

import contextlib
import csv
import os
import shutil
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


def write_directory(directory, write, overwrite=True):
    """Call `write(temporary_dir)`, then move the result to `directory` whole.

    A reader sees the old directory or the new one, never a half-written one.
    """
    directory = Path(directory)
    if directory.exists() and not overwrite:
        raise ValueError(f"Output directory exists (pass overwrite=True or "
                         f"--overwrite to replace it). Received: {directory}")
    directory.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
    try:
        write(temporary)
        # mkdtemp makes the directory private (0700); give it the usual mode,
        # so that a server running as another user (TF Serving) can read it.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o777 & ~umask)
        if directory.exists():
            old = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.old."))
            os.replace(directory, old / directory.name)
            os.replace(temporary, directory)
            shutil.rmtree(old)
        else:
            os.replace(temporary, directory)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)


def read_csv_rows(path):
    """The rows of a CSV file with a header, as dicts ([] when there is no file)."""
    if not Path(path).is_file():
        return []
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))
