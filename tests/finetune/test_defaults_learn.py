"""Fine-tuning with the defaults learns on real text where the old defaults
(5e-5, 3 epochs: right for a pretrained albert_base) leave a small model at
the majority class, and say so."""

import json

import pytest

from keras_albert.cli import main
from keras_albert.datasets import local_text
from keras_albert.text import train_vocabulary
from tests.finetune.conftest import write_jsonl


@pytest.fixture(scope="module")
def docstrings(tmp_path_factory):
    """Three packages of Python's standard library, their docstrings' first
    paragraphs (about 620 training and 170 eval rows), and a vocabulary."""
    directory = tmp_path_factory.mktemp("docstrings")
    train, held_out = local_text.split_rows(
        local_text.python_docstrings(packages=("asyncio", "email", "logging")))
    write_jsonl(directory / "train.jsonl", train)
    write_jsonl(directory / "eval.jsonl", held_out)
    (directory / "corpus.txt").write_text("".join(row["text"] + "\n" for row in train))
    train_vocabulary(directory / "corpus.txt", 500, directory / "vocab")
    return directory


def finetune(directory, out, *settings):
    assert main(["finetune", "--task", "classify", "--model", "albert_tiny",
                 "--vocab", str(directory / "vocab"), "--train",
                 str(directory / "train.jsonl"), "--eval", str(directory / "eval.jsonl"),
                 "--out", str(out), "--sequence-length", "32", "--no-xla",
                 *settings]) == 0
    return json.loads((out / "metrics.json").read_text())


def test_defaults_learn_where_the_old_defaults_collapse(docstrings, tmp_path, capsys):
    old = finetune(docstrings, tmp_path / "old", "--learning-rate", "5e-5", "--epochs", "3")
    baseline = old["majority_baseline"]["accuracy"]
    assert old["eval_metrics"]["accuracy"] <= baseline + 0.01
    assert old["warnings"] and old["warnings"][0].startswith("Collapsed")
    assert "WARNING: Collapsed" in capsys.readouterr().out

    new = finetune(docstrings, tmp_path / "new")  # --learning-rate auto --epochs auto
    assert new["epochs"] == 20 and new["learning_rate_search"]["rate"] == new["learning_rate"]
    assert new["eval_metrics"]["accuracy"] > baseline + 0.25, new["eval_metrics"]
    assert new["eval_metrics"]["mcc"] > 0.5 and new["warnings"] == []


@pytest.mark.slow  # about 4.5 minutes on 2 cores: three vocabularies, pretrainings, fine-tunings
@pytest.mark.parametrize("build", [local_text.python_docstrings, local_text.man_page_names,
                                   local_text.package_descriptions])
def test_defaults_learn_from_a_briefly_pretrained_model(build, tmp_path):
    """The issue's run on three real data sets: `vocab`, `pretrain` (albert_tiny,
    300 steps) on the training texts, then `finetune` with its defaults."""
    train, held_out = local_text.split_rows(build())
    write_jsonl(tmp_path / "train.jsonl", train)
    write_jsonl(tmp_path / "eval.jsonl", held_out)
    (tmp_path / "corpus.txt").write_text("".join(row["text"] + "\n" for row in train))
    assert main(["vocab", "--input", str(tmp_path / "corpus.txt"), "--vocab-size", "1000",
                 "--out", str(tmp_path / "vocab")]) == 0
    assert main(["pretrain", "--preset", "albert_tiny", "--vocab", str(tmp_path / "vocab"),
                 "--input", str(tmp_path / "corpus.txt"), "--out", str(tmp_path / "pre"),
                 "--steps", "300", "--sequence-length", "64"]) == 0
    assert main(["finetune", "--task", "classify", "--model", str(tmp_path / "pre/model"),
                 "--train", str(tmp_path / "train.jsonl"), "--eval",
                 str(tmp_path / "eval.jsonl"), "--out", str(tmp_path / "clf")]) == 0
    summary = json.loads((tmp_path / "clf/metrics.json").read_text())
    baseline = summary["majority_baseline"]["accuracy"]
    assert summary["eval_metrics"]["accuracy"] > baseline + 0.1, summary["eval_metrics"]
    assert summary["warnings"] == []
