"""`finetune --lora-rank` through the command line: both forms written, and
the refusals (`keras_albert.models.lora` itself: tests/models/test_lora.py)."""

import json

import numpy as np

from keras_albert.cli import main
from tests.finetune.conftest import TINY


def _lora_base(tmp_path, vocab):
    """A saved albert_tiny backbone with the WordNet vocabulary: the base that
    LoRA adapts (its weights are random, but they are saved)."""
    from keras_albert import AlbertBackbone, AlbertTokenizer

    tokenizer = AlbertTokenizer.from_pretrained(vocab)
    base = tmp_path / "base"
    AlbertBackbone.from_preset("albert_tiny", vocabulary_size=tokenizer.vocabulary_size()
                               ).save_pretrained(base, tokenizer=tokenizer)
    return base


def test_lora_trains_the_adapters_and_writes_both_forms(tmp_path, capsys, wordnet_vocab,
                                                        wordnet_files):
    """`--lora-rank` on a saved base model: `model/` is a plain model (the
    kernels merged); `adapter/` holds the trained weights alone and rebuilds
    the same model on the base."""
    from keras_albert.models.lora import load_adapter
    from keras_albert.models.pretrained import load_pretrained

    base = _lora_base(tmp_path, wordnet_vocab)
    train = wordnet_files / "train.jsonl"
    assert main(["finetune", "--task", "classify", "--model", str(base), "--train",
                 str(train), "--out", str(tmp_path / "run"), *TINY[2:], "--no-xla",
                 "--lora-rank", "4", "--lora-targets", "query", "value", "ffn"]) == 0
    lora = json.loads((tmp_path / "run/metrics.json").read_text())["lora"]
    assert lora["rank"] == 4 and lora["targets"] == ["query", "value", "ffn"]
    assert lora["trainable_parameters"] < lora["parameters"] / 10
    config = json.loads((tmp_path / "run/adapter/adapter_config.json").read_text())
    assert config["base"] == str(base)
    assert config["trainable_parameters"] == lora["trainable_parameters"]
    merged = load_pretrained(tmp_path / "run/model")
    assert not any("lora" in variable.path for variable in merged.variables)
    x = {name: value[:4] for name, value in merged.preprocessor(
        np.array([json.loads(line)["text"] for line in train.read_text().splitlines()])
    ).items()}
    np.testing.assert_allclose(load_adapter(tmp_path / "run/adapter").predict_on_batch(x),
                               merged.predict_on_batch(x), atol=1e-5)

def test_a_lora_rank_beyond_the_layer_is_one_line(tmp_path, capsys, wordnet_vocab,
                                                  wordnet_files):
    assert main(["finetune", "--task", "classify", "--model",
                 str(_lora_base(tmp_path, wordnet_vocab)),
                 "--train", str(wordnet_files / "train.jsonl"), "--out",
                 str(tmp_path / "run"), *TINY[2:], "--lora-rank", "500"]) != 0
    error = capsys.readouterr().err.strip().splitlines()
    assert error[-1] == ("keras-albert: error: LoRA rank 500 is larger than the query "
                         "layer (64 x 64): use at most 64.")
    assert not (tmp_path / "run" / "model").exists()


def test_lora_on_random_weights_is_refused(tmp_path, capsys, wordnet_vocab, wordnet_files):
    """A preset with --vocab starts from random weights: LoRA would freeze them."""
    assert main(["finetune", "--task", "classify", "--vocab", str(wordnet_vocab),
                 "--train", str(wordnet_files / "train.jsonl"), "--out",
                 str(tmp_path / "run"), *TINY, "--lora-rank", "4"]) != 0
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("keras-albert: error: --lora-rank trains adapters beside a "
                            "pretrained model's frozen weights, but 'albert_tiny'")
    assert not (tmp_path / "run").exists()
