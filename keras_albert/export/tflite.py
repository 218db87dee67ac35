"""TFLite (LiteRT) files: float32, float16, dynamic-range int8, full int8.

The model is converted from its token function (see `serving`), unrolled: the
converter keeps one buffer per shared weight however many layers read it, so
an ALBERT file is about the size of its parameters. The signature
`serve_tokens` takes int32 `token_ids`, `segment_ids`, `padding_mask` of any
batch and length (or a fixed shape on request) and returns float32 outputs by
name. The label names and the packing length travel inside the file as
flatbuffer metadata `keras_albert` (JSON), read back with `read_metadata`.

Full int8 calibrates activations on representative text: each call of a shared
layer is its own set of ops in the unrolled graph, so every depth gets its own
activation ranges while the weights stay shared.
"""

import json
import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow.lite.tools import flatbuffer_utils

from keras_albert.checks import check_choice, check_positive_int
from keras_albert.export import serving
from keras_albert.files import atomic_path

QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
SIGNATURE = "serve_tokens"
METADATA_NAME = "keras_albert"
CALIBRATION_EXAMPLES = 200


def _converter(function, model):
    """A converter for `function`, through a SavedModel so the signature keeps
    its name and its inputs' names."""
    saved = tempfile.mkdtemp(prefix="keras_albert_tflite_")
    serving.archive(model, {SIGNATURE: function}).write_out(saved, verbose=False)
    return tf.lite.TFLiteConverter.from_saved_model(saved, signature_keys=[SIGNATURE])


def _quantize(converter, quantize, calibration):
    if quantize == "none":
        return
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "int8":
        converter.representative_dataset = lambda: (dict(example) for example in calibration)
        # Integer kernels where TFLite has them; an op without one stays float
        # rather than failing the conversion.
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
                                               tf.lite.OpsSet.TFLITE_BUILTINS]


def calibration_inputs(preprocessor, texts, num_texts=1):
    """Token inputs of each representative example, one example a batch, cut
    to its own length (the converter sees realistic lengths and padding)."""
    examples = []
    for text in texts:
        segments = tuple(tf.constant([t]) for t in text) if num_texts == 2 else tf.constant([text])
        packed = preprocessor(segments)
        length = max(int(tf.reduce_sum(packed["padding_mask"])), 1)
        examples.append({name: packed[name][:, :length] for name in serving.TOKEN_INPUTS})
    return examples


def export_tflite(directory, out, quantize="none", representative=None,
                  batch_size=None, sequence_length=None):
    """Write the model of a pretrained `directory` as a `.tflite` file.

    Args:
        directory: a pretrained directory.
        out: the `.tflite` path.
        quantize: `"none"` (float32), `"float16"` (float16 weights),
            `"dynamic"` (int8 weights, float activations) or `"int8"` (int8
            weights and activations, calibrated on `representative`).
        representative: for `"int8"`, a list of texts (or of (a, b) pairs for
            pair tasks), e.g. from `read_texts`.
        batch_size, sequence_length: ints for a fixed input shape; None keeps
            that dimension dynamic.

    Returns:
        The `Path` written.
    """
    check_choice("quantize", quantize, QUANTIZATIONS)
    for name, value in (("batch_size", batch_size), ("sequence_length", sequence_length)):
        if value is not None:
            check_positive_int(name, value)
    if quantize == "int8" and not representative:
        raise ValueError("quantize='int8' needs representative text to calibrate "
                         "activations (--representative FILE).")
    model = serving.load_for_export(directory)
    function = serving.tokens_function(model, with_strings=False)
    if batch_size or sequence_length:
        function = _fixed_shape(model, batch_size, sequence_length)
    converter = _converter(function, model)
    calibration = None
    if quantize == "int8":
        preprocessor = serving.preprocessor_for(directory, model)
        calibration = calibration_inputs(preprocessor, representative[:CALIBRATION_EXAMPLES],
                                         serving.text_columns(directory))
    _quantize(converter, quantize, calibration)
    flatbuffer = converter.convert()
    preprocessor = (serving.preprocessor_for(directory, model)
                    if not hasattr(model, "num_choices") else None)
    metadata = {"task": type(model).__name__, "label_names": serving.label_names(model),
                "quantize": quantize, "signature": SIGNATURE,
                "sequence_length": preprocessor.sequence_length if preprocessor else None}
    flatbuffer = with_metadata(flatbuffer, metadata)
    out = Path(out)
    with atomic_path(out) as temporary:
        temporary.write_bytes(flatbuffer)
    return out


def _fixed_shape(model, batch_size, sequence_length):
    spec = serving.token_signature(model)
    shape = [batch_size, sequence_length]
    if len(spec["token_ids"].shape) == 3:
        shape = [batch_size, None, sequence_length]
    signature = [tf.TensorSpec(shape, tf.int32, name=name) for name in serving.TOKEN_INPUTS]
    dynamic = serving.tokens_function(model, with_strings=False)
    return tf.function(lambda token_ids, segment_ids, padding_mask: dynamic(
        token_ids, segment_ids, padding_mask), input_signature=signature)


def with_metadata(flatbuffer, metadata):
    """The flatbuffer with `metadata` (a dict) stored as JSON under the
    model's metadata entry `keras_albert`."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(flatbuffer))
    buffer = flatbuffer_utils.schema_fb.BufferT()
    buffer.data = np.frombuffer(json.dumps(metadata).encode(), np.uint8)
    model.buffers.append(buffer)
    entry = flatbuffer_utils.schema_fb.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = [*(model.metadata or []), entry]
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def read_metadata(path):
    """The `keras_albert` metadata dict of a `.tflite` file (empty if none)."""
    model = flatbuffer_utils.read_model(str(path))
    for entry in model.metadata or []:
        name = entry.name.decode() if isinstance(entry.name, bytes) else entry.name
        if name == METADATA_NAME:
            return json.loads(bytes(model.buffers[entry.buffer].data).decode())
    return {}
