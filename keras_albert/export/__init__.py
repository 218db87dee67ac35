"""Exports for TF Serving (SavedModel), phones (TFLite) and ONNX, and `verify`,
which checks each against the Keras model."""

from keras_albert.export.onnx import export_onnx
from keras_albert.export.saved_model import export_saved_model
from keras_albert.export.tflite import export_tflite, read_metadata
from keras_albert.export.verify import format_table, verify

__all__ = ["export_onnx", "export_saved_model", "export_tflite", "format_table",
           "read_metadata", "verify"]
