import tarfile

import numpy as np
import pytest

from keras_albert import AlbertBackbone, AlbertPretrainer
from keras_albert.convert import ConversionError, convert
from tests.convert.conversion_fixtures import (
    FIXTURES,
    check_pretraining_outputs,
    fixture_copy,
)

REFERENCE = np.load(FIXTURES / "original" / "reference.npz")


@pytest.mark.parametrize("layout, vocabulary", [
    ("original", "30k-clean.model"),  # Google's release directory
    ("original_hub", "assets/30k-clean.model"),  # TF-Hub module: module/ prefix
])
def test_release_converts_exactly(tmp_path, layout, vocabulary):
    source = fixture_copy(tmp_path, layout, vocabulary)
    out = tmp_path / "converted"
    convert("original", source, out)
    check_pretraining_outputs(AlbertPretrainer.from_pretrained(out), REFERENCE)
    assert (out / "spiece.model").read_bytes() == (FIXTURES / "spiece.model").read_bytes()
    assert AlbertBackbone.from_pretrained(out).num_hidden_groups == 2


def test_release_archive_is_extracted(tmp_path):
    source = fixture_copy(tmp_path, "original", "30k-clean.model")
    archive = tmp_path / "albert_tiny.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname="albert_tiny")
    convert("original", archive, tmp_path / "converted")
    check_pretraining_outputs(AlbertPretrainer.from_pretrained(tmp_path / "converted"),
                              REFERENCE)


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
