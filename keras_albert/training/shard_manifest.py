"""The manifest of prepared pretraining shards, and the checks made before reading them.

`keras-albert prepare` writes, in its output directory:

    manifest.json        what follows, written last (no manifest: not finished)
    vocabulary/          the tokenizer's files the shards were tokenized with
    train-00000-of-00004.tfrecord, ...       TFRecord files of `pretraining_examples`
    validation-00000-of-00001.tfrecord, ...

`manifest.json` holds `format`, `version`, the tokenizer's `vocabulary`
fingerprint (type, size, SHA-256 of its file and settings), the `settings` the
examples were made with (sequence length, seed, dupe factor, ...), the inputs'
counts, the `report` (documents, sentences, and skipped lines by reason) and
per split the shards with their examples, bytes and SHA-256.

`read_shards` checks a `--data` argument against it before training reads a
record: every file belongs to the manifest and has the recorded size (a missing,
empty or truncated shard is named), the vocabulary is the one given, the
sequence length fits.
"""

import hashlib
import json
import os

import tensorflow as tf

FORMAT = "keras-albert-pretraining-shards"
VERSION = 1
MANIFEST = "manifest.json"
VOCABULARY = "vocabulary"
SPLITS = ("train", "validation")


def shard_name(split, index, count):
    return f"{split}-{index:05d}-of-{count:05d}.tfrecord"


def vocabulary_fingerprint(tokenizer):
    """`{"tokenizer_type", "vocabulary_size", "sha256"}` of a tokenizer: the hash
    covers its vocabulary file and its settings (lower-casing, ...), everything
    that decides the ids."""
    digest = hashlib.sha256(tokenizer.vocabulary_bytes())
    digest.update(json.dumps({"type": tokenizer.tokenizer_type, **tokenizer.settings()},
                             sort_keys=True).encode())
    return {"tokenizer_type": tokenizer.tokenizer_type,
            "vocabulary_size": int(tokenizer.vocabulary_size()),
            "sha256": digest.hexdigest()}


def write_manifest(directory, manifest):
    """Write `manifest.json` under a temporary name, then rename it; returns
    the manifest as written (with `format` and `version`)."""
    manifest = {"format": FORMAT, "version": VERSION, **manifest}
    path = os.path.join(str(directory), MANIFEST)
    temporary = os.path.join(str(directory), f".{MANIFEST}.tmp")
    with tf.io.gfile.GFile(temporary, "w") as file:
        file.write(json.dumps(manifest, indent=2))
    tf.io.gfile.rename(temporary, path, overwrite=True)
    return manifest


def read_manifest(directory):
    """The manifest of a prepared directory; a one-line error if there is none or
    it is not ours."""
    path = os.path.join(str(directory), MANIFEST)
    if not tf.io.gfile.exists(path):
        raise ValueError(f"No {MANIFEST} in {directory}: shards are read with the "
                         f"manifest `keras-albert prepare` writes last (an unfinished "
                         f"preparation has none). Received: data={str(directory)!r}")
    try:
        with tf.io.gfile.GFile(path) as file:
            manifest = json.loads(file.read())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"Corrupt {path}: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{path} is not a keras-albert shard manifest. "
                         f"Received: format={manifest.get('format') if isinstance(manifest, dict) else None!r}")
    if manifest.get("version") != VERSION:
        raise ValueError(f"{path} has version {manifest.get('version')!r}; this "
                         f"keras-albert reads version {VERSION}.")
    return manifest


def data_directory(data):
    """The directory of a `--data` argument: a directory, or a glob pattern or
    file inside one."""
    data = str(data)
    return data if tf.io.gfile.isdir(data) else os.path.dirname(data) or "."


def read_shards(data, tokenizer=None, sequence_length=None):
    """`(manifest, {split: [shard paths]})` of a `--data` argument, checked.

    Args:
        data: a prepared directory, or a glob pattern of its shards (files of a
            split the pattern does not match are left out).
        tokenizer: if given, its `vocabulary_fingerprint` must be the manifest's.
        sequence_length: if given, must be at least the manifest's.

    Raises:
        ValueError: no manifest, a pattern matching no shard or a file the
            manifest does not list, a missing or wrong-sized (empty, truncated)
            shard, another vocabulary, a shorter sequence length, no training
            examples.
    """
    directory = data_directory(data)
    manifest = read_manifest(directory)
    listed = {shard["file"]: (split, shard) for split in SPLITS
              for shard in manifest.get("splits", {}).get(split, {}).get("shards", [])}
    if tf.io.gfile.isdir(str(data)):
        names = sorted(listed)
    else:
        names = sorted(os.path.basename(path) for path in tf.io.gfile.glob(str(data))
                       if not tf.io.gfile.isdir(path))  # `shards/*` matches vocabulary/
        if not names:
            raise ValueError(f"No shards match the pattern. Received: data={str(data)!r}")
    files = {split: [] for split in SPLITS}
    for name in names:
        if name == MANIFEST:
            continue
        if name not in listed:
            raise ValueError(f"{name} is not a shard of {directory}/{MANIFEST} "
                             f"(another preparation's file?). Received: data={str(data)!r}")
        split, shard = listed[name]
        path = os.path.join(directory, name)
        if not tf.io.gfile.exists(path):
            raise ValueError(f"Shard missing: {path} ({shard['examples']} examples in "
                             f"the manifest).")
        size = tf.io.gfile.stat(path).length
        if size != shard["bytes"]:
            raise ValueError(f"Shard {path} has {size} bytes; the manifest says "
                             f"{shard['bytes']} (truncated, emptied or rewritten). "
                             f"Prepare the corpus again or restore the file.")
        if shard["examples"]:
            files[split].append(path)
    if tokenizer is not None:
        ours, theirs = vocabulary_fingerprint(tokenizer), manifest["vocabulary"]
        if ours["sha256"] != theirs["sha256"]:
            raise ValueError(
                f"The shards in {directory} were tokenized with another vocabulary "
                f"({theirs['tokenizer_type']}, {theirs['vocabulary_size']} entries, "
                f"sha256 {theirs['sha256'][:12]}) than the one given "
                f"({ours['tokenizer_type']}, {ours['vocabulary_size']} entries, sha256 "
                f"{ours['sha256'][:12]}); pass its {VOCABULARY}/ directory or prepare "
                f"again.")
    prepared = manifest["settings"]["sequence_length"]
    if sequence_length is not None and sequence_length < prepared:
        raise ValueError(f"The shards in {directory} hold pairs of up to {prepared} "
                         f"tokens; the sequence length must be at least that. "
                         f"Received: sequence_length={sequence_length}")
    if not files["train"]:
        raise ValueError(f"No training examples in the shards matched. Received: "
                         f"data={str(data)!r}")
    return manifest, files
