"""Fine-tune a Chinese ALBERT classifier and export it for phones: the
WordPiece tokenizer (BERT's, as every Chinese ALBERT has) inside a `.tflite`
file, run by LiteRT on raw Chinese text.

    # a Chinese ALBERT by name (from the Hub) or a converted directory
    python examples/chinese_classifier.py --model hf://uer/albert-base-chinese-cluecorpussmall \
        --train train.csv --eval dev.csv --text-column text --label-column label
    # a Google release: keras-albert convert --from original albert_base_zh --out albert_base_zh
    python examples/chinese_classifier.py --model albert_base_zh --train train.csv --eval dev.csv

The CSV (or TSV/JSONL) files hold one text and its label per row. Without
`--model` the example trains a WordPiece vocabulary on the training text
(`keras-albert vocab --type wordpiece`) and starts from a random
`albert_tiny` (much weaker than a pretrained start). The steps are the CLI's:
`keras-albert finetune --task classify`, `keras-albert export tflite
--quantize dynamic --with-tokenizer`, `keras-albert verify`.
"""

import argparse
import csv
import json
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import InterpreterWithCustomOps
from tensorflow_text.core.pybinds import tflite_registrar

from keras_albert.export import export_tflite, verify
from keras_albert.finetune import finetune, read_texts
from keras_albert.text import train_wordpiece_vocabulary


def training_text(path, text_column, out):
    """The texts of a CSV file, one a line (for the vocabulary)."""
    with open(path, newline="", encoding="utf-8") as file:
        texts = [row[text_column].replace("\n", " ") for row in csv.DictReader(file)]
    out.write_text("\n".join(texts) + "\n", encoding="utf-8")
    return out


def run_on_phone(path, texts):
    """(label, probability) of each text, as an app runs the file: LiteRT with
    tensorflow-text's kernels, raw strings in."""
    interpreter = InterpreterWithCustomOps(
        model_path=str(path), custom_op_registerers=tflite_registrar.SELECT_TFTEXT_OPS)
    probabilities = interpreter.get_signature_runner("serving_default")(
        text=np.array(texts, dtype=object))["probabilities"]
    names = json.loads((path.parent.parent / "model/config.json").read_text(
        encoding="utf-8"))["task"]["config"]["label_names"]
    return [(names[row.argmax()], float(row.max())) for row in probabilities]


def main(train, eval, model=None, out="chinese_classifier", text_column="text",
         label_column="label", sequence_length=64, epochs=3, learning_rate=None,
         vocab_size=4000, jit_compile=True,
         texts=("这个软件包无法安装。", "文件已成功保存。")):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    settings = {"text_columns": [text_column], "label_column": label_column,
                "sequence_length": sequence_length, "epochs": epochs, "verbose": 2,
                "jit_compile": jit_compile}
    if model is None:
        train_wordpiece_vocabulary(training_text(train, text_column, out / "text.txt"),
                                   vocab_size, out / "vocab")
        model, settings["vocab"] = "albert_tiny", str(out / "vocab")
        settings["learning_rate"] = learning_rate or 1e-3  # a random start
    elif learning_rate:
        settings["learning_rate"] = learning_rate
    metrics = finetune("classify", model, train, out, eval=eval, **settings)
    phone = out / "phone" / "model_dynamic_text.tflite"
    export_tflite(out / "model", phone, quantize="dynamic", with_tokenizer=True)
    held_out, labels = read_texts(out / "model", eval, with_labels=True, limit=200)
    report = verify(out / "model", [phone], held_out, labels)
    for text, (label, probability) in zip(texts, run_on_phone(phone, list(texts)),
                                          strict=True):
        print(f"{label}\t{probability:.2f}\t{text}")
    (row,) = report["artifacts"]
    print(f"{phone}: {phone.stat().st_size / 1e6:.1f} MB, labels agree with Keras on "
          f"{row['agreement']:.1%} of {report['examples']} held-out texts, tokens on "
          f"{row['tokenizer_agreement']:.1%}; verify {'passed' if report['passed'] else 'FAILED'}")
    return metrics, report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a Chinese ALBERT: a name or a pretrained directory "
                        "(default: random albert_tiny on a new WordPiece vocabulary)")
    parser.add_argument("--train", required=True, help="CSV/TSV/JSONL file")
    parser.add_argument("--eval", required=True, help="file to evaluate and verify on")
    parser.add_argument("--out", default="chinese_classifier")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--sequence-length", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--learning-rate", type=float)
    main(**vars(parser.parse_args()))
