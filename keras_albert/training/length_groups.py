"""Batches of texts of similar length, for fine-tuning on raw text.

`AlbertTask.fit(..., group_by_length=True)` re-batches its packed batches with
`group_by_length`: each batch is cut to a width that holds its longest row, and
the widths are few (`choose_widths`), because XLA compiles the train step once
per batch shape.
"""

import numpy as np
import tensorflow as tf

LENGTH_MULTIPLE = 16
MAX_WIDTHS = 4


def choose_widths(lengths, width, max_widths=MAX_WIDTHS, multiple=LENGTH_MULTIPLE):
    """At most `max_widths` batch widths (multiples of `multiple`, the last
    one covering the longest row, none over `width`) that pad `lengths` least
    when each row goes to the narrowest width that holds it.

    Each width is one XLA compilation of the train step, so their number is
    capped rather than one per `multiple` lengths: at length 512 that would be
    32 widths. Exact dynamic programming over the rounded-up lengths' histogram.
    """
    lengths = np.asarray(lengths)
    rounded = np.minimum(-(-lengths // multiple) * multiple, width)
    candidates, counts = np.unique(rounded, return_counts=True)
    if len(candidates) <= max_widths:
        return [int(c) for c in candidates]
    rows = np.concatenate([[0], np.cumsum(counts)])

    def padded(first, last):  # candidates first..last padded to candidates[last]
        return int(candidates[last]) * int(rows[last + 1] - rows[first])

    m = len(candidates)
    # best[k][j]: (least padding of candidates 0..j with at most k + 1 widths,
    # the widest at j; the next narrower width, None if none).
    best = [[(padded(0, j), None) for j in range(m)]]
    for _ in range(1, max_widths):
        best.append([min([(padded(0, j), None)] + [
            (best[-1][i][0] + padded(i + 1, j), i) for i in range(j)],
            key=lambda option: option[0]) for j in range(m)])
    widths, j, k = [], m - 1, max_widths - 1
    while j is not None:
        widths.append(int(candidates[j]))
        j, k = best[k][j][1], k - 1
    return widths[::-1]


def group_by_length(dataset, batch_size, max_widths=MAX_WIDTHS,
                    multiple=LENGTH_MULTIPLE):
    """Re-batch a dataset of packed batches so that rows of similar length go
    together, each batch cut to the width of its bucket.

    Most texts are much shorter than the packing length (WordNet glosses: median
    20 tokens at length 64), so most of a fixed-length batch is padding. The
    bucket widths are at most `max_widths` multiples of `multiple`, chosen from
    the rows' lengths to pad least (`choose_widths`); rows leave their bucket
    as a batch of `batch_size` (Hugging Face's `group_by_length`, with the few
    shapes that XLA needs: one compilation per width, not per batch); the rows
    short of a whole batch in their bucket are batched together at the widest
    width, so the shapes are the same every epoch. The row
    order within a bucket is the dataset's, so a shuffled dataset stays
    shuffled. Datasets whose targets are per token, or whose inputs are not one
    packed row an example (multiple choice), are returned unchanged.
    """
    spec = dataset.element_spec
    parts = spec if isinstance(spec, tuple) else (spec,)
    inputs = parts[0]
    if (not isinstance(inputs, dict) or "padding_mask" not in inputs
            or inputs["padding_mask"].shape.rank != 2
            or any(part.shape.rank != 1 for part in tf.nest.flatten(parts[1:]))):
        return dataset
    width = inputs["padding_mask"].shape[1]
    if width is None or width <= multiple:
        return dataset

    def lengths_of(*data):
        return tf.reduce_sum(tf.cast(data[0]["padding_mask"], tf.int32), axis=-1)

    # One pass over the lengths chooses the widths; a row's bucket does not
    # change between epochs, so neither does the number of batches, which is
    # told to Keras (progress bar, no "ran out of data" warning).
    lengths = np.concatenate([batch.numpy() for batch in dataset.map(lengths_of)])
    widths = choose_widths(lengths, width, max_widths, multiple)
    rows = np.bincount(np.searchsorted(widths, lengths), minlength=len(widths))
    batches = int(sum(rows // batch_size) + -(-sum(rows % batch_size) // batch_size))
    # The last rows of each bucket short of a whole batch (which rows changes
    # with the shuffle) share one more bucket, whose batches take the widest
    # width: one smaller batch an epoch, as without grouping, not one a bucket
    # (each a compilation of the train step), and the same shapes every epoch
    # (cut to their longest row, the leftovers' width changed with the
    # shuffle and the step compiled again in later epochs).
    whole = tf.constant(rows // batch_size * batch_size, tf.int64)
    leftovers = tf.constant(len(widths), tf.int64)
    bucket_widths = tf.constant(widths, tf.int32)

    def route(seen, row):  # one row: its bucket, or the leftovers
        length = lengths_of(*(row if isinstance(row, tuple) else (row,)))
        bucket = tf.searchsorted(bucket_widths, length[None], out_type=tf.int64)[0]
        key = tf.where(seen[bucket] < whole[bucket], bucket, leftovers)
        return tf.tensor_scatter_nd_add(seen, [[bucket]], [1]), (key, row)

    def cut(keys, batch):
        data = batch if isinstance(batch, tuple) else (batch,)
        cut_width = bucket_widths[tf.minimum(keys[0], leftovers - 1)]
        inputs = tf.nest.map_structure(lambda t: t[:, :cut_width], data[0])
        return (inputs, *data[1:]) if len(data) > 1 else inputs

    dataset = dataset.unbatch().scan(tf.zeros(len(widths), tf.int64), route)
    dataset = dataset.group_by_window(lambda key, row: key,
                                      lambda key, rows: rows.batch(batch_size),
                                      window_size=batch_size)
    dataset = dataset.map(cut, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.apply(tf.data.experimental.assert_cardinality(batches))
