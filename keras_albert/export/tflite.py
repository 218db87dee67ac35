"""TFLite (LiteRT) files: float32, float16, dynamic-range int8, full int8.

The model is converted from its token function (see `serving`), unrolled: the
converter keeps one buffer per shared weight however many layers read it, so
an ALBERT file is about the size of its parameters. The signature
`serve_tokens` takes int32 `token_ids`, `segment_ids`, `padding_mask` of any
batch and length (or a fixed shape on request) and returns float32 outputs by
name. The label names and the packing length travel inside the file as
flatbuffer metadata `keras_albert` (JSON), read back with `read_metadata`.

Full int8 (activations too) is in `int8`: what stays float, and why.
"""

import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow.lite.tools import flatbuffer_utils
from tensorflow_text.core.pybinds import tflite_registrar

from keras_albert.checks import check_choice, check_positive_int
from keras_albert.compat import calibrate_only, set_custom_op_registerers
from keras_albert.export import int8, int8_search, serving
from keras_albert.files import atomic_path
from keras_albert.locate import locate
from keras_albert.sampling import evenly_spaced
from keras_albert.tasks.multiple_choice import AlbertMultipleChoice

QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
SIGNATURE = "serve_tokens"
TEXT_SIGNATURE = "serving_default"
METADATA_NAME = "keras_albert"
CALIBRATION_EXAMPLES = 200


def _converter(saved, with_tokenizer):
    """A converter for the SavedModel at `saved` (see `_write_saved_model`)."""
    name = TEXT_SIGNATURE if with_tokenizer else SIGNATURE
    converter = tf.lite.TFLiteConverter.from_saved_model(saved, signature_keys=[name])
    # The tokenizer's tensorflow-text ops stay custom ops; the app registers
    # their kernels (see export/README.md).
    converter.allow_custom_ops = with_tokenizer
    if with_tokenizer:  # for the int8 calibration run
        set_custom_op_registerers(converter, tflite_registrar.SELECT_TFTEXT_OPS)
    return converter


def _write_saved_model(saved, function, model, preprocessor=None):
    """`function` as a SavedModel, the converter's input: the signature keeps
    its name and its inputs' names."""
    name = TEXT_SIGNATURE if preprocessor else SIGNATURE
    serving.archive(model, {name: function}, preprocessor).write_out(saved, verbose=False)


def _quantize(converter, quantize, calibration):
    if quantize == "none":
        return
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "int8":
        converter.representative_dataset = lambda: iter(calibration)
        # Integer kernels where TFLite has them; an op without one stays float
        # rather than failing the conversion.
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
                                               tf.lite.OpsSet.TFLITE_BUILTINS]


def _token_ranges(model, preprocessor, texts):
    """The activation ranges that calibrating the token-input model on `texts`
    gives (see `calibration_inputs`)."""
    with tempfile.TemporaryDirectory(prefix="keras_albert_tflite_") as saved:
        _write_saved_model(saved, _token_function(model, None, None), model)
        converter = _converter(saved, with_tokenizer=False)
        _quantize(converter, "int8", int8.calibration_inputs(preprocessor, texts))
        converter.experimental_mlir_quantizer = True
        calibrate_only(converter)
        return int8.activation_ranges(converter.convert())


