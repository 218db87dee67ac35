"""Token ids to ALBERT's inputs: `[CLS] A [SEP] B [SEP]`, truncated and padded."""

import tensorflow as tf
import tensorflow_text as tf_text

from keras_albert.checks import check_choice, check_positive_int

# `truncate` -> how the length budget is shared between the segments.
# "longest_first" is the original `_truncate_seq_pair` (drop the last token of the
# longer segment, of B on ties, until the pair fits); for two segments
# tf-text's round robin keeps exactly the same tokens (tests/text/test_preprocessor.py).
# "waterfall" keeps all of A that fits and gives B what is left.
TRIMMERS = {
    "longest_first": tf_text.RoundRobinTrimmer,
    "waterfall": tf_text.WaterfallTrimmer,
}
# `[CLS] A [SEP] B [SEP]` with A and B trimmed to nothing.
MIN_SEQUENCE_LENGTH = 3


def check_packing_arguments(sequence_length, truncate):
    """Raise unless `sequence_length` holds a pair's special tokens and
    `truncate` is known."""
    check_positive_int("sequence_length", sequence_length)
    if sequence_length < MIN_SEQUENCE_LENGTH:
        raise ValueError(
            f"`sequence_length` must be at least {MIN_SEQUENCE_LENGTH}, room for the "
            "special tokens of `[CLS] A [SEP] B [SEP]`. "
            f"Received: sequence_length={sequence_length}"
        )
    check_choice("truncate", truncate, TRIMMERS)


def _as_ragged_batch(segment, pad_id):
    """A (B, None) `tf.RaggedTensor` of ids; dense rows lose trailing `pad_id`s."""
    if isinstance(segment, tf.RaggedTensor):
        return segment
    if segment.shape.rank == 1:  # one example
        segment = segment[tf.newaxis]
    return tf.RaggedTensor.from_tensor(segment, padding=pad_id)


def _join(segments, width, cls_id, sep_id, pad_id):
    """`[CLS] A [SEP] (B [SEP])` of trimmed ragged segments, padded to `width`.

    Dense gathers and selects only (no ragged ops besides densifying), so the
    packing also converts to TFLite builtins (tensorflow-text's
    `combine_segments` needs `RaggedGather`, which TFLite has no kernel for).
    """
    position = tf.range(width, dtype="int32")[tf.newaxis]  # (1, W)
    token_ids = tf.where(position == 0, cls_id, pad_id)  # (1, W)
    segment_ids = tf.zeros_like(position)  # (1, W)
    start = tf.ones([1, 1], "int32")  # where the current segment begins
    for index, segment in enumerate(segments):
        length = tf.cast(segment.row_lengths(), "int32")[:, tf.newaxis]  # (B, 1)
        # One pad column, so a batch of empty segments still has one to gather.
        dense = tf.cast(segment.to_tensor(default_value=pad_id), "int32")  # (B, T)
        dense = tf.pad(dense, [[0, 0], [0, 1]], constant_values=pad_id)  # (B, T+1)
        offset = tf.clip_by_value(position - start, 0, tf.shape(dense)[1] - 1)
        pieces = tf.gather(dense, tf.broadcast_to(offset, [tf.shape(dense)[0], width]),
                           batch_dims=1)  # (B, W)
        inside = (position >= start) & (position < start + length)  # (B, W)
        token_ids = tf.where(inside, pieces, token_ids)
        token_ids = tf.where(position == start + length, sep_id, token_ids)
        if index == 1:
            segment_ids = tf.where(inside | (position == start + length), 1, segment_ids)
        start = start + length + 1
    padding_mask = tf.cast(position < start, "int32")  # (B, W)
    batch = tf.shape(padding_mask)[0]
    return {
        "token_ids": tf.cast(tf.broadcast_to(token_ids, [batch, width]), "int32"),
        "segment_ids": tf.cast(tf.broadcast_to(segment_ids, [batch, width]), "int32"),
        "padding_mask": padding_mask,
    }


