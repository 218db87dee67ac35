"""The cache of converted pretrained directories.

    $KERAS_ALBERT_CACHE (default ~/.cache/keras_albert, or under $XDG_CACHE_HOME)
        models/<kind>--<name>--<revision>--c<converter version>/   a pretrained
            directory, written under a dot-name and renamed whole
        refs/<kind>--<name>.json   {revision: commit} last seen online, so that
            a branch name resolves offline
        downloads/                 release archives fetched by URL

Downloads from the Hugging Face Hub and Kaggle stay in those libraries' own
caches; this one holds what we made of them.
"""

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from keras_albert.files import atomic_path

CACHE_ENV = "KERAS_ALBERT_CACHE"
MODELS = "models"
REFS = "refs"
DOWNLOADS = "downloads"


def cache_root():
    """The cache directory (`KERAS_ALBERT_CACHE`, else the user's cache dir)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "keras_albert"


def slug(*parts):
    """A directory name from parts: readable where it can be, then a hash."""
    text = "--".join(str(part) for part in parts if part)
    readable = re.sub(r"[^\w.-]+", "-", text)[:120]
    return f"{readable}--{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def entry_path(*key):
    """Where the converted directory for `key` (source, revision, converter
    version) lives; it may not exist yet."""
    return cache_root() / MODELS / slug(*key)


def download_path(url):
    """Where the archive at `url` is kept once downloaded."""
    name = url.rstrip("/").rsplit("/", 1)[-1] or "download"
    return cache_root() / DOWNLOADS / slug(url) / name


def read_ref(key, revision):
    """The commit `revision` resolved to when last seen online, or None."""
    path = cache_root() / REFS / f"{slug(*key)}.json"
    try:
        return json.loads(path.read_text()).get(revision)
    except (OSError, ValueError):
        return None


def write_ref(key, revision, commit):
    """Remember that `revision` resolves to `commit` (atomically)."""
    path = cache_root() / REFS / f"{slug(*key)}.json"
    try:
        refs = json.loads(path.read_text())
    except (OSError, ValueError):
        refs = {}
    refs[revision] = commit
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(refs, indent=2))


def list_entries():
    """One dict per converted model: `path`, `source` (as recorded in its
    config.json), `bytes`."""
    entries = []
    for path in sorted((cache_root() / MODELS).glob("[!.]*")):
        try:
            source = json.loads((path / "config.json").read_text()).get("source", {})
        except (OSError, ValueError):
            source = {}
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        entries.append({"path": str(path), "source": source, "bytes": size})
    return entries


def clear():
    """Remove every converted model, ref and download, and any leftovers of
    interrupted writes. Returns the number of entries removed."""
    removed = len(list_entries())
    for folder in (MODELS, REFS, DOWNLOADS):
        shutil.rmtree(cache_root() / folder, ignore_errors=True)
    return removed
