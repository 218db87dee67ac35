"""Each private symbol of `keras_albert.compat` still works in the installed
Keras, keras-hub and TensorFlow: an upgrade that moves one fails here, by name."""

import importlib
from pathlib import Path

import keras
import keras_hub
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_text as tf_text

from keras_albert import compat
from tests.convert.conversion_fixtures import FIXTURES

SPIECE = str(FIXTURES / "spiece.model")

HOOKS = [(base, name, parameters) for base, hooks in compat.OVERRIDDEN_HOOKS.items()
         for name, parameters in hooks.items()]


@pytest.mark.parametrize("base, name, parameters", HOOKS,
                         ids=[f"{base}.{name}" for base, name, _ in HOOKS])
def test_overridden_hooks_exist_with_their_parameters(base, name, parameters):
    module, cls = base.rsplit(".", 1)
    base_class = getattr(importlib.import_module(module), cls)
    assert hasattr(base_class, name), f"{base} has no {name}: our override is dead"
    assert compat.hook_parameters(base_class, name) == parameters


def test_sentencepiece_graph_only_takes_the_tensorflow_path():
    """AlbertTokenizer normalizes in `_tokenize_tf`: eager calls must reach it."""
    class Spy(keras_hub.tokenizers.SentencePieceTokenizer):
        calls = 0

        @compat.preprocessing_function
        def _tokenize_tf(self, inputs):
            Spy.calls += 1
            return super()._tokenize_tf(inputs)

    python = Spy(proto=SPIECE).tokenize(["hello world"])
    assert Spy.calls == 0  # keras-hub's default: SentencePiece in Python
    graph = Spy(**compat.sentencepiece_graph_only({"proto": SPIECE})).tokenize(
        ["hello world"])
    assert Spy.calls == 1 and graph == python


def test_sentencepiece_resource_is_the_tensorflow_text_tokenizer():
    tokenizer = keras_hub.tokenizers.SentencePieceTokenizer(
        **compat.sentencepiece_graph_only({"proto": SPIECE}))
    tokenizer.tokenize(["x"])
    assert isinstance(compat.sentencepiece_resource(tokenizer),
                      tf_text.SentencepieceTokenizer)


def test_sentencepiece_tokenize_is_keras_hubs_graph_tokenization():
    tokenizer = keras_hub.tokenizers.SentencePieceTokenizer(
        **compat.sentencepiece_graph_only({"proto": SPIECE}))
    texts = tf.constant(["Hello world.", "a"])
    expected = tf_text.SentencepieceTokenizer(model=Path(SPIECE).read_bytes()).tokenize(texts)
    ids = compat.sentencepiece_tokenize(tokenizer, texts)  # eager: lists
    assert [list(row) for row in ids] == expected.to_list()


def test_preprocessing_function_takes_lists_and_tensors():
    class Upper(keras.layers.Layer):
        @compat.preprocessing_function
        def call(self, inputs):
            return tf.strings.upper(inputs)

    assert Upper().call(["a", "b"]) == ["A", "B"]  # lists in, lists out


def test_keep_inputs_as_given_lets_strings_through():
    class Identity(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            compat.keep_inputs_as_given(self)

        def call(self, inputs):
            return inputs

    out = Identity()(tf.ragged.constant([["a", "b"], ["c"]]))
    assert isinstance(out, tf.RaggedTensor) and out.dtype == tf.string


def test_optimizer_slots_are_adams_moments():
    variable = keras.Variable(np.ones(3, "float32"))
    optimizer = keras.optimizers.Lamb(0.1)
    optimizer.apply([tf.constant([1.0, 2.0, 3.0])], [variable])
    momentum, velocity = compat.optimizer_slots(optimizer, variable)
    np.testing.assert_allclose(momentum.numpy(), [0.1, 0.2, 0.3], rtol=1e-6)
    np.testing.assert_allclose(velocity.numpy(), [0.001, 0.004, 0.009], rtol=1e-5)


def _tiny_model():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    model.compile(optimizer="adam", loss="mse")
    return model


def test_symbolic_build_builds_the_optimizer_and_metrics():
    model = _tiny_model()
    assert not model.optimizer.built
    assert compat.symbolic_build(model, (np.zeros((2, 4)), np.zeros((2, 2))))
    assert model.optimizer.built and model.optimizer.variables


def test_forget_distribute_strategy_uses_the_scope():
    model = _tiny_model()
    compat.forget_distribute_strategy(model)
    assert model.distribute_strategy is tf.distribute.get_strategy()
    model.fit(np.zeros((2, 4)), np.zeros((2, 2)), verbose=0)


def test_tflite_converter_flags(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
    def dense(x):
        return tf.nn.relu(tf.matmul(x, tf.ones([4, 2])))

    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [dense.get_concrete_function()], dense)
    compat.set_custom_op_registerers(converter, ["TFLite_SentencepieceTokenizerRegisterer"])
    assert converter.target_spec._experimental_custom_op_registerers == [
        "TFLite_SentencepieceTokenizerRegisterer"]
    converter.target_spec._experimental_custom_op_registerers = []
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([np.ones((1, 4), "float32")]
                                                for _ in range(4))
    compat.calibrate_only(converter)
    calibrated = converter.convert()
    # Calibration only: still float, with the measured ranges attached.
    interpreter = tf.lite.Interpreter(model_content=calibrated)
    assert all(detail["dtype"] == np.float32 for detail in interpreter.get_input_details())


def test_keras_hub_encoder_parts_are_the_blocks_sublayers():
    backbone = keras_hub.models.AlbertBackbone(
        vocabulary_size=50, num_layers=1, num_heads=2, embedding_dim=8, hidden_dim=16,
        intermediate_dim=32, max_sequence_length=8)
    parts = compat.keras_hub_encoder_parts(backbone.transformer_layers[0][0])
    shapes = [[tuple(w.shape) for w in part.weights] for part in parts]
    assert shapes == [[(16, 2, 8), (2, 8)]] * 3 + [[(2, 8, 16), (16,)], [(16,), (16,)],
                                                   [(16, 32), (32,)], [(32, 16), (16,)],
                                                   [(16,), (16,)]]


def test_onnxruntime_extensions_library_runs_after_tensorflow():
    """Found by its file name and loaded with its own symbols: a session
    with its operators runs in a process that imported TensorFlow first."""
    import onnxruntime
    from onnx import TensorProto, helper

    library = compat.onnxruntime_extensions_library()
    assert library is not None and Path(library).is_file()
    model = helper.make_model(
        helper.make_graph(
            [helper.make_node("StringRegexReplace", ["x", "p", "r"], ["y"],
                              domain="ai.onnx.contrib")], "g",
            [helper.make_tensor_value_info("x", TensorProto.STRING, [None])],
            [helper.make_tensor_value_info("y", TensorProto.STRING, [None])],
            [helper.make_tensor("p", TensorProto.STRING, [1], [b"a+"]),
             helper.make_tensor("r", TensorProto.STRING, [1], [b"b"])]),
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.contrib", 1)])
    options = onnxruntime.SessionOptions()
    options.register_custom_ops_library(library)
    session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    assert tf.__version__ and session.run(None, {"x": np.array(["caaat"], object)})[0][0] == "cbt"
