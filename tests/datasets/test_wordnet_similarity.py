import collections
import csv
import gzip
import json

from keras_albert.cli import main
from keras_albert.datasets.wordnet import _rows
from keras_albert.datasets.wordnet_similarity import PAIRS_FILE, load_wordnet_similarity


def test_the_shipped_pairs_stay_within_their_split_and_spread_their_scores():
    with gzip.open(PAIRS_FILE, "rt", encoding="utf-8", newline="") as file:
        pairs = list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert collections.Counter(p["split"] for p in pairs) == {
        "train": 8000, "validation": 1000, "test": 1000}
    split_of = {row["synset"]: row["split"] for row in _rows()}
    # Both glosses of a pair from its split: no test gloss among the training ones.
    assert all(split_of[p["synset_a"]] == split_of[p["synset_b"]] == p["split"]
               for p in pairs)
    assert all(p["synset_a"].endswith("-n") and p["synset_b"].endswith("-n") for p in pairs)
    assert len({frozenset((p["synset_a"], p["synset_b"])) for p in pairs}) == len(pairs)
    scores = sorted(float(p["score"]) for p in pairs)
    assert 0 < scores[0] < 0.15 and scores[-1] <= 1.0
    assert 0.2 < scores[len(scores) // 4] and scores[3 * len(scores) // 4] < 0.9


def test_the_command_writes_the_pairs(tmp_path, capsys):
    assert main(["data", "wordnet-similarity", "--out", str(tmp_path), "--limit", "30"]) == 0
    test = [json.loads(line) for line in (tmp_path / "test.jsonl").read_text().splitlines()]
    assert len(test) == 30 and set(test[0]) == {"text_a", "text_b", "label"}
    assert test == load_wordnet_similarity("test", limit=30)
