"""`keras-albert pretrain`: ALBERT's recipe from text to a checkpoint.

The pairs come from text files, split into sentence-order pairs in memory (the
last `validation_fraction` of documents held out), or from the shards
`keras-albert prepare` wrote, streamed (`training.pretraining_inputs`).
`AlbertPretrainer` trains with LAMB, warm-up then linear decay, XLA, and writes
a checkpoint every `checkpoint_every` steps. Running the same command again
after an interruption resumes from the newest checkpoint: weights, optimizer
state and the position in the data (in memory every batch is a function of the
seed and its step; streamed, the iterator's position is saved with the
checkpoint, `training.data_checkpoint`), so it ends where an uninterrupted run
ends.

With a `strategy` other than `"default"` the model is built and trained under
that `tf.distribute` strategy (`training.distribute`); `batch_size` is global.
In a multi-worker cluster only the chief writes checkpoints, logs and the model;
every worker reads the same `out` (a shared file system) to resume.
"""

import csv
import json
import math
import warnings
from pathlib import Path

import keras

from keras_albert.checks import check_choice, check_positive_int, check_rate
from keras_albert.files import atomic_path
from keras_albert.models.pretrained import save_pretrained
from keras_albert.tasks import AlbertPretrainer
from keras_albert.training.checkpoints import (
    PeriodicCheckpoint,
    latest_checkpoint,
    restore,
)
from keras_albert.training.data_checkpoint import resume_stream
from keras_albert.training.distribute import (
    check_global_batch,
    is_chief,
    make_strategy,
    prepare_multi_worker,
    wait_for_workers,
    xla_possible,
)
from keras_albert.training.optimizer import albert_optimizer
from keras_albert.training.precision import bfloat16_advice, training_jit_compile
from keras_albert.training.pretraining_inputs import (
    shard_errors,
    shard_inputs,
    text_inputs,
)
from keras_albert.training.schedule import WarmupPolynomialDecay

CHECKPOINTS = "checkpoints"
MIXED_PRECISION = ("mixed_bfloat16", "mixed_float16")


def _truncate_log(path, epochs):
    """Keep the CSV log's rows of the first `epochs` epochs (those before the
    checkpoint a run resumes from), so resumed epochs are not logged twice."""
    if not path.is_file():
        return
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    kept = rows[:1] + [row for row in rows[1:] if row and row[0].isdigit()
                       and int(row[0]) < epochs]
    with atomic_path(path) as temporary, open(temporary, "w", newline="") as file:
        csv.writer(file).writerows(kept)


