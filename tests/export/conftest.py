import json
import shutil

import numpy as np
import pytest

from keras_albert.datasets import load_wordnet
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
