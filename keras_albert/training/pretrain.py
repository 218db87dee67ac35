"""`keras-albert pretrain`: ALBERT's recipe from text files to a checkpoint.

Documents are read (`text.corpus`), split into sentence-order pairs
(`text.pretraining_data`), the last `validation_fraction` of documents held out;
`AlbertPretrainer` trains with LAMB, warm-up then linear decay, XLA, and writes a
checkpoint every `checkpoint_every` steps. Running the same command again after
an interruption resumes from the newest checkpoint: weights, optimizer state and
the position in the data stream (every batch is a function of the seed and its
step), so it ends where an uninterrupted run ends.
"""

import json
from pathlib import Path

import keras
import sentencepiece as spm

from keras_albert.checks import check_positive_int
from keras_albert.models.pretrained import read_tokenizer_files, save_pretrained
from keras_albert.tasks import AlbertPretrainer
from keras_albert.text.corpus import read_documents
from keras_albert.text.masking import word_start_table
from keras_albert.text.normalization import normalize_text
from keras_albert.text.pretraining_data import create_instances, pretraining_dataset
from keras_albert.training.checkpoints import PeriodicCheckpoint, restore
from keras_albert.training.optimizer import albert_optimizer
from keras_albert.training.schedule import WarmupPolynomialDecay

CHECKPOINTS = "checkpoints"


def _encoder(tokenizer_files):
    processor = spm.SentencePieceProcessor(model_proto=tokenizer_files["proto"])
    lowercase, keep_accents = tokenizer_files["lowercase"], tokenizer_files["keep_accents"]
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    return (lambda text: processor.encode(normalize_text(text, lowercase, keep_accents)),
            pieces)


def run_pretraining(preset, vocabulary, inputs, out, steps=1000, batch_size=32,
                    sequence_length=128, max_predictions=20, learning_rate=1e-3,
                    warmup_steps=None, checkpoint_every=100, validation_fraction=0.05,
                    input_format="sentences", seed=0, dtype=None, execution="loop",
                    verbose="auto", backbone_overrides=None):
    """Pretrain `AlbertPretrainer` on text files; resumable. Returns the history.

    Args:
        preset: str. Architecture preset (its vocabulary size is replaced by the
            vocabulary's).
        vocabulary: directory with `spiece.model` (+ `tokenizer_config.json`).
        inputs: files or directories of text.
        out: output directory: `checkpoints/`, `log.csv`, `tensorboard/`,
            `model/` (the final pretrained directory) and `data.json`.
        steps: int. Total optimizer steps.
        batch_size, sequence_length, max_predictions: ints. Static shapes.
        learning_rate: float. Peak of the schedule.
        warmup_steps: int or None (10% of `steps`).
        checkpoint_every: int. Steps between checkpoints (a Keras "epoch").
        validation_fraction: float. Documents held out for validation.
        input_format: `"sentences"`, `"plain"` or `"jsonl"`.
        seed: int. Fixes pairs, order and masks.
        dtype: None, `"mixed_bfloat16"` or `"mixed_float16"`.
        execution: `"loop"` or `"unrolled"`.
        verbose: Keras `fit` verbosity.
        backbone_overrides: dict of further backbone config entries.
    """
    for name, value in (("steps", steps), ("batch_size", batch_size),
                        ("checkpoint_every", checkpoint_every)):
        check_positive_int(name, value)
    if steps % checkpoint_every:
        raise ValueError(f"`steps` must be a multiple of `checkpoint_every`. Received: "
                         f"steps={steps}, checkpoint_every={checkpoint_every}")
    out = Path(out)
    tokenizer_files = read_tokenizer_files(vocabulary)
    encode, pieces = _encoder(tokenizer_files)
    documents, report = read_documents(inputs, input_format)
    held_out = int(len(documents) * validation_fraction)
    train_documents, validation_documents = (documents[:len(documents) - held_out],
                                             documents[len(documents) - held_out:])
    train = create_instances(train_documents, encode, sequence_length, 2, 3, seed)
    word_starts = word_start_table(pieces)
    dataset_args = dict(word_starts=word_starts, mask_id=4, seed=seed,
                        max_predictions=max_predictions)
    validation = None
    if validation_documents:
        validation_instances = create_instances(validation_documents, encode,
                                                sequence_length, 2, 3, seed + 1)
        validation = pretraining_dataset(
            validation_instances, min(batch_size, len(validation_instances["sop_labels"])),
            num_epochs=1, shuffle=False, **dataset_args)
    out.mkdir(parents=True, exist_ok=True)
    (out / "data.json").write_text(json.dumps({
        **report, "train_pairs": len(train["sop_labels"]),
        "validation_documents": held_out}, indent=2))

    model = AlbertPretrainer.from_preset(preset, backbone_overrides={
        "vocabulary_size": len(pieces), "max_sequence_length": sequence_length,
        "execution": execution, "dtype": dtype, **(backbone_overrides or {})})
    schedule = WarmupPolynomialDecay(learning_rate, warmup_steps if warmup_steps is
                                     not None else steps // 10, steps)
    model.compile(optimizer=albert_optimizer(schedule))
    start = restore(model, out / CHECKPOINTS)
    epochs = steps // checkpoint_every
    history = model.fit(
        pretraining_dataset(train, batch_size, start_step=start, **dataset_args),
        epochs=epochs, initial_epoch=start // checkpoint_every,
        steps_per_epoch=checkpoint_every, validation_data=validation, verbose=verbose,
        shuffle=False,  # the dataset orders itself, from the seed
        callbacks=[
            PeriodicCheckpoint(out / CHECKPOINTS, checkpoint_every),
            keras.callbacks.CSVLogger(str(out / "log.csv"), append=True),
            keras.callbacks.TensorBoard(str(out / "tensorboard")),
            keras.callbacks.TerminateOnNaN(),
        ])
    save_pretrained(model, out / "model", tokenizer=tokenizer_files,
                    source={"format": "pretrain", "preset": preset, "steps": steps})
    return history
