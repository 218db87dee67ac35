"""Users' data files to examples, with row numbers in every complaint.

Tables: CSV, TSV (GLUE's convention: tab-separated, no quoting) and JSONL, each
optionally gzipped; or, from Python, records already in memory: a Hugging Face
`datasets.Dataset` (one split), an unbatched `tf.data.Dataset` of dicts (TFDS),
a pandas `DataFrame` or a list of dicts. Rows that cannot be used but do no harm when left out
(undecodable bytes, an empty text) are skipped and counted in the report; a
missing column or an unknown label is an error naming the file, the row and
the value, because training on them would silently be wrong.
"""

import collections
import csv
import gzip
import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import tensorflow as tf

TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".json")


def is_file(source):
    """Whether `source` names a file (else it holds records in memory)."""
    return isinstance(source, (str, os.PathLike))


def describe(source):
    """How messages and `metrics.json` name a data source."""
    if is_file(source):
        return str(source)
    if isinstance(source, tf.data.Dataset):
        return "tf.data.Dataset"
    rows = getattr(source, "num_rows", None)
    return f"{type(source).__name__}" + (f" of {rows} rows" if rows is not None else "")


def where(source, number):
    """"file, line N" or "Dataset, row N": where a complaint points."""
    return f"{describe(source)}, {'line' if is_file(source) else 'row'} {number}"


def _open_bytes(path):
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No such data file. Received: {str(path)!r}")
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def table_format(path):
    """"csv", "tsv" or "jsonl" from the file name (`.gz` ignored), "records"
    for data in memory, else None."""
    if not is_file(path):
        return "records"
    suffixes = [s.lower() for s in Path(path).suffixes if s.lower() != ".gz"]
    suffix = suffixes[-1] if suffixes else ""
    if suffix not in TABLE_SUFFIXES:
        return None
    return "jsonl" if suffix == ".json" else suffix[1:]


def _format(path):
    kind = table_format(path)
    if kind is None:
        raise ValueError(f"Unknown data format (expected one of {', '.join(TABLE_SUFFIXES)}"
                         f", optionally .gz). Received: {str(path)!r}")
    return kind


def _decoded_lines(path, report):
    """(line number, text) of each line that is valid UTF-8."""
    with _open_bytes(path) as file:
        for number, raw in enumerate(file, start=1):
            try:
                yield number, raw.decode("utf-8").replace("\x00", "")
            except UnicodeDecodeError:
                report["skipped_invalid_utf8"] += 1


class _Undecodable(Exception):
    pass


