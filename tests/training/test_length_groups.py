"""Grouping rows by length: few widths that pad least, every row once, uncut."""

import itertools

import numpy as np
import tensorflow as tf

from keras_albert.training.length_groups import choose_widths, group_by_length


def test_group_by_length_leaves_per_token_targets_alone():
    x = {"token_ids": tf.ones((6, 48), "int32"), "padding_mask": tf.ones((6, 48), "int32")}
    tags = tf.zeros((6, 48), "int32")
    dataset = tf.data.Dataset.from_tensor_slices((x, tags)).batch(3)
    assert group_by_length(dataset, 3) is dataset


def _padded_tokens(lengths, widths, multiple=16):
    rounded = -(-np.asarray(lengths) // multiple) * multiple
    return sum(min(w for w in widths if w >= r) for r in rounded)


def test_choose_widths_pads_least_of_all_choices():
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
    lengths = np.random.default_rng(2).integers(2, 129, 90)
    mask = (np.arange(128) < lengths[:, None]).astype("int32")
    x = {"token_ids": mask * 7, "padding_mask": mask}
    dataset = tf.data.Dataset.from_tensor_slices((x, np.arange(90))).shuffle(
        90, seed=0, reshuffle_each_iteration=True).batch(8)
    grouped = group_by_length(dataset, 8, max_widths=3)
    widths = choose_widths(lengths, 128, 3)
    assert len(widths) == 3
    bucket = {i: min(w for w in widths if w >= n) for i, n in enumerate(lengths)}
    # Rows short of a whole batch in their bucket share the widest width.
    rows = np.bincount([widths.index(b) for b in bucket.values()])
    leftover_batches = -(-sum(rows % 8) // 8)
    epochs = []
    for _ in range(3):
        seen, shapes, widest = [], set(), 0
        for inputs, index in grouped:
            mask, index = inputs["padding_mask"].numpy(), index.numpy()
            shapes.add(mask.shape)
            assert (mask.sum(1) == lengths[index]).all()  # no token cut
            needed = max(bucket[i] for i in index)
            assert mask.shape[1] == needed or mask.shape[1] == widths[-1]
            widest += mask.shape[1] != needed or len({bucket[i] for i in index}) > 1
            seen.extend(index)
        assert sorted(seen) == list(range(90))
        assert widest <= leftover_batches
        epochs.append(shapes)
    # The same few shapes every epoch: the train step compiles in the first.
    assert epochs[0] == epochs[1] == epochs[2]
    assert len(epochs[0]) <= len(widths) + 2
    assert sum(shape[0] < 8 for shape in epochs[0]) == 1
    assert len(list(grouped)) == grouped.cardinality()
