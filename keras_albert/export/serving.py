"""What every export serves: the model loaded for inference, its token inputs,
its raw-text inputs and its named outputs.

A task model exports as the functions

    tokens(token_ids, segment_ids, padding_mask) -> outputs
    text(text) or text(text_a, text_b)           -> outputs (tokenizer inside)

with int32 token inputs of any batch size and length, string inputs of any
batch size, and float32 outputs named after what they hold. SavedModel,
TFLite and ONNX are all made from these, so the artifacts agree by
construction and `verify` can compare them name by name.
"""

import warnings

import keras
import numpy as np
import tensorflow as tf

from keras_albert.checks import check_choice
from keras_albert.export import encoder
from keras_albert.models.backbone import AlbertBackbone
from keras_albert.models.pretrained import (
    load_preprocessor,
    load_pretrained,
    read_config,
)
from keras_albert.tasks.classifier import AlbertClassifier
from keras_albert.tasks.multiple_choice import AlbertMultipleChoice
from keras_albert.tasks.question_answerer import AlbertQuestionAnswerer
from keras_albert.tasks.token_classifier import AlbertTokenClassifier
from keras_albert.text.normalization import valid_utf8
from keras_albert.text.packing import pack_segments
from keras_albert.text.preprocessor import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer

TOKEN_INPUTS = ("token_ids", "segment_ids", "padding_mask")
DEFAULT_SEQUENCE_LENGTH = 128


DTYPES = ("float32", "mixed_bfloat16")


def load_for_export(directory, dtype="float32"):
    """The model of a pretrained directory with the encoder unrolled (the
    form TFLite and ONNX convert without TF ops; shared weights stay one
    variable each), in float32 or, for a SavedModel served on CPUs with
    bfloat16 units, `mixed_bfloat16` (float32 weights, bfloat16 arithmetic,
    float32 outputs)."""
    check_choice("dtype", dtype, DTYPES)
    return load_pretrained(directory, backbone_overrides={"execution": "unrolled",
                                                          "dtype": dtype})


def num_texts(directory):
    """How many texts one example has: 2 for pair tasks, else 1."""
    config = read_config(directory)
    finetune = (config.get("source") or {}).get("finetune") or {}
    if finetune.get("task") in ("pair", "regress") and len(finetune["text_columns"]) == 2:
        return 2
    task = config.get("task") or {}  # None for a backbone
    return 2 if task.get("class_name") == "AlbertQuestionAnswerer" else 1


def preprocessor_for(directory, model, sequence_length=None):
    """The directory's saved preprocessor, or one built on its tokenizer."""
    preprocessor = getattr(model, "preprocessor", None) or load_preprocessor(directory)
    if preprocessor is not None and sequence_length in (None, preprocessor.sequence_length):
        return preprocessor
    tokenizer = (preprocessor.tokenizer if preprocessor is not None
                 else load_tokenizer(directory))
    backbone = model if isinstance(model, AlbertBackbone) else model.backbone
    length = min(sequence_length or DEFAULT_SEQUENCE_LENGTH,
                 backbone.max_sequence_length)
    stride = getattr(preprocessor, "stride", None)
    return AlbertPreprocessor(tokenizer, sequence_length=length, stride=stride)


def pack_texts(texts, preprocessor):
    """NumPy token inputs of a list of texts (or of (a, b) tuples)."""
    segments = (tuple(np.array(column) for column in zip(*texts, strict=True))
                if isinstance(texts[0], tuple) else np.array(texts))
    return {name: value.numpy() for name, value in preprocessor(segments).items()}


def token_signature(model):
    """Int32 `TensorSpec`s of the token inputs: (batch, length), or (batch,
    choices, length) for multiple choice; every dimension dynamic."""
    rank = 3 if isinstance(model, AlbertMultipleChoice) else 2
    return {name: tf.TensorSpec([None] * rank, tf.int32, name=name)
            for name in TOKEN_INPUTS}


def label_names(model):
    """The class (or tag) names stored with the model, else None."""
    return getattr(model, "label_names", None)


def model_outputs(model, inputs, with_strings=True):
    """The model's outputs on token `inputs` as a dict of named float32/int32
    tensors (and string labels with `with_strings`; TFLite and ONNX leave them
    out). A model without a task head gives the encoder's (see `encoder`)."""
    if encoder.is_encoder(model):
        return encoder.encoder_outputs(model, inputs)
    return named_outputs(model, model(inputs, training=False), with_strings)


def named_outputs(model, outputs, with_strings=True):
    """A task model's raw outputs, named (see `model_outputs`)."""
    if isinstance(outputs, dict):  # question answering
        return {name: tf.cast(value, tf.float32) for name, value in outputs.items()}
    logits = tf.cast(outputs, tf.float32)  # (B, C), (B, L, C) or (B, K)
    if isinstance(model, AlbertClassifier) and model.is_regression:
        return {"score": logits[:, 0]}  # (B,)
    named = {"logits": logits, "probabilities": tf.nn.softmax(logits)}
    if with_strings:
        named["label_id"] = tf.argmax(logits, axis=-1, output_type=tf.int32)
        names = label_names(model)
        if names:
            named["label"] = tf.gather(tf.constant(names), named["label_id"])
    return named


