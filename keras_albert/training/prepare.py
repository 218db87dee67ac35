"""`keras-albert prepare`: a text corpus to sharded TFRecords of sentence-order pairs.

The corpus (files, directories or glob patterns, local or `gs://`...) is read
document by document, tokenized and packed into sentence-order pairs (masking
stays dynamic, drawn at training time), written as TFRecord shards with a
`manifest.json` (`training.shard_manifest`). Memory is bounded by a document
per worker, not by the corpus.

The work runs on a pool of local processes, one per core by default, or on
Apache Beam (`runner="DirectRunner"`, or Dataflow, Flink, Spark with their
pipeline options; `pip install keras-albert[beam]`). Both run the same tasks
(`training.prepare_tasks`), so the same inputs and settings give the same
shards, byte for byte, whatever the runner or the number of workers.

Nothing unfinished is presented as done: parts go to a scratch directory,
shards are written under temporary names and renamed, and the manifest comes
last; a rerun into the same directory clears what an interrupted run left.
"""

import collections
import json
import math
import multiprocessing
import os
import time
import uuid
from concurrent import futures

import tensorflow as tf

from keras_albert.checks import check_choice, check_positive_int, check_rate
from keras_albert.text.corpus import FORMATS, file_size, find_files
from keras_albert.text.segmenters import SEGMENTERS
from keras_albert.text.tokenizer_base import TOKENIZER_CONFIG_FILE
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.training.prepare_tasks import (
    TASK_BYTES,
    PrepareSettings,
    merge_shard,
    merges,
    plan_tasks,
    process_task,
    remove_scratch,
)
from keras_albert.training.shard_manifest import (
    MANIFEST,
    SPLITS,
    VOCABULARY,
    vocabulary_fingerprint,
    write_manifest,
)

SHARD_BYTES = 16 << 20  # of input text, for the default number of shards
COUNTS = ("files", "bytes", "documents", "sentences")


def default_workers():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _clear(out, overwrite):
    """Make `out` ready: refuse a finished preparation unless `overwrite`;
    remove what an interrupted one left."""
    tf.io.gfile.makedirs(out)
    if tf.io.gfile.exists(os.path.join(out, MANIFEST)):
        if not overwrite:
            raise ValueError(f"{out} already holds prepared shards (pass overwrite=True "
                             f"or --overwrite to replace them). Received: out={out!r}")
        tf.io.gfile.remove(os.path.join(out, MANIFEST))  # first: nothing looks done
    for name in tf.io.gfile.listdir(out):
        name = name.rstrip("/")
        path = os.path.join(out, name)
        ours = name.endswith((".tfrecord", ".tfrecord.tmp", f"{MANIFEST}.tmp"))
        if ours or name.startswith(".scratch-") or name == VOCABULARY:
            if tf.io.gfile.isdir(path):
                tf.io.gfile.rmtree(path)
            else:
                tf.io.gfile.remove(path)


def _write_vocabulary(tokenizer, out):
    directory = os.path.join(out, VOCABULARY)
    tf.io.gfile.makedirs(directory)
    with tf.io.gfile.GFile(os.path.join(directory, tokenizer.vocabulary_file), "wb") as f:
        f.write(tokenizer.vocabulary_bytes())
    config = {"tokenizer_type": tokenizer.tokenizer_type, **tokenizer.settings()}
    with tf.io.gfile.GFile(os.path.join(directory, TOKENIZER_CONFIG_FILE), "w") as f:
        f.write(json.dumps(config, indent=2))


def _run_pool(tasks, settings, scratch, out, workers, log):
    """Run the tasks, then the merges, on `workers` local processes."""
    started, done, text = time.monotonic(), 0, 0
    results = []

    def progress(result):
        nonlocal done, text
        done += 1
        text += result["report"].get("bytes", 0)
        seconds = time.monotonic() - started
        log(f"prepare: {done}/{len(tasks)} tasks, {text / 1e6:.0f} MB of text, "
            f"{text / 1e6 / max(seconds, 1e-9):.1f} MB/s")

    if workers == 1:
        for task in tasks:
            results.append(process_task(task, settings, scratch))
            progress(results[-1])
        return results, [merge_shard(*args) for args in
                         merges(results, settings, scratch, out)]
    # A worker that dies (killed, out of memory) fails the run, never hangs it.
    with futures.ProcessPoolExecutor(
            min(workers, len(tasks)),
            mp_context=multiprocessing.get_context("spawn")) as pool:  # TF is not fork-safe
        running = [pool.submit(process_task, task, settings, scratch) for task in tasks]
        for future in futures.as_completed(running):
            results.append(future.result())
            progress(results[-1])
        shards = list(pool.map(merge_shard, *zip(*merges(results, settings, scratch, out))))
    return results, shards


