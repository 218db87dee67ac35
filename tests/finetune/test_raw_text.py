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
    model.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=False)
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


def test_group_by_length_batches_alike_lengths_without_cutting_tokens(wordnet_vocab):
    tokenizer = AlbertTokenizer.from_pretrained(wordnet_vocab)
    model = AlbertClassifier.from_preset(
        "albert_tiny", backbone_overrides={"vocabulary_size": 600}, num_classes=3,
        preprocessor=AlbertPreprocessor(tokenizer, sequence_length=40))
    rng = np.random.default_rng(0)
    words = ["dog", "a", "small", "to", "run", "flower", "red", "quickly", "the", "sing"]
    texts = np.unique([" ".join(rng.choice(words, n)) for n in rng.integers(1, 40, 36)])
    labels = rng.integers(0, 3, len(texts))
    dataset = model._raw_dataset(texts, labels, None, 8, shuffle=True, by_length=True)
    batches = list(dataset)
    assert len(batches) == dataset.cardinality()  # told to Keras, and true

    full = model.preprocessor(texts)
    by_text = {tuple(row[row != 0]): (label, logits) for row, label, logits in zip(
        full["token_ids"].numpy(), labels, model.predict(full, verbose=0), strict=True)}
    seen = []
    for x, y in batches:
        width, lengths = x["token_ids"].shape[1], x["padding_mask"].numpy().sum(1)
        assert width in (16, 32, 40) and len(y) <= 8
        assert lengths.max() <= width  # no real token cut (widths: test_length_groups.py)
        logits = model(x, training=False).numpy()
        for row, label, row_logits in zip(x["token_ids"].numpy(), y.numpy(), logits,
                                          strict=True):
            key = tuple(row[row != 0])
            assert by_text[key][0] == label
            # Cutting the padding leaves the outputs as they were.
            np.testing.assert_allclose(row_logits, by_text[key][1], atol=1e-5)
            seen.append(key)
    assert sorted(seen) == sorted(by_text)  # every row once
    assert sum(len(y) < 8 for _, y in batches) == 1  # one smaller batch, as ungrouped

    # Under XLA (a compilation per width): test_finetune.py's classification.
    model.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=False)
    history = model.fit(texts, labels, batch_size=8, verbose=0, group_by_length=True)
    assert np.isfinite(history.history["loss"]).all()
