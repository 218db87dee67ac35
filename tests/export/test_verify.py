"""`keras-albert verify`: the table, the JSON report and the exit status."""

import json

import numpy as np

from keras_albert.cli import main
from keras_albert.export import export_onnx, export_saved_model, export_tflite
from keras_albert.models.pretrained import load_pretrained
from tests.export.conftest import length_class


def _labelled(path, texts):
    path.write_text("".join(json.dumps({"text": t, "label": length_class(t)}) + "\n"
                            for t in texts))
    return path


def test_verify_passes_faithful_artifacts_and_fails_a_wrong_one(
        classifier_dir, glosses, tmp_path, capsys):
    data = _labelled(tmp_path / "held_out.jsonl", glosses[:48])
    artifacts = [
        export_saved_model(classifier_dir, tmp_path / "serving", "wordnet"),
        export_tflite(classifier_dir, tmp_path / "model.tflite"),
        export_tflite(classifier_dir, tmp_path / "dynamic.tflite", quantize="dynamic"),
        export_tflite(classifier_dir, tmp_path / "text.tflite", with_tokenizer=True),
        export_onnx(classifier_dir, tmp_path / "model.onnx"),
    ]
    report_path = tmp_path / "report.json"
    assert main(["verify", str(classifier_dir), *map(str, artifacts), "--data", str(data),
                 "--json", str(report_path)]) == 0
    table = capsys.readouterr().out
    assert "model.tflite" in table and "pass" in table
    assert all(str(artifact) in table for artifact in artifacts)  # whole paths
    report = json.loads(report_path.read_text())
    assert report["passed"] and report["examples"] == 48
    # The SavedModel is checked through both of its signatures.
    assert [(r["kind"], r["input"]) for r in report["artifacts"]][:2] == [
        ("saved_model", "tokens"), ("saved_model", "text")]
    assert [r["input"] for r in report["artifacts"] if "text.tflite" in r["artifact"]] == [
        "text"]
    for row in report["artifacts"]:
        assert row["bad_input_finite"] and row["agreement"] >= 0.99
        assert row["tokenizer_agreement"] == 1.0  # the glosses tokenize alike
        assert row["accuracy"] == report["keras"]["accuracy"] or row["precision"] != "float32"

    # An artifact of other weights misses the float32 bound: exit 1.
    changed = load_pretrained(classifier_dir)
    kernel, bias = changed.output_dense.get_weights()
    changed.output_dense.set_weights([kernel, bias + np.float32(0.01)])
    changed.save_pretrained(tmp_path / "changed", tokenizer=changed.preprocessor.tokenizer)
    wrong = export_tflite(tmp_path / "changed", tmp_path / "changed.tflite")
    assert main(["verify", str(classifier_dir), str(wrong), "--data", str(data)]) == 1
    assert "max_abs_diff" in capsys.readouterr().out
