"""Reading a pretraining corpus into documents of sentences, robustly.

Inputs are files, directories or glob patterns, local or on any file system
`tf.io.gfile` reads (`gs://`, `hdfs://`, ...). Formats:
- `"sentences"` (the original's): one sentence a line, a blank line between
  documents.
- `"plain"`: paragraphs of running text; a blank line between documents, each
  document split into sentences after `.`, `!` or `?` followed by a space.
- `"jsonl"`: one JSON object a line, its `text_field` one document (split as
  plain text).

Bad input never stops a usable corpus: undecodable lines, NUL bytes, empty
files and documents without text are skipped and counted in the report; a line
longer than `max_line_chars` is read and cut at spaces into pieces, a document
longer than `max_document_chars` is cut into documents, and a JSONL line longer
than 64 MiB is skipped, so memory is bounded by a document however the corpus
is laid out. Only a corpus with no text at all is an error.
"""

import collections
import glob
import json
import os
import re

import tensorflow as tf

from keras_albert.checks import check_choice

FORMATS = ("sentences", "plain", "jsonl")
TEXT_SUFFIXES = (".txt", ".text", ".jsonl", ".json")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_GLOB = re.compile(r"[*?[]")
MAX_LINE_CHARS = 20000
MAX_DOCUMENT_CHARS = 1_000_000
MAX_JSONL_BYTES = 64 << 20  # one JSONL document


def _remote(path):
    return "://" in path


def _is_text(path):
    return path.lower().endswith(TEXT_SUFFIXES)


def _directory_files(path):
    if _remote(path):
        return sorted(os.path.join(root, name) for root, _, names in tf.io.gfile.walk(path)
                      for name in names if _is_text(name))
    return sorted(os.path.join(root, name) for root, _, names in os.walk(path)
                  for name in names if _is_text(name))


def find_files(inputs):
    """The files named by `inputs`: files, directories (searched for text files)
    or glob patterns, local or any `tf.io.gfile` path (`gs://...`); each
    pattern's and directory's files in sorted order."""
    inputs = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    if not inputs:
        raise ValueError("No input files. Received: input=[]")
    files = []
    for path in map(str, inputs):
        remote = _remote(path)
        if _GLOB.search(path):
            found = sorted(tf.io.gfile.glob(path) if remote else glob.glob(path))
            found = [f for f in found if not (tf.io.gfile.isdir(f) if remote
                                              else os.path.isdir(f))]
            if not found:
                raise ValueError(f"No files match the pattern. Received: input={path!r}")
            files += found
        elif tf.io.gfile.isdir(path) if remote else os.path.isdir(path):
            found = _directory_files(path)
            if not found:
                raise ValueError(f"No text files ({', '.join(TEXT_SUFFIXES)}) in "
                                 f"directory. Received: input={path!r}")
            files += found
        elif tf.io.gfile.exists(path) if remote else os.path.isfile(path):
            files.append(path)
        else:
            raise ValueError(f"No such input file. Received: input={path!r}")
    return files


def file_size(path):
    """The size of a local or `tf.io.gfile` file in bytes."""
    return tf.io.gfile.stat(path).length if _remote(path) else os.path.getsize(path)


def open_binary(path):
    """A binary reader of a local or `tf.io.gfile` file."""
    return tf.io.gfile.GFile(path, "rb") if _remote(path) else open(path, "rb")


def _split_long(line, max_chars):
    """`line` cut at spaces into pieces of at most `max_chars` (or hard cuts)."""
    pieces = []
    while len(line) > max_chars:
        cut = line.rfind(" ", 0, max_chars)
        cut = cut if cut > 0 else max_chars
        pieces.append(line[:cut])
        line = line[cut:].lstrip()
    return pieces + ([line] if line else [])


def _cut(block, limit):
    """Where to cut a long line's bytes: after the last space before `limit`,
    else at the last UTF-8 character boundary (never inside a character)."""
    cut = block.rfind(b" ", 0, limit)
    if cut > 0:
        return cut
    cut = limit
    while cut > 0 and block[cut] & 0xC0 == 0x80:  # a continuation byte
        cut -= 1
    return cut or limit


