"""Sentence embeddings before and after `finetune --task similarity`, on the
embedded WordNet similarity pairs (`keras_albert.datasets.wordnet_similarity`:
glosses scored by the Wu-Palmer similarity of their synsets).

An albert_tiny pretrained briefly on WordNet glosses (`finetune_lr.py`'s
preparation on `lora_compare.py`'s WordNet rows: a SentencePiece vocabulary and
`keras-albert pretrain`), then the Spearman correlation between the cosine of
two glosses' vectors and their score, on the 1,000 test pairs (no test gloss
is in the pretraining corpus or the training pairs), for:

- the same architecture with random weights (the vocabulary's), untrained;
- the pretrained model's mean-pooled vectors, untrained;
- after `finetune --task similarity` on the scored training pairs (cosine
  regression), early stopping on the validation pairs;
- after `finetune --task similarity` on the training pairs scored at least
  `--positive` with the scores left out (in-batch negatives).

Prints a Markdown table.

    cd bench && python similarity_compare.py --out out/similarity
"""

import argparse
import json
import time
from pathlib import Path

from finetune_lr import prepare, write_jsonl
from lora_compare import wordnet_rows

from keras_albert import AlbertBackbone, AlbertTokenizer
from keras_albert.datasets.wordnet_similarity import load_wordnet_similarity
from keras_albert.finetune import finetune
from keras_albert.finetune.embedding import sentence_encoder
from keras_albert.finetune.similarity import SentenceSimilarity

SEQUENCE_LENGTH = 64  # the pretraining length; few glosses are longer


def spearman(model, test):
    """The eval metrics of `model` (a directory) on the test pairs, as
    `finetune` and `evaluate` compute them."""
    spec = SentenceSimilarity()
    rows, _ = spec.read(test)
    return spec.evaluate(sentence_encoder(model, SEQUENCE_LENGTH), rows, test, 64)


def fine_tuned(model, train, validation, out, args):
    started = time.perf_counter()
    summary = finetune("similarity", model, train, out, eval=validation,
                       epochs=args.epochs, learning_rate=args.learning_rate,
                       sequence_length=SEQUENCE_LENGTH, verbose=0,
                       log=lambda message: None)
    return out / "model", {"rate": summary["learning_rate"],
                           "epochs_run": summary["epochs_run"],
                           "seconds": time.perf_counter() - started}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--pretrain-steps", type=int, default=300)
    parser.add_argument("--vocab-size", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=8000,
                        help="WordNet glosses to pretrain on (and train the vocabulary)")
    parser.add_argument("--pairs", type=int, default=4000, help="training pairs")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--learning-rate", default="auto",
                        type=lambda text: text if text == "auto" else float(text))
    parser.add_argument("--positive", type=float, default=0.8,
                        help="in-batch negatives: the training pairs scored this or more")
    args = parser.parse_args()
    out = Path(args.out)
    directory, _, _, _ = prepare("WordNet glosses", wordnet_rows, out,
                                 args.pretrain_steps, args.vocab_size, limit=args.limit)
    pretrained = directory / "pretrain" / "model"
    train_pairs = load_wordnet_similarity("train", args.pairs)
    positive_pairs = [{"text_a": row["text_a"], "text_b": row["text_b"]}
                      for row in train_pairs if row["label"] >= args.positive]
    train = write_jsonl(out / "train.jsonl", train_pairs)
    positives = write_jsonl(out / "positives.jsonl", positive_pairs)
    validation = write_jsonl(out / "validation.jsonl", load_wordnet_similarity("validation"))
    test = write_jsonl(out / "test.jsonl", load_wordnet_similarity("test"))
    tokenizer = AlbertTokenizer.from_pretrained(directory / "vocab")
    random_model = out / "random"
    AlbertBackbone.from_preset("albert_tiny", vocabulary_size=tokenizer.vocabulary_size()
                               ).save_pretrained(random_model, tokenizer=tokenizer)

    runs = {"random weights, untrained": (random_model, None),
            "pretrained, untrained (mean pooling)": (pretrained, None)}
    for name, path, pairs in (("cosine regression", train, train_pairs),
                              ("in-batch negatives", positives, positive_pairs)):
        model, run = fine_tuned(pretrained, path, validation, out / path.stem, args)
        runs[f"pretrained + similarity, {name}"] = (model, {**run, "pairs": len(pairs)})
    results = {name: {**spearman(model, test), "run": run}
               for name, (model, run) in runs.items()}
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    print("\n| model | training pairs | rate | epochs run | seconds | Spearman | Pearson |")
    print("|---|---|---|---|---|---|---|")
    for name, row in results.items():
        run = row["run"]
        cells = ([f"{run['pairs']:,}", f"{run['rate']:.2g}", str(run["epochs_run"]),
                  f"{run['seconds']:.0f}"] if run else ["—"] * 4)
        print(f"| {name} | {' | '.join(cells)} | {row['spearman']:.3f} | "
              f"{row['pearson']:.3f} |")

if __name__ == "__main__":
    main()
