"""Fine-tune an ALBERT classifier on already-tokenized inputs, save it, load it back.

    python examples/classify_token_ids.py --preset albert_base_v2 --steps 20

The text pipeline (SentencePiece tokenizer and packer) turns raw strings into the
`token_ids / segment_ids / padding_mask` arrays built by hand here.
"""

import argparse

import keras
import numpy as np

import keras_albert

NUM_CLASSES = 3  # labels 0..2
SEQUENCE_LENGTH = 32  # packed length: [CLS] text [SEP] <pad>...
BATCH_SIZE = 8
LEARNING_RATE = 3e-4
EPOCHS = 3  # passes over the toy data


def toy_data(vocabulary_size, num_examples, seed=0):
    """Token ids whose label is which third of the vocabulary they come from."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, NUM_CLASSES, num_examples)
    third = (vocabulary_size - 5) // NUM_CLASSES
    token_ids = 5 + labels[:, None] * third + rng.integers(0, third,
                                                           (num_examples, SEQUENCE_LENGTH))
    token_ids[:, 0], token_ids[:, -1] = 2, 3  # [CLS] ... [SEP]
    x = {"token_ids": token_ids.astype("int32"),
         "segment_ids": np.zeros_like(token_ids, "int32"),
         "padding_mask": np.ones_like(token_ids, "int32")}
    return x, labels


def main(preset="albert_tiny", steps=100, out="classifier.keras"):
    backbone = keras_albert.AlbertBackbone.from_preset(preset)
    model = keras_albert.AlbertClassifier(
        backbone, num_classes=NUM_CLASSES, label_names=["low", "middle", "high"]
    )
    model.compile(optimizer=keras.optimizers.AdamW(LEARNING_RATE))  # XLA on
    x, y = toy_data(backbone.vocabulary_size, steps * BATCH_SIZE)
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=EPOCHS)
    x_test, y_test = toy_data(backbone.vocabulary_size, 64, seed=1)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    model.save(out)
    reloaded = keras.saving.load_model(out)
    print(f"held-out accuracy {accuracy:.3f}; reloaded predicts "
          f"{reloaded.predict(x_test, verbose=0).argmax(-1)[:8]}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="albert_tiny")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--out", default="classifier.keras")
    main(**vars(parser.parse_args()))
