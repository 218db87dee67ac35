"""Each task type end to end through the command line: finetune, then
evaluate and predict on the saved model directory. The classifier trains as a
user's would, under XLA and grouped by length; the other tasks with `--no-xla`,
which spares a compilation of a few steps (their XLA steps: tests/tasks)."""

import json
import random

import numpy as np
import pytest

from keras_albert import AlbertClassifier
from keras_albert.cli import main
from keras_albert.training.precision import cpu_only
from tests.finetune.conftest import TINY, write_jsonl


def run_task(tmp_path, capsys, vocab, task, train, extra=(), xla=False):
    out = tmp_path / "run"
    assert main(["finetune", "--task", task, "--vocab", str(vocab), "--train",
                 str(train), "--eval", str(train), "--out", str(out), *TINY,
                 *extra, *([] if xla else ["--no-xla"])]) == 0
    summary = json.loads((out / "metrics.json").read_text())
    assert summary["epochs_run"] == 1
    capsys.readouterr()
    assert main(["evaluate", str(out / "model"), "--data", str(train)]) == 0
    evaluated = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # The saved model reproduces the metrics measured right after training.
    # Correlations of a barely trained regressor's near-constant predictions
    # magnify float rounding (seen: 7e-5 apart), hence their looser bound.
    for name, value in summary["eval_metrics"].items():
        tolerance = 1e-3 if name in ("pearson", "spearman") else 1e-6
        assert evaluated[name] == pytest.approx(value, abs=tolerance), name
    assert main(["predict", str(out / "model"), "--input", str(train),
                 "--out", str(tmp_path / "predictions.jsonl")]) == 0
    lines = (tmp_path / "predictions.jsonl").read_text().splitlines()
    return summary, [json.loads(line) for line in lines]


def test_classify_the_embedded_wordnet_task(tmp_path, capsys, wordnet_vocab,
                                            wordnet_files):
    summary, predictions = run_task(
        tmp_path, capsys, wordnet_vocab, "classify", wordnet_files / "train.jsonl",
        ["--class-weight", "balanced"], xla=True)
    labels = [json.loads(line)["label"] for line in
              (wordnet_files / "train.jsonl").read_text().splitlines()]
    counts = {label: labels.count(label) for label in set(labels)}
    assert counts[summary["majority_baseline"]["label"]] == max(counts.values())
    assert summary["class_weight"] == pytest.approx(
        {label: len(labels) / (len(counts) * count) for label, count in counts.items()})
    assert len(predictions) == 48
    config = json.loads((tmp_path / "run/model/config.json").read_text())
    labels = config["task"]["config"]["label_names"]
    assert {p["label"] for p in predictions} <= set(labels)


def _pairs(tmp_path):
    rows = [{"premise": f"the cat sat on mat {i}", "hypothesis": "a cat sat",
             "label": ["yes", "no"][i % 2], "score": i / 10} for i in range(16)]
    return write_jsonl(tmp_path / "pairs.jsonl", rows)


def test_pair_reads_two_text_columns(tmp_path, capsys, wordnet_vocab):
    _, predictions = run_task(tmp_path, capsys, wordnet_vocab, "pair", _pairs(tmp_path),
                              ["--text-column", "premise", "hypothesis"])
    assert {p["label"] for p in predictions} <= {"yes", "no"}


def test_regress_reads_two_text_columns(tmp_path, capsys, wordnet_vocab):
    summary, predictions = run_task(
        tmp_path, capsys, wordnet_vocab, "regress", _pairs(tmp_path),
        ["--text-column", "premise", "hypothesis", "--label-column", "score"])
    assert set(summary["eval_metrics"]) == {"pearson", "spearman", "mse"}
    assert all("value" in p for p in predictions)


def test_tag_conll_gives_one_tag_per_word(tmp_path, capsys, wordnet_vocab):
    rng = random.Random(0)
    lines = ["-DOCSTART- -X- O", ""]
    for _ in range(16):
        for _ in range(rng.randint(2, 6)):
            word, tag = rng.choice([("Paris", "B-LOC"), ("went", "O"), ("the", "O"),
                                    ("Smith", "B-PER")])
            lines.append(f"{word} NNP {tag}")
        lines.append("")
    train = tmp_path / "train.conll"
    train.write_text("\n".join(lines))
    summary, predictions = run_task(tmp_path, capsys, wordnet_vocab, "tag", train)
    assert {"f1", "precision", "recall", "token_accuracy"} <= set(summary["eval_metrics"])
    assert [len(p["tags"]) for p in predictions] == [len(p["words"]) for p in predictions]


