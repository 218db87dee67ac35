"""Every kind of artifact, made by `keras-albert export` as a user makes it,
held by `keras-albert verify` to its bounds (`export.verify.BOUNDS`) on 256
held-out texts: float32, float16, dynamic-range and full-int8 TFLite (token
and tokenizer-inside files), ONNX float32, dynamic and static int8 (token and
tokenizer-inside files), and the TF Serving
SavedModel's two signatures, in float32 and in bfloat16."""

import json

import pytest

from keras_albert.cli import main
from keras_albert.export.verify import BOUNDS
from tests.export.conftest import EXPORTS, length_class

ROWS = 256

@pytest.fixture(scope="module")
def report(classifier_dir, exported, tmp_path_factory):
    """`keras-albert verify`'s JSON report on every export and a SavedModel."""
    from keras_albert.datasets import load_wordnet

    tmp_path = tmp_path_factory.mktemp("bounds")
    held_out = tmp_path / "held_out.jsonl"
    texts = [e["text"] for e in load_wordnet("test", limit=ROWS)]
    held_out.write_text("".join(json.dumps({"text": t, "label": length_class(t)}) + "\n"
                                for t in texts))
    serving = tmp_path / "serving"
    for _ in range(2):  # the second time replaces the version
        assert main(["export", "saved-model", str(classifier_dir), "--out", str(serving),
                     "--name", "wordnet", "--version", "7", "--overwrite"]) == 0
    assert main(["export", "saved-model", str(classifier_dir), "--out", str(serving),
                 "--name", "wordnet", "--version", "8", "--dtype", "mixed_bfloat16"]) == 0
    artifacts = [*(exported[name] for name, _ in EXPORTS), serving / "wordnet" / "7",
                 serving / "wordnet" / "8"]
    path = tmp_path / "report.json"
    status = main(["verify", str(classifier_dir), *map(str, artifacts), "--data",
                   str(held_out), "--json", str(path)])
    result = json.loads(path.read_text())
    result["status"] = status
    return result


def _row(report, name, mode):
    return next(r for r in report["artifacts"]
                if r["artifact"].endswith(name) and r["input"] == mode)


@pytest.mark.parametrize("name, mode, precision", [
    ("float32.tflite", "tokens", "float32"),
    ("float16.tflite", "tokens", "float16"),
    ("dynamic.tflite", "tokens", "dynamic"),
    ("int8.tflite", "tokens", "int8"),
    ("text.tflite", "text", "float32"),
    ("dynamic_text.tflite", "text", "dynamic"),
    ("int8_text.tflite", "text", "int8"),
    ("float32.onnx", "tokens", "float32"),
    ("dynamic.onnx", "tokens", "dynamic"),
    ("int8.onnx", "tokens", "int8"),
    ("text.onnx", "text", "float32"),
    ("int8_text.onnx", "text", "int8"),
    ("7", "tokens", "float32"),
    ("7", "text", "float32"),
    ("8", "tokens", "bfloat16"),
    ("8", "text", "bfloat16"),
])
def test_artifact_within_verify_bounds(report, name, mode, precision):
    row = _row(report, name, mode)
    assert row["precision"] == precision
    assert row["failures"] == [], row
    bounds = BOUNDS[precision]
    if "max_abs_diff" in bounds:
        assert row["max_abs_diff"] <= bounds["max_abs_diff"]
    if "agreement" in bounds:
        assert row["agreement"] >= bounds["agreement"]
    if "metric_drop" in bounds:
        assert row["metric_drop"] <= bounds["metric_drop"]
    assert row["bad_input_finite"]


def test_verify_ran_on_every_artifact(report):
    assert report["examples"] == ROWS
    assert len(report["artifacts"]) == len(EXPORTS) + 4  # a SavedModel counts twice
    assert report["passed"] and report["status"] == 0
    # Every held-out gloss tokenizes inside TFLite and ONNX as the model's
    # tokenizer does.
    assert {r["tokenizer_agreement"] for r in report["artifacts"]} == {1.0}
