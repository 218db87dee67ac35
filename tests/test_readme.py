"""The README's commands are the ones the program takes, and its workflow runs.

`test_every_readme_command_parses` reads each `keras-albert ...` line of the
README's shell blocks and parses it with the real argument parser, so a flag
renamed in the code or mistyped in the README fails here. The walk below then
runs the README's flow as commands, in its order, on tiny settings: the
embedded data, a vocabulary, pretraining, fine-tuning from the pretrained
directory, evaluation, prediction from standard input, the exports and
`verify`, conversion from keras-hub, the presets and the cache.
"""

import io
import json
import re
import shlex
from pathlib import Path

import pytest

from keras_albert.cli import build_parser, main
from tests.convert.conversion_fixtures import fixture_copy

README = Path(__file__).parents[1] / "README.md"


def readme_commands():
    """Each `keras-albert` command of the README, in its ```bash blocks or in
    `inline code`, as argv."""
    text = README.read_text()
    commands = [shlex.split(span)[1:] for span in re.findall(r"(?<!`)`(keras-albert [^`]+)`",
                                                             text)]
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s#\s.*$", "", line)  # a trailing comment
            for part in line.split("&&"):
                part = part.split("|")[-1].strip()  # `echo ... | keras-albert ...`
                if part.startswith("keras-albert "):
                    commands.append(shlex.split(part)[1:])
    return commands


def test_the_readme_shows_every_subcommand():
    shown = {argv[0] for argv in readme_commands()}
    parser = build_parser()
    subcommands = next(action.choices for action in parser._actions
                       if isinstance(action.choices, dict))
    assert set(subcommands) <= shown | {"quickstart"}, set(subcommands) - shown


@pytest.mark.parametrize("argv", [argv for argv in readme_commands() if len(argv) > 1],
                         ids=" ".join)  # a bare `keras-albert finetune` names it
def test_every_readme_command_parses(argv):
    ellipsis = "..." in argv  # `pretrain --strategy multi-worker --out dir ...`
    argv = [word for word in argv if word != "..."]
    if ellipsis and "--data" not in argv:
        argv += ["--vocab", "vocab/", "--input", "corpus.txt"]
    # argparse exits (status 2) on a bad flag; only `prepare` passes unknown
    # ones on (to Beam's pipeline options).
    args, unknown = build_parser().parse_known_args(argv)
    assert not unknown or getattr(args, "takes_unknown", False), unknown


def run(*argv):
    assert main([str(word) for word in argv]) == 0, argv


def test_the_readme_workflow_runs_as_commands(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("data", "wordnet", "--out", "data")
    counts = {split: len((tmp_path / "data" / f"{split}.jsonl").read_text().splitlines())
              for split in ("train", "validation", "test")}
    assert counts == {"train": 94_263, "validation": 11_707, "test": 11_689}
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join((tmp_path / "data" / "corpus.txt").read_text()
                                .splitlines()[:4000]) + "\n")
    run("vocab", "--input", corpus, "--vocab-size", "400", "--out", "vocab")
    run("pretrain", "--preset", "albert_tiny", "--vocab", "vocab", "--input", corpus,
        "--out", "run", "--steps", "4", "--checkpoint-every", "2", "--batch-size", "8",
        "--sequence-length", "32", "--learning-rate", "0.00176", "--warmup-steps", "1",
        "--dtype", "mixed_bfloat16", "--no-xla")
    assert (tmp_path / "run" / "model" / "config.json").is_file()

    # Fine-tuning from the pretrained directory, on a few hundred glosses.
    for split, limit in (("train", 160), ("validation", 48)):
        lines = (tmp_path / "data" / f"{split}.jsonl").read_text().splitlines()[:limit]
        (tmp_path / f"{split}.jsonl").write_text("\n".join(lines) + "\n")
    run("finetune", "--task", "classify", "--model", "run/model", "--train", "train.jsonl",
        "--eval", "validation.jsonl", "--text-column", "text", "--label-column", "label",
        "--out", "clf", "--epochs", "1", "--batch-size", "16", "--sequence-length", "32",
        "--no-xla")
    capsys.readouterr()
    run("evaluate", "clf/model", "--data", "validation.jsonl")
    evaluated = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    summary = json.loads((tmp_path / "clf" / "metrics.json").read_text())
    assert evaluated["accuracy"] == pytest.approx(summary["eval_metrics"]["accuracy"])

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"a small furry animal\n")))
    run("predict", "clf/model")
    predicted = [json.loads(line) for line in capsys.readouterr().out.splitlines()
                 if line.startswith("{")]
    assert len(predicted) == 1 and 0.0 < predicted[0]["probability"] <= 1.0

    run("export", "saved-model", "clf/model", "--out", "models", "--name", "clf",
        "--version", "1")
    assert (tmp_path / "models" / "clf" / "1" / "saved_model.pb").is_file()
    run("verify", "clf/model", "models/clf/1", "--data", "validation.jsonl")  # 1: missed

    source = fixture_copy(tmp_path, "keras_hub", None)
    run("convert", "--from", "keras-hub", source, "--out", "albert_base")
    assert (tmp_path / "albert_base" / "spiece.model").is_file()
    run("presets")
    assert "albert_base_v2" in capsys.readouterr().out
    run("cache", "list")
    run("cache", "clear")
