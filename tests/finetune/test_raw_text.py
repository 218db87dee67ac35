"""Task models with a preprocessor take raw text in fit / evaluate / predict."""

import keras
import numpy as np
import pytest

from keras_albert import AlbertClassifier, AlbertTokenizer
from keras_albert.models.pretrained import load_pretrained
from keras_albert.text import AlbertPreprocessor


def test_classifier_fits_and_predicts_raw_pairs(tmp_path, wordnet_vocab):
    tokenizer = AlbertTokenizer.from_pretrained(wordnet_vocab)
    model = AlbertClassifier.from_preset(
        "albert_tiny", backbone_overrides={"vocabulary_size": 600}, num_classes=2,
        label_names=["same", "different"],
        preprocessor=AlbertPreprocessor(tokenizer, sequence_length=24))
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    first = np.array(["a small dog", "to run fast", "a red flower", "to sing"] * 4)
    second = np.array(["a little dog", "to walk", "a red rose", "to eat"] * 4)
    labels = np.array(["same", "different"] * 8)
    history = model.fit((first, second), labels, batch_size=8, epochs=2, verbose=0,
                        validation_data=((first, second), labels))
    assert np.isfinite(history.history["val_loss"]).all()
    logits = model.predict((first, second), verbose=0)
    packed = model.preprocessor((first, second))
    np.testing.assert_allclose(logits, model.predict(packed, verbose=0), atol=1e-6)
    assert model.evaluate((first, second), labels, verbose=0, return_dict=True)

    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded.predict((first, second), verbose=0), logits,
                               atol=1e-6)
    model.save_pretrained(tmp_path / "pretrained")
    reloaded = load_pretrained(tmp_path / "pretrained")
    assert reloaded.preprocessor.sequence_length == 24
    np.testing.assert_allclose(reloaded.predict((first, second), verbose=0), logits,
                               atol=1e-5)
    assert [p["label"] for p in model.predict_labels((first[:2], second[:2]),
                                                      verbose=0)] == [
        model.label_names[i] for i in logits[:2].argmax(-1)]
    with pytest.raises(ValueError, match=r"not in `label_names`.*'maybe'"):
        model.fit((first, second), ["maybe"] * 16, verbose=0)
