"""Reading a pretraining corpus into documents of sentences, robustly.

Formats:
- `"sentences"` (the original's): one sentence a line, a blank line between
  documents.
- `"plain"`: paragraphs of running text; a blank line between documents, each
  document split into sentences after `.`, `!` or `?` followed by a space.
- `"jsonl"`: one JSON object a line, its `text_field` one document (split as
  plain text).

Bad input never stops a usable corpus: undecodable lines, NUL bytes, empty
files and documents without text are skipped and counted in the report; a line
longer than `max_line_chars` is cut at spaces into pieces. Only a corpus with no
text at all is an error.
"""

import collections
import json
import re
from pathlib import Path

from keras_albert.checks import check_choice

FORMATS = ("sentences", "plain", "jsonl")
TEXT_SUFFIXES = (".txt", ".text", ".jsonl", ".json")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def find_files(inputs):
    """The files named by `inputs` (files, or directories searched for text files)."""
    inputs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    if not inputs:
        raise ValueError("No input files. Received: input=[]")
    files = []
    for path in map(Path, inputs):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            if not found:
                raise ValueError(f"No text files ({', '.join(TEXT_SUFFIXES)}) in "
                                 f"directory. Received: input={str(path)!r}")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"No such input file. Received: input={str(path)!r}")
    return files


def _split_long(line, max_chars):
    """`line` cut at spaces into pieces of at most `max_chars` (or hard cuts)."""
    pieces = []
    while len(line) > max_chars:
        cut = line.rfind(" ", 0, max_chars)
        cut = cut if cut > 0 else max_chars
        pieces.append(line[:cut])
        line = line[cut:].lstrip()
    return pieces + ([line] if line else [])


def _lines(path, report, max_line_chars):
    """Decoded, NUL-free lines of `path`; long ones cut into pieces."""
    with open(path, "rb") as file:
        for raw in file:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                report["invalid_utf8_lines"] += 1
                continue
            if "\x00" in line:
                report["nul_bytes"] += line.count("\x00")
                line = line.replace("\x00", "")
            line = line.strip()
            if len(line) > max_line_chars:
                report["long_lines_split"] += 1
                yield from _split_long(line, max_line_chars)
            else:
                yield line


def _documents_of_file(path, input_format, text_field, report, max_line_chars):
    if input_format == "jsonl":
        for line in _lines(path, report, max_line_chars=float("inf")):
            if not line:
                continue
            try:
                text = json.loads(line).get(text_field)
            except (json.JSONDecodeError, AttributeError):
                text = None
            if not isinstance(text, str):
                report["bad_jsonl_lines"] += 1
                continue
            yield [s for paragraph in text.split("\n")
                   for part in _SENTENCE_END.split(paragraph.strip()) if part
                   for s in _split_long(part, max_line_chars)]
        return
    document = []
    for line in _lines(path, report, max_line_chars):
        if not line:
            if document:
                yield document
            document = []
        elif input_format == "plain":
            document += [part for part in _SENTENCE_END.split(line) if part]
        else:
            document.append(line)
    if document:
        yield document


def read_documents(inputs, input_format="sentences", text_field="text",
                   max_line_chars=20000):
    """Documents (lists of sentence strings) of a corpus, and a report of counts.

    Args:
        inputs: a file, a directory, or a list of them.
        input_format: `"sentences"`, `"plain"` or `"jsonl"`.
        text_field: the JSONL field holding a document's text.
        max_line_chars: longer lines are cut at spaces.

    Returns:
        `(documents, report)`; `report` counts files, documents, sentences and
        everything skipped.

    Raises:
        ValueError: no input, a missing file, a directory without text files, or
            no text in the whole corpus (naming the files and what was skipped).
    """
    check_choice("input_format", input_format, FORMATS)
    files = find_files(inputs)
    report = collections.Counter(files=len(files))
    documents = []
    for path in files:
        before = len(documents)
        documents += [doc for doc in _documents_of_file(
            path, input_format, text_field, report, max_line_chars) if doc]
        if len(documents) == before:
            report["files_without_text"] += 1
    report["documents"] = len(documents)
    report["sentences"] = sum(len(doc) for doc in documents)
    if not documents:
        skipped = {k: v for k, v in report.items() if v and k != "files"}
        raise ValueError(f"No text in the corpus ({skipped or 'all files empty'}). "
                         f"Received: input={[str(f) for f in files]}")
    return documents, dict(report)
