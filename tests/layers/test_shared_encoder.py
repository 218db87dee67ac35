import numpy as np
import pytest
import tensorflow as tf

from keras_albert.layers import SharedEncoder
from keras_albert.layers.shared_encoder import group_of_layer
from tests.helpers import check_layer, token_batch

WIDTH = dict(hidden_dim=16, num_heads=2, intermediate_dim=32)


def encoder(**kwargs):
    return SharedEncoder(**{**WIDTH, **kwargs})


def inputs():
    mask = token_batch(batch_size=3, length=6)["padding_mask"]
    x = np.random.default_rng(0).normal(size=(3, 6, 16)).astype("float32")
    return x, mask


def test_config_round_trip():
    check_layer(encoder(num_layers=3, num_hidden_groups=2, execution="loop"), *inputs())


def test_weight_count_does_not_depend_on_depth():
    shallow, deep = encoder(num_layers=2), encoder(num_layers=48)
    shallow.build(), deep.build()
    assert len(deep.weights) == len(shallow.weights)
    assert deep.count_params() == shallow.count_params()
    grouped = encoder(num_layers=48, num_hidden_groups=2, inner_group_num=3)
    grouped.build()
    assert len(grouped.weights) == 6 * len(shallow.weights)


def test_group_routing_is_the_originals():
    # modeling.py: group_idx = int(layer_idx / num_hidden_layers * num_hidden_groups)
    for num_layers, num_groups in [(12, 1), (12, 3), (7, 3), (24, 5)]:
        for layer in range(num_layers):
            assert group_of_layer(layer, num_layers, num_groups) == int(
                layer / num_layers * num_groups
            )


def test_runs_groups_and_inner_layers_in_order():
    shared = encoder(num_layers=5, num_hidden_groups=2, inner_group_num=2)
    x, mask = inputs()
    actual = shared(x, mask)
    expected = x
    for layer in range(5):
        for block in shared.group(int(layer / 5 * 2)):
            expected = block(expected, mask)
    np.testing.assert_allclose(actual, expected, atol=1e-6)


@pytest.mark.parametrize("groups, inner", [(1, 1), (3, 2)])
def test_loop_equals_unrolled(groups, inner):
    unrolled = encoder(num_layers=7, num_hidden_groups=groups, inner_group_num=inner)
    loop = encoder(num_layers=7, num_hidden_groups=groups, inner_group_num=inner,
                   execution="loop")
    x, mask = inputs()
    expected, expected_states = unrolled(x, mask, return_hidden_states=True)
    loop.build()
    loop.set_weights(unrolled.get_weights())
    actual, states = loop(x, mask, return_hidden_states=True)
    assert states.shape == (3, 8, 6, 16)
    np.testing.assert_allclose(actual, expected, atol=1e-5)
    np.testing.assert_allclose(states, expected_states, atol=1e-5)


def graph_size(layer):
    x, mask = inputs()
    traced = tf.function(lambda x: layer(x, mask)).get_concrete_function(
        tf.TensorSpec((None, None, 16))
    )
    graph = traced.graph.as_graph_def()
    return len(graph.node) + sum(len(f.node_def) for f in graph.library.function)


def test_loop_graph_does_not_grow_with_depth():
    assert graph_size(encoder(num_layers=48, execution="loop")) == graph_size(
        encoder(num_layers=12, execution="loop")
    )
    assert graph_size(encoder(num_layers=24)) > 1.8 * graph_size(encoder(num_layers=12))


def test_groups_beyond_depth_are_refused():
    with pytest.raises(ValueError, match="num_hidden_groups=4, num_layers=3"):
        encoder(num_layers=3, num_hidden_groups=4)
