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

import random

import numpy as np
import tensorflow as tf

from keras_albert.text.masking import mask_tokens
from keras_albert.text.pretraining_examples import WORD_STARTS, pack_pair, parse_example


def _split_pair(chunk, rng):
    """(A, B) token lists of a chunk of tokenized sentences."""
    if len(chunk) >= 2:
        a_end = rng.randrange(1, len(chunk))
        return ([t for s in chunk[:a_end] for t in s],
                [t for s in chunk[a_end:] for t in s])
    tokens = chunk[0]
    cut = rng.randrange(1, len(tokens))
    return tokens[:cut], tokens[cut:]


def _trim_pair(a, b, max_tokens, rng):
    """The original's `truncate_seq_pair`: pop from the longer (B on a tie),
    front or back at random, until the pair fits; counted, then cut once."""
    cuts = {"a": [0, 0], "b": [0, 0]}  # [front, back] pops
    length = {"a": len(a), "b": len(b)}
    while length["a"] + length["b"] > max_tokens:
        longer = "a" if length["a"] > length["b"] else "b"
        cuts[longer][0 if rng.random() < 0.5 else 1] += 1
        length[longer] -= 1
    for segment, (front, back) in ((a, cuts["a"]), (b, cuts["b"])):
        del segment[len(segment) - back:]
        del segment[:front]


def document_rng(seed, *key):
    """The random generator of one document, a function of `seed` and the
    document's key alone (its place in the corpus, and the pass), so a document
    gives the same pairs whichever worker prepares it and in whatever order
    (a string seed is hashed with SHA-512, the same in every process)."""
    return random.Random("/".join(map(str, (seed, *key))))


def _target_length(max_tokens, rng, short_seq_prob):
    return max_tokens if rng.random() >= short_seq_prob else rng.randrange(
        2, max_tokens + 1)


def document_pairs(sentences, max_tokens, rng, short_seq_prob=0.1):
    """Sentence-order pairs `(A, B, label)` of one tokenized document.

    Args:
        sentences: list of token lists (ids, or `(id, begins_word)` pairs).
        max_tokens: int. Room for A and B (the sequence length minus 3).
        rng: `random.Random` (`document_rng`).
        short_seq_prob: float. Probability of a shorter target length.
    """
    sentences = [sentence for sentence in sentences if sentence]
    pairs, chunk, size = [], [], 0
    target = _target_length(max_tokens, rng, short_seq_prob)
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
            target = _target_length(max_tokens, rng, short_seq_prob)
    return pairs


def create_instances(documents, encode, sequence_length, special, seed=0,
                     short_seq_prob=0.1, dupe_factor=1):
    """Packed SOP pairs of tokenized documents, held in memory.

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

    The documents' keys are those of one file's in `keras-albert prepare`
    (file 0, document index, pass), so a one-file corpus gives the pairs its
    shards hold.

    Returns:
        dict of numpy arrays, the rows of `pretraining_examples.pack_pair`
        stacked: `token_ids`, `segment_ids`, `padding_mask` (N, T) int32 and
        `sop_labels` (N,) int32; with `(id, begins_word)` pairs also
        `word_starts` (N, T) int32, which masking then uses.
    """
    tokenized = [list(map(encode, document)) for document in documents]
    rows = [pack_pair(a, b, label, special, sequence_length)
            for dupe in range(dupe_factor)
            for index, sentences in enumerate(tokenized)
            for a, b, label in document_pairs(
                sentences, sequence_length - 3, document_rng(seed, 0, index, dupe),
                short_seq_prob)]
    if not rows:
        raise ValueError("The corpus gives no sentence pairs (every document has "
                         "fewer than 2 tokens).")
    return {key: np.stack([row[key] for row in rows]) for key in rows[0]}


def _masker(vocabulary, seed, max_predictions):
    """`(position, row) -> (x, y, sample_weight)`: dynamic masking of a packed
    row, from a seed derived from (seed, position in the stream)."""
    def example(position, row):
        masked, positions, ids, weights = mask_tokens(
            row["token_ids"], row["padding_mask"],
            tf.stack([tf.cast(seed, tf.int64) + 1, position]), vocabulary,
            max_predictions, token_word_starts=row.get(WORD_STARTS))
        x = {"token_ids": masked, "segment_ids": row["segment_ids"],
             "padding_mask": row["padding_mask"], "mask_positions": positions}
        y = {"mlm_logits": ids, "sop_logits": row["sop_labels"]}
        return x, y, {"mlm_logits": weights, "sop_logits": tf.constant(1.0)}
    return example


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

    mask = _masker(vocabulary, seed, max_predictions)

    def example(position, index):
        return mask(position, {key: tf.gather(value, index) for key, value in table.items()})

    epochs = tf.data.Dataset.range(num_epochs) if num_epochs else tf.data.Dataset.range(
        2**62)
    dataset = epochs.flat_map(order).enumerate()  # (position in stream, index)
    dataset = dataset.skip(start_step * batch_size)
    dataset = dataset.map(example, num_parallel_calls=tf.data.AUTOTUNE,
                          deterministic=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def streamed_pretraining_dataset(files, batch_size, vocabulary, sequence_length, seed=0,
                                 max_predictions=20, word_starts=False,
                                 shuffle_buffer=10000, cycle_length=8, num_epochs=None):
    """Batches of masked SOP pairs read from TFRecord shards, for corpora that do
    not fit in memory (`keras-albert prepare` writes them).

    Shards are read `cycle_length` at a time, interleaved, in an order shuffled
    over a window of all shards (so it changes from pass to pass); records go through a shuffle buffer of `shuffle_buffer` serialized
    examples, then are parsed and masked as `pretraining_dataset`'s (the same
    row layout, the same masking from (seed, position in the stream)). Memory
    is the buffers', whatever the corpus size. Under `tf.distribute` each worker
    reads its own shards (the file-level auto-sharding of `tf.data`).

    The stream is deterministic for a seed but not addressable by step: a run
    resumes it by restoring the iterator's checkpointed state
    (`training.data_checkpoint`), not by skipping.

    Args:
        files: list of shard paths.
        batch_size, sequence_length, max_predictions: ints (static shapes).
        vocabulary: a `masking.MaskingVocabulary`.
        seed: int. Fixes the shard order, the shuffle and every mask.
        word_starts: bool. The records carry a segmenter's `word_starts`.
        shuffle_buffer, cycle_length: ints.
        num_epochs: int or None (repeat forever).
    """
    files = [str(file) for file in files]
    # An endless stream of shards shuffled once, and a record shuffle that does
    # not reshuffle per iterator: every iterator of the dataset (Keras and
    # tf.distribute make several) reads the same stream, which a resume replays.
    shards = tf.data.Dataset.from_tensor_slices(files).repeat(num_epochs).shuffle(
        len(files), seed=seed, reshuffle_each_iteration=False)
    records = shards.interleave(
        tf.data.TFRecordDataset, cycle_length=min(cycle_length, len(files)),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    records = records.shuffle(shuffle_buffer, seed=seed + 2, reshuffle_each_iteration=False)
    mask = _masker(vocabulary, seed, max_predictions)
    pad = vocabulary.special.pad

    def example(position, serialized):
        return mask(position, parse_example(serialized, sequence_length, pad,
                                            word_starts))

    dataset = records.enumerate().map(example, num_parallel_calls=tf.data.AUTOTUNE,
                                      deterministic=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