def _plain(value):
    """A record's value as Python str/number/list/dict (tf.data gives bytes
    and NumPy values)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise _Undecodable from None
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _records(source, report):
    """(row number from 1, dict) of each record of data in memory."""
    if isinstance(source, tf.data.Dataset):
        records = source.as_numpy_iterator()
    elif hasattr(source, "to_dict") and hasattr(source, "columns"):  # pandas
        records = source.to_dict("records")
    else:
        records = source
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise ValueError(f"{where(source, number)}: expected a mapping of column names "
                             f"to values (for a DatasetDict, pass one split, e.g. "
                             f"data['train']). Received: {type(record).__name__}")
        try:
            yield number, {key: _plain(value) for key, value in record.items()}
        except _Undecodable:
            report["skipped_invalid_utf8"] += 1


def read_rows(path, report=None):
    """(row number, dict) of each record of a CSV, TSV or JSONL file, or of
    records in memory.

    Row numbers count lines from 1 (the CSV/TSV header is line 1); records in
    memory count from 1.
    """
    report = collections.Counter() if report is None else report
    if not is_file(path):
        yield from _records(path, report)
        return
    kind = _format(path)
    lines = _decoded_lines(path, report)
    if kind == "jsonl":
        for number, line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{where(path, number)}: not JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{where(path, number)}: expected a JSON object. "
                                 f"Received: {line.strip()[:60]!r}")
            yield number, record
        return
    numbers = []

    def text_lines():
        for number, line in lines:
            numbers.append(number)
            yield line

    options = {"delimiter": "\t", "quoting": csv.QUOTE_NONE} if kind == "tsv" else {}
    reader = csv.DictReader(text_lines(), **options)
    try:
        for record in reader:
            if None in record:  # more cells than header names
                raise ValueError(f"{where(path, numbers[-1])}: {len(record) - 1 + len(record[None])} "
                                 f"cells, header has {len(reader.fieldnames)}")
            yield numbers[-1], record
    except csv.Error as error:
        raise ValueError(f"{where(path, numbers[-1])}: {error}") from None


def read_table(path, columns, optional=(), report=None):
    """The named columns of a table: `(rows, report)`, `rows` a list of dicts
    with `"row"` (its line number) and each column's value as a string.

    Rows whose values of `columns` are all empty, or whose first column (the
    text) is empty, are skipped and counted; `None` cells (a short CSV row, a
    missing JSON key) are errors.
    """
    report = collections.Counter() if report is None else report
    rows = []
    for number, record in read_rows(path, report):
        missing = [c for c in columns if c not in record or record[c] is None]
        if missing:
            raise ValueError(f"{where(path, number)}: no column {missing[0]!r} (the "
                             f"row has {sorted(k for k in record if k)}); name the "
                             "columns with --text-column / --label-column.")
        values = {c: record[c] if isinstance(record[c], (list, dict)) else str(record[c])
                  for c in (*columns, *[o for o in optional if record.get(o) is not None])}
        if not str(values[columns[0]]).strip():
            report["skipped_empty_text"] += 1
            continue
        rows.append({"row": number, **values})
    if not rows:
        raise ValueError(f"No usable rows in {describe(path)} ({dict(report) or 'empty file'}).")
    report["rows"] = len(rows)
    return rows, report


def class_label_names(source, column, sequence=False):
    """The class names of a Hugging Face `ClassLabel` column (with `sequence`,
    a `Sequence(ClassLabel)` or `List(ClassLabel)` column), else None."""
    features = getattr(source, "features", None)
    feature = features.get(column) if isinstance(features, Mapping) else None
    if sequence:
        feature = getattr(feature, "feature", None)
    names = getattr(feature, "names", None)
    return list(names) if names else None


def name_class_labels(rows, names, column, report):
    """Rows with `ClassLabel` ids replaced by their names; rows labelled -1
    (Hugging Face's "no label", as in GLUE test splits) are skipped."""
    named = []
    for row in rows:
        index = int(row[column])
        if index == -1:
            report["skipped_no_label"] += 1
            continue
        named.append({**row, column: names[index]})
    report["rows"] = len(named)
    return named, report


def label_set(rows, path, column="label"):
    """Sorted distinct labels; a single class is an error (nothing to learn)."""
    labels = sorted({row[column] for row in rows})
    if len(labels) < 2:
        raise ValueError(f"All {len(rows)} rows of {describe(path)} have the same label "
                         f"{labels[0]!r}: a classifier needs at least 2 classes.")
    return labels


def check_known_labels(rows, label_names, path, column="label"):
    """Raise, naming the first rows, when `rows` hold labels not in `label_names`."""
    known = set(label_names)
    unknown = [(row["row"], row[column]) for row in rows if row[column] not in known]
    if unknown:
        unit = "line" if is_file(path) else "row"
        lines = ", ".join(f"{unit} {n}: {label!r}" for n, label in unknown[:3])
        raise ValueError(f"{len(unknown)} rows of {describe(path)} have labels the model was not "
                         f"trained on ({lines}). Known labels: {sorted(known)[:10]}")


def read_floats(rows, path, column="label"):
    """The `column` of each row as a float, for regression."""
    values = []
    for row in rows:
        try:
            values.append(float(row[column]))
        except ValueError:
            raise ValueError(f"{where(path, row['row'])}: {column!r} must be a number "
                             f"for regression. Received: {row[column]!r}") from None
    return values


def read_conll(path, report=None):
    """Sentences of a CoNLL-style file: `(rows, report)`, each row
    `{"row": first line, "words": [...], "tags": [...]}`.

    One token a line, the word first and its tag last (whitespace-separated),
    a blank line between sentences; `-DOCSTART-` lines are ignored.
    """
    report = collections.Counter() if report is None else report
    rows, words, tags, start = [], [], [], None
    for number, line in _decoded_lines(path, report):
        fields = line.split()
        if fields and fields[0] == "-DOCSTART-":
            continue
        if not fields:
            if words:
                rows.append({"row": start, "words": words, "tags": tags})
            words, tags, start = [], [], None
            continue
        if len(fields) < 2:
            raise ValueError(f"{where(path, number)}: expected a word and a tag. "
                             f"Received: {line.strip()!r}")
        start = start or number
        words.append(fields[0])
        tags.append(fields[-1])
    if words:
        rows.append({"row": start, "words": words, "tags": tags})
    if not rows:
        raise ValueError(f"No sentences in {path} ({dict(report) or 'empty file'}).")
    report["rows"] = len(rows)
    return rows, report


def read_json(path):
    """A whole JSON document (SQuAD files)."""
    with _open_bytes(path) as file:
        data = file.read()
    try:
        return json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not UTF-8 JSON: {error}") from None
