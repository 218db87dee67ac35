"""Fine-tune a pretrained ALBERT by name, checked against transformers first.

    python examples/convert_hf_and_finetune.py --model albert/albert-base-v2 \
        --train train.csv --eval eval.csv --out albert-base-v2-classifier

`--model` is any name `from_pretrained` takes: a Hugging Face repository
(`albert/albert-base-v2`, `hf://org/name@revision`), transformers' short names
(`albert-base-v2`), a keras-hub preset (`albert_base_en_uncased`), Google's
release archive by URL, or a directory. The first run downloads and converts
it once into the cache (`keras-albert cache list`); later runs, also with
`HF_HUB_OFFLINE=1`, load it from there. `--train` / `--eval` are CSV, TSV or
JSONL files with `text` and `label` columns; without them the example writes
JSONL files from the embedded WordNet task.
"""

import argparse
from pathlib import Path

import numpy as np

from keras_albert import AlbertBackbone
from keras_albert.datasets import wordnet_label_names, write_wordnet
from keras_albert.finetune import finetune
from keras_albert.hub import parse_name
from keras_albert.text import AlbertPreprocessor, AlbertTokenizer

SENTENCE = "The quick brown fox jumps over the lazy dog."


def compare_with_transformers(model):
    """Max abs difference of the sequence output from transformers' `AlbertModel`
    on one sentence, or None when transformers (with torch) is not installed or
    the name is not a transformers checkpoint."""
    try:
        import torch
        import transformers
    except ImportError:
        return None
    source = parse_name(model)
    if source.kind not in ("hf", "directory"):
        return None
    tokenizer = AlbertTokenizer.from_pretrained(model)
    inputs = AlbertPreprocessor(tokenizer, sequence_length=16)([SENTENCE])
    inputs = {name: np.asarray(value) for name, value in inputs.items()}
    ours = AlbertBackbone.from_pretrained(model)(inputs)["sequence_output"]
    reference = transformers.AlbertModel.from_pretrained(
        source.name, revision=source.revision).eval()
    with torch.no_grad():
        theirs = reference(input_ids=torch.tensor(inputs["token_ids"]),
                           token_type_ids=torch.tensor(inputs["segment_ids"]),
                           attention_mask=torch.tensor(inputs["padding_mask"]))
    return float(np.abs(np.asarray(ours) - theirs.last_hidden_state.numpy()).max())


def main(model="albert/albert-base-v2", train=None, eval=None, out="albert-classifier",
         sequence_length=128, batch_size=32, epochs=3, learning_rate=3e-5, limit=2000):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # 1. The same numbers as transformers (the first call downloads and converts).
    difference = compare_with_transformers(model)
    if difference is not None:
        print(f"max |ours - transformers| on one sentence: {difference:.2e}")
    # 2. Fine-tune (XLA, warm-up + linear decay, best epoch kept); labels are
    #    read from the file and saved with the model.
    label_names = None  # the labels found in `train`
    if train is None:
        train, eval = write_wordnet(out / "data", ("train", "validation"), limit)
        label_names = wordnet_label_names()  # all 45, also those a slice lacks
    summary = finetune("classify", model, train, out / "finetuned", eval=eval,
                       label_names=label_names,
                       sequence_length=sequence_length, batch_size=batch_size,
                       epochs=epochs, learning_rate=learning_rate, verbose=2)
    print(f"eval {summary['eval_metrics']}; majority class "
          f"{summary['majority_baseline']}; model in {out / 'finetuned' / 'model'}")
    return {**summary, "max_abs_difference": difference}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="albert/albert-base-v2",
                        help="a pretrained ALBERT's name or directory")
    parser.add_argument("--train", help="CSV/TSV/JSONL with text and label (default: WordNet)")
    parser.add_argument("--eval", help="file to evaluate on")
    parser.add_argument("--out", default="albert-classifier")
    parser.add_argument("--sequence-length", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    main(**vars(parser.parse_args()))
