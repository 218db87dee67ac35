import json

from keras_albert.cli import main


def test_demo_trains_saves_and_reloads(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--steps", "20"]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["last_loss"] < summary["first_loss"]
    assert summary["reload_max_abs_diff"] < 1e-5
    assert (tmp_path / "pretrainer.keras").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_bad_preset_is_one_line_error(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--preset", "albert_huge"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "preset='albert_huge'" in error


def test_presets_lists_parameter_counts(capsys):
    assert main(["presets"]) == 0
    assert "11,683,584" in capsys.readouterr().out
