"""The embedded WordNet 3.0 task: which lexicographer file a gloss belongs to.

117,659 synsets of WordNet 3.0. The text is a synset's gloss (its definition,
then its usage examples in quotes, separated by "; "), the label its
lexicographer file: 45 classes such as `noun.animal`, `verb.motion`,
`adj.all`. The split is fixed by synset (a hash of the synset id): 94,263
train, 11,707 validation, 11,689 test. The train glosses double as the default
pretraining corpus; validation and test glosses are never in it.

Rebuilt from Debian's `wordnet-base` package by `tools/build_wordnet_dataset.py`;
WordNet's license is `data/WORDNET_LICENSE`, next to the data.
"""

import csv
import gzip
import re
from pathlib import Path

from keras_albert.checks import check_choice
from keras_albert.files import atomic_path
from keras_albert.sampling import evenly_spaced

DATA_FILE = Path(__file__).parent / "data" / "wordnet_lexnames.tsv.gz"
LICENSE_FILE = DATA_FILE.parent / "WORDNET_LICENSE"
WORDNET_SPLITS = ("train", "validation", "test")
COLUMNS = ("synset", "label", "text")
# A gloss is "definition; "example"; "example"": split before each quoted part.
_EXAMPLE_START = re.compile(r';\s+(?=")')


def _rows():
    with gzip.open(DATA_FILE, "rt", encoding="utf-8", newline="") as file:
        yield from csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)


def load_wordnet(split="train", limit=None):
    """The examples of one split, in synset order.

    Args:
        split: `"train"`, `"validation"` or `"test"`.
        limit: int or None. Keep every k-th example so that about `limit`
            remain, spread over the whole split (all labels kept in proportion).

    Returns:
        list of dicts with `"synset"`, `"label"` and `"text"`.

    Example:
    >>> examples = load_wordnet("validation")
    >>> examples[0]["label"], examples[0]["text"][:40]
    """
    check_choice("split", split, WORDNET_SPLITS)
    examples = [{c: row[c] for c in COLUMNS} for row in _rows() if row["split"] == split]
    if limit is not None:
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"`limit` must be a positive int or None. Received: "
                             f"limit={limit!r}")
        examples = evenly_spaced(examples, limit)
    return examples


def wordnet_label_names():
    """The 45 lexicographer file names, sorted."""
    return sorted({row["label"] for row in _rows()})


def gloss_sentences(gloss):
    """A gloss as sentences: the definition, then each usage example.

    >>> gloss_sentences('move fast; "He ran to the store"')
    ['move fast', '"He ran to the store"']
    """
    return [part.strip() for part in _EXAMPLE_START.split(gloss) if part.strip()]


def write_wordnet(out, splits=WORDNET_SPLITS, limit=None):
    """Write `out/<split>.jsonl` (`{"text": ..., "label": ...}` a line) for
    `keras-albert finetune`; returns the paths written."""
    import json

    paths = []
    for split in splits:
        path = Path(out) / f"{split}.jsonl"
        with atomic_path(path) as temporary:
            temporary.write_text("".join(
                json.dumps({"text": e["text"], "label": e["label"]}) + "\n"
                for e in load_wordnet(split, limit)), encoding="utf-8")
        paths.append(path)
    return paths


def write_wordnet_corpus(path, limit=None):
    """Write the train glosses as a pretraining corpus in the original format:
    one synset a document, its definition and each example on a line, a blank
    line between documents. Returns `path`."""
    path = Path(path)
    with atomic_path(path) as temporary:
        temporary.write_text("".join(
            "\n".join(gloss_sentences(e["text"])) + "\n\n"
            for e in load_wordnet("train", limit)), encoding="utf-8")
    return path