def summarize(results, shards, settings, fingerprint, files):
    """The manifest of finished tasks and merged shards."""
    report = collections.Counter()
    examples = collections.Counter()
    for result in results:
        report.update(result["report"])
        for key, count in result["parts"].items():
            examples[key] += count
    splits = {}
    for split in SPLITS:
        entries = []
        for shard in shards:
            if shard["file"].startswith(f"{split}-"):
                index = int(shard["file"].split("-")[1])
                entries.append({**shard, "examples": examples[f"{split}/{index}"]})
        if entries:
            splits[split] = {"examples": sum(e["examples"] for e in entries),
                             "shards": sorted(entries, key=lambda e: e["file"])}
    counts = {key: report.pop(key, 0) for key in COUNTS}
    report = {key: value for key, value in report.items() if value}
    return {"vocabulary": fingerprint, "settings": settings.recorded(),
            "inputs": {"files": len(files), "bytes": counts["bytes"]},
            "report": {**counts, "skipped": dict(sorted(report.items()))},
            "splits": splits}


def prepare(inputs, vocabulary, out, input_format="sentences", text_field="text",
            sequence_length=128, dupe_factor=1, short_seq_prob=0.1, seed=0, shards=None,
            validation_fraction=0.01, whole_word=None, workers=None, runner=None,
            pipeline_options=(), overwrite=False, task_bytes=TASK_BYTES, log=print):
    """Prepare pretraining shards from a text corpus. Returns the manifest.

    Args:
        inputs: files, directories or glob patterns (any `tf.io.gfile` path).
        vocabulary: directory of the tokenizer (`spiece.model` or `vocab.txt`).
        out: output directory (`tf.io.gfile` path).
        input_format: `"sentences"`, `"plain"` or `"jsonl"` (`text.corpus`).
        text_field: the JSONL field of a document's text.
        sequence_length: int. T of the pairs (`[CLS] A [SEP] B [SEP]`).
        dupe_factor: int. Passes over each document, each split differently.
            Masking is dynamic, so 1 suits a large corpus.
        short_seq_prob: float. Share of pairs with a shorter target length.
        seed: int. Fixes pairs, splits and shards.
        shards: int or None (one per 16 MB of input text, at most 1024).
        validation_fraction: float. Share of documents held out.
        whole_word: None or `"jieba"`: records carry the segmenter's word starts.
        workers: int or None (one per core). Ignored by Beam.
        runner: None (local processes) or a Beam runner name (`"DirectRunner"`,
            `"DataflowRunner"`, ...).
        pipeline_options: further Beam pipeline arguments (`--project=...`).
        overwrite: bool. Replace a finished preparation in `out`.
        task_bytes: int. Text per task (consecutive files; a larger file alone).
        log: callable for progress lines.
    """
    check_choice("input_format", input_format, FORMATS)
    check_choice("whole_word", whole_word, (None, *SEGMENTERS))
    for name, value in (("sequence_length", sequence_length), ("dupe_factor", dupe_factor)):
        check_positive_int(name, value)
    if sequence_length < 5:
        raise ValueError(f"`sequence_length` must leave room for [CLS] A [SEP] B [SEP]. "
                         f"Received: sequence_length={sequence_length}")
    check_rate("validation_fraction", validation_fraction)
    check_rate("short_seq_prob", short_seq_prob)
    workers = default_workers() if workers is None else workers
    check_positive_int("workers", workers)
    tokenizer = load_tokenizer(vocabulary)
    files = find_files(inputs)
    total = sum(map(file_size, files))
    shards = shards if shards is not None else max(1, min(1024, math.ceil(
        total / SHARD_BYTES)))
    check_positive_int("shards", shards)
    out = str(out)
    settings = PrepareSettings(
        str(vocabulary), input_format, text_field, sequence_length, dupe_factor,
        short_seq_prob, seed, shards, validation_fraction, whole_word)
    _clear(out, overwrite)
    scratch = os.path.join(out, f".scratch-{uuid.uuid4().hex[:8]}")
    tasks = plan_tasks(files, task_bytes)
    log(f"prepare: {len(files)} files, {total / 1e6:.1f} MB, {len(tasks)} tasks, "
        f"{shards} shards, " + (f"Beam {runner}" if runner else f"{workers} workers"))
    try:
        if runner is None:
            results, written = _run_pool(tasks, settings, scratch, out, workers, log)
        else:
            from keras_albert.training.prepare_beam import run_beam  # the [beam] extra
            results, written = run_beam(tasks, settings, scratch, out, runner,
                                        list(pipeline_options))
    finally:
        remove_scratch(scratch)
    manifest = summarize(results, written, settings, vocabulary_fingerprint(tokenizer),
                         files)
    if not manifest["splits"].get("train", {}).get("examples"):
        skipped = manifest["report"]["skipped"]
        raise ValueError(f"No sentence pairs in the corpus ({skipped or 'all files empty'}"
                         f", {manifest['report']['documents']} documents). "
                         f"Received: input={files[:5]}{' ...' if len(files) > 5 else ''}")
    _write_vocabulary(tokenizer, out)
    return write_manifest(out, manifest)
