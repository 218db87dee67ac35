"""The units of work of `prepare`, the same on a local pool and on Apache Beam.

A *task* is a run of consecutive input files (about `TASK_BYTES` of text, a
larger file alone). `process_task` reads its files document by document, makes
each document's sentence-order pairs from (seed, file index, document index,
pass) alone, and writes them to the task's part file of each (split, shard):
the split and the shard are hashes of the same key. `merge_shard` concatenates
a shard's parts in task order. So the shards depend on the inputs and the
settings, never on how many workers ran or in what order they finished.
"""

import collections
import dataclasses
import hashlib
import os
import shutil

import tensorflow as tf

from keras_albert.text.corpus import file_documents, file_size
from keras_albert.text.pretraining_data import document_pairs, document_rng
from keras_albert.text.pretraining_examples import serialize_pair
from keras_albert.text.segmenters import load_segmenter, segmented_encoder
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.training.shard_manifest import shard_name

TASK_BYTES = 8 << 20


@dataclasses.dataclass(frozen=True)
class PrepareSettings:
    """Everything that decides the examples (stored in the manifest)."""

    vocabulary: str  # the tokenizer's directory
    input_format: str = "sentences"
    text_field: str = "text"
    sequence_length: int = 128
    dupe_factor: int = 1
    short_seq_prob: float = 0.1
    seed: int = 0
    shards: int = 1
    validation_fraction: float = 0.0
    whole_word: str | None = None

    def shards_of(self, split):
        """Shards of a split: `shards` for training, a share as large as the
        validation fraction (at least one) for validation."""
        if split == "train":
            return self.shards
        return max(1, round(self.shards * self.validation_fraction))

    def recorded(self):
        """The settings as the manifest records them (not the local path)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "vocabulary"}


@dataclasses.dataclass(frozen=True)
class Task:
    index: int
    files: tuple  # ((file index, path), ...)


def plan_tasks(files, task_bytes=TASK_BYTES):
    """Consecutive files grouped into tasks of about `task_bytes`; the plan
    depends on the files alone."""
    tasks, group, size = [], [], 0
    for index, path in enumerate(files):
        group.append((index, path))
        size += file_size(path)
        if size >= task_bytes:
            tasks.append(Task(len(tasks), tuple(group)))
            group, size = [], 0
    if group:
        tasks.append(Task(len(tasks), tuple(group)))
    return tasks


def place(settings, file_index, document_index, dupe):
    """`(split, shard)` of a document's pass: a hash of its key. The split
    depends on the document alone, so its passes stay in one split."""
    def fraction(*key):
        digest = hashlib.blake2b(repr((settings.seed, *key)).encode(), digest_size=8)
        return int.from_bytes(digest.digest(), "little") / 2**64

    held_out = fraction("split", file_index, document_index) < settings.validation_fraction
    split = "validation" if held_out else "train"
    return split, int(fraction("shard", file_index, document_index, dupe)
                      * settings.shards_of(split))


_ENCODERS = {}


def _encoder(settings):
    """`(encode, special ids)` of the settings' tokenizer, loaded once per
    process; `encode` takes a document's sentences."""
    key = (settings.vocabulary, settings.whole_word)
    if key not in _ENCODERS:
        tokenizer = load_tokenizer(settings.vocabulary)
        encode = tokenizer.batch_encoder()
        if settings.whole_word is not None:
            words = segmented_encoder(tokenizer.encoder(), load_segmenter(
                settings.whole_word), tokenizer.word_starts())

            def encode(sentences):
                return [words(sentence) for sentence in sentences]
        _ENCODERS[key] = encode, tokenizer.special_tokens
    return _ENCODERS[key]


def part_path(scratch, task_index, split, shard):
    return os.path.join(scratch, f"task-{task_index:05d}", f"{split}-{shard:05d}.tfrecord")


def process_task(task, settings, scratch):
    """Write a task's pairs to its part files under `scratch`.

    Returns:
        dict: `task` (index), `parts` {"split/shard": examples}, `report` (counts
        of documents, sentences, bytes read and skipped lines by reason).
    """
    encode, special = _encoder(settings)
    max_tokens = settings.sequence_length - 3
    writers, parts = {}, collections.Counter()
    report = collections.Counter()
    try:
        for file_index, path in task.files:
            report["files"] += 1
            report["bytes"] += file_size(path)
            documents = 0
            for document_index, document in enumerate(
                    file_documents(path, settings.input_format, report,
                                   settings.text_field)):
                documents += 1
                report["sentences"] += len(document)
                sentences = encode(document)
                for dupe in range(settings.dupe_factor):
                    rng = document_rng(settings.seed, file_index, document_index, dupe)
                    pairs = document_pairs(sentences, max_tokens, rng,
                                           settings.short_seq_prob)
                    if not pairs:
                        continue
                    key = place(settings, file_index, document_index, dupe)
                    if key not in writers:
                        path_of_part = part_path(scratch, task.index, *key)
                        tf.io.gfile.makedirs(os.path.dirname(path_of_part))
                        writers[key] = tf.io.TFRecordWriter(path_of_part)
                    for a, b, label in pairs:
                        writers[key].write(serialize_pair(a, b, label, special))
                    parts[key] += len(pairs)
            report["documents"] += documents
            report["files_without_text"] += documents == 0
    finally:
        for writer in writers.values():
            writer.close()
    return {"task": task.index, "report": dict(report),
            "parts": {f"{split}/{shard}": count for (split, shard), count in parts.items()}}


def merge_shard(split, shard, task_indices, settings, scratch, out):
    """Concatenate a shard's part files in task order into `out` (TFRecord
    files concatenate into a TFRecord file), under a temporary name, then
    rename. Returns the manifest's entry of the shard."""
    name = shard_name(split, shard, settings.shards_of(split))
    temporary = os.path.join(out, f".{name}.tmp")
    digest, size = hashlib.sha256(), 0
    with tf.io.gfile.GFile(temporary, "wb") as target:
        target.write(b"")  # a shard without examples is still a file
        for task_index in sorted(task_indices):
            with tf.io.gfile.GFile(part_path(scratch, task_index, split, shard),
                                   "rb") as part:
                while block := part.read(8 << 20):
                    digest.update(block)
                    size += len(block)
                    target.write(block)
    tf.io.gfile.rename(temporary, os.path.join(out, name), overwrite=True)
    return {"file": name, "bytes": size, "sha256": digest.hexdigest()}


def merges(results, settings, scratch, out):
    """The arguments of `merge_shard` for every shard: `(split, shard, [task
    indices with a part of it], ...)`; every train shard (an empty one too), the
    validation shards if any document was held out."""
    parts = collections.defaultdict(list)
    for result in results:
        for key in result["parts"]:
            split, shard = key.split("/")
            parts[split, int(shard)].append(result["task"])
    splits = ["train"] + (["validation"] if any(s == "validation" for s, _ in parts) else [])
    return [(split, shard, sorted(parts.get((split, shard), [])), settings, scratch, out)
            for split in splits for shard in range(settings.shards_of(split))]


def remove_scratch(scratch):
    if "://" in scratch:
        tf.io.gfile.rmtree(scratch)
    else:
        shutil.rmtree(scratch, ignore_errors=True)
