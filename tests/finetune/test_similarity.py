"""`finetune --task similarity`: the objective follows the data, training
raises the Spearman correlation of the pairs, the saved model is an encoder
whose SavedModel serves `embed`'s vectors, and bad data is one line."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_albert
from keras_albert import metrics
from keras_albert.cli import main
from keras_albert.datasets.wordnet_similarity import write_wordnet_similarity
from keras_albert.models.pretrained import load_pretrained
from keras_albert.tasks.sentence_pairs import AlbertSentencePairs
from keras_albert.text import AlbertPreprocessor, AlbertTokenizer
from tests.finetune.conftest import TINY, write_jsonl
from tests.finetune.test_embed import saved_backbone
from tests.helpers import check_config_round_trip, check_saved_round_trip

# TINY on a saved albert_tiny: a model of 64 pairs learns them in 4 epochs.
SETTINGS = [*TINY[2:], "--epochs", "4", "--no-xla"]


@pytest.fixture(scope="module")
def pairs(tmp_path_factory, wordnet_vocab):
    """A saved base and 64 training pairs of the WordNet similarity set."""
    directory = tmp_path_factory.mktemp("similarity")
    write_wordnet_similarity(directory, splits=("train",), limit=64)
    return saved_backbone(directory / "base", wordnet_vocab), directory / "train.jsonl"


@pytest.fixture(scope="module")
def trained(pairs, tmp_path_factory):
    base, train = pairs
    out = tmp_path_factory.mktemp("similarity_run")
    assert main(["finetune", "--task", "similarity", "--model", str(base), "--train",
                 str(train), "--eval", str(train), "--out", str(out), *SETTINGS]) == 0
    return out


def spearman(model, path):
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    a, b = (keras_albert.embed(model, [row[c] for row in rows]) for c in ("text_a", "text_b"))
    return metrics.regression_metrics([row["label"] for row in rows],
                                      (a * b).sum(-1))["spearman"]


def test_scored_pairs_train_an_encoder_by_cosine_regression(pairs, trained):
    base, train = pairs
    history = (trained / "history.csv").read_text().splitlines()[1:]
    losses = [float(line.split(",")[1]) for line in history]
    assert losses[-1] < losses[0] / 2
    summary = json.loads((trained / "metrics.json").read_text())
    assert set(summary["eval_metrics"]) == {"spearman", "pearson"}
    untrained, learned = spearman(base, train), spearman(trained / "model", train)
    assert learned > untrained + 0.3, (untrained, learned)
    assert summary["eval_metrics"]["spearman"] == pytest.approx(learned, abs=1e-4)
    assert type(load_pretrained(trained / "model")).__name__ == "AlbertSentenceEncoder"


def test_the_saved_model_serves_the_vectors_embed_gives(trained, tmp_path):
    texts = ["a small dog", "any of various tall perennial grasses " * 8, "", "café"]
    assert main(["export", "saved-model", str(trained / "model"), "--out",
                 str(tmp_path), "--name", "similarity"]) == 0
    loaded = tf.saved_model.load(str(tmp_path / "similarity" / "1"))
    served = loaded.signatures["serving_default"](text=tf.constant(texts))["embedding"]
    np.testing.assert_allclose(served.numpy(), keras_albert.embed(trained / "model", texts),
                               atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(served.numpy(), axis=1), 1.0, atol=1e-5)


def test_pairs_without_scores_train_with_in_batch_negatives(pairs, tmp_path):
    base, train = pairs
    unscored = write_jsonl(tmp_path / "positives.jsonl", [
        {"text_a": row["text_a"], "text_b": row["text_b"]}
        for row in map(json.loads, train.read_text().splitlines())])
    assert main(["finetune", "--task", "similarity", "--model", str(base), "--train",
                 str(unscored), "--eval", str(unscored), "--out", str(tmp_path / "run"),
                 *SETTINGS]) == 0
    summary = json.loads((tmp_path / "run/metrics.json").read_text())
    # Retrieval among the 64 pairs: chance is 1/64.
    assert set(summary["eval_metrics"]) == {"accuracy", "mrr"}
    assert summary["eval_metrics"]["accuracy"] > 0.2, summary["eval_metrics"]


def test_the_pairs_model_round_trips_and_fits_raw_pairs(tmp_path, wordnet_vocab):
    tokenizer = AlbertTokenizer.from_pretrained(wordnet_vocab)
    model = AlbertSentencePairs.from_preset(
        "albert_tiny", load_weights=False,
        backbone_overrides={"vocabulary_size": tokenizer.vocabulary_size()},
        preprocessor=AlbertPreprocessor(tokenizer, 16), objective="in_batch_negatives")
    check_config_round_trip(model)
    x = model.preprocess_samples((np.array(["a dog", "a cat"]), np.array(["dogs", "cats"])))
    assert sorted(x) == sorted(f"{n}_{s}" for n in ("token_ids", "segment_ids",
                                                    "padding_mask") for s in "ab")
    check_saved_round_trip(model, x, tmp_path)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=False)
    model.fit((np.array(["a dog", "a cat"]), np.array(["dogs", "cats"])), np.zeros(2),
              batch_size=2, verbose=0)
    assert "pooler/kernel" not in [v.path for v in model.trainable_variables]


@pytest.mark.parametrize("rows, arguments, message", [
    ([{"text_a": "a", "label": 1}], [],
     ("{train}, line 1: no column 'text_b' (the row has ['label', 'text_a']); name the "
     "columns with --text-column / --label-column.")),
    ([{"text_a": "a", "text_b": "b", "label": 0.5},
      {"text_a": "c", "text_b": "d", "label": "high"}], [],
     "{train}, line 2: 'label' must be a number for regression. Received: 'high'"),
    ([{"text_a": "a", "text_b": "b", "label": 0.5}, {"text_a": "c", "text_b": "d"}], [],
     ("{train}, line 2: no 'label', but 1 other pairs have one: score every pair, or "
     "none (pairs that are all similar).")),
    ([{"text_a": "a", "text_b": "b", "label": 2}, {"text_a": "c", "text_b": "d", "label": 2}],
     [], ("All 2 pairs of {train} have the score 2.0: cosine regression needs scores "
     "that differ (leave the column out for pairs that are all similar).")),
    ([{"text_a": "a", "text_b": "b", "label": 0}, {"text_a": "c", "text_b": "d", "label": 1}],
     ["--text-column", "text_a"],
     ("Task 'similarity' reads 2 text columns (the two texts of a pair). Received: "
     "text_columns=['text_a']")),
    ([{"text_a": "a", "text_b": "b"}], ["--labels", "x,y"],
     "Task 'similarity' has no classes to name. Received: label_names=['x', 'y']"),
])
def test_bad_data_is_one_line(pairs, tmp_path, capsys, rows, arguments, message):
    train = write_jsonl(tmp_path / "train.jsonl", rows)
    assert main(["finetune", "--task", "similarity", "--model", str(pairs[0]), "--train",
                 str(train), "--out", str(tmp_path / "run"), *SETTINGS, *arguments]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert error[-1] == f"keras-albert: error: {message.format(train=train)}"
    assert not (tmp_path / "run" / "model").exists()


def test_unscored_eval_pairs_for_scored_training_is_one_line(pairs, tmp_path, capsys):
    base, train = pairs
    eval_path = write_jsonl(tmp_path / "eval.jsonl", [{"text_a": "a", "text_b": "b"}])
    assert main(["finetune", "--task", "similarity", "--model", str(base), "--train",
                 str(train), "--eval", str(eval_path), "--out", str(tmp_path / "run"),
                 *SETTINGS]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"keras-albert: error: {eval_path} has no 'label' column, but the training "
        "pairs are scored: score the eval pairs too (the model is judged by how its "
        "cosines rank them).")
