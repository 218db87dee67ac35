"""The cross-layer shared encoder: G groups of inner layers, reused across depth."""

import keras
import tensorflow as tf
from keras import ops

from keras_albert.checks import check_choice, check_positive_int
from keras_albert.layers.transformer_layer import AlbertTransformerLayer

EXECUTION_MODES = ("unrolled", "loop")


def group_of_layer(layer_index, num_layers, num_hidden_groups):
    """The group the original runs at depth `layer_index`: int(l * G / L)."""
    return layer_index * num_hidden_groups // num_layers


@keras.saving.register_keras_serializable(package="keras_albert")
class SharedEncoder(keras.layers.Layer):
    """`num_layers` transformer passes through `num_hidden_groups` shared groups.

    Each group holds `inner_group_num` `AlbertTransformerLayer`s that run in
    order; depth l runs group `int(l * G / L)` (Lan et al. 2019, section 3.1, and
    the original `modeling.py`). The weight count depends on G and
    `inner_group_num`, never on `num_layers`.

    `execution="unrolled"` writes out all L passes. `execution="loop"` runs each
    group's consecutive passes in one `tf.while_loop` with a static trip count, so
    the graph, the XLA compile time and an exported graph stay the same size as
    depth grows. Both give the same numbers.

    Args:
        num_layers: int. L, the number of transformer passes.
        num_hidden_groups: int. G, the number of groups of shared weights (<= L).
        inner_group_num: int. Transformer layers inside each group.
        hidden_dim, num_heads, intermediate_dim, hidden_act, dropout,
            attention_dropout, layer_norm_epsilon, initializer_range: passed to
            each `AlbertTransformerLayer`.
        execution: str. `"unrolled"` or `"loop"`.

    Example:
    >>> encoder = SharedEncoder(num_layers=12, hidden_dim=16, num_heads=2,
    ...                         intermediate_dim=32, execution="loop")
    >>> x = np.random.rand(2, 5, 16).astype("float32")
    >>> encoder(x, np.ones((2, 5), "int32")).shape
    TensorShape([2, 5, 16])
    """

    def __init__(
        self,
        num_layers,
        hidden_dim,
        num_heads,
        intermediate_dim,
        num_hidden_groups=1,
        inner_group_num=1,
        hidden_act="gelu_new",
        dropout=0.0,
        attention_dropout=0.0,
        layer_norm_epsilon=1e-12,
        initializer_range=0.02,
        execution="unrolled",
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_positive_int("num_layers", num_layers)
        check_positive_int("num_hidden_groups", num_hidden_groups)
        check_positive_int("inner_group_num", inner_group_num)
        check_choice("execution", execution, EXECUTION_MODES)
        if num_hidden_groups > num_layers:
            raise ValueError(
                "`num_hidden_groups` must be at most `num_layers`. Received: "
                f"num_hidden_groups={num_hidden_groups}, num_layers={num_layers}"
            )
        self.num_layers = num_layers
        self.hidden_dim = hidden_dim
        self.num_heads = num_heads
        self.intermediate_dim = intermediate_dim
        self.num_hidden_groups = num_hidden_groups
        self.inner_group_num = inner_group_num
        self.hidden_act = hidden_act
        self.dropout = dropout
        self.attention_dropout = attention_dropout
        self.layer_norm_epsilon = layer_norm_epsilon
        self.initializer_range = initializer_range
        self.execution = execution

        # Flat list, group-major: group g's inner layer i is at g * inner_group_num + i.
        self.transformer_layers = [
            AlbertTransformerLayer(
                hidden_dim=hidden_dim,
                num_heads=num_heads,
                intermediate_dim=intermediate_dim,
                hidden_act=hidden_act,
                dropout=dropout,
                attention_dropout=attention_dropout,
                layer_norm_epsilon=layer_norm_epsilon,
                initializer_range=initializer_range,
                dtype=self.dtype_policy,
                name=f"group_{group}_inner_{inner}",
            )
            for group in range(num_hidden_groups)
            for inner in range(inner_group_num)
        ]

    def build(self, input_shape=None):
        for layer in self.transformer_layers:
            layer.build((None, None, self.hidden_dim))

    def group(self, index):
        """The inner layers of group `index`, in the order they run."""
        start = index * self.inner_group_num
        return self.transformer_layers[start:start + self.inner_group_num]

    def passes_per_group(self):
        """How many consecutive passes each group runs, in depth order."""
        counts = [0] * self.num_hidden_groups
        for layer_index in range(self.num_layers):
            counts[group_of_layer(layer_index, self.num_layers,
                                  self.num_hidden_groups)] += 1
        return counts

    def call(self, x, padding_mask, training=None, return_hidden_states=False):
        """Returns (B, T, H), or with `return_hidden_states` also (B, L + 1, T, H):
        the input followed by the output of every pass."""
        run = self._run_loop if self.execution == "loop" else self._run_unrolled
        states = [x]
        for index, count in enumerate(self.passes_per_group()):
            x, group_states = run(self.group(index), x, padding_mask, count,
                                  training, return_hidden_states)
            states.extend(group_states)
        if not return_hidden_states:
            return x
        return x, ops.stack(states, axis=1)

    @staticmethod
    def _run_unrolled(group, x, padding_mask, count, training, keep_states):
        states = []
        for _ in range(count):
            for layer in group:
                x = layer(x, padding_mask, training=training)
            states.append(x)
        return x, states if keep_states else []

    @staticmethod
    def _run_loop(group, x, padding_mask, count, training, keep_states):
        if count == 1:
            return SharedEncoder._run_unrolled(
                group, x, padding_mask, 1, training, keep_states
            )
        # `maximum_iterations` gives XLA the static trip count it needs to
        # differentiate the loop; the TensorArray of states has a fixed size too.
        def body(step, x, *states):
            for layer in group:
                x = layer(x, padding_mask, training=training)
            return (step + 1, x, *(s.write(step, x) for s in states))

        loop_vars = (tf.constant(0), x)
        if keep_states:
            loop_vars += (tf.TensorArray(x.dtype, size=count, element_shape=x.shape),)
        _, x, *states = tf.while_loop(
            lambda step, *_: step < count, body, loop_vars, maximum_iterations=count
        )
        return x, tf.unstack(states[0].stack(), num=count) if keep_states else []

    def get_config(self):
        return {
            **super().get_config(),
            "num_layers": self.num_layers,
            "hidden_dim": self.hidden_dim,
            "num_heads": self.num_heads,
            "intermediate_dim": self.intermediate_dim,
            "num_hidden_groups": self.num_hidden_groups,
            "inner_group_num": self.inner_group_num,
            "hidden_act": self.hidden_act,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "initializer_range": self.initializer_range,
            "execution": self.execution,
        }
