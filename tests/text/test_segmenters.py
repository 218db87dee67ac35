"""Whole-word masking over jieba's words (`pretrain --whole-word jieba`; the
command itself runs in test_wordpiece_vocab.py)."""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from keras_albert.text.masking import mask_tokens, tokenizer_masking_vocabulary
from keras_albert.text.pretraining_data import create_instances
from keras_albert.text.segmenters import load_segmenter, segmented_encoder
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer

VOCABULARY = (Path(__file__).parent.parent
              / "fixtures/hub/keras-albert-test/albert-chinese-classifier/vocab.txt")
TEXTS = ["无法打开文件，请检查权限设置。", "正在下载软件包列表", "删除用户配置文件失败",
         "Downloading 软件包 failed: 网络连接超时"]


@pytest.fixture(scope="module")
def tokenizer():
    return AlbertWordPieceTokenizer(VOCABULARY)


def test_pieces_of_a_jieba_word_are_one_word(tokenizer):
    segment = load_segmenter("jieba")
    plain = tokenizer.encoder()
    encode = segmented_encoder(plain, segment, tokenizer.word_starts())
    for text in TEXTS:
        pairs = encode(text)
        assert [piece for piece, _ in pairs] == plain(text)
        words = segment(text)
        assert sum(begins for _, begins in pairs) == sum(bool(plain(word)) for word in words)
    pairs = encode("正在下载软件包列表")  # 正在 / 下载 / 软件包 / 列表
    assert [begins for _, begins in pairs] == [1, 0, 1, 0, 1, 0, 0, 1, 0]


def test_masking_takes_whole_jieba_words(tokenizer):
    segment = load_segmenter("jieba")
    encode = segmented_encoder(tokenizer.encoder(), segment, tokenizer.word_starts())
    vocabulary = tokenizer_masking_vocabulary(tokenizer)
    instances = create_instances([TEXTS, TEXTS[::-1]], encode, 48, vocabulary.special,
                                 dupe_factor=2)
    assert "word_starts" in instances
    mask_one = tf.function(lambda ids, mask, seed, starts: mask_tokens(
        ids, mask, seed, vocabulary, max_predictions=10, token_word_starts=starts))
    whole = 0
    for row in range(len(instances["sop_labels"])):
        ids, mask, starts = (instances[k][row] for k in
                             ("token_ids", "padding_mask", "word_starts"))
        special = np.isin(ids, [vocabulary.special.cls, vocabulary.special.sep])
        candidate = (mask > 0) & ~special
        # A word begins where jieba's does, or after a special token (a pair
        # may be cut inside a word).
        begins = (starts > 0) | ~np.concatenate([[False], candidate[:-1]])
        word = np.cumsum(begins & candidate)
        for seed in range(8):
            _, positions, _, weights = mask_one(
                tf.constant(ids), tf.constant(mask), tf.constant([seed, row]),
                tf.constant(starts))
            chosen = set(np.asarray(positions)[np.asarray(weights) > 0].tolist())
            for position in chosen:  # every token of a masked word is masked
                same = [p for p in np.flatnonzero(word == word[position]) if candidate[p]]
                assert set(same) <= chosen or len(chosen) == 10
                whole += len(same) > 1
    assert whole > 0  # some masked words were longer than one character


def test_unknown_segmenter_is_one_line():
    with pytest.raises(ValueError, match="Unknown word segmenter.*'thulac'"):
        load_segmenter("thulac")