# Not keras_hub's MultiSegmentPacker: it joins the segments with ragged concatenation,
# and this packing must convert to TFLite builtins (see `_join`).
def pack_segments(segments, sequence_length, cls_id, sep_id, pad_id,
                  truncate="longest_first", pad_to_longest=False):
    """Pack token ids as ALBERT's inputs: `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`.

    The segments are first truncated to fit `sequence_length` with the special
    tokens, then joined and padded with `pad_id`. Segment ids are 0 for `[CLS]`,
    A and the first `[SEP]`, 1 for B and the last `[SEP]`, 0 for padding. Only
    TensorFlow ops, so it runs in `tf.data.Dataset.map`, `tf.function` and
    exported graphs.

    Args:
        segments: list or tuple of 1 or 2 segments of int ids (A, or A and B),
            each a `tf.RaggedTensor` of shape (B, None), a dense (B, L) tensor
            padded with `pad_id`, or a 1-D tensor for a single example.
        sequence_length: int, at least 3. The length of every output row.
        cls_id: int. The id of `[CLS]`.
        sep_id: int. The id of `[SEP]`.
        pad_id: int. The id of `<pad>`.
        truncate: str. `"longest_first"`: drop the last token of the longer
            segment (of B on ties) until the pair fits, as the original ALBERT
            and BERT `_truncate_seq_pair`. `"waterfall"`: keep all of A that
            fits, then fill up with B.
        pad_to_longest: bool. Pad to the longest packed row of the batch
            (at most `sequence_length`) instead of to `sequence_length`.

    Returns:
        Dict of int32 tensors of shape (B, sequence_length), or (sequence_length,)
        for 1-D segments: `"token_ids"`, `"segment_ids"`, `"padding_mask"`.

    Example:
    >>> a = tf.ragged.constant([[11, 12, 13, 14], [21]])
    >>> b = tf.ragged.constant([[15, 16, 17], [22, 23]])
    >>> packed = pack_segments([a, b], 8, cls_id=2, sep_id=3, pad_id=0)
    >>> packed["token_ids"].numpy().tolist()
    [[2, 11, 12, 13, 3, 15, 16, 3], [2, 21, 3, 22, 23, 3, 0, 0]]
    >>> packed["segment_ids"].numpy().tolist()
    [[0, 0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1, 0, 0]]
    """
    check_packing_arguments(sequence_length, truncate)
    if not isinstance(segments, (list, tuple)) or len(segments) not in (1, 2):
        received = (f"{len(segments)} segments" if isinstance(segments, (list, tuple))
                    else f"a {type(segments).__name__}")
        raise ValueError(
            "`segments` must be a list or tuple of 1 or 2 segments (A, or A and B). "
            f"Received: {received}"
        )
    segments = [segment if isinstance(segment, tf.RaggedTensor)
                else tf.convert_to_tensor(segment) for segment in segments]
    ranks = {segment.shape.rank for segment in segments}
    if ranks not in ({1}, {2}):
        raise ValueError(
            "`segments` must be all batched (rank 2) or all one example (rank 1). "
            f"Received: segments of ranks {[s.shape.rank for s in segments]}"
        )
    unbatched = ranks == {1}
    segments = [_as_ragged_batch(segment, pad_id) for segment in segments]

    budget = sequence_length - len(segments) - 1  # [CLS] and one [SEP] per segment
    segments = TRIMMERS[truncate](budget).trim(segments)
    width = sequence_length
    if pad_to_longest:
        longest = tf.reduce_max(sum(s.row_lengths() for s in segments))
        width = tf.cast(longest, "int32") + len(segments) + 1
    packed = _join(segments, width, cls_id, sep_id, pad_id)
    if unbatched:
        packed = {name: tensor[0] for name, tensor in packed.items()}
    return packed
