"""ONNX files through tf2onnx, from the same token function as the other
exports: inputs `token_ids`, `segment_ids`, `padding_mask` (int32, dynamic
batch and length), float32 outputs by name. The label names and the
quantization are stored in the model's `metadata_props` (key `keras_albert`,
JSON).

`quantize="dynamic"` runs onnxruntime's dynamic quantization on the float
graph: int8 weights (each shared weight once, as it is one initializer),
activations quantized per call by `DynamicQuantizeLinear`, so the MatMuls run
as `MatMulInteger`.

`quantize="int8"` is static quantization (onnxruntime's `quantize_static`,
QDQ format): activation ranges calibrated on representative text (the
`tflite.CALIBRATION_EXAMPLES` texts, each padded as `int8.calibration_inputs`
pads them), weights int8 per output channel, activations uint8 (the u8 x s8
products VNNI runs), after onnxruntime's shape inference and graph
optimizations (`quant_pre_process`). Only the dense layers' matrix products
are quantized (`STATIC_OPS` with a weight, but the logits'; `_kept_float`),
and the embedding tables of large models (`INT8_TABLES_MIN_PARAMETERS`):
LayerNorms, softmax, GELU, the residual sums and the attention's own products
stay float, for the reasons `int8` gives for TFLite.

`with_tokenizer=True` puts the tokenizer and the packing in front (see
`onnx_text`): inputs `text` (or `text_a`, `text_b`), (batch,) strings; it
needs onnxruntime-extensions' operators at run time.
"""

import json
import tempfile
from pathlib import Path

from keras_albert.checks import check_choice, check_positive_int
from keras_albert.compat import onnxruntime_extensions_library
from keras_albert.export import serving
from keras_albert.files import atomic_path
from keras_albert.locate import locate
from keras_albert.tasks.multiple_choice import AlbertMultipleChoice
from keras_albert.text.onnx_graph import CUSTOM_DOMAIN

MIN_OPSET = 17
METADATA_KEY = "keras_albert"
QUANTIZATIONS = ("none", "dynamic", "int8")
STATIC_OPS = ("MatMul", "Gemm")  # products: int8 inputs, float outputs
STATIC_LOOKUPS = ("Gather",)  # the embedding tables, stored int8 as dynamic stores them
# Tables go int8 from this many parameters up, where they weigh in the file
# (albert_base's word table is a third of its weights: float, the file is 2x
# params x 1 byte); below it they stay float, for accuracy: per-tensor int8
# tables cost the quickstart's 172k-parameter model 0.1 point of agreement,
# which took it under verify's 99% (measured 98.95% against 99.05%).
INT8_TABLES_MIN_PARAMETERS = 5_000_000


def export_onnx(directory, out, opset=MIN_OPSET, quantize="none", representative=None,
                with_tokenizer=False, sequence_length=None):
    """Write the model of a pretrained `directory` as an `.onnx` file.

    Args:
        directory: a pretrained directory.
        out: the `.onnx` path.
        opset: int, at least 17.
        quantize: `"none"` (float32), `"dynamic"` (int8 weights, activations
            quantized at run time) or `"int8"` (static: activations calibrated
            on `representative`).
        representative: for `"int8"`, a list of texts (or of (a, b) pairs).
        with_tokenizer: take raw strings (the tokenizer inside, see
            `onnx_text`) instead of token ids.
        sequence_length: with the tokenizer, the longest packed row (default:
            the saved preprocessor's, else 128, at most the model's positions).

    Returns:
        The `Path` written.
    """
    import onnx
    import tf2onnx

    check_choice("quantize", quantize, QUANTIZATIONS)
    check_positive_int("opset", opset)
    directory = locate(directory)
    if opset < MIN_OPSET:
        raise ValueError(f"`opset` must be at least {MIN_OPSET}. Received: opset={opset}")
    if quantize == "int8" and not representative:
        raise ValueError("quantize='int8' needs representative text to calibrate "
                         "activations (--representative FILE).")
    model = serving.load_for_export(directory)
    if with_tokenizer and isinstance(model, AlbertMultipleChoice):
        raise ValueError("A multiple-choice model has no raw-text form (each example is "
                         "several pairs); export it without --with-tokenizer.")
    function = serving.tokens_function(model, with_strings=False)
    signature = list(function.input_signature)
    proto, _ = tf2onnx.convert.from_function(function, input_signature=signature,
                                             opset=opset)
    _name_dynamic_dimensions(proto, rank=len(signature[0].shape))
    if quantize == "dynamic":
        proto = _quantize_dynamic(proto)
    elif quantize == "int8":
        from keras_albert.export import int8
        from keras_albert.export.tflite import CALIBRATION_EXAMPLES
        from keras_albert.sampling import evenly_spaced

        if isinstance(model, AlbertMultipleChoice):
            raise ValueError("A multiple-choice model takes several pairs an example: "
                             "export it as 'dynamic', not 'int8'.")
        texts = evenly_spaced(list(representative), CALIBRATION_EXAMPLES)
        preprocessor = serving.preprocessor_for(directory, model)
        proto = _quantize_static(proto, int8.calibration_inputs(preprocessor, texts),
                                 tables=model.count_params() >= INT8_TABLES_MIN_PARAMETERS)
    if with_tokenizer:
        from keras_albert.export.onnx_text import text_model

        preprocessor = serving.preprocessor_for(directory, model, sequence_length)
        serving.warn_truncates(preprocessor, "ONNX")
        names = [spec.name for spec in serving.text_signature(serving.num_texts(directory))]
        proto = text_model(proto, preprocessor.tokenizer, names,
                           preprocessor.sequence_length, preprocessor.truncate)
    metadata = {"task": type(model).__name__, "label_names": serving.label_names(model),
                "quantize": quantize, "with_tokenizer": with_tokenizer}
    entry = proto.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(metadata)
    out = Path(out)
    with atomic_path(out) as temporary:
        onnx.save_model(proto, str(temporary))
    return out


