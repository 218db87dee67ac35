"""ALBERT's n-gram masking, in-graph, with static shapes and stateless seeds.

As the original `create_pretraining_data.py` (`create_masked_lm_predictions`):
whole words (a word starts where the tokenizer's `is_word_start` says; "▁" in
SentencePiece) are the candidates, in
random order; each candidate starts an n-gram of n = 1..3 words drawn with
probability proportional to 1/n (6/11, 3/11, 2/11), shortened while it would go
over the budget and skipped if it overlaps one already chosen; the budget is
`min(max_predictions, max(1, round(15% of the real tokens)))`. Each chosen token
becomes `[MASK]` with probability 0.8, stays with 0.1 and becomes a random
token with 0.1. The original draws the random token from the whole vocabulary;
here it is drawn from the non-special ids (the vocabulary's own, found by
`special_token_ids`), so `[CLS]`, `[SEP]` and padding never appear inside a text.

Randomness comes from `tf.random.stateless_*` with a seed the caller derives
from (seed, example index): the same example always gets the same masks, which
is what makes an interrupted run resumable to the same weights.
"""

from typing import NamedTuple

import tensorflow as tf

from keras_albert.text.special_tokens import SpecialTokenIds, special_token_ids


class MaskingVocabulary(NamedTuple):
    """What masking needs to know of a vocabulary."""

    word_starts: tf.Tensor  # bool (V,): the piece begins a word
    ordinary_ids: tf.Tensor  # int32: the non-special ids, for random replacement
    special: SpecialTokenIds

    @property
    def size(self):
        return int(self.word_starts.shape[0])


def masking_vocabulary(pieces, word_starts):
    """The `MaskingVocabulary` of a list of pieces in id order and a bool per
    piece saying whether it begins a word (a tokenizer's `word_starts()`)."""
    special = special_token_ids(pieces)
    return MaskingVocabulary(tf.constant(word_starts, tf.bool),
                             tf.constant(special.ordinary(len(pieces)), tf.int32), special)


def tokenizer_masking_vocabulary(tokenizer):
    """The `MaskingVocabulary` of a keras-albert tokenizer."""
    return masking_vocabulary(tokenizer.get_vocabulary(), tokenizer.word_starts())


def _ngram_lengths(seed, num_words, max_ngram):
    """n in 1..max_ngram for each candidate, with probability proportional to 1/n."""
    logits = tf.math.log(1.0 / tf.range(1, max_ngram + 1, dtype=tf.float32))
    draws = tf.random.stateless_categorical(logits[None, :], num_words, seed)
    return tf.cast(draws[0], tf.int32) + 1  # (W,)


