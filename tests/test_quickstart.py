"""`keras-albert quickstart`: every stage on tiny settings, the report, resuming."""

import json

import pytest

from keras_albert.cli import main
from keras_albert.export.tflite import read_metadata
from keras_albert.quickstart import SETTINGS_FILE, STAGES, run_quickstart, settings


@pytest.mark.slow  # about 90 s on 2 cores: every stage compiles and exports
def test_quickstart_runs_every_stage_then_resumes(tmp_path):
    out = tmp_path / "quickstart"
    # A directory left by a run with other settings is started clean.
    out.mkdir()
    (out / SETTINGS_FILE).write_text(json.dumps(settings(minutes=3)))
    (out / "stale.txt").write_text("from another run")
    lines = []
    report = run_quickstart(out, minutes=0.2, log=lines.append)
    assert any("starting clean" in line for line in lines)
    assert not (out / "stale.txt").exists()

    assert all((out / stage / ".done").is_file() for stage in STAGES)
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (out / "report.md").read_text()
    assert "## Exports, checked by `keras-albert verify`" in markdown
    # Pretrained against random weights, at the same fine-tuning budget.
    assert "## What pretraining buys" in markdown
    random = report["random_weights"]["validation"]["accuracy"]
    assert 0 <= random <= 1 and len(report["random_weights"]["validation_by_epoch"]) >= 1
    assert set(report["pretrain_held_out"]) == {"first", "last"}
    assert (out / "export" / "serving" / "wordnet" / "1" / "saved_model.pb").is_file()
    names = [row["artifact"] for row in report["artifacts"]]
    # The SavedModel's two signatures, four TFLite, ONNX; full int8 only when
    # some choice of float ops keeps 99% of the labels (else the report says why).
    int8_file = out / "export" / "int8.tflite"
    if int8_file.exists():
        assert len(names) == 7
        search = read_metadata(int8_file)["int8_search"]
        assert search["target"] == 0.99 and search["lower_bound"] >= 0.99
        assert "Full int8 (`int8.tflite`): the op groups kept float" in markdown
    else:
        assert len(names) == 6
        assert "Full int8 was not written: int8 misses target_agreement=0.99" in markdown
    float_rows = [r for r in report["artifacts"] if r["precision"] == "float32"]
    assert all(r["max_abs_diff"] <= 1e-4 for r in float_rows)
    assert 0 <= report["test_accuracy"] <= 1

    # Same settings: nothing is redone.
    lines.clear()
    run_quickstart(out, minutes=0.2, log=lines.append)
    assert sum("done in an earlier run" in line for line in lines) == len(STAGES)


def test_out_naming_a_file_is_one_line(tmp_path, capsys):
    path = tmp_path / "report.txt"
    path.write_text("mine")
    assert main(["quickstart", "--out", str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "is a file" in error and str(path) in error
    assert path.read_text() == "mine"
