"""`finetune`, `evaluate` and `predict`: what the command line calls.

    finetune(task, model, train, out, eval=...)   -> out/model/, out/metrics.json
    evaluate(out/model, data)                     -> metrics of the saved model
    predict(out/model, data)                      -> one dict per row
"""

import collections
import json
import time
from pathlib import Path

import keras

from keras_albert.checks import check_choice, check_positive_int
from keras_albert.files import atomic_path
from keras_albert.finetune import readers
from keras_albert.finetune.choice import MultipleChoice
from keras_albert.finetune.classification import TextClassification
from keras_albert.finetune.squad import QuestionAnswering
from keras_albert.finetune.tagging import TokenTagging
from keras_albert.finetune.training import balanced_class_weight, fit
from keras_albert.locate import locate
from keras_albert.models.pretrained import load_pretrained, read_config
from keras_albert.text.preprocessor import AlbertPreprocessor
from keras_albert.text.tokenizer import AlbertTokenizer

TASKS = ("classify", "pair", "regress", "tag", "qa", "choice")


def make_task(task, text_columns=None, label_column=None):
    """The task's reader, model builder and metrics."""
    check_choice("task", task, TASKS)
    if task == "tag":
        return TokenTagging(text_columns, label_column or "tags")
    if task == "qa":
        return QuestionAnswering()
    if task == "choice":
        return MultipleChoice()
    return TextClassification(task, text_columns, label_column or "label")


def saved_task(directory):
    """The task spec recorded by `finetune` in a model directory, with the
    directory's tokenizer and the sequence length it was trained with. A text
    classifier fine-tuned elsewhere (e.g. one converted from the Hub) reads a
    `text` column at length 128 (or the model's positions, if fewer)."""
    config = read_config(directory)
    saved = config.get("source", {}).get("finetune")
    if not saved and (config.get("task") or {}).get("class_name") == "AlbertClassifier":
        saved = {"task": "classify", "text_columns": ["text"], "label_column": "label",
                 "sequence_length": min(128, config["backbone"]["max_sequence_length"])}
    if not saved:
        raise ValueError(f"{directory} is not a fine-tuned model (no 'finetune' entry "
                         "in config.json); fine-tune it with `keras-albert finetune`.")
    spec = make_task(saved["task"], saved["text_columns"], saved["label_column"])
    spec.tokenizer = AlbertTokenizer.from_pretrained(directory)
    spec.sequence_length = saved["sequence_length"]
    return spec


