"""LoRA on the shared dense layers (`keras_albert.models.lora`): what trains,
what is refused, the adapter alone round trip and the merged save."""

import numpy as np
import pytest

from keras_albert.models.lora import enable_lora, load_adapter, save_adapter
from keras_albert.models.pretrained import load_pretrained
from keras_albert.tasks.classifier import AlbertClassifier

VOCABULARY = 100


def _classifier():
    return AlbertClassifier.from_preset(
        "albert_tiny", backbone_overrides={"vocabulary_size": VOCABULARY}, num_classes=3)


def _inputs(rows=8, length=16, seed=0):
    rng = np.random.default_rng(seed)
    return {"token_ids": rng.integers(5, VOCABULARY, (rows, length)).astype("int32"),
            "segment_ids": np.zeros((rows, length), "int32"),
            "padding_mask": np.ones((rows, length), "int32")}


def _train(model, steps=3):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(1e-2), jit_compile=False)
    x = _inputs()
    model.fit(x, np.arange(8) % 3, epochs=steps, verbose=0)
    return x


def test_only_the_updates_the_targets_biases_and_the_head_train():
    model = _classifier()
    hidden = model.backbone.hidden_dim
    trainable = enable_lora(model, 4, ("query", "value"))
    paths = [variable.path for variable in model.trainable_variables]
    # albert_tiny has one group: one adapter per shared layer serves all depths.
    assert sorted(paths) == sorted([
        "logits/kernel", "logits/bias",
        *(f"encoder/group_0_inner_0/attention/{name}/{weight}"
          for name in ("query", "value")
          for weight in ("bias", "lora_kernel_a", "lora_kernel_b"))])
    assert trainable == hidden * 3 + 3 + 2 * (hidden + 2 * hidden * 4)
    assert trainable < model.count_params() / 10


def test_a_rank_beyond_the_layer_and_unknown_targets_are_refused():
    model = _classifier()
    with pytest.raises(ValueError, match="LoRA rank 65 is larger than the query layer "
                                         r"\(64 x 64\): use at most 64"):
        enable_lora(model, 65)
    with pytest.raises(ValueError, match="LoRA targets must be some of"):
        enable_lora(model, 4, ("queries",))
    with pytest.raises(ValueError, match="rank"):
        enable_lora(model, 0)
    assert not any("lora" in variable.path for variable in model.variables)  # nothing changed
    assert all(variable.trainable for variable in model.backbone.weights)


def test_adapter_alone_and_merged_model_give_the_trained_outputs(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    model = _classifier()
    model.backbone.save_pretrained(tmp_path / "base")
    frozen = {v.path: np.asarray(v) for v in model.backbone.variables}
    enable_lora(model, 2, ("query", "value", "ffn"))
    x = _train(model)
    outputs = np.asarray(model.predict_on_batch(x))
    for variable in model.backbone.variables:  # the base weights did not move
        if variable.path in frozen and not variable.trainable:
            np.testing.assert_array_equal(np.asarray(variable), frozen[variable.path])
    save_adapter(model, tmp_path / "adapter", tmp_path / "base", 2, ("query", "value", "ffn"))
    assert sorted(p.name for p in (tmp_path / "adapter").iterdir()) == [
        "adapter.safetensors", "adapter_config.json"]
    size = (tmp_path / "adapter/adapter.safetensors").stat().st_size
    assert size < 4 * model.count_params() / 5
    np.testing.assert_allclose(load_adapter(tmp_path / "adapter").predict_on_batch(x),
                               outputs, atol=1e-5)
    model.save_pretrained(tmp_path / "merged")  # Keras saves the kernels merged
    merged = load_pretrained(tmp_path / "merged")
    assert not any("lora" in v.path for v in merged.variables)
    np.testing.assert_allclose(merged.predict_on_batch(x), outputs, atol=1e-5)
