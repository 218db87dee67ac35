"""One fine-tuning epoch on raw WordNet glosses: ours, batches padded to the
packing length and grouped by length, vs keras-hub's `AlbertTextClassifier`.

All three take raw strings and tokenize in `tf.data` with the same
SentencePiece vocabulary, start from the same random backbone weights
(`albert_tiny` shape; a keras-hub backbone, converted for ours, `unrolled`),
train with Adam under XLA at the same batch size and packing length, one fresh
process each, in one run. Epochs are timed after a first epoch that compiles;
the table gives the median.

    python bench/finetune_epoch.py --examples 6000 --rounds 3
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEQUENCE_LENGTH, BATCH_SIZE, VOCABULARY_SIZE = 64, 32, 4000
RUNS = {"ours, padded": ("ours", False), "ours, grouped by length": ("ours", True),
        "keras-hub": ("keras_hub", False)}


def build(impl, vocab, num_classes):
    import keras
    import keras_hub

    from keras_albert import AlbertClassifier, AlbertTokenizer
    from keras_albert.convert import backbone_from_keras_hub
    from keras_albert.text import AlbertPreprocessor

    keras.utils.set_random_seed(0)
    hub_backbone = keras_hub.models.AlbertBackbone(
        vocabulary_size=VOCABULARY_SIZE, num_layers=4, num_heads=2, hidden_dim=64,
        embedding_dim=32, intermediate_dim=128, max_sequence_length=512)
    if impl == "keras_hub":
        tokenizer = keras_hub.models.AlbertTokenizer(proto=str(vocab / "spiece.model"))
        preprocessor = keras_hub.models.AlbertTextClassifierPreprocessor(
            tokenizer, sequence_length=SEQUENCE_LENGTH)
        model = keras_hub.models.AlbertTextClassifier(
            hub_backbone, num_classes, preprocessor=preprocessor, dropout=0.0)
    else:
        preprocessor = AlbertPreprocessor(AlbertTokenizer.from_pretrained(vocab),
                                          SEQUENCE_LENGTH)
        model = AlbertClassifier(backbone_from_keras_hub(hub_backbone, execution="unrolled"),
                                 num_classes, preprocessor=preprocessor, dropout=0.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=True)
    return model


def measure(name, vocab, examples, rounds):
    """Runs in a child process: the first (compiling) epoch and the median of
    `rounds` more, in seconds."""
    import numpy as np

    from keras_albert.datasets import load_wordnet

    impl, grouped = RUNS[name]
    rows = load_wordnet("train", examples)
    texts = np.array([row["text"] for row in rows])
    names = sorted({row["label"] for row in rows})
    labels = np.array([names.index(row["label"]) for row in rows])
    model = build(impl, Path(vocab), len(names))
    kwargs = {"group_by_length": True} if grouped else {}
    seconds = []
    for _ in range(rounds + 1):
        started = time.perf_counter()
        model.fit(texts, labels, batch_size=BATCH_SIZE, epochs=1, verbose=0, **kwargs)
        seconds.append(time.perf_counter() - started)
    return {"name": name, "first_epoch_s": round(seconds[0], 2),
            "epoch_s": round(statistics.median(seconds[1:]), 3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=6000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], args.child[1], args.examples, args.rounds)))
        return

    from keras_albert.datasets import write_wordnet_corpus
    from keras_albert.text import train_vocabulary

    results = {}
    with tempfile.TemporaryDirectory() as directory:
        corpus = write_wordnet_corpus(Path(directory) / "corpus.txt", limit=30000)
        vocab = Path(directory) / "vocab"
        train_vocabulary(corpus, VOCABULARY_SIZE, vocab)
        # One process each: keras-hub's and our tokenizers in one process made
        # tf.data lose a SentencePiece resource under XLA in a trial.
        for name in RUNS:
            output = subprocess.run(
                [sys.executable, __file__, "--child", name, str(vocab),
                 "--examples", str(args.examples), "--rounds", str(args.rounds)],
                capture_output=True, text=True, check=True).stdout
            results[name] = json.loads(output.strip().splitlines()[-1])
            print(json.dumps(results[name]), flush=True)

    print(f"\n{args.examples} WordNet train glosses, batch {BATCH_SIZE}, packing length "
          f"{SEQUENCE_LENGTH}, albert_tiny, XLA; median of {args.rounds} epochs after "
          "the first")
    print(f"{'':26s} {'first epoch s':>13s} {'epoch s':>8s} {'glosses/s':>10s} "
          f"{'vs keras-hub':>13s}")
    hub = results["keras-hub"]["epoch_s"]
    for name, result in results.items():
        print(f"{name:26s} {result['first_epoch_s']:13.1f} {result['epoch_s']:8.2f} "
              f"{args.examples / result['epoch_s']:10.0f} {hub / result['epoch_s']:12.2f}x")


if __name__ == "__main__":
    main()
