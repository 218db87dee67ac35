"""The TF Serving SavedModel: layout, both signatures, a fresh process with
plain TensorFlow + tensorflow-text, bad input."""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from keras_albert.export import export_saved_model
from keras_albert.export.serving import load_for_export, pack_texts, preprocessor_for
from tests.export.conftest import LABELS, as_pair_task

# Runs in a subprocess: what a serving host has (TensorFlow, tensorflow-text).
SERVE = r"""
import json, sys
import numpy as np
import tensorflow as tf
import tensorflow_text  # registers the SentencePiece op
model = tf.saved_model.load(sys.argv[1])
texts = json.loads(sys.argv[2])
default = model.signatures["serving_default"]
out = default(**{name: tf.constant(column) for name, column in texts.items()})
bad = [b"", b"  \t\n ", b"caf\xe9 \xff\xfe", b"long " * 5000]
names = sorted(texts)
bad_out = default(**{name: tf.constant(bad) for name in names})
big = default(**{name: tf.constant([b"a text"] * 256) for name in names})
pad = {n: tf.zeros([2, 5], tf.int32) for n in ("token_ids", "segment_ids", "padding_mask")}
tokens = model.signatures["serve_tokens"](**pad)
print(json.dumps({
    "labels": [label.decode() for label in out["label"].numpy()],
    "logits": out["logits"].numpy().tolist(),
    "finite": bool(all(np.isfinite(o["logits"].numpy()).all() for o in (bad_out, big, tokens))),
    "big": big["logits"].shape[0],
    "keras_albert_imported": "keras_albert" in sys.modules,
}))
"""


def _serve(version_dir, texts):
    result = subprocess.run([sys.executable, "-c", SERVE, str(version_dir), json.dumps(texts)],
                            capture_output=True, text=True, check=True,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def _keras_logits(directory, texts):
    model = load_for_export(directory)
    inputs = pack_texts(texts, preprocessor_for(directory, model))
    return model.predict(inputs, verbose=0)


def test_tf_serving_layout(classifier_dir, tmp_path):
    version = export_saved_model(classifier_dir, tmp_path / "models", "wordnet", version=3)
    assert version == tmp_path / "models" / "wordnet" / "3"
    assert (version / "saved_model.pb").is_file()
    # TF Serving may run as another user: the version directory must be readable.
    assert version.stat().st_mode & stat.S_IROTH and version.stat().st_mode & stat.S_IXOTH
    assert (version / "assets.extra" / "labels.txt").read_text().split() == LABELS
    assert [p.name for p in version.parent.iterdir()] == ["3"]  # no leftovers
    with pytest.raises(ValueError, match="already exists"):
        export_saved_model(classifier_dir, tmp_path / "models", "wordnet", version=3)
    with pytest.raises(ValueError, match="version"):
        export_saved_model(classifier_dir, tmp_path / "models", "wordnet", version=0)
    cli = shutil.which("saved_model_cli", path=str(Path(sys.executable).parent))
    shown = subprocess.run([cli, "show", "--all", "--dir", str(version)],
                           capture_output=True, text=True, check=True).stdout
    assert "signature_def['serving_default']" in shown
    assert "signature_def['serve_tokens']" in shown


def test_raw_text_in_a_fresh_process_without_keras_albert(classifier_dir, glosses, tmp_path):
    version = export_saved_model(classifier_dir, tmp_path, "wordnet")
    served = _serve(version, {"text": glosses[:16]})
    assert not served["keras_albert_imported"]
    assert served["finite"] and served["big"] == 256
    expected = _keras_logits(classifier_dir, glosses[:16])
    np.testing.assert_allclose(served["logits"], expected, atol=1e-5)
    assert served["labels"] == [LABELS[i] for i in expected.argmax(-1)]


def test_pair_task_takes_two_strings(classifier_dir, glosses, tmp_path):
    directory = as_pair_task(classifier_dir, tmp_path / "pair")
    version = export_saved_model(directory, tmp_path / "models", "pairs")
    served = _serve(version, {"text_a": glosses[:8], "text_b": glosses[8:16]})
    expected = _keras_logits(directory, list(zip(glosses[:8], glosses[8:16], strict=True)))
    np.testing.assert_allclose(served["logits"], expected, atol=1e-5)


def test_backbone_exports_both_outputs(wordnet_vocab, tmp_path):
    import tensorflow as tf

    from keras_albert import AlbertBackbone, AlbertTokenizer
    from keras_albert.text import AlbertPreprocessor

    tokenizer = AlbertTokenizer.from_pretrained(wordnet_vocab)
    backbone = AlbertBackbone.from_preset(
        "albert_tiny", vocabulary_size=tokenizer.vocabulary_size(), num_layers=2)
    backbone.save_pretrained(tmp_path / "backbone", tokenizer=tokenizer)
    path = export_saved_model(tmp_path / "backbone", tmp_path / "serving", "backbone")
    loaded = tf.saved_model.load(str(path))
    texts = ["a small dog", "to run fast across the field", ""]
    outputs = loaded.signatures["serving_default"](text=tf.constant(texts))
    # The Keras backbone on the same packing (128 tokens, capped by the model's).
    inputs = AlbertPreprocessor(tokenizer, sequence_length=128)(tf.constant(texts))
    expected = backbone(inputs)
    for name in ("sequence_output", "pooled_output"):
        np.testing.assert_allclose(outputs[name].numpy(), expected[name].numpy(),
                                   atol=1e-5, err_msg=name)
