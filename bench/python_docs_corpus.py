"""Write an English pretraining corpus that every Python installation carries.

Documents: the help topics of `pydoc_data.topics` (the language reference) and
the docstrings of the standard library (modules, classes, functions) that hold at
least three sentences; about 1.1 MB of English prose (with some code) in the
`plain` format of `keras-albert pretrain` (a blank line between documents).

    python bench/python_docs_corpus.py --out python_docs.txt
"""

import argparse
import os
import pydoc_data.topics
import sysconfig
import tempfile
from pathlib import Path

from keras_albert.datasets.local_text import file_docstrings

SKIPPED_PACKAGES = {"site-packages", "test", "tests", "idlelib", "lib2to3", "tkinter",
                    "turtledemo"}


def _paragraphs(text):
    """Paragraphs of `text` as single lines."""
    paragraphs = [" ".join(line.strip() for line in block.splitlines())
                  for block in text.split("\n\n")]
    return [p for p in paragraphs if p]


def _docstrings(stdlib):
    for path in sorted(stdlib.rglob("*.py")):
        if SKIPPED_PACKAGES & set(path.relative_to(stdlib).parts):
            continue
        yield from (docstring for docstring in file_docstrings(path)
                    if docstring.count(". ") >= 2)


def documents():
    """The corpus: a list of documents, each a list of paragraph lines."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    texts = [*pydoc_data.topics.topics.values(), *_docstrings(stdlib)]
    return [p for p in map(_paragraphs, texts) if p]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    text = "\n\n".join("\n".join(document) for document in documents()) + "\n"
    out = Path(args.out)
    handle, temporary = tempfile.mkstemp(dir=out.parent.resolve(), prefix=f".{out.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, out)
    print(f"Wrote {out}: {len(text.encode()):,d} bytes")


if __name__ == "__main__":
    main()
