"""Held-out texts in the format a model was fine-tuned on, for `verify` and
int8 calibration."""

from pathlib import Path

from keras_albert.finetune.classification import TextClassification
from keras_albert.finetune.evaluation import saved_spec
from keras_albert.locate import locate
from keras_albert.sampling import evenly_spaced


def read_texts(directory, path, with_labels=False, limit=None):
    """`(texts, labels)` of a data file in the format `directory`'s model was
    fine-tuned on (default: `text` and `label` columns of a CSV/TSV/JSONL
    file), or of a `.txt` file with one text a line (no labels). A text is a
    string, or an (a, b) tuple for pair tasks; `labels` is None unless asked
    for. `limit` keeps that many examples spread over the whole file."""
    directory = locate(directory)
    if Path(path).suffix == ".txt" and not with_labels:
        texts = [line.strip() for line in Path(path).read_text(
            encoding="utf-8", errors="replace").splitlines() if line.strip()]
        if not texts:
            raise ValueError(f"No text in {path}.")
        return evenly_spaced(texts, limit) if limit else texts, None
    try:
        spec = saved_spec(directory)
    except ValueError:  # not fine-tuned by keras-albert: the default columns
        spec = None
    if not isinstance(spec, TextClassification):
        spec = TextClassification("classify")  # only its reader is used
    rows, _ = spec.read(path, with_labels=with_labels)
    rows = evenly_spaced(rows, limit) if limit else rows
    columns = spec.text_columns
    texts = [tuple(row[c] for c in columns) if len(columns) == 2 else row[columns[0]]
             for row in rows]
    return texts, [row[spec.label_column] for row in rows] if with_labels else None