def test_qa_squad_with_long_contexts_and_unanswerable(tmp_path, capsys, wordnet_vocab):
    filler = " ".join(f"word{i}" for i in range(40))  # longer than one window
    qas = [{"id": "q1", "question": "where is the tower?",
            "answers": [{"text": "in paris", "answer_start": len(filler) + 14}]},
           {"id": "q2", "question": "who won?", "answers": [], "is_impossible": True},
           {"id": "q3", "question": "what is missing?",
            "answers": [{"text": "not in the text", "answer_start": 0}]}]
    context = f"{filler} the tower is in paris and it is tall."
    squad = {"version": "v2.0", "data": [{"title": "t", "paragraphs": [
        {"context": context, "qas": qas}] * 4}]}
    train = tmp_path / "train.json"
    train.write_text(json.dumps(squad))
    summary, predictions = run_task(tmp_path, capsys, wordnet_vocab, "qa", train)
    assert summary["skipped"]["train"] == {"skipped_answer_not_in_context": 4}
    # SQuAD 2.0 eval data: the official script's metrics, the tuned threshold.
    assert {"exact", "f1", "NoAns_f1", "best_f1_thresh", "null_score_threshold"} <= set(
        summary["eval_metrics"])
    assert len(predictions) == 12  # predict needs no answers: nothing skipped
    assert all(p["answer"] == "" or p["answer"] in context for p in predictions)


def test_choice_reads_race_layout(tmp_path, capsys, wordnet_vocab):
    rows = [{"article": f"story number {i} about a dog", "question": "who?",
             "options": ["a dog", "a cat", "a cow"], "answer": "ABC"[i % 3]}
            for i in range(12)]
    train = write_jsonl(tmp_path / "race.jsonl", rows)
    summary, predictions = run_task(tmp_path, capsys, wordnet_vocab, "choice", train)
    assert 0.0 <= summary["eval_metrics"]["accuracy"] <= 1.0
    assert all(p["choice"] in (0, 1, 2) for p in predictions)


def test_early_stopping_restores_the_best_epoch_under_bfloat16(tmp_path, wordnet_vocab):
    """Eval labels are the training labels flipped, so learning the training
    data makes the eval metric worse: `--patience 1` stops one epoch after the
    best, and the saved model holds the best epoch's weights, not the last's."""
    import csv

    import h5py
    import numpy as np

    words = ["cat dog bird", "tree leaf flower"]
    rows = [{"text": f"{words[i % 2]} {i}", "label": ["animal", "plant"][i % 2]}
            for i in range(24)] + [{"text": "cat fish", "label": "animal"}] * 8
    flipped = [{**row, "label": {"animal": "plant", "plant": "animal"}[row["label"]]}
               for row in rows]
    train = write_jsonl(tmp_path / "train.jsonl", rows)
    evaluation = write_jsonl(tmp_path / "eval.jsonl", flipped)
    out = tmp_path / "run"
    assert main(["finetune", "--task", "classify", "--vocab", str(wordnet_vocab),
                 "--train", str(train), "--eval", str(evaluation), "--out", str(out),
                 "--model", "albert_tiny", "--epochs", "6", "--batch-size", "8",
                 "--sequence-length", "16", "--learning-rate", "2e-3", "--patience", "1",
                 "--class-weight", "balanced", "--dtype", "mixed_bfloat16"]) == 0
    summary = json.loads((out / "metrics.json").read_text())
    # scikit-learn's "balanced": n / (k * count) = 32 / (2 * 20) and 32 / (2 * 12)
    assert summary["class_weight"] == pytest.approx({"animal": 0.8, "plant": 4 / 3})
    with open(out / "history.csv") as file:
        accuracy = [float(row["val_accuracy"]) for row in csv.DictReader(file)]
    best = int(np.argmax(accuracy))  # the first of equal values, as KeepBest keeps
    assert best < len(accuracy) - 1, accuracy  # the design: later epochs are worse
    assert summary["epochs_run"] == len(accuracy) == best + 2  # patience 1
    assert summary["eval_metrics"]["accuracy"] == pytest.approx(accuracy[best], abs=1e-6)

    def weights(path):
        found = []
        with h5py.File(path) as file:
            file.visititems(lambda name, item: found.append(item[()])
                            if isinstance(item, h5py.Dataset) else None)
        return found

    saved, kept = weights(out / "model" / "model.weights.h5"), weights(
        out / "checkpoints" / "best.weights.h5")
    assert len(saved) == len(kept) > 0
    for a, b in zip(saved, kept):
        np.testing.assert_array_equal(a, b)
    assert summary["dtype"] == "mixed_bfloat16"
    # XLA asked for, but on a CPU-only machine bfloat16 trains without it.
    assert summary["jit_compile"] is (not cpu_only())


