"""Shared checks every layer and model of keras-albert must pass.

`check_layer` and `check_task` run the checks users rely on (config round trip,
`.keras` round trip under `safe_mode`, one XLA-compiled fit step, mixed
precision), so each test file only states what is particular to its subject.
"""

import math
import warnings

import keras
import numpy as np

from keras_albert import AlbertBackbone

TINY = dict(
    vocabulary_size=100, num_layers=3, num_heads=2, hidden_dim=16, embedding_dim=8,
    intermediate_dim=32, max_sequence_length=24,
)


def tiny_backbone(**overrides):
    """A backbone small enough to compile in a few seconds."""
    return AlbertBackbone(**{**TINY, **overrides})


def token_batch(batch_size=4, length=10, vocabulary_size=100, seed=0, shape=None):
    """Random backbone inputs; the last row is all padding, the others ragged."""
    rng = np.random.default_rng(seed)
    shape = shape or (batch_size,)
    lengths = rng.integers(1, length + 1, shape)
    lengths.reshape(-1)[-1] = 0
    padding_mask = (np.arange(length) < lengths[..., None]).astype("int32")
    return {
        "token_ids": rng.integers(1, vocabulary_size, (*shape, length)).astype("int32")
        * padding_mask,
        "segment_ids": (np.arange(length) >= length // 2).astype("int32")
        * padding_mask,
        "padding_mask": padding_mask,
    }


def check_config_round_trip(obj):
    """`from_config(get_config())` rebuilds an object with the same config."""
    clone = obj.__class__.from_config(obj.get_config())
    assert clone.get_config() == obj.get_config()
    return clone


def check_layer(layer, *inputs):
    """Config round trip, then the clone with copied weights computes the same."""
    expected = keras.ops.convert_to_numpy(layer(*inputs))
    clone = check_config_round_trip(layer)
    clone(*inputs)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(*inputs)), expected,
                               atol=1e-6)


def traced_step_function(model):
    """The `tf.function` Keras built for one training step."""
    for cell in model.train_function.__closure__:
        step = getattr(cell.cell_contents, "__wrapped__", None)
        if hasattr(step, "experimental_get_tracing_count"):
            return step
    raise AssertionError("no traced training step found")


def fit_with_xla(model, x, y, sample_weight=None, epochs=1, **compile_kwargs):
    """Compile with `jit_compile=True`, fit, and prove XLA compiled the step.

    Keras turns XLA off with only a warning when a layer does not support it;
    the step function it builds has `jit_compile=True` only if it did not, and a
    `jit_compile=True` function raises rather than run uncompiled.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.compile(jit_compile=True, **compile_kwargs)
        history = model.fit(x, y, sample_weight=sample_weight, epochs=epochs,
                            batch_size=len(x["token_ids"]), verbose=0)
    assert not [w for w in caught if "jit_compile" in str(w.message)]
    step = traced_step_function(model)
    assert step._jit_compile is True
    # Traced once: the optimizer's variables exist before the first trace
    # (`AlbertTask.fit` builds it), so `tf.function` does not trace it twice.
    assert step.experimental_get_tracing_count() == 1
    losses = history.history["loss"]
    assert all(math.isfinite(loss) for loss in losses), losses
    return history


def check_saved_round_trip(model, x, tmp_path):
    """`.keras` save then load (safe_mode) gives identical outputs."""
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.__class__ is model.__class__
    # Called, not `predict`: each `predict` traces a function of its own.
    expected = keras.tree.map_structure(keras.ops.convert_to_numpy, model(x))
    actual = keras.tree.map_structure(keras.ops.convert_to_numpy, loaded(x))
    keras.tree.map_structure(np.testing.assert_array_equal, actual, expected)
    return loaded


MIXED_POLICIES = ("mixed_bfloat16", "mixed_float16")


def check_task(build, x, y, tmp_path, sample_weight=None, policies=MIXED_POLICIES,
               fit_float32=True):
    """Every check a task model must pass. `build(dtype)` makes a fresh model.

    Each fit costs an XLA compile of its own (several seconds on 2 CPU cores,
    three times that beside another test worker); tasks whose heads add nothing
    policy-specific check one mixed policy, alternating, so each policy is
    still trained under XLA by several tasks, and may leave out the float32 fit
    when fine-tuning or pretraining tests train them in float32 under XLA.
    """
    model = build(None)
    check_config_round_trip(model)
    check_saved_round_trip(model, x, tmp_path)
    if fit_float32:
        fit_with_xla(model, x, y, sample_weight=sample_weight)
    for policy in policies:
        mixed = build(policy)
        fit_with_xla(mixed, x, y, sample_weight=sample_weight)
        # float16 trains with loss scaling (the task takes the backbone's policy)
        assert isinstance(mixed.optimizer, keras.optimizers.LossScaleOptimizer) == (
            policy == "mixed_float16")
    return model


def predict(model, x):
    """The model called on `x` as numpy: no predict function to compile."""
    return keras.tree.map_structure(keras.ops.convert_to_numpy, model(x))


def mlm_batch(batch_size=4, num_masks=3, seed=0):
    """A token batch with masked positions, their ids and weights (the last
    row, all padding, predicts nothing)."""
    rng = np.random.default_rng(seed)
    x = token_batch(batch_size)
    x["mask_positions"] = rng.integers(0, 10, (batch_size, num_masks)).astype("int32")
    mask_ids = rng.integers(0, 100, (batch_size, num_masks)).astype("int32")
    mask_weights = np.ones((batch_size, num_masks), "float32")
    mask_weights[-1] = 0.0
    return x, mask_ids, mask_weights