def export_tflite(directory, out, quantize="none", representative=None,
                  with_tokenizer=False, batch_size=None, sequence_length=None,
                  keep_float="all-but-dense", target_agreement=None, log=None):
    """Write the model of a pretrained `directory` as a `.tflite` file.

    Args:
        directory: a pretrained directory.
        out: the `.tflite` path.
        quantize: `"none"` (float32), `"float16"` (float16 weights),
            `"dynamic"` (int8 weights, float activations) or `"int8"` (int8
            weights and activations, calibrated on `representative`).
        representative: for `"int8"`, a list of texts (or of (a, b) pairs for
            pair tasks), e.g. from `read_texts`.
        with_tokenizer: put the tokenizer inside: the signature
            `serving_default` takes `text` (or `text_a`, `text_b`) strings.
        batch_size, sequence_length: ints for a fixed token-input shape; None
            keeps that dimension dynamic. With the tokenizer, `sequence_length`
            is the packing length (default: the saved preprocessor's).
        keep_float: for `"int8"`, the ops left in float: `"all-but-dense"`
            (only the dense layers run in int8), `"attention"` (the attention
            core: scores, padding mask, softmax, probabilities x values), or
            None (every op with an int8 kernel). With the first two, the
            layer that writes the outputs (the head's logits) stays float.
        target_agreement: for `"int8"`, a share (e.g. 0.99, verify's bound)
            of held-out texts that must keep the Keras model's label: the op
            groups left float are then measured instead of `keep_float` (see
            `int8_search`), on the representative texts beyond the
            `CALIBRATION_EXAMPLES` used to calibrate (at least
            `int8_search.MIN_HELD_OUT` of them). Fails when no choice meets it.
        log: a function of one string for the search's progress (default:
            silent).

    Returns:
        The `Path` written.
    """
    check_choice("quantize", quantize, QUANTIZATIONS)
    directory = locate(directory)
    if keep_float is not None:
        check_choice("keep_float", keep_float, int8.FLOAT_IN_INT8)
    for name, value in (("batch_size", batch_size), ("sequence_length", sequence_length)):
        if value is not None:
            check_positive_int(name, value)
    if quantize == "int8" and not representative:
        raise ValueError("quantize='int8' needs representative text to calibrate "
                         "activations (--representative FILE).")
    calibration_texts, held_out_texts = _split_representative(
        list(representative or ()), quantize, keep_float, target_agreement)
    model = serving.load_for_export(directory)
    preprocessor = None
    if with_tokenizer or quantize == "int8":  # texts to tokenize
        if isinstance(model, AlbertMultipleChoice):
            raise ValueError("A multiple-choice model takes several pairs an example: "
                             "export it without --with-tokenizer, and not as int8.")
        preprocessor = serving.preprocessor_for(
            directory, model, sequence_length if with_tokenizer else None)
    if with_tokenizer:
        function = serving.text_function(model, preprocessor, serving.num_texts(directory),
                                         lite=True)
    else:
        function = _token_function(model, batch_size, sequence_length)
    calibration = None
    if quantize == "int8":
        texts = calibration_texts
        calibration = int8.calibration_inputs(preprocessor, texts, with_tokenizer)
    search = None
    with tempfile.TemporaryDirectory(prefix="keras_albert_tflite_") as saved, \
            warnings.catch_warnings():
        # The converter's calibration uses TensorFlow's own deprecated interpreter.
        warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated")
        _write_saved_model(saved, function, model, preprocessor if with_tokenizer else None)
        converter = _converter(saved, with_tokenizer)
        _quantize(converter, quantize, calibration)
        if quantize == "int8" and (keep_float or target_agreement is not None):
            # With the tokenizer inside, each calibration text runs alone and
            # unpadded; the model's ranges are taken from the token-input
            # model calibrated on the same texts instead, padded to the
            # longest: pad rows carry the pad embedding, the largest of the
            # table on the models tried, so their ranges also cover the rare
            # pieces of unseen texts (on the quickstart model the projection's
            # output range was 1.45 against 1.94, and agreement 96.6% against
            # 99.0%, BENCHMARKS.md). The tokenizer's own ops keep theirs.
            ranges = _token_ranges(model, preprocessor, texts) if with_tokenizer else None
            quantizer = int8.Int8Quantizer(converter, _converter(saved, with_tokenizer),
                                           calibration, ranges)
            if target_agreement is None:
                flatbuffer = quantizer.quantize(
                    quantizer.matching(int8.FLOAT_IN_INT8[keep_float]))
            else:
                held_out = int8_search.HeldOut(
                    model, preprocessor, held_out_texts,
                    TEXT_SIGNATURE if with_tokenizer else SIGNATURE, with_tokenizer)
                flatbuffer, search = int8_search.search(quantizer, held_out,
                                                        target_agreement, log)
        else:
            flatbuffer = converter.convert()
    metadata = {"task": type(model).__name__, "label_names": serving.label_names(model),
                "quantize": quantize,
                "int8_float_ops": (None if quantize != "int8" else
                                   search["float_groups"] if search else keep_float),
                "int8_search": search and {k: v for k, v in search.items() if k != "trials"},
                "signature": TEXT_SIGNATURE if with_tokenizer else SIGNATURE,
                "sequence_length": preprocessor.sequence_length if with_tokenizer else None}
    out = Path(out)
    with atomic_path(out) as temporary:
        temporary.write_bytes(with_metadata(flatbuffer, metadata))
    return out


def _split_representative(texts, quantize, keep_float, target_agreement):
    """(calibration texts, held-out texts): `CALIBRATION_EXAMPLES` spread over
    `texts`, and with `target_agreement` the rest (checked: enough of them)."""
    if target_agreement is None:
        return evenly_spaced(texts, CALIBRATION_EXAMPLES), []
    if quantize != "int8":
        raise ValueError(f"target_agreement applies to quantize='int8'. Received: "
                         f"quantize={quantize!r}")
    if keep_float != "all-but-dense":
        raise ValueError(f"Pass keep_float or target_agreement, not both (the search "
                         f"chooses what stays float). Received: keep_float={keep_float!r}")
    if not 0 < target_agreement <= 1:
        raise ValueError(f"`target_agreement` must be in (0, 1]. Received: "
                         f"target_agreement={target_agreement}")
    count = len(texts)
    chosen = ({i * count // CALIBRATION_EXAMPLES for i in range(CALIBRATION_EXAMPLES)}
              if count > CALIBRATION_EXAMPLES else set(range(count)))
    held_out = [text for index, text in enumerate(texts) if index not in chosen]
    if len(held_out) < int8_search.MIN_HELD_OUT:
        raise ValueError(
            f"target_agreement needs at least {int8_search.MIN_HELD_OUT} representative "
            f"texts beyond the {CALIBRATION_EXAMPLES} that calibrate, to measure "
            f"agreement on. Received: {count} texts")
    return [texts[index] for index in sorted(chosen)], held_out


def _token_function(model, batch_size, sequence_length):
    """The token function, with a fixed shape where one is asked for."""
    function = serving.tokens_function(model, with_strings=False)
    if not (batch_size or sequence_length):
        return function
    spec = serving.token_signature(model)
    shape = [batch_size, sequence_length]
    if len(spec["token_ids"].shape) == 3:  # multiple choice: (B, choices, L)
        shape = [batch_size, None, sequence_length]
    signature = [tf.TensorSpec(shape, tf.int32, name=name) for name in serving.TOKEN_INPUTS]
    return tf.function(lambda token_ids, segment_ids, padding_mask: function(
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
