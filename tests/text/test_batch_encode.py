"""`encode_texts`: one tokenizer call for many strings, the same ids as one
call per string."""

from keras_albert.text import AlbertTokenizer
from keras_albert.text.batch_encode import encode_texts
from tests.text.conftest import MIXED


def test_batch_gives_each_texts_own_ids(vocab_dir):
    tokenizer = AlbertTokenizer.from_pretrained(vocab_dir)
    texts = [*MIXED, "", "word"]
    ids = encode_texts(tokenizer, texts)
    assert len(ids) == len(texts) and ids[len(MIXED)] == []
    for text, row in zip(texts, ids, strict=True):
        assert row == list(tokenizer(text))
    assert encode_texts(tokenizer, []) == []
