import re

import keras
import pytest
import sentencepiece as spm
import tensorflow as tf

from keras_albert.text import AlbertTokenizer, normalize_text
from tests.helpers import check_config_round_trip
from tests.text.conftest import MIXED

FLAGS = [(True, False), (False, True)]


def reference_ids(model_file, strings, lowercase=True, keep_accents=False):
    """The original Python pipeline: `preprocess_text`, then SentencePiece."""
    processor = spm.SentencePieceProcessor(model_file=model_file)
    return [processor.encode(normalize_text(s, lowercase, keep_accents))
            for s in strings]


@pytest.mark.parametrize("lowercase, keep_accents", FLAGS)
def test_ids_equal_the_python_pipeline(model_file, lowercase, keep_accents):
    tokenizer = AlbertTokenizer(model_file, lowercase=lowercase,
                                keep_accents=keep_accents)
    expected = reference_ids(model_file, MIXED, lowercase, keep_accents)
    assert tokenizer(MIXED) == expected
    dataset = tf.data.Dataset.from_tensor_slices(MIXED).batch(4).map(tokenizer)
    assert [ids for batch in dataset for ids in batch.to_list()] == expected
    assert tf.function(tokenizer)(tf.constant(MIXED)).to_list() == expected


def test_dense_output_is_padded(model_file):
    tokenizer = AlbertTokenizer(model_file, sequence_length=6)
    ids = tokenizer(["a", "The Quick Brown Fox jumps over the lazy dog."])
    assert ids.shape == (2, 6)
    assert ids[0, -1] == tokenizer.pad_token_id == 0


def test_detokenize_gives_the_normalized_text(model_file):
    tokenizer = AlbertTokenizer(model_file)
    sentences = ["the quick brown fox jumps over the lazy dog.",
                 "  return a list of   (key, value) pairs  "]
    expected = [normalize_text(s) for s in sentences]
    assert tokenizer.detokenize(tokenizer(sentences)) == expected
    assert tokenizer.detokenize(tokenizer(sentences[0])) == sentences[0]


def test_special_token_ids(model_file):
    tokenizer = AlbertTokenizer(model_file)
    ids = [tokenizer.pad_token_id, tokenizer.unk_token_id, tokenizer.cls_token_id,
           tokenizer.sep_token_id, tokenizer.mask_token_id]
    assert ids == [0, 1, 2, 3, 4]
    # Control symbols are never produced from text.
    assert not {2, 3, 4} & set(tokenizer("[CLS] x [SEP] [MASK]").numpy().tolist())


def test_keras_round_trip_keeps_proto_and_flags(model_file, tmp_path):
    tokenizer = AlbertTokenizer(model_file, lowercase=False, keep_accents=True,
                                sequence_length=12)
    check_config_round_trip(tokenizer)  # the proto travels as an asset, not config
    inputs = keras.Input(shape=(), dtype="string")
    model = keras.Model(inputs, tokenizer(inputs))
    model.save(tmp_path / "tokenizer.keras")
    loaded = keras.saving.load_model(tmp_path / "tokenizer.keras", safe_mode=True)
    clone = loaded.layers[-1]
    assert (clone.lowercase, clone.keep_accents) == (False, True)
    assert clone.proto == tokenizer.proto
    strings = tf.constant(MIXED[:3])
    assert loaded(strings).numpy().tolist() == model(strings).numpy().tolist()


def test_bad_arguments(model_file, tmp_path):
    with pytest.raises(ValueError, match="Received: lowercase=3"):
        AlbertTokenizer(model_file, lowercase=3)
    with pytest.raises(ValueError, match="Received: sequence_length=0"):
        AlbertTokenizer(model_file, sequence_length=0)
    plain = tmp_path / "plain.model"
    with open(plain, "wb") as file:  # SentencePiece's defaults: no <pad>, no [CLS]
        spm.SentencePieceTrainer.train(sentence_iterator=iter(["ab ba abc"] * 9),
                                       model_writer=file, vocab_size=8, minloglevel=2)
    with pytest.raises(ValueError, match=re.escape(f"'{plain}' has no '<pad>' piece")):
        AlbertTokenizer(str(plain))


@pytest.mark.parametrize("lowercase, keep_accents", FLAGS)
def test_same_ids_as_transformers(vocab_dir, model_file, lowercase, keep_accents):
    import transformers
    sentences = [
        "The Quick Brown Fox jumps over the lazy dog.",
        "Crème brûlée, jalapeño & Ångström: naïve CAFÉ Señor!",
        "``Quoted'' text -- (with) [brackets], 3.14 and 1,000 dollars; e-mail@x.org?",
        "  Tabs\tand\nnewlines   everywhere  ",
    ]
    theirs = transformers.AlbertTokenizer.from_pretrained(
        str(vocab_dir), do_lower_case=lowercase, keep_accents=keep_accents)
    ours = AlbertTokenizer(model_file, lowercase=lowercase,
                           keep_accents=keep_accents)
    expected = theirs(sentences, add_special_tokens=False)["input_ids"]
    assert ours(sentences) == expected
    # Known difference: Python's `str.split()` (so ALBERT) splits on U+001C..U+001F,
    # transformers deletes them and joins the words.
    joined, spaced, separated = ["filegroup", "file group", "file\x1cgroup"]
    assert ours([separated])[0] == ours([spaced])[0] != ours([joined])[0]
    their_ids = theirs([joined, separated], add_special_tokens=False)["input_ids"]
    assert their_ids[0] == their_ids[1]
