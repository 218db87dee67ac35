"""ONNX files run by onnxruntime, against the Keras model."""

import numpy as np
import pytest

from keras_albert.export import export_onnx
from keras_albert.export.onnx import read_metadata as read_onnx_metadata
from keras_albert.export.runners import OnnxRunner
from tests.export.conftest import LABELS, cut_inputs


def test_onnx_matches_keras(exported, reference):
    import onnx

    inputs, expected = reference
    path = exported["float32.onnx"]
    proto = onnx.load(str(path))
    assert proto.opset_import[0].version >= 17
    dims = [d.dim_param for d in proto.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["batch", "sequence"]
    assert read_onnx_metadata(path)["label_names"] == LABELS
    runner = OnnxRunner(path)
    np.testing.assert_allclose(runner.tokens(inputs)["logits"], expected, atol=1e-4)
    length = int(inputs["padding_mask"][0].sum())
    np.testing.assert_allclose(runner.tokens(cut_inputs(inputs, 1, length))["logits"],
                               expected[:1], atol=1e-4)


def test_onnx_dynamic_int8(classifier_dir, exported, reference, tmp_path):
    import onnx

    inputs, _ = reference
    path = exported["dynamic.onnx"]
    operators = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= operators
    assert read_onnx_metadata(path)["quantize"] == "dynamic"
    logits = OnnxRunner(path).tokens(inputs)["logits"]
    assert np.isfinite(logits).all()  # verify's bounds: test_bounds.py
    with pytest.raises(ValueError, match="quantize='int8'"):
        export_onnx(classifier_dir, tmp_path / "int8.onnx", quantize="int8")