def _raw_lines(file, limit, report):
    """The lines of a binary file as bytes, a line longer than `limit` bytes in
    pieces of at most `limit` bytes (read piece by piece: memory stays bounded
    by `limit` however long the line)."""
    while raw := file.readline(limit + 1):
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield raw
            continue
        report["long_lines_split"] += 1
        block = raw
        while True:
            ended = block.endswith(b"\n")
            while len(block) > limit:
                cut = _cut(block, limit)
                yield block[:cut]
                block = block[cut:].lstrip(b" ")
            if ended:
                yield block
                break
            more = file.readline(limit + 1)
            if not more:
                yield block
                break
            block += more


def _decode(raw, report):
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        report["invalid_utf8_lines"] += 1
        return None
    if "\x00" in line:
        report["nul_bytes"] += line.count("\x00")
        line = line.replace("\x00", "")
    return line.strip()


def _lines(file, report, max_line_chars):
    """Decoded, NUL-free, stripped lines; a long one in pieces (cut at spaces)."""
    for raw in _raw_lines(file, max_line_chars, report):
        line = _decode(raw, report)
        if line is not None:
            yield line


def _jsonl_lines(file, report):
    """The lines of a JSONL file as bytes; a line longer than `MAX_JSONL_BYTES`
    (one document that would not fit) is read through in pieces and skipped."""
    while raw := file.readline(MAX_JSONL_BYTES + 1):
        if len(raw) > MAX_JSONL_BYTES and not raw.endswith(b"\n"):
            report["jsonl_lines_too_long"] += 1
            while (more := file.readline(MAX_JSONL_BYTES + 1)) and not more.endswith(b"\n"):
                pass
            continue
        yield raw


def _jsonl_documents(file, text_field, report, max_line_chars):
    for raw in _jsonl_lines(file, report):
        line = _decode(raw, report)
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


def file_documents(path, input_format, report, text_field="text",
                   max_line_chars=MAX_LINE_CHARS, max_document_chars=MAX_DOCUMENT_CHARS):
    """The documents (lists of sentences) of one file, one at a time.

    Memory is bounded by one document: a document growing past
    `max_document_chars` is cut there (counted as `documents_split`), and a
    line is read in pieces of `max_line_chars` bytes. Skips are counted in
    `report` (a `collections.Counter`).
    """
    with open_binary(path) as file:
        if input_format == "jsonl":
            yield from (d for d in _jsonl_documents(file, text_field, report,
                                                    max_line_chars) if d)
            return
        document, size = [], 0
        for line in _lines(file, report, max_line_chars):
            if not line:
                if document:
                    yield document
                document, size = [], 0
                continue
            sentences = ([part for part in _SENTENCE_END.split(line) if part]
                         if input_format == "plain" else [line])
            document += sentences
            size += len(line)
            if size >= max_document_chars:
                report["documents_split"] += 1
                yield document
                document, size = [], 0
        if document:
            yield document


def read_documents(inputs, input_format="sentences", text_field="text",
                   max_line_chars=MAX_LINE_CHARS):
    """Documents (lists of sentence strings) of a corpus, and a report of counts.

    Args:
        inputs: a file, a directory, or a list of them.
        input_format: `"sentences"`, `"plain"` or `"jsonl"`.
        text_field: the JSONL field holding a document's text.
        max_line_chars: longer lines are cut at spaces (bytes of UTF-8).

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
        documents += file_documents(path, input_format, report, text_field,
                                    max_line_chars)
        if len(documents) == before:
            report["files_without_text"] += 1
    report["documents"] = len(documents)
    report["sentences"] = sum(len(doc) for doc in documents)
    if not documents:
        skipped = {k: v for k, v in report.items() if v and k != "files"}
        raise ValueError(f"No text in the corpus ({skipped or 'all files empty'}). "
                         f"Received: input={files}")
    return documents, dict(report)
