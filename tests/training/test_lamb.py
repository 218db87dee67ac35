import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_albert import AlbertPretrainer
from keras_albert.training import AlbertLamb, WarmupPolynomialDecay, albert_optimizer
from tests.synthetic_data import random_pretraining_batch
from tests.helpers import check_config_round_trip, fit_with_xla, tiny_backbone

# Which of `small_model`'s variables the original's exclusion list
# ("LayerNorm", "layer_norm", "bias") leaves decayed, written out by hand.
DECAYED = {"dense/kernel": True, "dense/bias": False,
           "layer_norm/gamma": False, "layer_norm/beta": False}


def original_albert_lamb(weights, gradient_steps, learning_rates, weight_decay=0.01,
                         beta_1=0.9, beta_2=0.999, epsilon=1e-6, clip_norm=1.0):
    """google-research/albert: `optimization.py` line 103 (global-norm clipping),
    then `lamb_optimizer.py` lines 89-116, in float64 NumPy."""
    weights = {path: w.astype("float64") for path, w in weights.items()}
    m = {path: np.zeros_like(w) for path, w in weights.items()}
    v = {path: np.zeros_like(w) for path, w in weights.items()}
    for gradients, learning_rate in zip(gradient_steps, learning_rates):
        global_norm = np.sqrt(sum(np.sum(g.astype("float64") ** 2)
                                  for g in gradients.values()))
        scale = clip_norm / max(global_norm, clip_norm)
        for path, w in weights.items():
            g = gradients[path] * scale
            m[path] = beta_1 * m[path] + (1 - beta_1) * g
            v[path] = beta_2 * v[path] + (1 - beta_2) * g**2
            update = m[path] / (np.sqrt(v[path]) + epsilon)
            ratio = 1.0
            if DECAYED[path]:
                update = update + weight_decay * w
                w_norm, update_norm = np.linalg.norm(w), np.linalg.norm(update)
                ratio = w_norm / update_norm if w_norm > 0 and update_norm > 0 else 1.0
            weights[path] = w - ratio * learning_rate * update
    return weights


def small_model(seed=0):
    """A Dense and a LayerNormalization, with random values in every variable."""
    dense = keras.layers.Dense(3, name="dense")
    dense.build((None, 4))
    norm = keras.layers.LayerNormalization(name="layer_norm")
    norm.build((None, 3))
    rng = np.random.default_rng(seed)
    variables = dense.trainable_variables + norm.trainable_variables
    for variable in variables:
        variable.assign(rng.normal(1.0 if variable.name == "gamma" else 0.0, 0.5,
                                   variable.shape))
    assert [variable.path for variable in variables] == list(DECAYED)
    return variables


def apply_with_xla(optimizer, variables, gradient_steps):
    optimizer.build(variables)
    apply = tf.function(lambda grads: optimizer.apply(grads, variables), jit_compile=True)
    for gradients in gradient_steps:
        apply([tf.constant(gradients[variable.path], "float32") for variable in variables])


def random_gradients(variables, scale, steps=3, seed=1):
    rng = np.random.default_rng(seed)
    return [{variable.path: scale * rng.normal(size=variable.shape) for variable in variables}
            for _ in range(steps)]


@pytest.mark.parametrize("gradient_scale", [0.05, 1000.0], ids=["unclipped", "clipped"])
def test_update_matches_the_original_albert_lamb(gradient_scale):
    variables = small_model()
    initial = {variable.path: variable.numpy() for variable in variables}
    gradient_steps = random_gradients(variables, gradient_scale)
    # The schedule gives 0, 0.05, 0.08 at the optimizer's steps 0, 1, 2.
    schedule = WarmupPolynomialDecay(0.1, warmup_steps=2, total_steps=10)
    apply_with_xla(albert_optimizer(schedule), variables, gradient_steps)
    expected = original_albert_lamb(initial, gradient_steps, [0.0, 0.05, 0.08])
    for variable in variables:
        np.testing.assert_allclose(variable.numpy(), expected[variable.path], atol=1e-6,
                                   err_msg=variable.path)


def test_gradients_are_clipped_to_global_norm_one():
    variables = small_model()
    optimizer = albert_optimizer(0.01)
    apply_with_xla(optimizer, variables, random_gradients(variables, 1000.0, steps=1))
    momentums = [v.numpy() for v in optimizer.variables if v.name.endswith("_momentum")]
    assert len(momentums) == len(variables)
    # After one step m = (1 - beta_1) * clipped gradient.
    global_norm = np.sqrt(sum(np.sum(m**2) for m in momentums)) / (1 - 0.9)
    np.testing.assert_allclose(global_norm, 1.0, rtol=1e-5)


def test_zero_gradient_decays_only_kernels_by_the_learning_rate():
    # Decay alone is the whole update, so the trust ratio |w| / |0.01 w| makes
    # it shrink w by lr; layer norms and biases get no decay at all.
    variables = small_model()
    initial = {variable.path: variable.numpy() for variable in variables}
    zeros = [{variable.path: np.zeros(variable.shape) for variable in variables}]
    apply_with_xla(albert_optimizer(0.01), variables, zeros)
    for variable in variables:
        factor = 1 - 0.01 if DECAYED[variable.path] else 1.0
        np.testing.assert_allclose(variable.numpy(), factor * initial[variable.path],
                                   atol=1e-7, err_msg=variable.path)


def test_config_round_trip():
    optimizer = albert_optimizer(WarmupPolynomialDecay(1e-3, 10, 100))
    assert isinstance(check_config_round_trip(optimizer), AlbertLamb)
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert restored.get_config() == optimizer.get_config()


def test_rejects_a_bad_pattern():
    with pytest.raises(ValueError, match=r"Received: exclude_from_weight_decay=\['\('\]"):
        AlbertLamb(exclude_from_weight_decay=["("])


def test_pretrainer_loss_falls_under_xla():
    model = AlbertPretrainer(tiny_backbone())
    x, y, sample_weight = random_pretraining_batch(100, batch_size=8, sequence_length=24,
                                                   num_masks=4)
    schedule = WarmupPolynomialDecay(0.05, warmup_steps=3, total_steps=30)
    history = fit_with_xla(model, x, y, sample_weight=sample_weight, epochs=30,
                           optimizer=albert_optimizer(schedule))
    losses = history.history["loss"]
    assert np.mean(losses[-5:]) < 0.8 * losses[0], losses


def save_and_load_compiled(model, tmp_path):
    model.compile(optimizer=albert_optimizer(WarmupPolynomialDecay(0.05, 3, 30)))
    model.optimizer.build(model.trainable_variables)
    model.optimizer.iterations.assign(7)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert isinstance(loaded.optimizer, AlbertLamb)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert int(loaded.optimizer.iterations) == 7


def test_keras_file_keeps_the_optimizer(tmp_path):
    inputs = keras.Input((4,))
    outputs = keras.layers.LayerNormalization(name="layer_norm")(
        keras.layers.Dense(3, name="dense")(inputs))
    save_and_load_compiled(keras.Model(inputs, outputs), tmp_path)


def test_keras_file_keeps_the_pretrainer_optimizer(tmp_path):
    save_and_load_compiled(AlbertPretrainer(tiny_backbone()), tmp_path)
