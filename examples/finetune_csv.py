"""Fine-tune an ALBERT classifier on a CSV file of texts and labels, the Keras way:
raw strings straight into `fit`, `evaluate` and `predict`.

    python examples/finetune_csv.py --model my_albert/pretrain/model \
        --train train.csv --eval eval.csv --text-column text --label-column label

`--model` is a pretrained directory (`pretrain_own_text.py`, `keras-albert
pretrain` or `keras-albert convert`). Without `--train` the example writes CSV
files from the embedded WordNet task (gloss -> lexicographer file); without
`--model` it trains a vocabulary on the training text and starts from a random
`albert_tiny` (much weaker than a pretrained start). The one-call equivalent is
`keras-albert finetune --task classify ...`.
"""

import argparse
import csv
from pathlib import Path

import keras
import numpy as np

from keras_albert import AlbertClassifier, AlbertTokenizer
from keras_albert.datasets import load_wordnet
from keras_albert.text import AlbertPreprocessor, train_vocabulary


def read_csv(path, text_column, label_column):
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return (np.array([row[text_column] for row in rows]),
            np.array([row[label_column] for row in rows]))


def write_wordnet_csv(directory, limit):
    """train.csv / test.csv from the embedded WordNet task."""
    paths = []
    for split in ("train", "test"):
        path = Path(directory) / f"{split}.csv"
        with open(path, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, ["text", "label"], extrasaction="ignore")
            writer.writeheader()
            writer.writerows(load_wordnet(split, limit=limit))
        paths.append(path)
    return paths


def main(model=None, train=None, eval=None, out="classifier", text_column="text",
         label_column="label", sequence_length=64, batch_size=32, epochs=3,
         learning_rate=5e-4, limit=2000, vocab_size=1000):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if train is None:
        train, eval = write_wordnet_csv(out, limit)
    texts, labels = read_csv(train, text_column, label_column)
    label_names = sorted(set(labels))
    if model is None:
        train_vocabulary(write_lines(out / "text.txt", texts), vocab_size, out / "vocab")
        tokenizer = AlbertTokenizer.from_pretrained(out / "vocab")
        backbone_overrides = {"vocabulary_size": tokenizer.vocabulary_size()}
        classifier = AlbertClassifier.from_preset
        source = "albert_tiny"
    else:
        tokenizer = AlbertTokenizer.from_pretrained(model)
        backbone_overrides = None
        classifier = AlbertClassifier.from_pretrained
        source = model
    # The preprocessor (tokenize, truncate, pack, pad) runs in a tf.data map, so
    # the model itself compiles once with XLA on fixed shapes.
    model = classifier(source, backbone_overrides=backbone_overrides,
                       num_classes=len(label_names), label_names=label_names,
                       preprocessor=AlbertPreprocessor(tokenizer, sequence_length))
    model.compile(optimizer=keras.optimizers.AdamW(learning_rate))
    validation = read_csv(eval, text_column, label_column) if eval else None
    model.fit(texts, labels, batch_size=batch_size, epochs=epochs,
              validation_data=validation, verbose=2)
    model.save_pretrained(out / "model", tokenizer=tokenizer)
    metrics = {}
    if validation is not None:
        metrics = model.evaluate(*validation, verbose=0, return_dict=True)
        print(f"eval accuracy {metrics['accuracy']:.3f} "
              f"(majority class {np.mean(validation[1] == _majority(labels)):.3f})")
    for text, prediction in zip(texts[:3], model.predict_labels(texts[:3], verbose=0),
                                strict=True):
        print(f"{prediction['label']}\t{prediction['probability']:.2f}\t{text[:60]}")
    return metrics


def _majority(labels):
    values, counts = np.unique(labels, return_counts=True)
    return values[counts.argmax()]


def write_lines(path, texts):
    Path(path).write_text("\n".join(texts) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="pretrained directory (default: random albert_tiny)")
    parser.add_argument("--train", help="CSV file (default: WordNet glosses)")
    parser.add_argument("--eval", help="CSV file to evaluate on")
    parser.add_argument("--out", default="classifier")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--sequence-length", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=2000, help="WordNet rows per split")
    main(**vars(parser.parse_args()))
