import json
import shutil

import numpy as np
import pytest

from keras_albert.datasets import load_wordnet
from keras_albert.export.serving import (
    keras_outputs,
    load_for_export,
    pack_texts,
    preprocessor_for,
)
from keras_albert.tasks.classifier import AlbertClassifier
from keras_albert.text import AlbertPreprocessor, AlbertTokenizer

LABELS = ["noun.animal", "noun.plant", "verb.motion"]


def length_class(text):
    words = len(text.split())
    return LABELS[0] if words < 6 else LABELS[1] if words < 11 else LABELS[2]


def make_classifier(directory, vocab, seed=0):
    """An albert_tiny classifier directory, briefly trained to tell short,
    middling and long glosses apart, so that its logits differ from text to
    text as a fine-tuned model's do (a random model's barely do, and label
    agreement under quantization would measure noise)."""
    import keras

    keras.utils.set_random_seed(seed)
    tokenizer = AlbertTokenizer.from_pretrained(vocab)
    model = AlbertClassifier.from_preset(
        "albert_tiny", backbone_overrides={"vocabulary_size": tokenizer.vocabulary_size()},
        num_classes=len(LABELS), label_names=LABELS,
        preprocessor=AlbertPreprocessor(tokenizer, sequence_length=32))
    texts = [example["text"] for example in load_wordnet("train", limit=256)]
    labels = [length_class(text) for text in texts]
    model.compile(optimizer=keras.optimizers.Adam(2e-3), jit_compile=False)
    model.fit(np.array(texts), np.array(labels), batch_size=32, epochs=4, verbose=0)
    model.save_pretrained(directory, tokenizer=tokenizer)
    return directory


def as_pair_task(directory, target):
    """A copy of a classifier directory recorded as a pair task, as
    `keras-albert finetune --task pair` records it (the same weights read
    `[CLS] A [SEP] B [SEP]`)."""
    shutil.copytree(directory, target)
    config = json.loads((target / "config.json").read_text())
    config["source"] = {"finetune": {"task": "pair", "text_columns": ["a", "b"],
                                     "label_column": "label", "sequence_length": 32}}
    (target / "config.json").write_text(json.dumps(config))
    return target


@pytest.fixture(scope="session")
def classifier_dir(tmp_path_factory, wordnet_vocab):
    return make_classifier(tmp_path_factory.mktemp("export") / "model", wordnet_vocab)


@pytest.fixture(scope="session")
def glosses():
    """Real held-out text: 64 WordNet glosses."""
    return [example["text"] for example in load_wordnet("validation", limit=64)]


# (file name, `keras-albert export` arguments): every quantization kind, with
# and without the tokenizer inside.
EXPORTS = [
    ("float32.tflite", ["tflite"]),
    ("float16.tflite", ["tflite", "--quantize", "float16"]),
    ("dynamic.tflite", ["tflite", "--quantize", "dynamic"]),
    ("int8.tflite", ["tflite", "--quantize", "int8", "--representative", "{calibration}",
                     "--keep-float", "all-but-dense"]),
    ("text.tflite", ["tflite", "--with-tokenizer"]),
    ("dynamic_text.tflite", ["tflite", "--quantize", "dynamic", "--with-tokenizer"]),
    ("int8_text.tflite", ["tflite", "--quantize", "int8", "--with-tokenizer",
                          "--representative", "{calibration}"]),
    ("float32.onnx", ["onnx"]),
    ("dynamic.onnx", ["onnx", "--quantize", "dynamic"]),
    ("int8.onnx", ["onnx", "--quantize", "int8", "--representative", "{calibration}"]),
    ("text.onnx", ["onnx", "--with-tokenizer"]),
    ("int8_text.onnx", ["onnx", "--quantize", "int8", "--representative", "{calibration}",
                        "--with-tokenizer"]),
]


@pytest.fixture(scope="session")
def exported(classifier_dir, tmp_path_factory):
    """{file name: path} of `EXPORTS`, made as commands, as a user makes them
    (int8 calibrated on training glosses, not the held-out ones)."""
    from keras_albert.cli import main

    tmp_path = tmp_path_factory.mktemp("exported")
    calibration = tmp_path / "calibration.txt"
    calibration.write_text("\n".join(e["text"] for e in load_wordnet("train", limit=200)))
    paths = {}
    for name, arguments in EXPORTS:
        command = [a.format(calibration=calibration) for a in arguments]
        paths[name] = tmp_path / name
        assert main(["export", command[0], str(classifier_dir), "--out", str(paths[name]),
                     *command[1:]]) == 0, command
    return paths


@pytest.fixture(scope="module")
def reference(classifier_dir, glosses):
    """The Keras model's token inputs and logits on 32 glosses."""
    model = load_for_export(classifier_dir)
    inputs = pack_texts(glosses[:32], preprocessor_for(classifier_dir, model))
    return inputs, keras_outputs(model, inputs)["logits"]


def cut_inputs(inputs, rows, length):
    """The first `rows` examples cut to `length` tokens."""
    return {name: value[:rows, :length] for name, value in inputs.items()}
