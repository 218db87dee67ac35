"""The data of a pretraining run: sentence-order pairs made in memory from text
files, or streamed from the shards `keras-albert prepare` wrote.

Both give a `PretrainingInputs`: the tokenizer, the sequence length, the
training batches as a function of the step a run resumes at, the validation
batches (the same ones at every evaluation) and what `data.json` records.
"""

import contextlib
import dataclasses
import os
import re
from collections.abc import Callable

import tensorflow as tf

from keras_albert.text.corpus import read_documents
from keras_albert.text.masking import tokenizer_masking_vocabulary
from keras_albert.text.pretraining_data import (
    create_instances,
    pretraining_dataset,
    streamed_pretraining_dataset,
)
from keras_albert.text.segmenters import load_segmenter, segmented_encoder
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.training.shard_manifest import (
    VOCABULARY,
    data_directory,
    read_manifest,
    read_shards,
)

DEFAULT_SEQUENCE_LENGTH = 128  # of pairs made from text; shards have their own
VALIDATION_BATCHES = 50  # at most, from validation shards (cached: the same each time)


@dataclasses.dataclass(frozen=True)
class PretrainingInputs:
    """What a pretraining run reads.

    `train(step)` is the training stream from `step` on: in memory it starts
    there directly; streamed it reads and drops the batches before it (a
    resumed run that restored the iterator's position asks for step 0).
    `shards` is `{split: [paths]}` when streamed, else None.
    """

    tokenizer: object
    sequence_length: int
    train: Callable
    validation: tf.data.Dataset | None
    validation_steps: int | None
    report: dict
    shards: dict | None = None


def split_documents(documents, validation_fraction):
    """`(train, held_out)`: the last `validation_fraction` of documents held out."""
    held_out = int(len(documents) * validation_fraction)
    return documents[:len(documents) - held_out], documents[len(documents) - held_out:]


def text_inputs(vocabulary, inputs, batch_size, sequence_length=None, input_format="sentences",
                dupe_factor=5, validation_fraction=0.05, whole_word=None, seed=0,
                max_predictions=20):
    """Pairs made in memory from text files (`run_pretraining`'s arguments)."""
    if vocabulary is None:
        raise ValueError("Pretraining on text files needs a vocabulary directory "
                         "(--vocab). Received: vocabulary=None")
    sequence_length = sequence_length or DEFAULT_SEQUENCE_LENGTH
    tokenizer = load_tokenizer(vocabulary)
    encode = tokenizer.encoder()
    if whole_word is not None:
        encode = segmented_encoder(encode, load_segmenter(whole_word),
                                   tokenizer.word_starts())
    documents, report = read_documents(inputs, input_format)
    train_documents, validation_documents = split_documents(documents,
                                                            validation_fraction)
    masking = tokenizer_masking_vocabulary(tokenizer)
    train = create_instances(train_documents, encode, sequence_length, masking.special,
                             seed, dupe_factor=dupe_factor)
    dataset_args = {"vocabulary": masking, "seed": seed, "max_predictions": max_predictions}
    validation, validation_steps = None, None
    if validation_documents:
        validation_instances = create_instances(validation_documents, encode,
                                                sequence_length, masking.special,
                                                seed + 1, dupe_factor=dupe_factor)
        count = len(validation_instances["sop_labels"])
        if count >= batch_size:
            # The same pairs and masks at every evaluation: whole batches, cached
            # and repeated (Keras keeps one validation iterator when
            # `validation_steps` is given).
            validation_steps = count // batch_size
            kept = {key: value[:validation_steps * batch_size]
                    for key, value in validation_instances.items()}
            validation = pretraining_dataset(kept, batch_size, num_epochs=1,
                                             shuffle=False, **dataset_args)
            validation = validation.cache().repeat()

    def stream(step):
        return pretraining_dataset(train, batch_size, start_step=step, **dataset_args)

    report = {**report, "train_pairs": len(train["sop_labels"]),
              "validation_documents": len(validation_documents),
              "validation_pairs": (validation_steps or 0) * batch_size}
    return PretrainingInputs(tokenizer, sequence_length, stream, validation,
                             validation_steps, report)


