"""An albert_base-shaped model with random weights, for benchmarks that need
albert_base's width without its download: transformers' `AlbertModel` at
albert_base's configuration (12 layers, hidden 768, embedding 128, 12 heads),
seeded, with a SentencePiece vocabulary trained here on a real data set (the
Debian manual-page set of `keras_albert.datasets.local_text`), saved as a
transformers checkpoint and converted with `keras-albert convert --from hf`.

    python bench/make_base_model.py --out base_model

Writes `OUT/hf` (the transformers checkpoint) and `OUT/model` (ours).
"""

import argparse
from pathlib import Path

from keras_albert.convert import convert
from keras_albert.datasets import local_text
from keras_albert.text import train_vocabulary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--vocab-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch
    from transformers import AlbertConfig, AlbertModel, AlbertTokenizer

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / "corpus.txt"
    corpus.write_text("".join(row["text"] + "\n" for row in local_text.man_page_names()),
                      encoding="utf-8")
    train_vocabulary(corpus, args.vocab_size, out / "vocab")
    torch.manual_seed(args.seed)
    config = AlbertConfig(vocab_size=args.vocab_size, embedding_size=128, hidden_size=768,
                          num_hidden_layers=12, num_attention_heads=12,
                          intermediate_size=3072, hidden_act="gelu_new",
                          max_position_embeddings=512)
    AlbertModel(config).eval().save_pretrained(out / "hf")
    AlbertTokenizer.from_pretrained(out / "vocab").save_pretrained(out / "hf")
    convert("hf", out / "hf", out / "model", overwrite=True)
    print(f"wrote {out / 'model'}")


if __name__ == "__main__":
    main()
