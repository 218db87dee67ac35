"""A pretrained directory without a task head (here converted from Google's
release layout, MLM and SOP heads) exports as an encoder, everywhere."""

import numpy as np
import pytest
import tensorflow as tf

from keras_albert.cli import main
from keras_albert.export import export_saved_model, verify
from keras_albert.models.pretrained import load_pretrained
from keras_albert.text import AlbertPreprocessor, AlbertTokenizer
from tests.convert.conversion_fixtures import fixture_copy

TEXTS = ["Hello World! This is ALBERT.", "A small furry animal that lives in the woods.",
         "Crème brûlée, naïve café and Ångström units.", "The quick brown fox.", ""]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """`keras-albert convert --from original` of a release-layout checkpoint."""
    tmp_path = tmp_path_factory.mktemp("release")
    source = fixture_copy(tmp_path, "original", "30k-clean.model")
    assert main(["convert", "--from", "original", str(source), "--out",
                 str(tmp_path / "model")]) == 0
    (tmp_path / "texts.txt").write_text("\n".join(TEXTS[:4]) + "\n")
    return tmp_path


def test_saved_model_serves_embeddings_and_fill_mask(release):
    path = export_saved_model(release / "model", release / "serving", "albert")
    loaded = tf.saved_model.load(str(path))
    assert set(loaded.signatures) == {"serving_default", "serve_tokens", "fill_mask"}
    pretrainer = load_pretrained(release / "model")
    tokenizer = AlbertTokenizer.from_pretrained(release / "model")
    preprocessor = AlbertPreprocessor(tokenizer, sequence_length=40)

    outputs = loaded.signatures["serving_default"](text=tf.constant(TEXTS))
    inputs = preprocessor(np.array(TEXTS))
    sequence = pretrainer.backbone(inputs)["sequence_output"].numpy()
    mask = inputs["padding_mask"].numpy()[..., None]
    np.testing.assert_allclose(outputs["embedding"].numpy(),
                               (sequence * mask).sum(1) / mask.sum(1), atol=1e-5)
    np.testing.assert_allclose(outputs["sequence_output"].numpy(), sequence, atol=1e-5)

    filled = loaded.signatures["fill_mask"](text=tf.constant(
        ["hello [MASK] world [MASK].", "no mask here"]))
    positions = filled["mask_positions"].numpy()
    assert positions[1].tolist() == [-1, -1]
    # The Keras pretrainer's MLM logits at the positions of the ids tokenized
    # around the masks, as transformers splits special tokens.
    ids = [tokenizer.cls_token_id, *tokenizer("hello").numpy(), tokenizer.mask_token_id,
           *tokenizer(" world").numpy(), tokenizer.mask_token_id, *tokenizer(".").numpy(),
           tokenizer.sep_token_id]
    assert positions[0].tolist() == [i for i, t in enumerate(ids)
                                     if t == tokenizer.mask_token_id]
    x = {"token_ids": np.array([ids]), "segment_ids": np.zeros((1, len(ids)), "int32"),
         "padding_mask": np.ones((1, len(ids)), "int32"), "mask_positions": positions[:1]}
    probabilities = tf.nn.softmax(pretrainer(x)["mlm_logits"]).numpy()[0]  # (M, V)
    expected_ids = np.argsort(-probabilities, axis=-1)[:, :5]
    np.testing.assert_array_equal(filled["token_ids"].numpy()[0], expected_ids)
    np.testing.assert_allclose(filled["scores"].numpy()[0],
                               np.take_along_axis(probabilities, expected_ids, -1), atol=1e-6)
    vocabulary = tokenizer.get_vocabulary()
    assert filled["tokens"].numpy()[0, 0, 0].decode() == vocabulary[expected_ids[0, 0]]


def test_tflite_and_onnx_exports_pass_verify(release):
    model = release / "model"
    artifacts = [str(release / name) for name in ("model.tflite", "model_text.tflite",
                                                  "model_dynamic.tflite", "model.onnx")]
    for command in (["tflite", str(model), "--out", artifacts[0]],
                    ["tflite", str(model), "--out", artifacts[1], "--with-tokenizer"],
                    ["tflite", str(model), "--out", artifacts[2], "--quantize", "dynamic"],
                    ["onnx", str(model), "--out", artifacts[3]]):
        assert main(["export", *command]) == 0, command
    report = verify(model, artifacts, TEXTS[:4])
    assert report["passed"], report
    rows = {(r["artifact"], r["input"]): r for r in report["artifacts"]}
    assert rows[(artifacts[0], "tokens")]["max_abs_diff"] < 1e-4
    assert rows[(artifacts[1], "text")]["max_abs_diff"] < 1e-4
    assert rows[(artifacts[2], "tokens")]["precision"] == "dynamic"
    assert rows[(artifacts[2], "tokens")]["min_cosine"] > 0.99
    assert report["keras"] == {"cosine": 1.0}
