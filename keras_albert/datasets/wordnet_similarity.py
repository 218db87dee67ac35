"""WordNet gloss pairs with a graded similarity: an STS-style set with no download.

10,000 pairs of WordNet 3.0 noun synsets (8,000 train, 1,000 validation,
1,000 test), both synsets of a pair from the same split of the embedded
WordNet task, so no gloss of a validation or test pair is among the training
glosses (nor in the default pretraining corpus). The texts are the two
synsets' glosses; the score is the Wu-Palmer similarity of the synsets in
WordNet's noun hierarchy, 0 to 1 (as NLTK's `wup_similarity`).

What it is: a similarity of the concepts the glosses define, read off a
hand-built taxonomy, not human judgements of the two sentences as in STS-B.
Two glosses score high when they define related concepts (those of dog and
cat: 0.86), whatever their words.
A third of the pairs were drawn near each other in the hierarchy, a third
within one lexicographer file and a third anywhere, so scores spread over 0.1
to 1 (quartiles 0.24, 0.53, 0.80).

Built from Debian's `wordnet-base` package by `tools/build_wordnet_similarity.py`;
WordNet's license is `data/WORDNET_LICENSE`.
"""

import csv
import gzip
import json
from pathlib import Path

from keras_albert.checks import check_choice
from keras_albert.datasets.wordnet import WORDNET_SPLITS, _rows
from keras_albert.files import atomic_path
from keras_albert.sampling import evenly_spaced

PAIRS_FILE = Path(__file__).parent / "data" / "wordnet_similarity.tsv.gz"


def load_wordnet_similarity(split="train", limit=None):
    """The gloss pairs of one split.

    Args:
        split: `"train"`, `"validation"` or `"test"`.
        limit: int or None. Keep about `limit` pairs, spread over the split.

    Returns:
        list of dicts with `"text_a"`, `"text_b"` (glosses) and `"label"`
        (the Wu-Palmer similarity of their synsets, 0 to 1).

    Example:
    >>> pairs = load_wordnet_similarity("test", limit=100)
    >>> sorted(pairs[0])
    ['label', 'text_a', 'text_b']
    """
    check_choice("split", split, WORDNET_SPLITS)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"`limit` must be a positive int or None. Received: limit={limit!r}")
    with gzip.open(PAIRS_FILE, "rt", encoding="utf-8", newline="") as file:
        rows = [row for row in csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
                if row["split"] == split]
    if limit is not None:
        rows = evenly_spaced(rows, limit)
    wanted = {row[column] for row in rows for column in ("synset_a", "synset_b")}
    glosses = {row["synset"]: row["text"] for row in _rows() if row["synset"] in wanted}
    return [{"text_a": glosses[row["synset_a"]], "text_b": glosses[row["synset_b"]],
             "label": float(row["score"])} for row in rows]


def write_wordnet_similarity(out, splits=WORDNET_SPLITS, limit=None):
    """Write `out/<split>.jsonl` (`{"text_a", "text_b", "label"}` a line) for
    `keras-albert finetune --task similarity`; returns the paths written."""
    paths = []
    for split in splits:
        path = Path(out) / f"{split}.jsonl"
        with atomic_path(path) as temporary:
            temporary.write_text("".join(json.dumps(pair) + "\n" for pair in
                                         load_wordnet_similarity(split, limit)),
                                 encoding="utf-8")
        paths.append(path)
    return paths