def mask_tokens(token_ids, padding_mask, seed, vocabulary, max_predictions,
                masked_lm_prob=0.15, max_ngram=3, token_word_starts=None):
    """Mask one packed example.

    Args:
        token_ids: int32 (T,) `[CLS] A [SEP] B [SEP]` and padding.
        padding_mask: int32 (T,), 1 for real tokens.
        seed: int32 (2,), a stateless seed for this example.
        vocabulary: a `MaskingVocabulary` (word starts, the `[MASK]` id, the
            ids never masked: `[CLS]`, `[SEP]`).
        max_predictions: int. M, the static number of mask slots.
        masked_lm_prob: float. Share of real tokens to predict.
        max_ngram: int. Longest n-gram, in words.
        token_word_starts: optional int (T,): 1 where a token begins a word (a
            word segmenter's words); default: the vocabulary's word starts.

    Returns:
        `(masked_token_ids (T,), mask_positions (M,), mask_ids (M,),
        mask_weights (M,) float32)`; unused slots have position 0, id 0, weight 0.
    """
    length = tf.shape(token_ids)[0]
    word_starts, mask_id = vocabulary.word_starts, vocabulary.special.mask
    special_ids = [vocabulary.special.cls, vocabulary.special.sep]
    is_special = tf.reduce_any(token_ids[:, None] == tf.constant(special_ids)[None, :],
                               axis=1)
    candidate = tf.logical_and(padding_mask > 0, tf.logical_not(is_special))  # (T,)
    begins = (tf.gather(word_starts, token_ids) if token_word_starts is None
              else token_word_starts > 0)
    starts_word = tf.logical_and(candidate, tf.logical_or(
        begins,
        tf.logical_not(tf.concat([[False], candidate[:-1]], axis=0))))  # (T,)
    # Word number of each candidate token (-1 elsewhere); W words in all.
    word_of_token = tf.where(candidate, tf.cumsum(tf.cast(starts_word, tf.int32)) - 1, -1)
    num_words = tf.reduce_sum(tf.cast(starts_word, tf.int32))
    word_sizes = tf.math.bincount(tf.maximum(word_of_token, 0),
                                  weights=tf.cast(candidate, tf.int32),
                                  minlength=length, maxlength=length)  # (T,)
    num_real = tf.reduce_sum(tf.cast(padding_mask > 0, tf.int32))
    budget = tf.minimum(max_predictions, tf.maximum(1, tf.cast(tf.round(
        tf.cast(num_real, tf.float32) * masked_lm_prob), tf.int32)))

    seeds = tf.random.experimental.stateless_split(seed, 4)
    order = tf.random.experimental.stateless_shuffle(tf.range(length), seeds[0])
    order = tf.boolean_mask(order, order < num_words)  # candidate words, shuffled
    ngrams = _ngram_lengths(seeds[1], length, max_ngram)

    def span_size(start, n):
        end = tf.minimum(start + n, num_words)
        return tf.reduce_sum(word_sizes[start:end]), end

    def body(i, chosen, count):
        start = order[i]
        n = ngrams[i]

        def over_budget(n):
            return tf.logical_and(n > 1, count + span_size(start, n)[0] > budget)

        n = tf.while_loop(over_budget, lambda n: [n - 1], [n])[0]
        size, end = span_size(start, n)
        words = tf.range(length)
        in_span = tf.logical_and(words >= start, words < end)
        free = tf.logical_not(tf.reduce_any(tf.logical_and(in_span, chosen)))
        take = tf.logical_and(free, count + size <= budget)
        chosen = tf.logical_or(chosen, tf.logical_and(in_span, take))
        return i + 1, chosen, count + tf.where(take, size, 0)

    _, chosen_words, _ = tf.while_loop(
        lambda i, chosen, count: tf.logical_and(i < tf.shape(order)[0], count < budget),
        body, [0, tf.zeros([length], tf.bool), 0], maximum_iterations=length)

    masked = tf.logical_and(candidate, tf.gather(chosen_words, tf.maximum(word_of_token, 0)))
    positions = tf.cast(tf.where(masked)[:, 0], tf.int32)[:max_predictions]  # ascending
    action = tf.random.stateless_uniform([length], seeds[2])
    ordinary = vocabulary.ordinary_ids
    random_ids = tf.gather(ordinary, tf.random.stateless_uniform(
        [length], seeds[3], 0, tf.shape(ordinary)[0], tf.int32))
    replacement = tf.where(action < 0.8, mask_id,
                           tf.where(action < 0.9, token_ids, random_ids))
    masked_token_ids = tf.where(masked, replacement, token_ids)

    num_masked = tf.shape(positions)[0]
    pad = [[0, max_predictions - num_masked]]
    mask_positions = tf.pad(positions, pad)
    mask_ids = tf.pad(tf.gather(token_ids, positions), pad)
    mask_weights = tf.pad(tf.ones([num_masked], tf.float32), pad)
    return (masked_token_ids, tf.ensure_shape(mask_positions, [max_predictions]),
            tf.ensure_shape(mask_ids, [max_predictions]),
            tf.ensure_shape(mask_weights, [max_predictions]))