def finetune(task, model, train, out, eval=None, text_columns=None,
             label_column=None, label_names=None, vocab=None, sequence_length=128, batch_size=32,
             epochs=3, learning_rate=5e-5, warmup_fraction=0.1, patience=2,
             class_weight=None, group_by_length=True, dtype=None, jit_compile=True,
             seed=0, verbose=1, log=print):
    """Fine-tune `model` (a pretrained directory or a preset) on a data file
    (CSV, TSV, JSONL, CoNLL, SQuAD JSON) or on records in memory (a Hugging
    Face `datasets.Dataset`, an unbatched `tf.data.Dataset`, a DataFrame).

    `label_names` fixes the classes (default: the labels found in `train`);
    eval labels outside them are an error. Writes `out/model/` (a pretrained
    directory that takes raw text and knows its labels), `out/metrics.json`
    (the eval metrics of the best epoch, the majority-class baseline, times,
    skipped rows) and `out/history.csv`.

    With `group_by_length` (classification and pairs), texts of similar length
    are batched together and each batch is cut to the width of its bucket (at
    most 4 widths, multiples of 16 chosen from the texts' lengths,
    `AlbertTask.fit`): at WordNet's lengths an epoch is about 2x faster than
    with every batch padded to `sequence_length`.

    Returns:
        The dict written to `metrics.json`.
    """
    check_positive_int("epochs", epochs)
    check_positive_int("batch_size", batch_size)
    check_choice("class_weight", class_weight, (None, "balanced"))
    keras.utils.set_random_seed(seed)
    out = Path(out)
    spec = make_task(task, text_columns, label_column)
    train_rows, train_report = spec.read(train)
    eval_rows, eval_report = spec.read(eval) if eval is not None else (None, {})
    task_model, tokenizer = spec.build(model, vocab, train_rows, train,
                                       sequence_length, dtype, label_names)
    x, y = spec.arrays(task_model, train_rows, train)
    validation = spec.arrays(task_model, eval_rows, eval) if eval_rows else None
    weights = None
    if class_weight == "balanced" and task in ("classify", "pair"):
        weights = balanced_class_weight(list(y), task_model.num_classes)
    log(f"{task}: {len(train_rows)} training rows, "
        f"{len(eval_rows or ())} eval rows; "
        f"{task_model.backbone.count_params():,} backbone parameters")

    started = time.perf_counter()
    history = fit(task_model, (x, y), validation, out, epochs,
                  batch_size, learning_rate, warmup_fraction, patience, spec.monitor,
                  spec.mode, class_weight=weights, group_by_length=group_by_length,
                  jit_compile=jit_compile, verbose=verbose)
    seconds = time.perf_counter() - started
    summary = {
        "task": task, "train": readers.describe(train),
        "eval": readers.describe(eval) if eval is not None else None,
        "train_rows": len(train_rows), "eval_rows": len(eval_rows or ()),
        "skipped": {"train": _skipped(train_report), "eval": _skipped(eval_report)},
        "epochs_run": len(history.history["loss"]), "train_seconds": round(seconds, 1),
        "dtype": task_model.backbone.dtype_policy.name,  # the policy it trained under
    }
    if weights is not None:
        names = task_model.label_names or [str(index) for index in weights]
        summary["class_weight"] = {names[index]: weight for index, weight in weights.items()}
    if eval_rows:
        summary["eval_metrics"] = spec.evaluate(task_model, eval_rows, eval, batch_size)
        if task in ("classify", "pair"):
            counts = collections.Counter(row[spec.label_column] for row in train_rows)
            majority = counts.most_common(1)[0][0]
            summary["majority_baseline"] = {
                "label": majority,
                "accuracy": sum(r[spec.label_column] == majority for r in eval_rows)
                / len(eval_rows)}
    source = {"finetune": {"task": task, "text_columns": spec.text_columns,
                           "label_column": spec.label_column,
                           "sequence_length": sequence_length, "from": str(model)}}
    task_model.save_pretrained(out / "model", tokenizer=tokenizer)
    _record_source(out / "model", source)
    with atomic_path(out / "metrics.json") as temporary:
        temporary.write_text(json.dumps(summary, indent=2))
    return summary


def _record_source(directory, source):
    config = read_config(directory)
    config["source"] = {**config.get("source", {}), **source}
    with atomic_path(Path(directory) / "config.json") as temporary:
        temporary.write_text(json.dumps(config, indent=2))


def _skipped(report):
    return {key: value for key, value in dict(report).items() if key.startswith("skipped")}


def _load_with_preprocessor(directory, spec):
    """The saved model; one fine-tuned elsewhere gets the spec's preprocessor."""
    model = load_pretrained(directory)
    if model.preprocessor is None:
        model.preprocessor = AlbertPreprocessor(spec.tokenizer, spec.sequence_length)
    return model


def evaluate(directory, data, batch_size=32):
    """The task metrics of a fine-tuned model (a directory or a name) on a
    labelled file."""
    directory = locate(directory)
    spec = saved_task(directory)
    rows, report = spec.read(data)
    model = _load_with_preprocessor(directory, spec)
    return {**spec.evaluate(model, rows, data, batch_size), "rows": len(rows),
            "skipped": _skipped(report)}


def predict(directory, data, batch_size=32):
    """One prediction dict per usable row of `data` (labels not needed), each
    with its `"row"` (line number in the file); `directory` may be a name."""
    directory = locate(directory)
    spec = saved_task(directory)
    rows, _ = spec.read(data, with_labels=False)
    model = _load_with_preprocessor(directory, spec)
    return [{"row": row["row"], **prediction} for row, prediction
            in zip(rows, spec.predict(model, rows, batch_size), strict=True)]
