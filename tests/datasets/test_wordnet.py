import collections
import hashlib

from keras_albert.datasets import (
    gloss_sentences,
    load_wordnet,
    wordnet_label_names,
    write_wordnet_corpus,
)
from keras_albert.datasets.wordnet import LICENSE_FILE, _rows


def test_the_shipped_task_has_45_classes_and_a_fixed_split_by_synset():
    rows = list(_rows())
    assert len(rows) == 117659  # synsets in WordNet 3.0
    assert len(wordnet_label_names()) == 45
    counts = collections.Counter(row["split"] for row in rows)
    assert set(counts) == {"train", "validation", "test"}
    assert len({row["synset"] for row in rows}) == len(rows)  # a synset is in one split
    for row in rows[::997]:  # the documented rule: sha256(synset) % 1000
        bucket = int(hashlib.sha256(row["synset"].encode()).hexdigest(), 16) % 1000
        expected = "test" if bucket < 100 else "validation" if bucket < 200 else "train"
        assert row["split"] == expected
    assert all(row["text"].strip() for row in rows)
    assert "Princeton University" in LICENSE_FILE.read_text()


def test_limit_keeps_an_even_spread_of_labels():
    few = load_wordnet("validation", limit=500)
    assert len(few) == 500
    assert len({e["label"] for e in few}) > 30  # not just the first lexicographer files
    # More than half a split: still spread over all of it, not its first rows.
    full = load_wordnet("train")
    most = load_wordnet("train", limit=60000)
    assert len(most) == 60000

    def verb_share(examples):
        return sum(e["label"].startswith("verb.") for e in examples) / len(examples)

    assert abs(verb_share(most) - verb_share(full)) < 0.01


def test_glosses_split_into_definition_and_examples(tmp_path):
    assert gloss_sentences('move fast; of a horse; "He ran"; "she ran, too"') == [
        "move fast; of a horse", '"He ran"', '"she ran, too"']
    path = write_wordnet_corpus(tmp_path / "corpus.txt", limit=20)
    documents = path.read_text().strip().split("\n\n")
    assert len(documents) == 20
    held_out = {e["text"] for e in load_wordnet("test")}
    assert not any(doc.split("\n")[0] in held_out for doc in documents)
