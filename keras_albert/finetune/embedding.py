"""`embed`: one unit-length vector per text, from any pretrained model.

    embed(model, texts)              -> (N, H) float32 array
    embed_file(model, source, out)   -> out: one JSON line per text, {"row", "embedding"}

A text's vector is the mean of the backbone's token vectors over its real
tokens, scaled to unit length (`AlbertSentenceEncoder`), so the cosine of two
texts is the dot product of their vectors. A model fine-tuned with `finetune
--task similarity` is trained for this; any other pretrained directory or name
(a backbone, a pretrainer, a classifier) is read through its backbone as it is.

A SavedModel exported from the same directory (`keras-albert export
saved-model`) gives the same vectors: its `embedding` output is them for a
similarity model, and for the other encoders the mean before the scaling
(divide it by its norm). Texts are packed as the export packs them: to the
saved preprocessor's length, else 128 pieces (or the model's positions, if
fewer); longer texts are truncated, and counted.
"""

import collections
import contextlib
import json
import os

import numpy as np

from keras_albert.checks import check_positive_int
from keras_albert.files import atomic_path
from keras_albert.finetune import readers
from keras_albert.finetune.config import DEFAULT_SEQUENCE_LENGTH
from keras_albert.locate import locate
from keras_albert.models.pretrained import read_config
from keras_albert.tasks.sentence_encoder import AlbertSentenceEncoder
from keras_albert.text.batch_encode import encode_texts
from keras_albert.text.preprocessor import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer

DEFAULT_TEXT_COLUMN = "text"


def sentence_encoder(model, sequence_length=None):
    """The `AlbertSentenceEncoder` of `model`: itself if it is one, else one on
    the backbone of a pretrained directory or name, with a preprocessor
    packing to `sequence_length` (default: the saved preprocessor's, else 128
    or the model's positions if fewer)."""
    if isinstance(model, AlbertSentenceEncoder):
        if model.preprocessor is None:
            raise ValueError("This AlbertSentenceEncoder has no preprocessor to read "
                             "texts: make it with preprocessor=AlbertPreprocessor(...).")
        if sequence_length not in (None, model.preprocessor.sequence_length):
            raise ValueError(f"This encoder's preprocessor packs to "
                             f"{model.preprocessor.sequence_length}: give it another "
                             f"one. Received: sequence_length={sequence_length}")
        return model
    directory = locate(model)
    config = read_config(directory)
    positions = config["backbone"]["max_sequence_length"]
    saved = ((config.get("preprocessor") or {}).get("config") or {}).get("sequence_length")
    if sequence_length is None:
        sequence_length = saved or min(DEFAULT_SEQUENCE_LENGTH, positions)
    check_positive_int("sequence_length", sequence_length)
    if sequence_length > positions:
        raise ValueError(f"{model} has {positions} positions: pack to at most "
                         f"{positions}. Received: sequence_length={sequence_length}")
    preprocessor = AlbertPreprocessor(load_tokenizer(directory), sequence_length)
    return AlbertSentenceEncoder.from_pretrained(directory, preprocessor=preprocessor)


def _check_texts(texts):
    texts = list(texts)
    if not texts:
        raise ValueError("embed needs at least one text. Received: none.")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(  # noqa: TRY004
                f"embed takes texts (str); item {index} is not one. "
                f"Received: {type(text).__name__} {str(text)[:40]}")
    return texts


def embed(model, texts, batch_size=32, sequence_length=None):
    """Unit-length vectors of `texts`.

    Args:
        model: a pretrained directory or name, or an `AlbertSentenceEncoder`
            (loaded once: pass one to embed many times).
        texts: a list of strings.
        batch_size: int. Texts encoded at a time.
        sequence_length: int or None. The packed length (see
            `sentence_encoder`).

    Returns:
        float32 array (N, H), each row of L2 norm 1 (0 for a text of padding
        alone, which no text is: `[CLS]` and `[SEP]` always count).

    Example:
    >>> vectors = embed("out/model", ["A cat sat.", "A cat was sitting."])
    >>> float(vectors[0] @ vectors[1])  # their cosine similarity
    """
    check_positive_int("batch_size", batch_size)
    texts = _check_texts(texts)
    encoder = sentence_encoder(model, sequence_length)
    return encoder.predict(np.array(texts), batch_size=batch_size, verbose=0)


def read_lines(source):
    """`(rows, report)` of a text file or an iterable of lines (str or bytes,
    e.g. `sys.stdin.buffer`): one text a line, each row `{"row": line
    number, "text": ...}`; blank lines and lines that are not UTF-8 are
    skipped and counted."""
    is_path = isinstance(source, (str, os.PathLike))
    if is_path and not os.path.isfile(source):
        raise ValueError(f"No such input file. Received: {str(source)!r}")
    report = collections.Counter()
    rows = []
    with open(source, "rb") if is_path else contextlib.nullcontext(source) as lines:
        for number, line in enumerate(lines, start=1):
            if isinstance(line, bytes):
                try:
                    line = line.decode("utf-8")
                except UnicodeDecodeError:
                    report["skipped_invalid_utf8"] += 1
                    continue
            text = line.rstrip("\r\n")
            if not text.strip():
                report["skipped_empty_text"] += 1
                continue
            rows.append({"row": number, "text": text})
    if not rows:
        raise ValueError(f"No text in {source if is_path else 'standard input'} "
                         f"({dict(report) or 'empty'}).")
    return rows, report


def read_embed_input(source, text_column=DEFAULT_TEXT_COLUMN):
    """`(rows, report)` of what `embed_file` reads: a CSV/TSV/JSONL file (its
    `text_column`), any other file or an iterable of lines (one text a line)."""
    is_table = (isinstance(source, (str, os.PathLike))
                and readers.table_format(source) is not None)
    if is_table:
        rows, report = readers.read_table(source, [text_column])
        return [{"row": row["row"], "text": row[text_column]} for row in rows], report
    return read_lines(source)


def embed_file(model, source, out, text_column=DEFAULT_TEXT_COLUMN, batch_size=32,
               sequence_length=None):
    """Embed each text of `source` (see `read_embed_input`) and write one JSON
    line per text, `{"row": its line number, "embedding": [...]}`, to `out`
    (a path, written whole or not at all, or a text stream).

    Returns:
        `{"texts", "dimension", "sequence_length", "truncated_texts",
        "skipped"}`: what was written, and what was left out or cut.
    """
    check_positive_int("batch_size", batch_size)
    rows, report = read_embed_input(source, text_column)
    encoder = sentence_encoder(model, sequence_length)
    texts = [row["text"] for row in rows]
    vectors = embed(encoder, texts, batch_size)
    length = encoder.preprocessor.sequence_length
    truncated = sum(len(ids) > length - 2  # [CLS] and [SEP]
                    for ids in encode_texts(encoder.preprocessor.tokenizer, texts))
    lines = "".join(json.dumps({"row": row["row"], "embedding": vector.tolist()}) + "\n"
                    for row, vector in zip(rows, vectors, strict=True))
    if isinstance(out, (str, os.PathLike)):
        with atomic_path(out) as temporary:
            temporary.write_text(lines, encoding="utf-8")
    else:
        out.write(lines)
    return {"texts": len(rows), "dimension": int(vectors.shape[1]),
            "sequence_length": length, "truncated_texts": truncated,
            "skipped": {k: v for k, v in report.items() if k.startswith("skipped")}}