def _quantize_dynamic(proto):
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="keras_albert_onnx_") as work:
        source, target = Path(work, "float.onnx"), Path(work, "int8.onnx")
        onnx.save_model(proto, str(source))
        quantize_dynamic(source, target, weight_type=QuantType.QInt8)
        return onnx.load(str(target))


def _quantize_static(proto, calibration, tables):
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.examples = iter(calibration)

        def get_next(self):
            example = next(self.examples, None)
            return None if example is None else {
                name: value.astype("int32") for name, value in example.items()}

    with tempfile.TemporaryDirectory(prefix="keras_albert_onnx_") as work:
        source, prepared, target = (Path(work, name) for name in
                                    ("float.onnx", "prepared.onnx", "int8.onnx"))
        onnx.save_model(proto, str(source))
        # Symbolic shape inference stops at the dynamic lengths; ONNX's own suffices.
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        quantize_static(str(prepared), str(target), Reader(), quant_format=QuantFormat.QDQ,
                        op_types_to_quantize=[*STATIC_OPS, *(STATIC_LOOKUPS if tables else ())],
                        per_channel=True,
                        nodes_to_exclude=_kept_float(onnx.load(str(prepared))),
                        # Float outputs: the products feed float ops (bias,
                        # GELU, LayerNorm), so onnxruntime runs each as one
                        # MatMulIntegerToFloat, not QLinearMatMul + dequantize.
                        extra_options={"OpTypesToExcludeOutputQuantization": list(STATIC_OPS),
                                       "MatMulConstBOnly": True},
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        return onnx.load(str(target))


def _kept_float(proto):
    """The products static int8 leaves float: those of two activations (the
    attention scores and their mixing of the values, which carry the padding
    mask's -10000 and the softmax) and the head's logits (one scale over all
    logits rounds away the margins that decide a label)."""
    weights = {initializer.name for initializer in proto.graph.initializer}
    return [node.name for node in proto.graph.node if node.op_type in STATIC_OPS and (
        not any(name in weights for name in node.input) or "/logits" in node.name)]


# Not onnx.tools.update_model_dims: it needs every input's and output's whole shape
# and renames the free dimensions it is not told about; this names only what we know.
def _name_dynamic_dimensions(proto, rank):
    """`batch`, (`choices`,) `sequence` instead of tf2onnx's `unk__N` names."""
    names = ["batch", "choices", "sequence"] if rank == 3 else ["batch", "sequence"]
    for value in proto.graph.input:
        for dimension, name in zip(value.type.tensor_type.shape.dim, names, strict=True):
            dimension.dim_param = name
    for value in proto.graph.output:
        dimensions = value.type.tensor_type.shape.dim
        if dimensions and not dimensions[0].dim_value:
            dimensions[0].dim_param = "batch"


def read_metadata(path):
    """The `keras_albert` metadata dict of an `.onnx` file (empty if none)."""
    import onnx

    proto = onnx.load(str(path), load_external_data=False)
    for entry in proto.metadata_props:
        if entry.key == METADATA_KEY:
            return json.loads(entry.value)
    return {}


def inference_session(path):
    """An onnxruntime CPU session of an `.onnx` file, with onnxruntime-extensions'
    operators registered when the file uses them (the tokenizer inside)."""
    import onnx
    import onnxruntime

    options = onnxruntime.SessionOptions()
    proto = onnx.load(str(path), load_external_data=False)
    if any(entry.domain == CUSTOM_DOMAIN for entry in proto.opset_import):
        library = onnxruntime_extensions_library()
        if library is None:
            raise ImportError(f"{path} has the tokenizer inside, which runs on "
                              "onnxruntime-extensions' operators: pip install "
                              "onnxruntime-extensions")
        options.register_custom_ops_library(library)
    return onnxruntime.InferenceSession(str(path), options,
                                        providers=["CPUExecutionProvider"])

