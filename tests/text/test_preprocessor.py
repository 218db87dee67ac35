import itertools
import random

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_albert.text import AlbertPreprocessor, AlbertTokenizer, pack_segments
from tests.helpers import check_config_round_trip

CLS, SEP, PAD = 2, 3, 0
# Mixed case and accents, of different lengths, so that truncation cuts A, B or both.
FIRST = ["The Quick Brown Fox jumps over the lazy dog.",
         "Crème brûlée, jalapeño & Ångström: naïve CAFÉ Señor!",
         "A short one", "Ünïcödé"]
SECOND = ["Return a list of (KEY, value) pairs; raise ValueError.",
          "Señor",
          "The Quick Brown Fox jumps over the lazy dog, ÉCLAIR and Crème.",
          "Yes"]


def truncate_seq_pair(tokens_a, tokens_b, max_length):
    """google-research/albert `classifier_utils._truncate_seq_pair`, verbatim."""
    while True:
        total_length = len(tokens_a) + len(tokens_b)
        if total_length <= max_length:
            break
        if len(tokens_a) > len(tokens_b):
            tokens_a.pop()
        else:
            tokens_b.pop()


def reference_pack(tokens_a, tokens_b, sequence_length):
    """google-research/albert `convert_single_example` on ids, as lists."""
    tokens_a, tokens_b = list(tokens_a), tokens_b and list(tokens_b)
    if tokens_b is None:
        tokens_a = tokens_a[:sequence_length - 2]
        tokens_b, segment_ids = [], [0] * (len(tokens_a) + 2)
    else:
        truncate_seq_pair(tokens_a, tokens_b, sequence_length - 3)
        tokens_b = [*tokens_b, SEP]
        segment_ids = [0] * (len(tokens_a) + 2) + [1] * len(tokens_b)
    token_ids = [CLS, *tokens_a, SEP, *tokens_b]
    padding = [0] * (sequence_length - len(token_ids))
    return {"token_ids": token_ids + padding, "segment_ids": segment_ids + padding,
            "padding_mask": [1] * len(token_ids) + padding}


def as_lists(packed):
    return {name: np.asarray(tensor).tolist() for name, tensor in packed.items()}


def reference_batch(segments_a, segments_b, sequence_length):
    rows = [reference_pack(a, b, sequence_length)
            for a, b in zip(segments_a, segments_b or [None] * len(segments_a))]
    return {name: [row[name] for row in rows] for name in rows[0]}


def test_longest_first_is_truncate_seq_pair():
    # Every pair of lengths up to 24 under every small budget (ties, odd budgets,
    # empty segments), then random long pairs.
    lengths = list(itertools.product(range(25), repeat=2))
    rng = random.Random(0)
    cases = [(sequence_length, lengths) for sequence_length in range(3, 30)]
    cases.append((128, [(rng.randrange(300), rng.randrange(300)) for _ in range(500)]))
    for sequence_length, pairs in cases:
        lengths_a, lengths_b = zip(*pairs)
        a = [list(range(100, 100 + n)) for n in lengths_a]
        b = [list(range(500, 500 + n)) for n in lengths_b]
        ragged_a, ragged_b = tf.ragged.range(lengths_a) + 100, tf.ragged.range(lengths_b) + 500
        packed = pack_segments([ragged_a, ragged_b], sequence_length, CLS, SEP, PAD)
        assert as_lists(packed) == reference_batch(a, b, sequence_length)
        packed = pack_segments([ragged_a], sequence_length, CLS, SEP, PAD)
        assert as_lists(packed) == reference_batch(a, None, sequence_length)


def test_pack_segments_takes_dense_and_single_examples():
    a, b = [[5, 6, 7], [8, 0, 0]], [[9, 10, 0], [11, 12, 13]]
    expected = reference_batch([[5, 6, 7], [8]], [[9, 10], [11, 12, 13]], 7)
    assert as_lists(pack_segments([tf.constant(a), tf.constant(b)], 7, CLS, SEP, PAD)) \
        == expected
    single = pack_segments((tf.constant(a[0]), tf.constant(b[0])), 7, CLS, SEP, PAD)
    assert as_lists(single) == {name: rows[0] for name, rows in expected.items()}
    waterfall = pack_segments([tf.constant(a)], 3, CLS, SEP, PAD, truncate="waterfall")
    assert as_lists(waterfall)["token_ids"] == [[CLS, 5, SEP], [CLS, 8, SEP]]


def test_one_and_two_segments_layout(model_file):
    tokenizer = AlbertTokenizer(model_file)
    preprocessor = AlbertPreprocessor(tokenizer, sequence_length=24)
    first, second = "The Fox", "Crème"
    ids_a, ids_b = tokenizer(first).numpy().tolist(), tokenizer(second).numpy().tolist()
    pad_single = 24 - len(ids_a) - 2
    pad_pair = pad_single - len(ids_b) - 1
    assert pad_pair > 0  # nothing truncated

    single = as_lists(preprocessor([first, first]))
    assert single["token_ids"][0] == [CLS, *ids_a, SEP] + [0] * pad_single
    assert single["segment_ids"][0] == [0] * 24
    assert single["padding_mask"][0] == [1] * (len(ids_a) + 2) + [0] * pad_single
    pair = as_lists(preprocessor(([first], [second])))
    assert pair["token_ids"] == [[CLS, *ids_a, SEP, *ids_b, SEP] + [0] * pad_pair]
    assert pair["segment_ids"] == [
        [0] * (len(ids_a) + 2) + [1] * (len(ids_b) + 1) + [0] * pad_pair]
    assert pair["padding_mask"] == [[1] * (24 - pad_pair) + [0] * pad_pair]
    # A scalar string (or pair of them) gives one unbatched row.
    assert as_lists(preprocessor(first))["token_ids"] == single["token_ids"][0]
    assert as_lists(preprocessor((first, second)))["token_ids"] == pair["token_ids"][0]


