"""Texts longer than the model, in overlapping windows.

A text of `n` pieces, with room for `width = sequence_length - 2` pieces in a
window (`[CLS] window [SEP]`), is covered as BERT's `run_squad.py` covers a
long context with its `doc_stride`: windows start at 0, `stride`,
`2 * stride`, ... until one reaches the end of the text (the last may be
shorter); a text that fits is one window, packed as it would be truncated.

Back from the windows to the texts:
- `mean_by_text`: one value per text, the mean of its windows' (a text
  classifier's logits: each window votes with equal weight, whatever its
  length);
- `by_most_central`: one value per piece of a text, from the window where the
  piece has the most context, `min(pieces left of it, pieces right of it) +
  0.01 * window length` (`run_squad.py`'s `_check_is_max_context`; ties go to
  the earlier window), laid out as the text packed whole: `[CLS] pieces
  [SEP]`, padded to the batch's longest text, zeros outside the pieces.

Only TensorFlow ops: the same code windows the training data, the Keras
model's `predict` and the SavedModel's raw-text signature. Ragged ops have no
TFLite kernels, so a TFLite export truncates instead.
"""

import dataclasses

import tensorflow as tf

from keras_albert.checks import check_positive_int
from keras_albert.text.packing import check_packing_arguments, pack_segments

# Room for the longest text packed whole (`Windows.text_token_ids`).
_UNLIMITED = 2**30


def check_stride(stride, sequence_length):
    """`stride` must move a window forward by at most its width (no piece
    left out) and at least one piece."""
    check_positive_int("stride", stride)
    check_packing_arguments(sequence_length, "longest_first")
    width = sequence_length - 2
    if stride > width:
        raise ValueError(f"`stride` must be at most the {width} pieces a window of "
                         f"sequence_length {sequence_length} holds, or pieces between "
                         f"windows would be skipped. Received: stride={stride}")


@dataclasses.dataclass
class Windows:
    """A batch of texts cut into windows: `inputs` (the packed windows, a dict
    of int32 (W, sequence_length) tensors), and for each window its text
    (`rows`, (W,)), its first piece in that text (`starts`) and its number of
    pieces (`lengths`); `pieces` is the texts' pieces (B, None)."""

    inputs: dict
    rows: tf.Tensor
    starts: tf.Tensor
    lengths: tf.Tensor
    pieces: tf.RaggedTensor

    @property
    def num_texts(self):
        return self.pieces.nrows(out_type=tf.int32)

    def mean_by_text(self, values):
        """(B, ...) : the mean of each text's windows' `values` (W, ...)."""
        return tf.math.unsorted_segment_mean(values, self.rows, self.num_texts)

    def by_most_central(self, values):
        """(B, longest + 2, ...): per piece of each text, `values` (W,
        sequence_length, ...) at that piece in the window where it is most
        central, at its position in `[CLS] text [SEP]`; zeros elsewhere."""
        offsets = tf.ragged.range(self.lengths)  # (W, None): piece within window
        window = tf.cast(offsets.value_rowids(), tf.int32)  # the window of each
        offset = tf.cast(offsets.flat_values, tf.int32)
        length = tf.gather(self.lengths, window)
        context = tf.minimum(offset, length - 1 - offset)
        # run_squad's score, as an integer (context + length / 100, times 100)
        # with the earlier window winning ties.
        count = tf.shape(self.rows)[0]
        score = ((tf.cast(context, tf.int64) * 100 + tf.cast(length, tf.int64))
                 * tf.cast(count, tf.int64) + tf.cast(count - 1 - window, tf.int64))
        # Each piece of each text, numbered through the batch.
        row_starts = tf.cast(self.pieces.row_starts(), tf.int32)
        key = (tf.gather(row_starts, tf.gather(self.rows, window))
               + tf.gather(self.starts, window) + offset)
        total = tf.cast(tf.size(self.pieces.flat_values), tf.int32)
        best = tf.math.unsorted_segment_max(score, key, total)
        chosen = tf.where(tf.equal(score, tf.gather(best, key)))[:, 0]
        picked = tf.gather_nd(values, tf.stack(
            [tf.gather(window, chosen), tf.gather(offset, chosen) + 1], axis=1))
        flat = tf.math.unsorted_segment_sum(picked, tf.gather(key, chosen), total)
        per_text = tf.RaggedTensor.from_row_starts(flat, row_starts)
        # [CLS] pieces [SEP]: one zero row before, the rest after.
        dense = per_text.to_tensor()  # (B, longest, ...)
        padding = [[0, 0], [1, 1]] + [[0, 0]] * (len(values.shape) - 2)
        return tf.pad(dense, padding)

    def text_token_ids(self, cls_id, sep_id, pad_id):
        """(B, longest + 2) int32: each text packed whole, `[CLS] pieces [SEP]`,
        the layout of `by_most_central`."""
        return pack_segments([self.pieces], _UNLIMITED, cls_id=cls_id, sep_id=sep_id,
                             pad_id=pad_id, pad_to_longest=True)["token_ids"]

    def split(self, values, sequence_length, fill):
        """Per-piece `values` of the texts (a (B, None) ragged tensor shaped
        as `pieces`, e.g. labels) cut as the windows are and packed as they
        are, `fill` at `[CLS]`, `[SEP]` and padding: (W, sequence_length)."""
        windows = _cut(values, self.rows, self.starts, self.lengths)
        return pack_segments([windows], sequence_length, cls_id=fill, sep_id=fill,
                             pad_id=fill)["token_ids"]


def _cut(pieces, rows, starts, lengths):
    """The windows' pieces, (W, None), from the texts' (B, None)."""
    begin = tf.gather(tf.cast(pieces.row_starts(), tf.int32), rows) + starts
    return tf.gather(pieces.flat_values, tf.ragged.range(begin, begin + lengths))


def make_windows(pieces, sequence_length, stride, cls_id, sep_id, pad_id):
    """The `Windows` of texts given as their pieces, a (B, None) ragged tensor
    of ids, each window packed `[CLS] window [SEP]` to `sequence_length`.

    Example:
    >>> pieces = tf.ragged.constant([[5, 6, 7, 8, 9], [5]])
    >>> windows = make_windows(pieces, 5, 2, cls_id=2, sep_id=3, pad_id=0)
    >>> windows.inputs["token_ids"].numpy().tolist()
    [[2, 5, 6, 7, 3], [2, 7, 8, 9, 3], [2, 5, 3, 0, 0]]
    >>> windows.rows.numpy().tolist(), windows.starts.numpy().tolist()
    ([0, 0, 1], [0, 2, 0])
    """
    check_stride(stride, sequence_length)
    width = sequence_length - 2
    sizes = tf.cast(pieces.row_lengths(), tf.int32)  # (B,)
    # 1 + ceil(max(n - width, 0) / stride) windows a text.
    counts = 1 + (tf.maximum(sizes - width, 0) + stride - 1) // stride
    rows = tf.repeat(tf.range(tf.size(sizes)), counts)  # (W,)
    starts = tf.ragged.range(counts).flat_values * stride  # (W,)
    lengths = tf.minimum(tf.gather(sizes, rows) - starts, width)  # (W,)
    windows = _cut(pieces, rows, starts, lengths)
    inputs = pack_segments([windows], sequence_length, cls_id=cls_id, sep_id=sep_id,
                           pad_id=pad_id)
    return Windows(inputs=inputs, rows=rows, starts=starts, lengths=lengths,
                   pieces=pieces)
