"""Pretrain a small ALBERT on your own text: a SentencePiece vocabulary, then
masked-LM + sentence-order pretraining, resumable from its checkpoints.

    python examples/pretrain_own_text.py --input my_corpus.txt --out my_albert --steps 2000

The corpus is the original ALBERT format: one sentence a line, a blank line
between documents (`input_format="plain"` takes running paragraphs instead).
Without `--input` the embedded WordNet glosses are used. Kill it and run it
again: it resumes from the last checkpoint in `OUT/pretrain/checkpoints`.
`OUT/pretrain/model` is then a pretrained directory for `finetune_csv.py`.
"""

import argparse
from pathlib import Path

from keras_albert.datasets import write_wordnet_corpus
from keras_albert.text import train_vocabulary
from keras_albert.training.pretrain import run_pretraining


def main(input=None, out="my_albert", preset="albert_tiny", vocab_size=4000,
         steps=300, batch_size=64, sequence_length=64, learning_rate=2e-3):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if input is None:
        input = write_wordnet_corpus(out / "corpus.txt", limit=20000)
    # 1. The vocabulary: pad 0, unk 1, [CLS] [SEP] [MASK] as control symbols.
    train_vocabulary(input, vocab_size, out / "vocab")
    # 2. Pretraining with LAMB under XLA, a checkpoint about every tenth of
    #    the steps (a divisor of `steps`).
    every = next(d for d in range(max(steps // 10, 1), steps + 1) if steps % d == 0)
    history = run_pretraining(
        preset, out / "vocab", [input], out / "pretrain", steps=steps,
        batch_size=batch_size, sequence_length=sequence_length,
        max_predictions=max(sequence_length // 7, 1), learning_rate=learning_rate,
        checkpoint_every=every, verbose=2)
    losses = history.history["val_loss"]
    print(f"held-out loss {losses[0]:.3f} -> {losses[-1]:.3f}; "
          f"pretrained model in {out / 'pretrain' / 'model'}")
    return history.history


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="text file(s) (default: WordNet glosses)")
    parser.add_argument("--out", default="my_albert")
    parser.add_argument("--preset", default="albert_tiny")
    parser.add_argument("--vocab-size", type=int, default=4000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--sequence-length", type=int, default=64)
    main(**vars(parser.parse_args()))