def test_learning_rate_auto_records_its_range_test(tmp_path, capsys, wordnet_vocab,
                                                   wordnet_files):
    """`--learning-rate auto`: the chosen rate and the sweep in metrics.json,
    the sweep in lr_search.csv, the peak rate in history.csv."""
    out = tmp_path / "run"
    settings = [arg for arg in TINY if arg not in ("--learning-rate", "1e-3")]
    assert main(["finetune", "--task", "classify", "--vocab", str(wordnet_vocab),
                 "--train", str(wordnet_files / "train.jsonl"), "--eval",
                 str(wordnet_files / "train.jsonl"), "--out", str(out), *settings,
                 "--learning-rate", "auto", "--no-xla"]) == 0
    assert "learning rate: " in capsys.readouterr().out
    summary = json.loads((out / "metrics.json").read_text())
    search = summary["learning_rate_search"]
    assert summary["learning_rate"] == search["rate"] > 0
    assert search["steps"] == len(search["rates"]) == len(search["losses"]) >= 6
    lines = (out / "lr_search.csv").read_text().splitlines()
    assert lines[0] == "step,learning_rate,loss,smoothed_loss"
    assert len(lines) == search["steps"] + 1
    history = (out / "history.csv").read_text().splitlines()
    assert "peak_learning_rate" in history[0].split(",")
    assert isinstance(summary["warnings"], list)


def test_a_model_forced_to_one_class_is_reported(tmp_path, capsys, wordnet_vocab,
                                                 wordnet_files):
    """finetune and evaluate say so, in one line each, and metrics.json and
    evaluate's output carry it under `warnings`."""
    train = wordnet_files / "train.jsonl"
    run_task(tmp_path, capsys, wordnet_vocab, "classify", train)
    directory = tmp_path / "run" / "model"
    model = AlbertClassifier.from_pretrained(directory)
    bias = model.get_layer("logits").bias
    bias.assign(np.where(np.arange(bias.shape[0]) == 1, 100.0, 0.0).astype("float32"))
    model.save_weights(directory / "model.weights.h5")
    capsys.readouterr()
    assert main(["evaluate", str(directory), "--data", str(train)]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out.strip().splitlines()[-1])
    assert result["top_prediction_share"] == 1.0
    assert len(result["warnings"]) == 1 and result["warnings"][0].startswith(
        "Collapsed: the model predicts one class for 100% of the eval rows")
    assert [line for line in captured.err.splitlines() if line.startswith("WARNING: ")
            ] == [f"WARNING: {result['warnings'][0]}"]


def test_a_length_beyond_the_model_positions_is_one_line(tmp_path, capsys,
                                                         wordnet_vocab, wordnet_files):
    """Before any work (it used to fail inside XLA); without --sequence-length,
    a model with fewer than 128 positions packs to its own."""
    assert main(["finetune", "--task", "classify", "--model", "albert_tiny", "--vocab",
                 str(wordnet_vocab), "--train", str(wordnet_files / "train.jsonl"),
                 "--out", str(tmp_path / "run"), "--sequence-length", "5000"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "--sequence-length 5000 is longer than the 128" in error
    assert not (tmp_path / "run").exists()


def test_restarts_keep_the_best_seed(tmp_path, wordnet_vocab, wordnet_files):
    out = tmp_path / "run"
    train = str(wordnet_files / "train.jsonl")
    assert main(["finetune", "--task", "classify", "--vocab", str(wordnet_vocab),
                 "--train", train, "--eval", train, "--out", str(out), *TINY,
                 "--restarts", "2", "--seed", "3", "--no-xla"]) == 0
    summary = json.loads((out / "metrics.json").read_text())
    runs = summary["restarts"]
    assert [run["seed"] for run in runs] == [3, 4]
    best = max(runs, key=lambda run: run["accuracy"])
    assert summary["seed"] == best["seed"]
    assert summary["eval_metrics"]["accuracy"] == best["accuracy"]
    assert (out / "model" / "model.weights.h5").is_file() and (out / "history.csv").is_file()
    for seed in (3, 4):  # each run's figures kept, one copy of the weights
        run = out / "restarts" / f"seed_{seed}"
        assert (run / "metrics.json").is_file() and not (run / "model").exists()
    assert main(["evaluate", str(out / "model"), "--data", train]) == 0


def test_restarts_without_eval_data_is_one_line(tmp_path, capsys, wordnet_vocab,
                                                wordnet_files):
    assert main(["finetune", "--task", "classify", "--vocab", str(wordnet_vocab),
                 "--train", str(wordnet_files / "train.jsonl"), "--out",
                 str(tmp_path / "run"), *TINY, "--restarts", "2"]) == 2
    assert "--restarts 2 keeps the run best on the eval data" in capsys.readouterr().err