def test_dataset_map_and_exported_graph(model_file, tmp_path):
    preprocessor = AlbertPreprocessor(AlbertTokenizer(model_file), sequence_length=16)
    expected = as_lists(preprocessor((FIRST, SECOND)))
    labels, weights = [0, 1, 1, 0], [1.0, 0.5, 1.0, 2.0]
    dataset = tf.data.Dataset.from_tensor_slices(((FIRST, SECOND), labels, weights))
    dataset = dataset.batch(4).map(preprocessor)
    assert all(spec.shape.as_list() == [None, 16]
               for spec in dataset.element_spec[0].values())
    (x, y, sample_weight), = dataset
    assert as_lists(x) == expected
    assert (y.numpy().tolist(), sample_weight.numpy().tolist()) == (labels, weights)
    single = tf.data.Dataset.from_tensor_slices((FIRST, labels)).batch(4).map(preprocessor)
    assert as_lists(next(iter(single))[0]) == as_lists(preprocessor(FIRST))

    module = tf.Module()
    module.preprocessor = preprocessor
    module.serve = tf.function(
        lambda first, second: preprocessor((first, second)),
        input_signature=[tf.TensorSpec([None], tf.string)] * 2)
    tf.saved_model.save(module, str(tmp_path / "saved_model"))
    loaded = tf.saved_model.load(str(tmp_path / "saved_model"))
    assert as_lists(loaded.serve(tf.constant(FIRST), tf.constant(SECOND))) == expected


def test_round_trips(model_file, tmp_path):
    preprocessor = AlbertPreprocessor(AlbertTokenizer(model_file), sequence_length=16,
                                      truncate="waterfall")
    check_config_round_trip(preprocessor)
    clone = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(preprocessor))
    assert (clone.sequence_length, clone.truncate) == (16, "waterfall")
    # The SentencePiece model is an asset of `.keras` files, not config.
    strings = keras.Input(shape=(), dtype="string")
    model = keras.Model(strings, preprocessor(strings))
    model.save(tmp_path / "preprocessor.keras")
    loaded = keras.saving.load_model(tmp_path / "preprocessor.keras", safe_mode=True)
    assert as_lists(loaded(tf.constant(FIRST))) == as_lists(preprocessor(FIRST))


def test_same_inputs_as_transformers(vocab_dir, model_file):
    import transformers
    theirs = transformers.AlbertTokenizer.from_pretrained(str(vocab_dir))
    tokenizer = AlbertTokenizer(model_file)
    ids_a, ids_b = tokenizer(FIRST), tokenizer(SECOND)
    for sequence_length in range(3, 30):
        ours = AlbertPreprocessor(tokenizer, sequence_length=sequence_length)
        pair = theirs(FIRST, SECOND, truncation="longest_first",
                      max_length=sequence_length, padding="max_length",
                      return_token_type_ids=True)
        single = theirs(FIRST, truncation=True, max_length=sequence_length,
                        padding="max_length", return_token_type_ids=True)
        expected_pair = reference_batch(ids_a, ids_b, sequence_length)
        assert as_lists(ours((FIRST, SECOND))) == expected_pair
        assert as_lists(ours(FIRST)) == reference_batch(ids_a, None, sequence_length)
        assert [single["input_ids"], single["token_type_ids"], single["attention_mask"]] \
            == list(reference_batch(ids_a, None, sequence_length).values())
        # Known difference: when the pair is cut to an odd budget and A, not longer
        # than B, has more than half of it, transformers gives the odd token to B,
        # the original (and we) to A.
        budget = sequence_length - 3
        for row, (a, b) in enumerate(zip(ids_a, ids_b)):
            if budget % 2 and budget < 2 * len(a) <= 2 * len(b):
                a, b = a[:budget // 2], b[:budget // 2 + 1]
            assert [pair["input_ids"][row], pair["token_type_ids"][row],
                    pair["attention_mask"][row]] \
                == list(reference_pack(a, b, sequence_length).values())


def test_bad_arguments(model_file):
    tokenizer = AlbertTokenizer(model_file)
    with pytest.raises(ValueError, match="Received: sequence_length=2"):
        AlbertPreprocessor(tokenizer, sequence_length=2)
    with pytest.raises(ValueError, match="Received: sequence_length='8'"):
        AlbertPreprocessor(tokenizer, sequence_length="8")
    with pytest.raises(ValueError, match="Received: truncate='round_robin'"):
        AlbertPreprocessor(tokenizer, truncate="round_robin")
    with pytest.raises(ValueError, match="Received: tokenizer='spiece.model'"):
        AlbertPreprocessor("spiece.model")
    with pytest.raises(ValueError, match="Received: tokenizer.sequence_length=8"):
        AlbertPreprocessor(AlbertTokenizer(model_file, sequence_length=8))
    segment = tf.ragged.constant([[5, 6]])
    with pytest.raises(ValueError, match="Received: 3 segments"):
        pack_segments([segment] * 3, 8, CLS, SEP, PAD)
    with pytest.raises(ValueError, match="Received: a RaggedTensor"):
        pack_segments(segment, 8, CLS, SEP, PAD)
    with pytest.raises(ValueError, match=r"Received: segments of ranks \[2, 1\]"):
        pack_segments([segment, tf.constant([7])], 8, CLS, SEP, PAD)
