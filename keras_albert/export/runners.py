"""Run an exported artifact the way its users do: a SavedModel with TensorFlow,
a `.tflite` file with ai-edge-litert (tensorflow-text custom ops registered),
an `.onnx` file with onnxruntime. Each runner takes token inputs (or raw
texts, where the artifact has the tokenizer inside) and returns named outputs
as NumPy arrays."""

import json
from pathlib import Path

import numpy as np

from keras_albert.export import onnx as onnx_export
from keras_albert.export import tflite as tflite_export
from keras_albert.export.serving import TOKEN_INPUTS


def artifact_kind(path):
    """"saved_model", "tflite" or "onnx"; a clear error for anything else."""
    path = Path(path)
    if path.is_dir() and (path / "saved_model.pb").is_file():
        return "saved_model"
    if path.is_file() and path.suffix in (".tflite", ".onnx"):
        return path.suffix[1:]
    raise ValueError(f"Not an exported model (a SavedModel directory, a .tflite or an "
                     f".onnx file). Received: {str(path)!r}")


class SavedModelRunner:
    """Both signatures of a TF Serving SavedModel."""

    def __init__(self, path):
        import tensorflow as tf
        import tensorflow_text  # noqa: F401  (registers the SentencePiece op)

        self._tf = tf
        info = Path(path) / "assets.extra" / "keras_albert.json"
        self.metadata = json.loads(info.read_text()) if info.is_file() else {}
        self.loaded = tf.saved_model.load(str(path))
        self.takes_text = "serving_default" in self.loaded.signatures and (
            "token_ids" not in self.loaded.signatures["serving_default"]
            .structured_input_signature[1])

    def tokens(self, inputs):
        tf = self._tf
        outputs = self.loaded.signatures["serve_tokens"](
            **{name: tf.constant(inputs[name], tf.int32) for name in TOKEN_INPUTS})
        return {name: value.numpy() for name, value in outputs.items()
                if value.dtype != tf.string}

    def texts(self, texts):
        tf = self._tf
        signature = self.loaded.signatures["serving_default"]
        names = sorted(signature.structured_input_signature[1])  # text / text_a, text_b
        columns = [texts] if len(names) == 1 else list(zip(*texts, strict=True))
        outputs = signature(**{name: tf.constant(list(column), tf.string)
                               for name, column in zip(names, columns, strict=True)})
        return {name: value.numpy() for name, value in outputs.items()
                if value.dtype != tf.string}


class TFLiteRunner:
    """The signature of a `.tflite` file, with tensorflow-text's kernels."""

    def __init__(self, path):
        from ai_edge_litert.interpreter import InterpreterWithCustomOps
        from tensorflow_text.core.pybinds import tflite_registrar

        self.metadata = tflite_export.read_metadata(path)
        self.interpreter = InterpreterWithCustomOps(
            model_path=str(path), custom_op_registerers=tflite_registrar.SELECT_TFTEXT_OPS)
        name = self.metadata.get("signature") or next(iter(
            self.interpreter.get_signature_list()))
        self.runner = self.interpreter.get_signature_runner(name)
        self.takes_text = "token_ids" not in self.runner.get_input_details()

    def tokens(self, inputs):
        return self.runner(**{name: np.asarray(inputs[name], np.int32)
                              for name in TOKEN_INPUTS})

    def texts(self, texts):
        names = sorted(self.runner.get_input_details())
        columns = [texts] if len(names) == 1 else list(zip(*texts, strict=True))
        return self.runner(**{name: np.array(list(column), dtype=object) for name, column
                              in zip(names, columns, strict=True)})


class OnnxRunner:
    """An `.onnx` file in onnxruntime (CPU), with onnxruntime-extensions'
    operators where the file has the tokenizer inside."""

    def __init__(self, path):
        self.metadata = onnx_export.read_metadata(path)
        self.session = onnx_export.inference_session(path)
        self.inputs = sorted(value.name for value in self.session.get_inputs())
        self.takes_text = "token_ids" not in self.inputs
        self.names = [output.name for output in self.session.get_outputs()]

    def _run(self, feed):
        return dict(zip(self.names, self.session.run(None, feed), strict=True))

    def tokens(self, inputs):
        return self._run({name: np.asarray(inputs[name], np.int32) for name in TOKEN_INPUTS})

    def texts(self, texts):
        # onnxruntime takes `str` only (it would pass bytes on as their repr):
        # bytes that are not UTF-8 become U+FFFD, as the SavedModel does.
        texts = [tuple(map(_as_str, t)) if isinstance(t, tuple) else _as_str(t)
                 for t in texts]
        columns = [texts] if len(self.inputs) == 1 else list(zip(*texts, strict=True))
        return self._run({name: np.array(list(column), dtype=object)
                          for name, column in zip(self.inputs, columns, strict=True)})


def _as_str(text):
    return text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text


def load_runner(path):
    return {"saved_model": SavedModelRunner, "tflite": TFLiteRunner,
            "onnx": OnnxRunner}[artifact_kind(path)](path)