def _examples(manifest, paths):
    """The examples the manifest counts in the shards `paths`."""
    counts = {shard["file"]: shard["examples"]
              for split in manifest["splits"].values() for shard in split["shards"]}
    return sum(counts[os.path.basename(path)] for path in paths)


def shard_inputs(data, batch_size, vocabulary=None, sequence_length=None, whole_word=None,
                 seed=0, max_predictions=20, shuffle_buffer=10000):
    """Pairs streamed from prepared shards (`run_pretraining`'s arguments):
    `data` a prepared directory or a glob of its shards, `vocabulary` by default
    the directory's `vocabulary/`; validation on at most `VALIDATION_BATCHES`
    batches of the validation shards."""
    if vocabulary is None:
        read_manifest(data_directory(data))  # none: say so, not that vocabulary/ is missing
        vocabulary = os.path.join(data_directory(data), VOCABULARY)
    tokenizer = load_tokenizer(vocabulary)
    manifest, shards = read_shards(data, tokenizer, sequence_length)
    settings = manifest["settings"]
    if whole_word is not None and whole_word != settings.get("whole_word"):
        raise ValueError(f"The shards were prepared with whole_word="
                         f"{settings.get('whole_word')!r}; their word starts decide "
                         f"the masking units (leave --whole-word out). Received: "
                         f"whole_word={whole_word!r}")
    sequence_length = sequence_length or settings["sequence_length"]
    dataset_args = {"batch_size": batch_size, "sequence_length": sequence_length,
                    "vocabulary": tokenizer_masking_vocabulary(tokenizer),
                    "max_predictions": max_predictions, "shuffle_buffer": shuffle_buffer,
                    "word_starts": settings.get("whole_word") is not None}
    validation_steps = min(VALIDATION_BATCHES,
                           _examples(manifest, shards["validation"]) // batch_size)
    validation = None
    if validation_steps:
        validation = streamed_pretraining_dataset(shards["validation"], seed=seed + 1,
                                                  num_epochs=1, **dataset_args)
        validation = validation.take(validation_steps).cache().repeat()

    def stream(step):
        return streamed_pretraining_dataset(shards["train"], seed=seed,
                                            **dataset_args).skip(step)

    report = {"data": str(data), **manifest.get("report", {}),
              "train_shards": len(shards["train"]),
              "train_pairs": _examples(manifest, shards["train"]),
              "validation_shards": len(shards["validation"]),
              "validation_pairs": validation_steps * batch_size}
    return PretrainingInputs(tokenizer, sequence_length, stream, validation,
                             validation_steps or None, report, shards)


def corrupt_shard(paths):
    """The first of `paths` whose records fail their checksums, with TensorFlow's
    message, or `(None, None)`."""
    for path in paths:
        try:
            tf.data.TFRecordDataset(path).reduce(0, lambda count, _: count + 1)
        except tf.errors.DataLossError as error:
            # "{{function_node ...}} corrupted record at 616 [Op:ReduceDataset]"
            message = re.sub(r"\{\{.*?\}\}|\[Op:.*", "", error.message).strip()
            return path, message.splitlines()[0]
    return None, None


@contextlib.contextmanager
def shard_errors(inputs):
    """Turn a corrupt record met while training on `inputs.shards` into a one-line
    error naming its shard (TensorFlow names no file)."""
    try:
        yield
    except tf.errors.DataLossError:
        if inputs.shards is None:
            raise
        path, message = corrupt_shard(inputs.shards["train"] + inputs.shards["validation"])
        if path is None:
            raise
        raise ValueError(f"Shard {path} is corrupt ({message}); prepare the corpus "
                         f"again or restore the file. Received: "
                         f"data={inputs.report['data']!r}") from None
