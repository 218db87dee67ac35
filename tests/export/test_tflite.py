"""TFLite files (each quantization, the tokenizer inside) run by ai-edge-litert,
against the Keras model."""

import numpy as np
import pytest

from keras_albert.export import export_tflite, read_metadata
from keras_albert.export.runners import TFLiteRunner
from keras_albert.export.serving import (
    load_for_export,
    preprocessor_for,
)
from tests.export.conftest import LABELS, cut_inputs

TOLERANCE = {"none": 1e-4, "float16": 5e-3}


def _output_producers(path):
    """(op, output dtype) of the ops that write the outputs of a `.tflite` file."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interpreter = Interpreter(model_path=str(path), experimental_op_resolver_type=(
        OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES))  # the ops, not XNNPACK's
    outputs = {d["index"] for d in interpreter.get_output_details()}
    dtypes = {d["index"]: d["dtype"].__name__ for d in interpreter.get_tensor_details()}
    return {(op["op_name"], dtypes[index]) for op in interpreter._get_ops_details()
            for index in op["outputs"] if index in outputs}


@pytest.mark.parametrize("quantize", ["none", "float16", "dynamic", "int8"])
def test_tflite_matches_keras_at_any_shape(exported, reference, quantize):
    inputs, expected = reference
    path = exported[f"{'float32' if quantize == 'none' else quantize}.tflite"]
    assert read_metadata(path)["label_names"] == LABELS
    runner = TFLiteRunner(path)
    logits = runner.tokens(inputs)["logits"]
    if quantize in ("none", "float16"):
        np.testing.assert_allclose(logits, expected, atol=TOLERANCE[quantize])
    # Quantized files are held to verify's bounds on 256 texts in test_bounds.py.
    if quantize == "int8":  # the logits come straight from a float dense layer
        producers = _output_producers(path)
        assert ("FULLY_CONNECTED", "float32") in producers
        assert "DEQUANTIZE" not in {op for op, _ in producers}
    # Dynamic batch and length: one example cut to its own length.
    length = int(inputs["padding_mask"][0].sum())
    one = runner.tokens(cut_inputs(inputs, 1, length))["logits"]
    np.testing.assert_allclose(one, logits[:1], atol=1e-4)


def test_tflite_with_the_tokenizer_inside(exported, glosses, reference):
    _, expected = reference
    path = exported["text.tflite"]
    runner = TFLiteRunner(path)
    assert runner.takes_text and read_metadata(path)["signature"] == "serving_default"
    logits = runner.texts(glosses[:32])["logits"]
    np.testing.assert_allclose(logits, expected, atol=1e-4)
    bad = [b"", b"  \t\n ", b"caf\xe9 \xff\xfe", b"long " * 5000]
    for batch in (bad, bad[:1], [b"a text"] * 256):
        assert np.isfinite(runner.texts(batch)["logits"]).all()


def _dense_output_scales(path):
    """(scale, zero point) of each int8 dense layer's output, in op order."""
    from ai_edge_litert.interpreter import InterpreterWithCustomOps, OpResolverType
    from tensorflow_text.core.pybinds import tflite_registrar

    interpreter = InterpreterWithCustomOps(
        model_path=str(path), custom_op_registerers=tflite_registrar.SELECT_TFTEXT_OPS,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    tensors = {d["index"]: d for d in interpreter.get_tensor_details()}
    return [tensors[op["outputs"][0]]["quantization"] for op in interpreter._get_ops_details()
            if op["op_name"] == "FULLY_CONNECTED"
            and tensors[op["outputs"][0]]["dtype"] == np.int8]


def test_int8_with_the_tokenizer_quantizes_as_the_token_file(exported, glosses, reference):
    # Calibrated on lone unpadded texts, the tokenizer-inside file got narrower
    # ranges than the token-input one and lost labels; it now takes the token
    # model's ranges, so both compute the same thing.
    inputs, _ = reference
    tokens, text = exported["int8.tflite"], exported["int8_text.tflite"]
    scales = _dense_output_scales(tokens)
    assert len(scales) > 4 and _dense_output_scales(text) == scales
    np.testing.assert_allclose(TFLiteRunner(text).texts(glosses[:32])["logits"],
                               TFLiteRunner(tokens).tokens(inputs)["logits"], atol=1e-5)


def test_lite_tokenizer_agrees_with_the_tokenizer(classifier_dir, glosses):
    model = load_for_export(classifier_dir)
    tokenizer = preprocessor_for(classifier_dir, model).tokenizer
    expected = [list(ids) for ids in tokenizer(glosses)]
    assert tokenizer.lite_tokenizer()(np.array(glosses)).to_list() == expected


def test_fixed_shape_tflite(classifier_dir, tmp_path):
    path = export_tflite(classifier_dir, tmp_path / "fixed.tflite", batch_size=2,
                         sequence_length=16)
    details = TFLiteRunner(path).runner.get_input_details()
    assert list(details["token_ids"]["shape"]) == [2, 16]


def test_int8_needs_representative_text(classifier_dir, tmp_path):
    with pytest.raises(ValueError, match="representative"):
        export_tflite(classifier_dir, tmp_path / "int8.tflite", quantize="int8")
    assert not (tmp_path / "int8.tflite").exists()
