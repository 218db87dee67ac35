"""Full int8 TFLite: which ops stay float, and the activation ranges.

Full int8 calibrates activations on representative text: each call of a shared
layer is its own set of ops in the unrolled graph, so every depth gets its own
activation ranges while the weights stay shared. Plain post-training int8 of
ALBERT loses labels (24% agreement with the Keras model on the WordNet task,
BENCHMARKS.md): TFLite's quantization debugger puts the largest errors in the
attention core, where the scores carry the -10000 padding mask (one int8 scale
for -10000..x flattens the real scores) and the softmax probabilities multiply
the values, then in the LayerNorms and the residual sums. Keeping the
attention core float gives 97.8% agreement; keeping all but the dense layers
and the embedding lookups float (the default) 98.4-98.6%, at the same size, and
the logits layer float as well 99.0%, with the tokenizer inside or not.
"""

import re

import numpy as np
import tensorflow as tf
from tensorflow.lite.tools import flatbuffer_utils
from tensorflow_text.core.pybinds import tflite_registrar

from keras_albert.export import serving

# Ops left in float by full int8 (matched on op output names). "attention":
# everything in an attention layer's scope except its four dense layers;
# "all-but-dense" also the LayerNorms, the residual adds and the sum of the
# embeddings, so that only the dense layers (query/key/value/output,
# feed-forward, projection, pooler) and the embedding lookups run in int8 (the
# tables stay int8: a float lookup would store them in float). With either,
# the ops that write the model's outputs (the head's logits) stay float too:
# one int8 scale over all logits rounds away the small margins that decide
# a label, for a layer of hidden size x classes.
_ATTENTION = r"/attention(_\d+)?/(?!(query|key|value|output_dense)(_\d+)?/)"
_RESIDUAL = r"/group_\d+_inner_\d+(_\d+)?/add(_\d+)?$"
FLOAT_IN_INT8 = {
    "attention": re.compile(_ATTENTION),
    "all-but-dense": re.compile("|".join((_ATTENTION, "layer_norm", _RESIDUAL,
                                          r"embeddings(_\d+)?/add"))),
}

# The numbered scopes of the task and backbone models ("albert_classifier_4_1/"),
# which differ from one trace to the next; the layers' scopes inside them do not.
_MODEL_SCOPE = re.compile(r"\b(albert_[a-z_]+?)(_\d+)+/")


def activation_ranges(calibrated):
    """{tensor name without its model scopes: (min, max)} of a calibrated
    flatbuffer (`_experimental_calibrate_only`), for names that occur once."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(calibrated))
    ranges, seen = {}, set()
    for tensor in model.subgraphs[0].tensors:
        stats = tensor.quantization
        if stats is None or stats.min is None or len(stats.min) != 1:
            continue
        name = _MODEL_SCOPE.sub(r"\1/", tensor.name.decode())
        if name in seen:
            ranges.pop(name, None)
            continue
        seen.add(name)
        ranges[name] = (stats.min, stats.max)
    return ranges


def with_ranges(calibrated, ranges):
    """`calibrated` with the activation ranges of the tensors named in `ranges`
    replaced by those."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(calibrated))
    for tensor in model.subgraphs[0].tensors:
        stats = tensor.quantization
        name = _MODEL_SCOPE.sub(r"\1/", tensor.name.decode())
        if stats is not None and stats.min is not None and name in ranges:
            stats.min, stats.max = ranges[name]
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


class Int8Quantizer:
    """Full-int8 conversions of one model that differ in the ops left float,
    from one calibration (TFLite's quantization debugger and its denylist).

    Args:
        converter: a converter set up for full int8 (representative data).
        float_converter: the same model's converter without quantization (for
            the op output names).
        calibration: the representative inputs (`calibration_inputs`).
        ranges: optional {tensor name: (min, max)} (from `activation_ranges`)
            that replace the calibrated activation ranges of those tensors.
    """

    def __init__(self, converter, float_converter, calibration, ranges=None):
        from ai_edge_litert.interpreter import InterpreterWithCustomOps

        interpreter = InterpreterWithCustomOps(
            model_content=float_converter.convert(),
            custom_op_registerers=tflite_registrar.SELECT_TFTEXT_OPS)
        self.outputs = {d["name"] for d in interpreter.get_output_details()}
        self.names = [d["name"] for d in interpreter.get_tensor_details()]
        # The debugger wants its examples as lists in the interpreter's input order.
        order = [d["name"] for d in interpreter.get_input_details()]
        example = calibration[0]
        debug = [[example[next(k for k in example if k in name)] for name in order]]
        self.debugger = tf.lite.experimental.QuantizationDebugger(
            converter=converter, debug_dataset=lambda: iter(debug),
            debug_options=tf.lite.experimental.QuantizationDebugOptions(
                denylisted_nodes=sorted(self.outputs)))
        if ranges:
            self.debugger.calibrated_model = with_ranges(self.debugger.calibrated_model,
                                                         ranges)

    def matching(self, pattern):
        """The op output names that `pattern` (a compiled regex) finds."""
        return [name for name in self.names if pattern.search(name)]

    def quantize(self, float_nodes=()):
        """The int8 flatbuffer with the ops of `float_nodes` (op output names),
        and those that write the model's outputs, left in float."""
        nodes = set(self.outputs) | set(float_nodes)
        self.debugger.options = tf.lite.experimental.QuantizationDebugOptions(
            denylisted_nodes=sorted(nodes))
        return self.debugger.get_nondebug_quantized_model()


def calibration_inputs(preprocessor, texts, with_tokenizer=False):
    """Representative inputs, one example a batch: the texts themselves for a
    model with its tokenizer inside, else their token inputs, all cut to the
    longest example's length (TFLite's calibrator cannot change the input
    length between examples)."""
    pairs = bool(texts) and isinstance(texts[0], (tuple, list))
    if with_tokenizer:
        names = ("text_a", "text_b") if pairs else ("text",)
        return [{name: np.array([value]) for name, value
                 in zip(names, text if pairs else (text,), strict=True)} for text in texts]
    packed = serving.pack_texts(texts, preprocessor)
    length = int(packed["padding_mask"].sum(axis=1).max())
    return [{name: packed[name][index:index + 1, :length] for name in serving.TOKEN_INPUTS}
            for index in range(len(texts))]