def tokens_function(model, with_strings=True):
    """`f(token_ids, segment_ids, padding_mask) -> named outputs`, a
    `tf.function` with a dynamic batch and length."""
    signature = token_signature(model)

    @tf.function(input_signature=[signature[name] for name in TOKEN_INPUTS])
    def tokens(token_ids, segment_ids, padding_mask):
        inputs = {"token_ids": token_ids, "segment_ids": segment_ids,
                  "padding_mask": padding_mask}
        return model_outputs(model, inputs, with_strings)

    return tokens


def text_signature(num_texts):
    """(batch,) string `TensorSpec`s: `text`, or `text_a` and `text_b`."""
    names = ("text_a", "text_b") if num_texts == 2 else ("text",)
    return [tf.TensorSpec([None], tf.string, name=name) for name in names]


def text_function(model, preprocessor, num_texts, lite=False):
    """`f(text)` or `f(text_a, text_b)` on (batch,) strings -> named outputs,
    with the packed `token_ids` for the tasks whose outputs point at tokens.

    With `lite`, the tokenizer is built from tensorflow-text ops that TFLite
    has kernels for (see `lite_tokenizer`), the rows are padded to the longest
    in the batch, and only numeric outputs are returned.
    """
    if isinstance(model, AlbertMultipleChoice):
        raise ValueError("A multiple-choice model has no raw-text signature (each "
                         "example is several pairs); serve its token signature.")
    windowed = preprocessor.stride is not None and num_texts == 1
    if windowed and lite:
        warn_truncates(preprocessor, "TFLite")

    def run(*texts):
        if windowed and not lite:
            return window_outputs(model, preprocessor, valid_utf8(texts[0]))
        if lite:
            inputs = lite_pack(preprocessor, texts, pad_to_longest=True)
        else:
            segments = tuple(valid_utf8(text) for text in texts)
            inputs = preprocessor(segments if len(segments) == 2 else segments[0])
        outputs = model_outputs(model, inputs, with_strings=not lite)
        if isinstance(model, (AlbertTokenClassifier, AlbertQuestionAnswerer)):
            outputs["token_ids"] = inputs["token_ids"]
        return outputs

    signature = text_signature(num_texts)
    if num_texts == 2:
        return tf.function(lambda text_a, text_b: run(text_a, text_b),
                           input_signature=signature)
    return tf.function(lambda text: run(text), input_signature=signature)


def warn_truncates(preprocessor, artifact):
    """Say that an `artifact` file truncates texts a model with a windowed
    preprocessor reads whole (its ragged ops are SavedModel-only)."""
    if preprocessor.stride is not None:
        warnings.warn(f"{artifact} has no kernels for the ragged ops that cut texts "
                      f"into windows: this file reads the first "
                      f"{preprocessor.sequence_length - 2} pieces of a text (the "
                      "SavedModel and Keras read them all).", stacklevel=3)


def window_outputs(model, preprocessor, texts):
    """Named outputs of (batch,) strings read in overlapping windows (the
    preprocessor's `stride`): one set per text, merged by the task
    (`merge_windows`); a tagger's `token_ids` are each text packed whole."""
    windows = preprocessor.windows(texts)
    merged = model.merge_windows(model(windows.inputs, training=False), windows)
    outputs = named_outputs(model, merged)
    if isinstance(model, AlbertTokenClassifier):
        tokenizer = preprocessor.tokenizer
        outputs["token_ids"] = windows.text_token_ids(
            tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id)
    return outputs


def lite_pack(preprocessor, texts, pad_to_longest=False):
    """`preprocessor`'s packing of string tensors `texts` (one, or two for a
    pair) with the TFLite tokenizer (`tokenizer.lite_tokenizer()`) instead
    of its own.
    FastBertNormalizer drops bytes that are not UTF-8 itself (TFLite has no
    kernel for `unicode_transcode`)."""
    tokenizer = preprocessor.tokenizer
    tokenize = tokenizer.lite_tokenizer()
    return pack_segments([tokenize(text) for text in texts], preprocessor.sequence_length,
                         cls_id=tokenizer.cls_token_id, sep_id=tokenizer.sep_token_id,
                         pad_id=tokenizer.pad_token_id, truncate=preprocessor.truncate,
                         pad_to_longest=pad_to_longest)


def archive(model, endpoints, preprocessor=None):
    """A Keras `ExportArchive` with the `endpoints` (name -> tf.function of
    `model`) and, with a `preprocessor`, its tokenizer's resources.

    The model itself is not tracked: `add_endpoint` tracks the variables its
    functions read, each once (tracking the model too would store every
    weight twice), and the TFLite converter freezes each into one buffer.
    """
    exported = keras.export.ExportArchive()
    for resource in preprocessor.tokenizer.export_resources() if preprocessor else []:
        exported.track(resource)
    for name, function in endpoints.items():
        exported.add_endpoint(name, function)
    return exported


def keras_outputs(model, inputs, batch_size=32):
    """The Keras model's named numeric outputs on NumPy token inputs, the
    reference every artifact is compared against."""
    function = tokens_function(model, with_strings=False)
    results = []
    count = len(inputs["token_ids"])
    for start in range(0, count, batch_size):
        batch = [tf.constant(inputs[name][start:start + batch_size], tf.int32)
                 for name in TOKEN_INPUTS]
        results.append({k: v.numpy() for k, v in function(*batch).items()})
    return {name: np.concatenate([r[name] for r in results]) for name in results[0]}
