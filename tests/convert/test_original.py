"""Conversion of Google's original layout, against Google's own numbers.

The fixtures (`tools/make_original_fixtures.py`) are checkpoints written by
Google's `modeling.py` and pretraining heads, with the outputs of Google's graph.
"""

import tarfile

import numpy as np
import pytest
import tensorflow as tf

from keras_albert import AlbertBackbone, AlbertPretrainer
from keras_albert.cli import main
from keras_albert.convert import ConversionError, convert
from keras_albert.text import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer
from tests.convert.conversion_fixtures import (
    FIXTURES,
    check_pretraining_outputs,
    fixture_copy,
)

TOLERANCE = 1e-5  # max abs diff, float32 against Google's float32 graph
REFERENCES = {name: np.load(FIXTURES / name / "reference.npz")
              for name in ("original", "original_relu", "original_hub")}


@pytest.mark.parametrize("layout, vocabulary, groups", [
    ("original", "30k-clean.model", 2),  # Google's release directory, gelu
    ("original_relu", "30k-clean.model", 1),  # relu, 1 group x 1 inner group
    ("original_hub", "assets/30k-clean.model", 2),  # TF-Hub module: module/ prefix
])
def test_release_converts_exactly(tmp_path, layout, vocabulary, groups):
    source = fixture_copy(tmp_path, layout, vocabulary)
    out = tmp_path / "converted"
    convert("original", source, out)
    check_pretraining_outputs(AlbertPretrainer.from_pretrained(out), REFERENCES[layout],
                              TOLERANCE)
    assert (out / "spiece.model").read_bytes() == (FIXTURES / "spiece.model").read_bytes()
    assert AlbertBackbone.from_pretrained(out).num_hidden_groups == groups


def swapped_copy(tmp_path, first, second):
    """A copy of the `original` release whose checkpoint has every tensor named
    `...first` exchanged with its `...second`."""
    source = fixture_copy(tmp_path, "original", "30k-clean.model")
    prefix = str(source / "model.ckpt-3")
    reader = tf.train.load_checkpoint(prefix)
    tensors = {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}
    swapped = [name for name in tensors if name.endswith(first)]
    assert swapped
    for name in swapped:
        other = name.removesuffix(first) + second
        tensors[name], tensors[other] = tensors[other], tensors[name]
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=list(tensors),
                      shape_and_slices=[""] * len(tensors), tensors=list(tensors.values()))
    return source


@pytest.mark.parametrize("first, second", [
    ("attention_1/self/query/kernel", "attention_1/self/key/kernel"),
    ("LayerNorm/gamma", "LayerNorm/beta"),
    ("attention_1/output/dense/bias", "ffn_1/intermediate/output/dense/bias"),
])
def test_reference_sees_swapped_weights(tmp_path, first, second):
    """A converter that mixed up two weights of the same shape would be caught:
    with them exchanged in the checkpoint, the outputs leave Google's."""
    source = swapped_copy(tmp_path, first, second)
    convert("original", source, tmp_path / "converted")
    with pytest.raises(AssertionError, match="sequence_output"):
        check_pretraining_outputs(AlbertPretrainer.from_pretrained(tmp_path / "converted"),
                                  REFERENCES["original"], TOLERANCE)


def test_release_archive_is_extracted(tmp_path):
    source = fixture_copy(tmp_path, "original", "30k-clean.model")
    archive = tmp_path / "albert_tiny.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname="albert_tiny")
    convert("original", archive, tmp_path / "converted")
    check_pretraining_outputs(AlbertPretrainer.from_pretrained(tmp_path / "converted"),
                              REFERENCES["original"], TOLERANCE)


def test_archive_member_escaping_target_is_refused(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    (tmp_path / "payload").write_text("x")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "payload", arcname="../../escaped")
    with pytest.raises(ConversionError, match="Unsafe member"):
        convert("original", archive, tmp_path / "converted")
    assert not (tmp_path / "converted").exists()


def test_corrupt_checkpoint_is_named(tmp_path):
    source = fixture_copy(tmp_path, "original", None)
    data = source / "model.ckpt-3.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:1000])
    with pytest.raises(ConversionError, match="Cannot read checkpoint .*model.ckpt-3"):
        convert("original", source, tmp_path / "converted")
    assert not (tmp_path / "converted").exists()


def test_config_mismatch_names_variable_and_shapes(tmp_path):
    source = fixture_copy(tmp_path, "original", None)
    config = source / "albert_config.json"
    config.write_text(config.read_text().replace('"intermediate_size": 37',
                                                 '"intermediate_size": 40'))
    with pytest.raises(ConversionError, match=r"ffn_1/intermediate/dense/kernel: "
                       r"expected \(32, 40\), found \(32, 37\)"):
        convert("original", source, tmp_path / "converted")


def test_missing_config_is_named(tmp_path):
    source = fixture_copy(tmp_path, "original", None)
    (source / "albert_config.json").unlink()
    with pytest.raises(ConversionError, match="Missing albert_config.json"):
        convert("original", source, tmp_path / "converted")


def test_chinese_release_converts_exactly_with_its_wordpiece_vocabulary(tmp_path):
    """albert_*_zh: relu, BERT's vocab_chinese.txt (Google's id layout); the
    references are Google's graph's (tools/make_original_fixtures.py)."""
    source = fixture_copy(tmp_path, "original_zh", None)
    out = tmp_path / "converted"
    assert main(["convert", "--from", "original", str(source), "--out", str(out)]) == 0
    reference = np.load(FIXTURES / "original_zh" / "reference.npz")
    check_pretraining_outputs(AlbertPretrainer.from_pretrained(out), reference, TOLERANCE)
    tokenizer = load_tokenizer(out)
    assert isinstance(tokenizer, AlbertWordPieceTokenizer) and tokenizer.lowercase
    assert (out / "vocab.txt").read_bytes() == (source / "vocab_chinese.txt").read_bytes()
    assert tuple(tokenizer.special_tokens) == (0, 100, 101, 102, 103)
    preprocessor = AlbertPreprocessor.from_pretrained(out)
    ids = np.asarray(preprocessor("自上次成功登录以来")["token_ids"]).tolist()
    assert ids[0] == 101 and 102 in ids and 100 not in ids


def test_release_without_a_vocabulary_is_refused(tmp_path):
    source = fixture_copy(tmp_path, "original_zh", None)
    (source / "vocab_chinese.txt").unlink()
    with pytest.raises(ConversionError, match="No vocabulary in .*vocab_chinese.txt"):
        convert("original", source, tmp_path / "converted")
    assert not (tmp_path / "converted").exists()
