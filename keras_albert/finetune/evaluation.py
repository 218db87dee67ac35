"""A fine-tuned model directory at work: the spec it was trained with,
`evaluate` on labelled data and `predict`.

    evaluate(out/model, data)                     -> metrics of the saved model
    predict(out/model, data)                      -> one dict per row
"""

from keras_albert.finetune.collapse import collapse_warnings
from keras_albert.finetune.registry import spec_from_config
from keras_albert.locate import locate
from keras_albert.models.pretrained import load_pretrained, read_config
from keras_albert.text.preprocessor import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer


def saved_spec(directory, **options):
    """The task spec recorded by `finetune` in a model directory, on the
    directory's tokenizer; `options` not None replace the task's recorded
    settings (qa: `max_answer_length`, `n_best`). A text classifier fine-tuned
    elsewhere (e.g. one converted from the Hub) reads a `text` column at length
    128 (or the model's positions, if fewer)."""
    config = read_config(directory)
    saved = config.get("source", {}).get("finetune")
    if not saved and (config.get("task") or {}).get("class_name") == "AlbertClassifier":
        saved = {"task": "classify", "text_columns": ["text"], "label_column": "label",
                 "sequence_length": min(128, config["backbone"]["max_sequence_length"])}
    if not saved:
        raise ValueError(f"{directory} is not a fine-tuned model (no 'finetune' entry "
                         "in config.json); fine-tune it with `keras-albert finetune`.")
    options = {name: value for name, value in options.items() if value is not None}
    return spec_from_config({**saved, **options}, load_tokenizer(directory))


def skipped(report):
    return {key: value for key, value in dict(report).items() if key.startswith("skipped")}


def _load_with_preprocessor(directory, spec):
    """The saved model; one fine-tuned elsewhere gets the spec's preprocessor."""
    model = load_pretrained(directory)
    if model.preprocessor is None:
        model.preprocessor = AlbertPreprocessor(spec.tokenizer, spec.sequence_length)
    return model


def evaluate(directory, data, batch_size=32, log=print, max_answer_length=None):
    """The task metrics of a fine-tuned model (a directory or a name) on a
    labelled file, with `warnings` where it predicts (nearly) one class or no
    better than the data's commonest label (see `finetune.collapse`);
    `max_answer_length` (qa) replaces the saved one."""
    directory = locate(directory)
    spec = saved_spec(directory, max_answer_length=max_answer_length)
    rows, report = spec.read(data)
    model = _load_with_preprocessor(directory, spec)
    metrics = spec.evaluate(model, rows, data, batch_size)
    # The baseline of the data itself: always predicting its commonest label.
    warnings = collapse_warnings(spec.kind, metrics, spec.baseline(rows, rows))
    for warning in warnings:
        log(f"WARNING: {warning}")
    return {**metrics, "rows": len(rows), "skipped": skipped(report), "warnings": warnings}


def predict(directory, data, batch_size=32, n_best=None, max_answer_length=None):
    """One prediction dict per usable row of `data` (labels not needed), each
    with its `"row"` (line number in the file); `directory` may be a name.
    qa: `n_best` adds the N best answers of each question (`n_best`, each with
    its text, probability, score, start and end logit) and its `null_score`;
    `max_answer_length` replaces the saved one."""
    directory = locate(directory)
    spec = saved_spec(directory, n_best=n_best, max_answer_length=max_answer_length)
    rows, _ = spec.read(data, with_labels=False)
    model = _load_with_preprocessor(directory, spec)
    return [{"row": row["row"], **prediction} for row, prediction
            in zip(rows, spec.predict(model, rows, batch_size), strict=True)]
