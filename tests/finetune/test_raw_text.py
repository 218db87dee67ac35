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
        assert lengths.max() <= width  # no real token cut
        assert lengths.max() > width - 16 or width == 16  # and no 16 pad columns
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


def test_group_by_length_leaves_per_token_targets_alone():
    import tensorflow as tf

    from keras_albert.tasks.task import group_by_length

    x = {"token_ids": tf.ones((6, 48), "int32"), "padding_mask": tf.ones((6, 48), "int32")}
    tags = tf.zeros((6, 48), "int32")
    dataset = tf.data.Dataset.from_tensor_slices((x, tags)).batch(3)
    assert group_by_length(dataset, 3) is dataset


def _padded_tokens(lengths, widths, multiple=16):
    rounded = -(-np.asarray(lengths) // multiple) * multiple
    return sum(min(w for w in widths if w >= r) for r in rounded)


def test_choose_widths_pads_least_of_all_choices():
    import itertools

    from keras_albert.tasks.task import choose_widths

    rng = np.random.default_rng(1)
    for _ in range(60):
        width = int(rng.choice([48, 128, 512]))
        lengths = np.minimum(rng.geometric(1 / rng.uniform(5, 120), 200) + 2, width)
        limit = int(rng.integers(1, 5))
        widths = choose_widths(lengths, width, limit)
        rounded = np.unique(np.minimum(-(-lengths // 16) * 16, width))
        assert len(widths) <= limit and widths == sorted(widths)
        assert widths[-1] == rounded[-1] and set(widths) <= set(rounded)
        # Against every choice of up to `limit` widths (the widest fixed).
        least = min(_padded_tokens(lengths, [*others, rounded[-1]])
                    for k in range(limit)
                    for others in itertools.combinations(rounded[:-1], k))
        assert _padded_tokens(lengths, widths) == least


def test_group_by_length_keeps_to_the_chosen_widths():
    import tensorflow as tf

    from keras_albert.tasks.task import choose_widths, group_by_length

    lengths = np.random.default_rng(2).integers(2, 129, 90)
    mask = (np.arange(128) < lengths[:, None]).astype("int32")
    x = {"token_ids": mask * 7, "padding_mask": mask}
    dataset = tf.data.Dataset.from_tensor_slices((x, np.arange(90))).batch(8)
    grouped = group_by_length(dataset, 8, max_widths=3)
    widths = choose_widths(lengths, 128, 3)
    assert len(widths) == 3
    bucket = {i: min(w for w in widths if w >= n) for i, n in enumerate(lengths)}
    seen, mixed, shapes = [], 0, set()
    for inputs, index in grouped:
        mask, index = inputs["padding_mask"].numpy(), index.numpy()
        shapes.add(mask.shape)
        assert (mask.sum(1) == lengths[index]).all()  # no token cut
        assert mask.shape[1] == max(bucket[i] for i in index)  # the width needed
        mixed += len({bucket[i] for i in index}) > 1
        seen.extend(index)
    assert sorted(seen) == list(range(90))
    # Only the rows short of a whole batch in their bucket share batches.
    rows = np.bincount([widths.index(b) for b in bucket.values()])
    assert mixed <= -(-sum(rows % 8) // 8)
    assert len(shapes) <= len(widths) + 1  # compilations
    assert len(list(grouped)) == grouped.cardinality()
