"""Export a fine-tuned classifier for phones and run it as an app does: a
quantized `.tflite` file with the SentencePiece tokenizer inside, run by LiteRT
(ai-edge-litert) with tensorflow-text's custom-op kernels registered.

    python examples/export_for_phones.py --model classifier/model --out phone \
        "a large burrowing animal" "move fast on foot"
    python examples/export_for_phones.py --run phone/model_int8_text.tflite "a text"

`--model` is a fine-tuned directory (`finetune_csv.py`, `keras-albert
finetune`). The app side (`run_tflite`) needs only `ai-edge-litert`,
`tensorflow-text` (for the kernels) and numpy, not keras_albert; on Android or
iOS the same kernels are registered as export/README.md shows.
"""

import argparse
import json
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import InterpreterWithCustomOps
from tensorflow.lite.tools import flatbuffer_utils
from tensorflow_text.core.pybinds import tflite_registrar


def metadata(path):
    """The JSON keras-albert stores in the file (label names, signature)."""
    model = flatbuffer_utils.read_model(str(path))
    for entry in model.metadata or []:
        if entry.name in (b"keras_albert", "keras_albert"):
            return json.loads(bytes(model.buffers[entry.buffer].data))
    return {}


def run_tflite(path, texts):
    """`(label, probability)` of each text from a `--with-tokenizer` export."""
    info = metadata(path)
    if info.get("signature") != "serving_default":
        raise SystemExit(f"{path} takes token ids (signature {info.get('signature')}); "
                         "export it with the tokenizer inside to run it on text.")
    interpreter = InterpreterWithCustomOps(
        model_path=str(path), custom_op_registerers=tflite_registrar.SELECT_TFTEXT_OPS)
    runner = interpreter.get_signature_runner("serving_default")
    probabilities = runner(text=np.array(texts, dtype=object))["probabilities"]
    names = info.get("label_names") or list(range(probabilities.shape[-1]))
    return [(names[row.argmax()], float(row.max())) for row in probabilities]


def export(model, out, representative=None):
    """int8 and dynamic-range int8 files, both with the tokenizer inside. int8
    calibrates its activations on `representative`, a data file of text like
    the app's (default: 200 WordNet glosses, the embedded task's text)."""
    from keras_albert.datasets import load_wordnet
    from keras_albert.export import export_tflite
    from keras_albert.finetune import read_texts

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if representative:
        texts = read_texts(model, representative, limit=200)[0]
    else:
        texts = [example["text"] for example in load_wordnet("train", limit=200)]
    int8 = export_tflite(model, out / "model_int8_text.tflite", quantize="int8",
                         representative=texts, with_tokenizer=True)
    dynamic = export_tflite(model, out / "model_dynamic_text.tflite",
                            quantize="dynamic", with_tokenizer=True)
    return int8, dynamic


def main(texts, model=None, out="phone", representative=None, run=None):
    paths = [Path(run)] if run else export(model, out, representative)
    results = {}
    for path in paths:
        results[path.name] = run_tflite(path, texts)
        print(f"{path.name} ({path.stat().st_size / 1e6:.1f} MB)")
        for text, (label, probability) in zip(texts, results[path.name], strict=True):
            print(f"  {label}\t{probability:.3f}\t{text}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", nargs="+")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--model", help="fine-tuned directory to export")
    group.add_argument("--run", help="an exported .tflite file to run")
    parser.add_argument("--out", default="phone")
    parser.add_argument("--representative", help="calibration text (a data file)")
    main(**vars(parser.parse_args()))
