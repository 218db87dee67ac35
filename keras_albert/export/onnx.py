"""ONNX files through tf2onnx, from the same token function as the other
exports: inputs `token_ids`, `segment_ids`, `padding_mask` (int32, dynamic
batch and length), float32 outputs by name. The label names and the
quantization are stored in the model's `metadata_props` (key `keras_albert`,
JSON).

`quantize="dynamic"` runs onnxruntime's dynamic quantization on the float
graph: int8 weights (each shared weight once, as it is one initializer),
activations quantized per call by `DynamicQuantizeLinear`, so the MatMuls run
as `MatMulInteger`.
"""

import json
import tempfile
from pathlib import Path

from keras_albert.checks import check_choice, check_positive_int
from keras_albert.export import serving
from keras_albert.files import atomic_path
from keras_albert.locate import locate

MIN_OPSET = 17
METADATA_KEY = "keras_albert"
QUANTIZATIONS = ("none", "dynamic")


def export_onnx(directory, out, opset=MIN_OPSET, quantize="none"):
    """Write the model of a pretrained `directory` as an `.onnx` file.

    Args:
        directory: a pretrained directory.
        out: the `.onnx` path.
        opset: int, at least 17.
        quantize: `"none"` (float32) or `"dynamic"` (int8 weights, activations
            quantized at run time).

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
    model = serving.load_for_export(directory)
    function = serving.tokens_function(model, with_strings=False)
    signature = list(function.input_signature)
    proto, _ = tf2onnx.convert.from_function(function, input_signature=signature,
                                             opset=opset)
    _name_dynamic_dimensions(proto, rank=len(signature[0].shape))
    if quantize == "dynamic":
        proto = _quantize_dynamic(proto)
    metadata = {"task": type(model).__name__, "label_names": serving.label_names(model),
                "quantize": quantize}
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
