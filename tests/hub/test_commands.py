"""Every command takes a name: export, convert, predict, as a user runs them."""

import numpy as np
import tensorflow as tf

from keras_albert.cli import main
from tests.hub.reference import REFERENCE, REPO


def test_export_by_name_serves_transformers_logits_online_then_offline(
        hub, tmp_path, monkeypatch, capsys):
    assert main(["export", "saved-model", f"hf://{REPO}", "--out", str(tmp_path / "serving"),
                 "--name", "classifier"]) == 0
    loaded = tf.saved_model.load(str(tmp_path / "serving" / "classifier" / "1"))
    outputs = loaded.signatures["serving_default"](text=tf.constant(REFERENCE["texts"]))
    np.testing.assert_allclose(outputs["logits"].numpy(), REFERENCE["logits"], atol=1e-4)
    expected = np.array(["negative", "positive"])[np.argmax(REFERENCE["logits"], -1)]
    assert outputs["label"].numpy().astype(str).tolist() == expected.tolist()

    hub.stop()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["export", "saved-model", f"hf://{REPO}", "--out", str(tmp_path / "serving"),
                 "--name", "classifier", "--version", "2"]) == 0
    capsys.readouterr()
    assert main(["export", "saved-model", "hf://nobody/nothing", "--out",
                 str(tmp_path / "serving"), "--name", "nothing"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "hf://nobody/nothing" in error, error
    assert "HF_HUB_OFFLINE" in error


def test_convert_and_predict_by_name(hub, tmp_path, capsys):
    assert main(["convert", REPO, "--out", str(tmp_path / "converted")]) == 0
    assert (tmp_path / "converted" / "model.weights.h5").is_file()
    (tmp_path / "texts.csv").write_text("text\n" + "\n".join(
        f'"{text}"' for text in REFERENCE["texts"][:3]) + "\n")
    capsys.readouterr()
    assert main(["predict", REPO, "--input", str(tmp_path / "texts.csv")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all('"label": "positive"' in line for line in lines), lines
