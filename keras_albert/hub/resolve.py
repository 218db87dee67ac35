"""A pretrained model's name -> a converted pretrained directory, made once.

`resolve(name)` downloads what the name points at (see `names`), converts it
with `keras_albert.convert` into the cache (see `cache`) and returns that
directory; the next call with the same source and revision returns it with no
download and no conversion. An entry is written under a temporary name and
renamed whole, so an interrupted download or conversion leaves nothing that a
later call would use.
"""

import hashlib
import json
import re
import shutil
import sys
import warnings
from pathlib import Path

from keras_albert.convert import CONVERTER_VERSION, convert
from keras_albert.files import atomic_path, write_directory
from keras_albert.hub import cache, huggingface
from keras_albert.hub.huggingface import HubError, HubUnreachable
from keras_albert.hub.names import parse_name

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_VERSION = f"c{CONVERTER_VERSION}"


def resolve(name):
    """The local pretrained directory for `name` (see `keras_albert.hub`)."""
    source = parse_name(name)
    return _RESOLVERS[source.kind](source)


def copy_pretrained(name, out, overwrite=False):
    """Write the converted directory of `name` (see `resolve`) to `out`."""
    entry = resolve(name)
    write_directory(out, lambda temporary: shutil.copytree(entry, temporary,
                                                           dirs_exist_ok=True),
                    overwrite=overwrite)
    return Path(out)


def _converted(entry, source_format, local, source):
    """`local` converted into the cache entry `entry` (once)."""
    if entry.is_dir():
        return entry
    print(f"keras-albert: converting {source['name']} into {entry} (once)",
          file=sys.stderr)
    convert(source_format, local, entry, overwrite=True,
            source_info={**source, "converter_version": CONVERTER_VERSION})
    return entry


def local_format(directory):
    """What a local directory holds: "keras-albert" (ours, or a vocabulary),
    "hf", "original", "keras-hub", or None."""
    directory = Path(directory)
    config = {}
    if (directory / "config.json").is_file():
        try:
            config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None  # the loader says what is wrong with it
    if not isinstance(config, dict) or "backbone" in config:
        return "keras-albert"
    if any(any(directory.glob(p)) for p in ("albert_config*.json",
                                            "assets/albert_config.json",
                                            "*/albert_config*.json")):
        return "original"
    if "model_type" in config:
        return "hf"
    if "registered_name" in config or (directory / "metadata.json").is_file():
        return "keras-hub"
    return None


def _fingerprint(path):
    """Changes when a file under `path` does (name, size, modification time)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for file in files:
        stat = file.stat()
        digest.update(f"{file}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _directory(source):
    path = Path(source.name)
    source_format = local_format(path)
    if source_format in (None, "keras-albert"):
        return path  # loaded as it is
    entry = cache.entry_path("dir", path.resolve(), _fingerprint(path), _VERSION)
    return _converted(entry, source_format, path, {"name": str(path)})


def _archive(source):
    path = Path(source.name)
    entry = cache.entry_path("archive", path.resolve(), _fingerprint(path), _VERSION)
    return _converted(entry, "original", path, {"name": str(path)})


def _offline_entry(key, revision):
    """The cached entry of `revision` as last resolved online, or None."""
    commit = revision if _COMMIT.match(revision) else cache.read_ref(key, revision)
    entry = cache.entry_path(*key, commit, _VERSION) if commit else None
    if entry is None or not entry.is_dir():
        return None
    return entry


def _hf(source):
    key = ("hf", source.name)
    revision = source.revision or "main"
    if huggingface.offline():
        entry = _offline_entry(key, revision)
        if entry is None:
            raise HubError(f"{source} is not in the keras-albert cache "
                           f"({cache.cache_root()}) and HF_HUB_OFFLINE forbids "
                           "downloading it: load it once online, or unset HF_HUB_OFFLINE.")
        return entry
    try:
        commit, files = huggingface.resolve_commit(source.name, revision)
    except HubUnreachable as error:
        entry = _offline_entry(key, revision)
        if entry is None:
            raise
        warnings.warn(f"{error} Using the cached {entry.name}.", stacklevel=3)
        return entry
    entry = cache.entry_path(*key, commit, _VERSION)
    if not entry.is_dir():
        snapshot = huggingface.download(source.name, commit, files)
        _converted(entry, "hf", snapshot, {"name": str(source), "repo": source.name,
                                           "revision": revision, "commit": commit})
    cache.write_ref(key, revision, commit)
    return entry


def _keras_hub(source):
    handle = source.name.removeprefix("kaggle://")
    parts = handle.split("/")
    if len(parts) not in (4, 5):
        raise ValueError(f"A Kaggle handle is kaggle://ORG/MODEL/keras/VARIANT[/VERSION]. "
                         f"Received: {source.name!r}")
    if len(parts) == 5:  # a fixed version: the cache answers without Kaggle
        entry = cache.entry_path("kaggle", "/".join(parts[:4]), parts[4], _VERSION)
        if entry.is_dir():
            return entry
    try:
        import kagglehub

        local = Path(kagglehub.model_download(handle))
    except Exception as error:  # noqa: BLE001 — kagglehub raises many types
        raise HubError(f"Cannot download the keras-hub preset {source.name} from "
                       f"Kaggle: {huggingface.describe_error(error)}") from None
    # kagglehub keeps VARIANT/VERSION/ (or versions/VERSION/ in its public layout).
    version = local.name if local.name.isdigit() else _fingerprint(local)
    entry = cache.entry_path("kaggle", "/".join(parts[:4]), version, _VERSION)
    return _converted(entry, "keras-hub", local, {"name": source.name,
                                                  "revision": version})


def _url(source):
    entry = cache.entry_path("url", source.name, _VERSION)
    if entry.is_dir():
        return entry
    archive = cache.download_path(source.name)
    if not archive.is_file():
        _fetch(source.name, archive)
    return _converted(entry, "original", archive, {"name": source.name})


def _fetch(url, path):
    """`url` to `path`, with a progress bar, under a temporary name."""
    import urllib.error
    import urllib.request

    import keras

    try:
        with urllib.request.urlopen(url, timeout=60) as response, \
                atomic_path(path) as temporary, open(temporary, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            progress = keras.utils.Progbar(total, unit_name="byte")
            done = 0
            while chunk := response.read(1 << 20):
                out.write(chunk)
                done += len(chunk)
                progress.update(done)
            if total and done != total:
                raise OSError(f"got {done} of {total} bytes")
    except (OSError, urllib.error.URLError) as error:
        raise HubError(f"Cannot download {url}: {huggingface.describe_error(error)}. "
                       "Run again to retry.") from None


_RESOLVERS = {"directory": _directory, "archive": _archive, "hf": _hf,
              "keras-hub": _keras_hub, "url": _url}
