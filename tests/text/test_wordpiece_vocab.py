"""`keras-albert vocab --type wordpiece` on real Chinese text (Debian's
catalogues), and pretraining with the vocabulary it writes."""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from keras_albert import AlbertPretrainer
from keras_albert.cli import main
from keras_albert.text import AlbertWordPieceTokenizer, train_wordpiece_vocabulary
from keras_albert.text.masking import tokenizer_masking_vocabulary
from keras_albert.text.tokenizers import load_tokenizer

LINES = Path(__file__).parent.parent / "fixtures/chinese/debian_zh_lines.jsonl.gz"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    with gzip.open(LINES, "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f][:3000]
    path = tmp_path_factory.mktemp("zh") / "corpus.txt"
    path.write_text("".join(line.replace("\n", " ") + "\n" for line in lines), "utf-8")
    return path, lines


@pytest.fixture(scope="module")
def vocab_dir(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("zh_vocab") / "vocab"
    assert main(["vocab", "--type", "wordpiece", "--input", str(corpus[0]),
                 "--vocab-size", "3000", "--out", str(out)]) == 0
    return out


def test_every_character_of_the_corpus_has_a_token(vocab_dir, corpus):
    tokenizer = load_tokenizer(vocab_dir)
    assert isinstance(tokenizer, AlbertWordPieceTokenizer)
    assert tokenizer.vocabulary_size() <= 3000
    assert tokenizer.get_vocabulary()[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    ids = tf.function(tokenizer)(tf.constant(corpus[1])).flat_values.numpy()
    assert not (ids == tokenizer.unk_token_id).any()


def test_cjk_characters_are_words_for_masking(vocab_dir):
    tokenizer = load_tokenizer(vocab_dir)
    vocabulary = tokenizer_masking_vocabulary(tokenizer)
    starts = vocabulary.word_starts.numpy()
    ids = np.asarray(tokenizer("自上次成功登录")).tolist()
    assert len(ids) == 7 and starts[ids].all()  # one word a character


def test_bad_input_is_one_line(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    with pytest.raises(ValueError, match="empty or only whitespace"):
        train_wordpiece_vocabulary(empty, 100, tmp_path / "v")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"not valid UTF-8: byte offset 3 \(line 1\)"):
        train_wordpiece_vocabulary(latin1, 100, tmp_path / "v")
    with pytest.raises(ValueError, match=r"must include \[MASK\]"):
        train_wordpiece_vocabulary(latin1, 100, tmp_path / "v",
                                   reserved_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    assert not (tmp_path / "v").exists()


def test_pretraining_with_a_wordpiece_vocabulary_and_jieba_words(vocab_dir, corpus,
                                                                 tmp_path):
    out = tmp_path / "pretrained"
    text = tmp_path / "corpus.txt"  # 400 lines: data preparation encodes word by word
    text.write_text("".join(line.replace("\n", " ") + "\n" for line in corpus[1][:400]),
                    "utf-8")
    assert main(["pretrain", "--preset", "albert_tiny", "--vocab", str(vocab_dir),
                 "--input", str(text), "--input-format", "plain", "--out", str(out),
                 "--steps", "4", "--checkpoint-every", "2", "--batch-size", "4", "--sequence-length", "32",
                 "--max-predictions", "5", "--whole-word", "jieba", "--no-xla"]) == 0
    tokenizer = load_tokenizer(out / "model")
    assert isinstance(tokenizer, AlbertWordPieceTokenizer)
    model = AlbertPretrainer.from_pretrained(out / "model")
    assert model.backbone.vocabulary_size == tokenizer.vocabulary_size()
