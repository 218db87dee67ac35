"""One pretraining example: a packed sentence-order pair, as shards store it.

A record is a `tf.train.Example` with

    token_ids    int64 list  [CLS] A [SEP] B [SEP], unpadded
    a_length     int64       len(A); segment 1 begins at a_length + 2
    sop_label    int64       0 = original order, 1 = swapped
    word_starts  int64 list  only with a word segmenter: 1 where a piece begins
                             a whole-word masking unit, aligned with token_ids

`pack_pair` gives this layout as numpy rows of length T (what `create_instances`
stacks for a corpus held in memory) and `parse_example` gives the same rows from
a serialized record, so masking and batching are one code path for both.
"""

import numpy as np
import tensorflow as tf

FEATURES = ("token_ids", "a_length", "sop_label")
WORD_STARTS = "word_starts"


def _split_pieces(pieces):
    """`(ids, word_starts or None)` of a segment's ids or `(id, begins_word)` pairs."""
    if pieces and isinstance(pieces[0], tuple):
        return [i for i, _ in pieces], [int(s) for _, s in pieces]
    return list(pieces), None


def packed_pair(a, b, special):
    """`(token_ids, a_length, word_starts or None)` of segments A and B (lists of
    ids, or of `(id, begins_word)` pairs): `[CLS] A [SEP] B [SEP]`, unpadded."""
    (a_ids, a_starts), (b_ids, b_starts) = _split_pieces(a), _split_pieces(b)
    token_ids = [special.cls, *a_ids, special.sep, *b_ids, special.sep]
    starts = None if a_starts is None else [0, *a_starts, 0, *b_starts, 0]
    return token_ids, len(a_ids), starts


def serialize_pair(a, b, label, special):
    """The serialized `tf.train.Example` of one sentence-order pair."""
    token_ids, a_length, starts = packed_pair(a, b, special)

    def ints(values):
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values))

    feature = {"token_ids": ints(token_ids), "a_length": ints([a_length]),
               "sop_label": ints([int(label)])}
    if starts is not None:
        feature[WORD_STARTS] = ints(starts)
    # Deterministic: a map's order would otherwise follow the process's hashing.
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString(
        deterministic=True)


def pack_pair(a, b, label, special, sequence_length):
    """The padded numpy row of one pair: `token_ids`, `segment_ids`,
    `padding_mask` (T,) int32, `sop_labels` () int32, and `word_starts` (T,)
    with a segmenter's `(id, begins_word)` pieces."""
    token_ids, a_length, starts = packed_pair(a, b, special)
    row = {"token_ids": np.full(sequence_length, special.pad, np.int32),
           "segment_ids": np.zeros(sequence_length, np.int32),
           "padding_mask": np.zeros(sequence_length, np.int32),
           "sop_labels": np.int32(label)}
    row["token_ids"][:len(token_ids)] = token_ids
    row["segment_ids"][a_length + 2:len(token_ids)] = 1
    row["padding_mask"][:len(token_ids)] = 1
    if starts is not None:
        row[WORD_STARTS] = np.zeros(sequence_length, np.int32)
        row[WORD_STARTS][:len(starts)] = starts
    return row


def parse_example(serialized, sequence_length, pad_id, word_starts=False):
    """The padded row (as `pack_pair`) of a serialized record, in-graph.

    Raises (at run time) `InvalidArgumentError` for a record longer than
    `sequence_length`; shards record their length in the manifest, which
    `training.shards` checks before reading.
    """
    spec = {"token_ids": tf.io.VarLenFeature(tf.int64),
            "a_length": tf.io.FixedLenFeature([], tf.int64),
            "sop_label": tf.io.FixedLenFeature([], tf.int64)}
    if word_starts:
        spec[WORD_STARTS] = tf.io.VarLenFeature(tf.int64)
    features = tf.io.parse_single_example(serialized, spec)

    def padded(sparse, value):
        dense = tf.cast(tf.sparse.to_dense(sparse), tf.int32)
        dense = tf.pad(dense, [[0, sequence_length - tf.shape(dense)[0]]],
                       constant_values=value)
        return tf.ensure_shape(dense, [sequence_length])

    token_ids = padded(features["token_ids"], pad_id)  # (T,)
    length = tf.size(features["token_ids"].values)
    positions = tf.range(sequence_length)
    padding_mask = tf.cast(positions < length, tf.int32)  # (T,)
    segment_start = tf.cast(features["a_length"], tf.int32) + 2
    segment_ids = tf.cast(positions >= segment_start, tf.int32) * padding_mask
    row = {"token_ids": token_ids, "segment_ids": segment_ids,
           "padding_mask": padding_mask,
           "sop_labels": tf.cast(features["sop_label"], tf.int32)}
    if word_starts:
        row[WORD_STARTS] = padded(features[WORD_STARTS], 0)
    return row
