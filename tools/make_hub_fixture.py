"""Make the Hub fixture with transformers itself: a repository as
`save_pretrained` writes it, and transformers' logits on raw text.

The tests serve it from a local Hub (`tests/hub_server.py`) and check that
`AlbertClassifier.from_pretrained("hf://org/name")` and its exports give these
logits. Regenerate (needs torch and transformers besides the package):

    pip install torch==2.13.0 "transformers>=5,<6"
    python tools/make_hub_fixture.py --out tests/fixtures/hub

Layout written under --out:

    keras-albert-test/albert-classifier/   AlbertForSequenceClassification (2
        hidden groups x 2 inner layers, E != H, random weights) and its
        AlbertTokenizer: config.json, model.safetensors, tokenizer.json,
        tokenizer_config.json, and spiece.model as the Hub's ALBERTs have it
    reference.json   texts, and transformers' logits on each (tokenized by
        transformers' AlbertTokenizer, padded to the longest)
"""

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

REPO = "keras-albert-test/albert-classifier"
SEED = 4321
VOCABULARY = Path(__file__).parent.parent / "tests/fixtures/conversion/spiece.model"
TEXTS = [
    "Hello World! This is ALBERT.",
    "Crème brûlée, naïve café and Ångström units.",
    "A small furry animal that lives in the woods.",
    "Numbers like 3.14 and 42 -- and dashes.",
    "",
]
CONFIG = dict(vocab_size=160, embedding_size=16, hidden_size=32, num_hidden_layers=4,
              num_attention_heads=4, intermediate_size=40, num_hidden_groups=2,
              inner_group_num=2, hidden_act="gelu_new", max_position_embeddings=64,
              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
              id2label={0: "negative", 1: "positive"})


def main():
    import torch
    import transformers as hf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    out = Path(parser.parse_args().out)
    torch.manual_seed(SEED)
    model = hf.AlbertForSequenceClassification(hf.AlbertConfig(**CONFIG)).eval()
    with torch.no_grad():  # no zero bias or unit gamma may hide a mapping error
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.1)
    with tempfile.TemporaryDirectory() as vocabulary:
        shutil.copy(VOCABULARY, vocabulary)
        tokenizer = hf.AlbertTokenizer.from_pretrained(vocabulary)
    repository = out / REPO
    if repository.exists():
        shutil.rmtree(repository)
    model.save_pretrained(repository)
    tokenizer.save_pretrained(repository)
    # transformers 5 writes tokenizer.json only; ALBERT repositories on the Hub
    # carry the SentencePiece model as well, which is what we convert.
    shutil.copy(VOCABULARY, repository / "spiece.model")
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits.numpy()
    reference = {"repo": REPO, "texts": TEXTS, "logits": logits.tolist(),
                 "transformers": hf.__version__, "torch": torch.__version__}
    (out / "reference.json").write_text(json.dumps(reference, indent=1,
                                                   ensure_ascii=False))
    print(f"Wrote {repository} and {out / 'reference.json'}")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
