"""The tokenizer interface: what the pipeline reads of any tokenizer, and a
second tokenizer type that needs no change to the pipeline."""

import json

import keras_hub
import pytest

from keras_albert.text import AlbertPreprocessor, AlbertTokenizer
from keras_albert.text import tokenizers as registry
from keras_albert.text.batch_encode import encode_texts
from keras_albert.text.masking import tokenizer_masking_vocabulary
from keras_albert.text.tokenizer_base import AlbertTokenizerBase
from keras_albert.text.tokenizers import load_tokenizer
from tests.text.conftest import MIXED

# BERT's layout, as in the Chinese ALBERTs' vocab_chinese.txt: [PAD] 0, the
# other special tokens from 100.
WORDPIECE = ["[PAD]", *[f"[unused{i}]" for i in range(1, 100)], "[UNK]", "[CLS]", "[SEP]",
             "[MASK]", "hello", "world", "##s", "un", "##happy", "the"]


class WordPieceForTests(AlbertTokenizerBase, keras_hub.tokenizers.WordPieceTokenizer):
    """A second tokenizer type, written only against the interface."""

    tokenizer_type, vocabulary_file = "wordpiece-for-tests", "vocab.txt"

    def __init__(self, vocabulary, **kwargs):
        super().__init__(vocabulary=vocabulary, lowercase=True, **kwargs)
        ids = self.special_tokens
        self.pad_token_id, self.unk_token_id = ids.pad, ids.unk
        self.cls_token_id, self.sep_token_id = ids.cls, ids.sep
        self.mask_token_id = ids.mask

    def is_word_start(self, piece):
        return not piece.startswith("##")

    def vocabulary_bytes(self):
        return "\n".join(self.get_vocabulary()).encode()

    def settings(self):
        return {}

    @classmethod
    def read_directory(cls, directory):
        return {"vocabulary": (directory / cls.vocabulary_file).read_text().splitlines()}


def test_albert_tokenizer_reads_its_special_ids_and_word_starts(model_file):
    tokenizer = AlbertTokenizer(model_file)
    assert tokenizer.special_tokens == (0, 1, 2, 3, 4)
    assert tokenizer.special_tokens == (
        tokenizer.pad_token_id, tokenizer.unk_token_id, tokenizer.cls_token_id,
        tokenizer.sep_token_id, tokenizer.mask_token_id)
    pieces = tokenizer.get_vocabulary()
    starts = tokenizer.word_starts()
    assert starts.shape == (len(pieces),)
    assert all(starts[i] == pieces[i].startswith("\u2581") for i in range(len(pieces)))
    assert 0 < starts.sum() < len(pieces)


def test_the_python_encoder_gives_the_graph_ids(model_file):
    tokenizer = AlbertTokenizer(model_file)
    encode = tokenizer.encoder()
    graph = encode_texts(tokenizer, MIXED)
    assert [encode(text) for text in MIXED] == graph
    assert tokenizer.batch_encoder()(MIXED) == graph


def test_a_saved_tokenizer_loads_as_its_type(model_file, tmp_path):
    tokenizer = AlbertTokenizer(model_file, lowercase=False, keep_accents=True)
    tokenizer.save_to_directory(tmp_path)
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert config == {"tokenizer_type": "sentencepiece", "lowercase": False,
                      "keep_accents": True}
    loaded = load_tokenizer(tmp_path)
    assert type(loaded) is AlbertTokenizer
    assert (loaded.lowercase, loaded.keep_accents) == (False, True)
    assert loaded(MIXED[1]).numpy().tolist() == tokenizer(MIXED[1]).numpy().tolist()


def test_unknown_or_missing_tokenizers_are_one_line_errors(tmp_path):
    with pytest.raises(ValueError, match=r"No tokenizer in .*spiece\.model"):
        load_tokenizer(tmp_path)
    (tmp_path / "tokenizer_config.json").write_text('{"tokenizer_type": "bpe"}')
    with pytest.raises(ValueError, match="tokenizer_type='bpe'"):
        load_tokenizer(tmp_path)


def test_a_second_tokenizer_type_needs_no_pipeline_change(tmp_path, monkeypatch):
    monkeypatch.setitem(registry.TOKENIZERS, WordPieceForTests.tokenizer_type,
                        WordPieceForTests)
    WordPieceForTests(WORDPIECE).save_to_directory(tmp_path)
    tokenizer = load_tokenizer(tmp_path)
    assert type(tokenizer) is WordPieceForTests
    assert tokenizer.special_tokens == (0, 100, 101, 102, 103)

    packed = AlbertPreprocessor.from_pretrained(tmp_path, sequence_length=8)(
        ("Hello worlds", "unhappy"))
    assert packed["token_ids"].numpy().tolist() == [101, 104, 105, 106, 102, 107, 108, 102]
    short = AlbertPreprocessor(tokenizer, sequence_length=6)("the")
    assert short["token_ids"].numpy().tolist() == [101, 109, 102, 0, 0, 0]
    assert short["padding_mask"].numpy().tolist() == [1, 1, 1, 0, 0, 0]

    vocabulary = tokenizer_masking_vocabulary(tokenizer)
    assert vocabulary.special == (0, 100, 101, 102, 103)
    starts = vocabulary.word_starts.numpy()
    assert starts[WORDPIECE.index("hello")] and not starts[WORDPIECE.index("##s")]
    assert tokenizer.encoder()("unhappy the") == [107, 108, 109]


def test_a_tokenizer_without_an_onnx_form_says_so():
    from keras_albert.text.onnx_graph import OnnxTokenizerGraph
    from keras_albert.text.tokenizer_base import AlbertTokenizerBase

    with pytest.raises(ValueError, match="AlbertTokenizerBase has no ONNX form"):
        AlbertTokenizerBase().onnx_tokenizer(OnnxTokenizerGraph("t/"), "text")
