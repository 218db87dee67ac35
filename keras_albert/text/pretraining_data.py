"""Sentence-order pairs from documents, and the masked pretraining `tf.data`.

`create_instances` follows the original `create_instances_from_document`: fill a
chunk with consecutive sentences up to the target length (a random shorter one
with probability `short_seq_prob`), split it at a random sentence boundary into
A and B, swap them with probability 0.5 (SOP label 1; 0 = original order), and
trim the longer segment from a random end until the pair fits. A one-sentence
chunk is split inside the sentence. Pairs are fixed once per seed; masks are
drawn anew for every pass (dynamic masking), from a seed derived from
(seed, position in the stream).

`pretraining_dataset` serves batches `(x, y, sample_weight)` for
`AlbertPretrainer.fit` with static shapes (B, T) and (B, M), so XLA compiles one
program; it can start at any step, which is how an interrupted run resumes.
"""

import numpy as np
import tensorflow as tf

from keras_albert.text.masking import mask_tokens


def _split_pair(chunk, rng):
    """(A, B) token lists of a chunk of tokenized sentences."""
    if len(chunk) >= 2:
        a_end = rng.integers(1, len(chunk))
        return sum(chunk[:a_end], []), sum(chunk[a_end:], [])
    tokens = chunk[0]
    cut = rng.integers(1, len(tokens))
    return tokens[:cut], tokens[cut:]


def _trim_pair(a, b, max_tokens, rng):
    """The original's `truncate_seq_pair`: pop from the longer, front or back."""
    while len(a) + len(b) > max_tokens:
        longer = a if len(a) > len(b) else b
        if rng.random() < 0.5:
            del longer[0]
        else:
            longer.pop()


def create_instances(documents, encode, sequence_length, special, seed=0,
                     short_seq_prob=0.1, dupe_factor=1):
    """Packed SOP pairs of tokenized documents.

    Args:
        documents: list of lists of sentence strings.
        encode: callable str -> list of int ids (normalization included), or
            of `(id, begins_word)` pairs (`segmenters.segmented_encoder`).
        sequence_length: int. T, including `[CLS]` and two `[SEP]`.
        special: the vocabulary's `SpecialTokenIds` (`[CLS]`, `[SEP]`, padding).
        seed: int.
        short_seq_prob: float. Probability of a shorter target length.
        dupe_factor: int. Passes over the corpus, each with its own chunking,
            split points and swaps (the original's `--dupe_factor`), so SOP sees
            more distinct pairs than one pass gives.

    Returns:
        dict of numpy arrays: `token_ids`, `segment_ids`, `padding_mask` (N, T)
        int32 and `sop_labels` (N,) int32; with `(id, begins_word)` pairs also
        `word_starts` (N, T) int32, which masking then uses.
    """
    rng = np.random.default_rng(seed)
    max_tokens = sequence_length - 3
    pairs = []
    tokenized = [[ids for ids in map(encode, document) if ids] for document in documents]
    for sentences in [s for _ in range(dupe_factor) for s in tokenized]:
        chunk, size = [], 0
        target = max_tokens if rng.random() >= short_seq_prob else int(
            rng.integers(2, max_tokens + 1))
        for index, sentence in enumerate(sentences):
            chunk.append(sentence)
            size += len(sentence)
            if index == len(sentences) - 1 or size >= target:
                if size >= 2:
                    a, b = _split_pair(chunk, rng)
                    label = int(rng.random() < 0.5)
                    a, b = (b, a) if label else (a, b)
                    _trim_pair(a, b, max_tokens, rng)
                    pairs.append((a, b, label))
                chunk, size = [], 0
                target = max_tokens if rng.random() >= short_seq_prob else int(
                    rng.integers(2, max_tokens + 1))
    if not pairs:
        raise ValueError("The corpus gives no sentence pairs (every document has "
                         "fewer than 2 tokens).")
    token_ids = np.full((len(pairs), sequence_length), special.pad, np.int32)
    segment_ids = np.zeros_like(token_ids)
    padding_mask = np.zeros_like(token_ids)
    segmented = isinstance(pairs[0][0][0], tuple)  # (id, begins a word) pieces
    word_starts = np.zeros_like(token_ids)
    for row, (a, b, _) in enumerate(pairs):
        if segmented:
            starts = [0, *(s for _, s in a), 0, *(s for _, s in b), 0]
            word_starts[row, :len(starts)] = starts
            a, b = [i for i, _ in a], [i for i, _ in b]
        packed = [special.cls, *a, special.sep, *b, special.sep]
        token_ids[row, :len(packed)] = packed
        segment_ids[row, len(a) + 2:len(packed)] = 1
        padding_mask[row, :len(packed)] = 1
    instances = {"token_ids": token_ids, "segment_ids": segment_ids,
                 "padding_mask": padding_mask,
                 "sop_labels": np.array([label for *_, label in pairs], np.int32)}
    if segmented:
        instances["word_starts"] = word_starts
    return instances


def pretraining_dataset(instances, batch_size, vocabulary, seed=0,
                        max_predictions=20, start_step=0, num_epochs=None,
                        shuffle=True):
    """Batches of masked SOP pairs for `AlbertPretrainer.fit`.

    Args:
        instances: the dict of `create_instances`.
        batch_size: int. Batches are always full (static shapes).
        vocabulary: a `masking.MaskingVocabulary` (word starts, special ids).
        seed: int. Fixes the order of every pass and every mask.
        max_predictions: int. M, mask slots per example.
        start_step: int. Skip this many batches (resuming).
        num_epochs: int or None (repeat forever).
        shuffle: bool. A new order every pass.

    Returns:
        `tf.data.Dataset` of `(x, y, sample_weight)`: `x` the backbone inputs plus
        `mask_positions`, `y = {"mlm_logits": mask_ids, "sop_logits": labels}`,
        `sample_weight = {"mlm_logits": mask_weights, "sop_logits": ones}`.
    """
    count = len(instances["sop_labels"])
    table = {key: tf.constant(value) for key, value in instances.items()}

    def order(epoch):
        indices = tf.range(count, dtype=tf.int64)
        if shuffle:
            indices = tf.random.experimental.stateless_shuffle(
                indices, tf.stack([tf.cast(seed, tf.int64), epoch]))
        return tf.data.Dataset.from_tensor_slices(indices)

    def example(position, index):
        starts = tf.gather(table["word_starts"], index) if "word_starts" in table else None
        masked, positions, ids, weights = mask_tokens(
            tf.gather(table["token_ids"], index), tf.gather(table["padding_mask"], index),
            tf.stack([tf.cast(seed, tf.int64) + 1, position]), vocabulary, max_predictions,
            token_word_starts=starts)
        x = {"token_ids": masked, "segment_ids": tf.gather(table["segment_ids"], index),
             "padding_mask": tf.gather(table["padding_mask"], index),
             "mask_positions": positions}
        y = {"mlm_logits": ids, "sop_logits": tf.gather(table["sop_labels"], index)}
        return x, y, {"mlm_logits": weights, "sop_logits": tf.constant(1.0)}

    epochs = tf.data.Dataset.range(num_epochs) if num_epochs else tf.data.Dataset.range(
        2**62)
    dataset = epochs.flat_map(order).enumerate()  # (position in stream, index)
    dataset = dataset.skip(start_step * batch_size)
    dataset = dataset.map(example, num_parallel_calls=tf.data.AUTOTUNE,
                          deterministic=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
