import numpy as np
import pytest
import tensorflow as tf

from keras_albert.text.masking import mask_tokens, masking_vocabulary

VOCABULARY_SIZE, MASK_ID, LENGTH, SLOTS = 60, 4, 40, 12
# ALBERT's special pieces at 0..4, then ids 5..59; every third piece continues
# a word (no leading "▁").
PIECES = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]",
          *(f"p{i}" for i in range(5, VOCABULARY_SIZE))]
WORD_STARTS = tf.constant([i % 3 != 0 for i in range(VOCABULARY_SIZE)])
VOCABULARY = masking_vocabulary(PIECES, word_starts=WORD_STARTS)


def example(seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(5, VOCABULARY_SIZE, LENGTH).astype("int32")
    real = rng.integers(10, LENGTH + 1)
    ids[0], ids[real // 2], ids[real - 1] = 2, 3, 3
    ids[real:] = 0
    return ids, (ids != 0).astype("int32")


@tf.function
def masked(ids, padding_mask, seed):
    return mask_tokens(ids, padding_mask, seed, VOCABULARY, SLOTS)


def words_of(ids, padding_mask):
    """Word number per token (None for [CLS]/[SEP]/padding), as the original groups
    a piece without "▁" with the piece before it."""
    words, current, previous_real = [], -1, False
    for token, real in zip(ids, padding_mask):
        candidate = real and token not in (2, 3)
        if candidate and (WORD_STARTS.numpy()[token] or not previous_real):
            current += 1
        words.append(current if candidate else None)
        previous_real = candidate
    return words


def test_masks_whole_words_within_budget_and_only_text():
    actions = {"mask": 0, "kept": 0, "random": 0}
    multi_word_spans = 0
    for seed in range(60):
        ids, padding_mask = example(seed)
        out, positions, labels, weights = (np.asarray(t) for t in masked(
            ids, padding_mask, tf.constant([seed, 7])))
        chosen = positions[weights > 0]
        budget = min(SLOTS, max(1, round(padding_mask.sum() * 0.15)))
        assert 0 < len(chosen) <= budget
        np.testing.assert_array_equal(labels[weights > 0], ids[chosen])
        assert np.all(np.diff(chosen) > 0)
        words = words_of(ids, padding_mask)
        chosen_words = {words[p] for p in chosen}
        assert None not in chosen_words  # never [CLS], [SEP] or padding
        whole = [p for p, w in enumerate(words) if w in chosen_words]
        assert sorted(whole) == sorted(chosen)  # every piece of a chosen word
        untouched = np.setdiff1d(np.arange(LENGTH), chosen)
        np.testing.assert_array_equal(out[untouched], ids[untouched])
        for p in chosen:
            kind = "mask" if out[p] == MASK_ID else "kept" if out[p] == ids[p] else "random"
            actions[kind] += 1
        multi_word_spans += any(w + 1 in chosen_words for w in chosen_words)
    total = sum(actions.values())
    assert 0.7 < actions["mask"] / total < 0.9
    assert 0.03 < actions["kept"] / total < 0.2 and 0.03 < actions["random"] / total < 0.2
    assert multi_word_spans > 10  # n-grams of 2 and 3 words happen


def test_same_seed_same_masks():
    ids, padding_mask = example(0)
    first = masked(ids, padding_mask, tf.constant([1, 2]))
    again = masked(ids, padding_mask, tf.constant([1, 2]))
    other = masked(ids, padding_mask, tf.constant([1, 3]))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])


def test_special_ids_come_from_the_vocabulary():
    # A WordPiece layout: [PAD] 0, [UNK] 20, [CLS] 21, [SEP] 22, [MASK] 23.
    pieces = [f"w{i}" for i in range(VOCABULARY_SIZE)]
    pieces[0], pieces[20:24] = "[PAD]", ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocabulary = masking_vocabulary(pieces, word_starts=tf.ones([VOCABULARY_SIZE], tf.bool))
    assert tuple(vocabulary.special) == (0, 20, 21, 22, 23)
    special = {0, 20, 21, 22, 23}
    run = tf.function(lambda ids, padding_mask, seed: mask_tokens(
        ids, padding_mask, seed, vocabulary, SLOTS))
    seen = set()
    for seed in range(40):
        ids, padding_mask = example(seed)
        ids = np.where(ids == 2, 21, np.where(ids == 3, 22, ids))  # its [CLS], [SEP]
        ids = np.where(np.isin(ids, [20, 23]), 30, ids)  # no special inside a text
        out, positions, _, weights = (np.asarray(t) for t in run(
            tf.constant(ids), tf.constant(padding_mask), tf.constant([seed, 1])))
        chosen = positions[weights > 0]
        assert not np.isin(ids[chosen], [21, 22]).any()  # [CLS]/[SEP] never masked
        replaced = out[chosen][out[chosen] != ids[chosen]]
        seen |= set(replaced.tolist())
    assert 23 in seen  # its own [MASK]
    assert not (seen - {23}) & special  # random replacements are ordinary ids


def test_a_vocabulary_without_mask_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\[MASK\]"):
        masking_vocabulary(PIECES[:4] + ["x"] * 10, [True] * 14)
