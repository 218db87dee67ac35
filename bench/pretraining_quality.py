"""MLM loss and SOP accuracy on held-out documents: before and after pretraining.

Re-creates the held-out documents of a `keras-albert pretrain` run (the last
`--validation-fraction` of documents, never trained on), makes sentence-order
pairs from them (`--dupe-factor` splittings, so more pairs than the run's own
validation batches) with masks from a fixed seed, and evaluates the run's final
model and the same architecture at its initial weights (same seed) on them.

    python bench/python_docs_corpus.py --out python_docs.txt
    keras-albert vocab --input python_docs.txt --vocab-size 5000 --out vocab
    keras-albert pretrain --vocab vocab --input python_docs.txt --input-format plain \
        --out run --steps 6000 --checkpoint-every 500 --learning-rate 2e-3 \
        --dupe-factor 10 --validation-fraction 0.1
    python bench/pretraining_quality.py run --vocab vocab --input python_docs.txt \
        --input-format plain --validation-fraction 0.1
"""

import argparse
import json
import math
from pathlib import Path

import keras

from keras_albert import AlbertPretrainer
from keras_albert.text.corpus import read_documents
from keras_albert.text.masking import tokenizer_masking_vocabulary
from keras_albert.text.pretraining_data import create_instances, pretraining_dataset
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.training.pretraining_inputs import split_documents


def evaluate(model, dataset, steps):
    model.compile(jit_compile=True)
    metrics = model.evaluate(dataset, steps=steps, return_dict=True, verbose=0)
    return {"mlm_loss": round(metrics["mlm_logits_loss"], 4),
            "mlm_perplexity": round(math.exp(metrics["mlm_logits_loss"]), 1),
            "mlm_accuracy": round(metrics["mlm_logits_accuracy"], 4),
            "sop_accuracy": round(metrics["sop_logits_accuracy"], 4)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="output directory of keras-albert pretrain")
    parser.add_argument("--vocab", required=True)
    parser.add_argument("--input", nargs="+", required=True)
    parser.add_argument("--input-format", default="sentences")
    parser.add_argument("--validation-fraction", type=float, default=0.05)
    parser.add_argument("--dupe-factor", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--sequence-length", type=int, default=None,
                        help="the run's --sequence-length (default: the backbone's maximum)")
    parser.add_argument("--max-predictions", type=int, default=20,
                        help="the run's --max-predictions")
    parser.add_argument("--seed", type=int, default=0, help="the run's --seed")
    args = parser.parse_args()

    model = AlbertPretrainer.from_pretrained(Path(args.run) / "model")
    config = model.backbone.get_config()
    tokenizer = load_tokenizer(args.vocab)
    encode = tokenizer.encoder()
    documents, _ = read_documents(args.input, args.input_format)
    _, held_out = split_documents(documents, args.validation_fraction)
    length = args.sequence_length or config["max_sequence_length"]
    vocabulary = tokenizer_masking_vocabulary(tokenizer)
    instances = create_instances(held_out, encode, length, vocabulary.special,
                                 seed=12345, dupe_factor=args.dupe_factor)
    pairs = len(instances["sop_labels"])
    steps = pairs // args.batch_size
    dataset = pretraining_dataset(instances, args.batch_size, vocabulary, seed=12345, num_epochs=1, shuffle=False,
                                  max_predictions=args.max_predictions)
    after = evaluate(model, dataset, steps)
    keras.utils.set_random_seed(args.seed)  # the run's initial weights
    initial = AlbertPretrainer.from_preset("albert_tiny", backbone_overrides={
        key: value for key, value in config.items() if key not in ("name", "trainable")})
    before = evaluate(initial, dataset, steps)
    print(f"held-out: {len(held_out)} documents, {steps * args.batch_size} pairs "
          f"(label 1 share {instances['sop_labels'][:steps * args.batch_size].mean():.3f})")
    print(f"{'':8s} {'MLM loss':>9s} {'MLM acc':>8s} {'SOP acc':>8s}")
    for name, result in (("initial", before), ("trained", after)):
        print(f"{name:8s} {result['mlm_loss']:9.3f} {result['mlm_accuracy']:8.3f} "
              f"{result['sop_accuracy']:8.3f}")
    print(json.dumps({"held_out_documents": len(held_out),
                      "pairs": steps * args.batch_size, "initial": before,
                      "trained": after}))


if __name__ == "__main__":
    main()
