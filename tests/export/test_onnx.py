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
    with pytest.raises(ValueError, match="quantize='int8' needs representative text"):
        export_onnx(classifier_dir, tmp_path / "int8.onnx", quantize="int8")
    assert not (tmp_path / "int8.onnx").exists()


def test_onnx_static_int8_quantizes_the_dense_layers_only(exported, reference):
    """QDQ with calibrated ranges: the dense layers' products run on int8
    (weights per channel), the attention's own products and the logits stay
    float; verify's bounds on held-out text: test_bounds.py."""
    import onnx
    from onnx import numpy_helper

    inputs, expected = reference
    path = exported["int8.onnx"]
    proto = onnx.load(str(path))
    assert read_onnx_metadata(path)["quantize"] == "int8"
    produced_by = {output: node for node in proto.graph.node for output in node.output}
    initializers = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    quantized, kept = [], []
    for node in proto.graph.node:
        if node.op_type not in ("MatMul", "Gemm"):  # Gemm: MatMul and Add fused
            continue
        sources = [produced_by.get(name) for name in node.input[:2]]
        through_qdq = all(s is not None and s.op_type == "DequantizeLinear" for s in sources)
        (quantized if through_qdq else kept).append(node.name)
        if through_qdq:  # the weight's scales: one per output channel
            scales = initializers[sources[1].input[1]]
            assert scales.ndim == 1 and scales.size > 1
    assert quantized and all("attention" not in name or "_dense" in name or
                             any(k in name for k in ("query", "key", "value"))
                             for name in quantized)
    assert any(name.endswith("attention_1/MatMul") for name in kept)
    assert any("/logits" in name for name in kept)
    # A small model keeps its embedding tables float (INT8_TABLES_MIN_PARAMETERS).
    tables = [a for name, a in initializers.items() if "word_embeddings" in name and a.ndim == 2]
    assert tables and all(a.dtype == np.float32 for a in tables)
    logits = OnnxRunner(path).tokens(inputs)["logits"]
    assert (logits.argmax(-1) == expected.argmax(-1)).mean() >= 0.95


def test_onnx_with_tokenizer_takes_raw_text(classifier_dir, exported, glosses, reference):
    """Strings in (any batch), the model's own packed ids and logits out."""
    import onnx

    from keras_albert.export.serving import (
        load_for_export,
        pack_texts,
        preprocessor_for,
    )

    path = exported["text.onnx"]
    proto = onnx.load(str(path))
    assert [value.name for value in proto.graph.input] == ["text"]
    assert read_onnx_metadata(path)["with_tokenizer"] is True
    runner = OnnxRunner(path)
    assert runner.takes_text
    _, expected = reference
    outputs = runner.texts(glosses[:32])
    np.testing.assert_allclose(outputs["logits"], expected, atol=1e-4)
    texts = ["Crème BRÛLÉE ``hot''  naïve", "x " * 300, ""]
    ids = runner.texts(texts)["token_ids"]
    model = load_for_export(classifier_dir)
    own = pack_texts(texts, preprocessor_for(classifier_dir, model))["token_ids"]
    assert ids.shape[1] == 32 and (ids == own[:, :32]).all()  # padded to the longest
    assert runner.texts([b"caf\xe9 \xff"])["logits"].shape == (1, len(LABELS))
    assert runner.texts([])["logits"].shape == (0, len(LABELS))


@pytest.mark.parametrize("truncate", ["longest_first", "waterfall"])
def test_onnx_with_tokenizer_packs_pairs_as_the_preprocessor(classifier_dir, glosses,
                                                              tmp_path, truncate):
    """`[CLS] A [SEP] B [SEP]`, truncated as the preprocessor truncates, over
    pairs where A, B, both or neither are too long."""
    import json

    from keras_albert.export.serving import (
        keras_outputs,
        load_for_export,
        pack_texts,
        preprocessor_for,
    )
    from tests.export.conftest import as_pair_task

    directory = as_pair_task(classifier_dir, tmp_path / "pair")
    config = json.loads((directory / "config.json").read_text())
    config["preprocessor"]["config"]["truncate"] = truncate
    (directory / "config.json").write_text(json.dumps(config))
    model = load_for_export(directory)
    preprocessor = preprocessor_for(directory, model)
    assert preprocessor.truncate == truncate
    long = "word " * 40
    pairs = [(glosses[i], glosses[-1 - i]) for i in range(20)] + [
        ("", "a b"), ("a", ""), ("", ""), (long, "w w w"), ("w w w", long), (long, long)]
    path = export_onnx(directory, tmp_path / "pair.onnx", with_tokenizer=True)
    runner = OnnxRunner(path)
    assert runner.inputs == ["text_a", "text_b"]
    outputs = runner.texts(pairs)
    expected = pack_texts(pairs, preprocessor)
    width = outputs["token_ids"].shape[1]
    assert (outputs["token_ids"] == expected["token_ids"][:, :width]).all()
    assert (expected["token_ids"][:, width:] == 0).all()
    np.testing.assert_allclose(outputs["logits"], keras_outputs(model, expected)["logits"],
                               atol=1e-4)  # the segment ids and mask too

