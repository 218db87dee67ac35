"""Users' data files to examples, with row numbers in every complaint.

Tables: CSV, TSV (GLUE's convention: tab-separated, no quoting) and JSONL, each
optionally gzipped. Rows that cannot be used but do no harm when left out
(undecodable bytes, an empty text) are skipped and counted in the report; a
missing column or an unknown label is an error naming the file, the row and
the value, because training on them would silently be wrong.
"""

import collections
import csv
import gzip
import json
from pathlib import Path

TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".json")


def _open_bytes(path):
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"No such data file. Received: {str(path)!r}")
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def table_format(path):
    """"csv", "tsv" or "jsonl" from the file name (`.gz` ignored), else None."""
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


def read_rows(path, report=None):
    """(row number, dict) of each record of a CSV, TSV or JSONL file.

    Row numbers count lines from 1 (the CSV/TSV header is line 1).
    """
    report = collections.Counter() if report is None else report
    kind = _format(path)
    lines = _decoded_lines(path, report)
    if kind == "jsonl":
        for number, line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}, line {number}: not JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path}, line {number}: expected a JSON object. "
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
                raise ValueError(f"{path}, line {numbers[-1]}: {len(record) - 1 + len(record[None])} "
                                 f"cells, header has {len(reader.fieldnames)}")
            yield numbers[-1], record
    except csv.Error as error:
        raise ValueError(f"{path}, line {numbers[-1]}: {error}") from None


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
            raise ValueError(f"{path}, line {number}: no column {missing[0]!r} (the "
                             f"row has {sorted(k for k in record if k)}); name the "
                             "columns with --text-column / --label-column.")
        values = {c: record[c] if isinstance(record[c], (list, dict)) else str(record[c])
                  for c in (*columns, *[o for o in optional if record.get(o) is not None])}
        if not str(values[columns[0]]).strip():
            report["skipped_empty_text"] += 1
            continue
        rows.append({"row": number, **values})
    if not rows:
        raise ValueError(f"No usable rows in {path} ({dict(report) or 'empty file'}).")
    report["rows"] = len(rows)
    return rows, report


def label_set(rows, path, column="label"):
    """Sorted distinct labels; a single class is an error (nothing to learn)."""
    labels = sorted({row[column] for row in rows})
    if len(labels) < 2:
        raise ValueError(f"All {len(rows)} rows of {path} have the same label "
                         f"{labels[0]!r}: a classifier needs at least 2 classes.")
    return labels


def check_known_labels(rows, label_names, path, column="label"):
    """Raise, naming the first rows, when `rows` hold labels not in `label_names`."""
    known = set(label_names)
    unknown = [(row["row"], row[column]) for row in rows if row[column] not in known]
    if unknown:
        lines = ", ".join(f"line {n}: {label!r}" for n, label in unknown[:3])
        raise ValueError(f"{len(unknown)} rows of {path} have labels the model was not "
                         f"trained on ({lines}). Known labels: {sorted(known)[:10]}")


def read_floats(rows, path, column="label"):
    """The `column` of each row as a float, for regression."""
    values = []
    for row in rows:
        try:
            values.append(float(row[column]))
        except ValueError:
            raise ValueError(f"{path}, line {row['row']}: {column!r} must be a number "
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
            raise ValueError(f"{path}, line {number}: expected a word and a tag. "
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
