"""Run a keras-albert `.tflite` file the way an app does, with LiteRT
(ai-edge-litert) and, for `--with-tokenizer` exports, tensorflow-text's
custom-op kernels registered.

    python export/tflite_app.py model.tflite "a large burrowing animal"
"""

import json
import sys

import numpy as np
from ai_edge_litert.interpreter import InterpreterWithCustomOps
from tensorflow.lite.tools import flatbuffer_utils
from tensorflow_text.core.pybinds import tflite_registrar


def metadata(path):
    """The JSON keras-albert stores in the file (label names, signature)."""
    model = flatbuffer_utils.read_model(path)
    for entry in model.metadata or []:
        if entry.name in (b"keras_albert", "keras_albert"):
            return json.loads(bytes(model.buffers[entry.buffer].data))
    return {}


def main(path, texts):
    info = metadata(path)
    interpreter = InterpreterWithCustomOps(
        model_path=path, custom_op_registerers=tflite_registrar.SELECT_TFTEXT_OPS)
    runner = interpreter.get_signature_runner(info["signature"])
    if info["signature"] != "serving_default":
        sys.exit(f"{path} takes token ids (signature {info['signature']}); export it "
                 "with --with-tokenizer to run it on text.")
    outputs = runner(text=np.array(texts, dtype=object))
    names = info.get("label_names") or []
    for text, row in zip(texts, outputs["probabilities"], strict=True):
        label = names[row.argmax()] if names else int(row.argmax())
        print(f"{label}\t{row.max():.3f}\t{text}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