def run_pretraining(preset, vocabulary, inputs, out, steps=1000, batch_size=32,
                    sequence_length=None, max_predictions=20, learning_rate=1e-3,
                    warmup_steps=None, checkpoint_every=100, validation_fraction=0.05,
                    input_format="sentences", dupe_factor=5, seed=0, dtype=None,
                    execution="loop", strategy="default", tpu=None, jit_compile=True,
                    verbose="auto", backbone_overrides=None, whole_word=None, data=None,
                    shuffle_buffer=10000):
    """Pretrain `AlbertPretrainer` on text files or prepared shards; resumable.
    Returns the history.

    Args:
        preset: str. Architecture preset (its vocabulary size is replaced by the
            vocabulary's).
        vocabulary: directory with `spiece.model` (+ `tokenizer_config.json`);
            with `data`, None for the shards' own `vocabulary/`.
        inputs: files or directories of text, or None with `data`.
        out: output directory: `checkpoints/`, `log.csv`, `tensorboard/`,
            `model/` (the final pretrained directory) and `data.json`.
        steps: int. Total optimizer steps.
        batch_size, sequence_length, max_predictions: ints. Static shapes;
            `batch_size` is the global batch (over all replicas);
            `sequence_length` None for 128 (text) or the shards' own.
        learning_rate: float. Peak of the schedule.
        warmup_steps: int or None (10% of `steps`).
        checkpoint_every: int. Steps between checkpoints (a Keras "epoch").
        validation_fraction: float. Documents held out for validation (text).
        input_format: `"sentences"`, `"plain"` or `"jsonl"` (text).
        dupe_factor: int. Passes over the corpus making sentence-order pairs,
            each split differently (the original's `--dupe_factor`; text).
        seed: int. Fixes initial weights, pairs, order, masks and dropout.
        dtype: None, `"mixed_bfloat16"` or `"mixed_float16"` (with loss scaling).
        execution: `"loop"` or `"unrolled"`.
        strategy: `"default"`, `"mirrored"`, `"multi-worker"` or `"tpu"`.
        tpu: TPU name or address for `strategy="tpu"` (`"local"` on a TPU VM).
        jit_compile: bool. Compile the train step with XLA (off by itself for
            several CPU replicas, see `training.distribute.xla_possible`).
        verbose: Keras `fit` verbosity.
        backbone_overrides: dict of further backbone config entries.
        whole_word: None (words are the vocabulary's: in Chinese, each
            character) or `"jieba"` (n-gram masking over jieba's words). Shards
            carry the word starts they were prepared with: None, or the same.
        data: a directory of `keras-albert prepare`, or a glob of its shards,
            instead of `inputs`: pairs streamed, validation on at most
            `pretraining_inputs.VALIDATION_BATCHES` batches of its validation
            shards.
        shuffle_buffer: int. Records in the shuffle buffer of streamed shards.
    """
    for name, value in (("steps", steps), ("batch_size", batch_size),
                        ("checkpoint_every", checkpoint_every),
                        ("dupe_factor", dupe_factor), ("shuffle_buffer", shuffle_buffer)):
        check_positive_int(name, value)
    if steps % checkpoint_every:
        raise ValueError(f"`steps` must be a multiple of `checkpoint_every`. Received: "
                         f"steps={steps}, checkpoint_every={checkpoint_every}")
    if (inputs is None) == (data is None):
        raise ValueError(f"Pretrain on text files (`inputs`) or on prepared shards "
                         f"(`data`), one of the two. Received: inputs={inputs!r}, "
                         f"data={data!r}")
    check_rate("validation_fraction", validation_fraction)
    check_choice("dtype", dtype, (None, *MIXED_PRECISION))
    distribution = make_strategy(strategy, tpu)
    check_global_batch(batch_size, distribution, strategy)
    chief = is_chief(distribution)
    out = Path(out)
    keras.utils.set_random_seed(seed)  # before the datasets: it seeds their shuffles too
    read = {"batch_size": batch_size, "sequence_length": sequence_length,
            "whole_word": whole_word, "seed": seed, "max_predictions": max_predictions}
    if data is None:
        corpus = text_inputs(vocabulary, inputs, input_format=input_format,
                             dupe_factor=dupe_factor,
                             validation_fraction=validation_fraction, **read)
    else:
        corpus = shard_inputs(data, vocabulary=vocabulary, shuffle_buffer=shuffle_buffer,
                              **read)
    if chief:
        out.mkdir(parents=True, exist_ok=True)
        (out / "data.json").write_text(json.dumps({
            **corpus.report, "replicas": distribution.num_replicas_in_sync}, indent=2))

    with distribution.scope():
        overrides = {"vocabulary_size": corpus.tokenizer.vocabulary_size(),
                     "max_sequence_length": corpus.sequence_length,
                     "execution": execution, "dtype": dtype, **(backbone_overrides or {})}
        model = AlbertPretrainer.from_preset(preset, backbone_overrides=overrides,
                                             load_weights=False)
        schedule = WarmupPolynomialDecay(learning_rate, warmup_steps if warmup_steps
                                         is not None else steps // 10, steps)
        advice = bfloat16_advice(dtype, model.backbone.hidden_dim)
        if advice and verbose:
            print(advice)
        jit_compile = training_jit_compile(dtype, jit_compile, log=warnings.warn)
        model.compile(optimizer=albert_optimizer(schedule),
                      jit_compile=jit_compile and xla_possible(distribution))
        start = restore(model, out / CHECKPOINTS, clean=chief)
    initial_epoch = start // checkpoint_every
    # Logging first, then the checkpoint: a kill between the two leaves a log row
    # past the checkpoint, which the resumed run drops and writes again.
    callbacks = [keras.callbacks.TerminateOnNaN()]
    if chief:
        _truncate_log(out / "log.csv", initial_epoch)
        callbacks += [keras.callbacks.CSVLogger(str(out / "log.csv"), append=True),
                      keras.callbacks.TensorBoard(str(out / "tensorboard"))]
    position = None  # of a streamed dataset (in memory, a function of the step)
    if corpus.shards is None:
        dataset = corpus.train(start)
    else:
        dataset, position = resume_stream(corpus.train, latest_checkpoint(
            out / CHECKPOINTS)[0], start, checkpointable=strategy == "default")
    if position is not None:
        callbacks.append(position)
    callbacks.append(PeriodicCheckpoint(out / CHECKPOINTS, checkpoint_every, write=chief,
                                        extra=None if position is None else position.write))
    with shard_errors(corpus):
        prepare_multi_worker(model, dataset)
        with distribution.scope():
            history = model.fit(
                dataset, epochs=steps // checkpoint_every, initial_epoch=initial_epoch,
                steps_per_epoch=checkpoint_every, validation_data=corpus.validation,
                validation_steps=corpus.validation_steps, verbose=verbose,
                shuffle=False,  # the dataset orders itself, from the seed
                callbacks=callbacks)
    losses = history.history.get("loss", [])
    if losses and not math.isfinite(losses[-1]):
        raise ValueError(f"The training loss became {losses[-1]} (diverged); lower "
                         f"the learning rate and rerun to resume from the last good "
                         f"checkpoint. Received: learning_rate={learning_rate}")
    if chief:
        save_pretrained(model, out / "model", tokenizer=corpus.tokenizer,
                        source={"format": "pretrain", "preset": preset, "steps": steps})
    wait_for_workers(distribution)
    return history
