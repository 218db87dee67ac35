import json

import numpy as np
import pytest

from keras_albert import AlbertBackbone, AlbertClassifier, AlbertPretrainer
from keras_albert.files import write_directory
from keras_albert.models.pretrained import load_pretrained
from tests.helpers import tiny_backbone, token_batch


def test_task_from_pretrainer_directory_keeps_backbone(tmp_path):
    pretrainer = AlbertPretrainer(backbone=tiny_backbone())
    pretrainer.save_pretrained(tmp_path / "model")
    classifier = AlbertClassifier.from_pretrained(tmp_path / "model", num_classes=4)
    x = token_batch()
    np.testing.assert_allclose(
        np.asarray(classifier.backbone(x)["pooled_output"]),
        np.asarray(pretrainer.backbone(x)["pooled_output"]), atol=1e-6)
    assert type(load_pretrained(tmp_path / "model")) is AlbertPretrainer


def test_overrides_change_execution_not_weights(tmp_path):
    backbone = tiny_backbone()
    backbone.save_pretrained(tmp_path / "model")
    loop = AlbertBackbone.from_pretrained(tmp_path / "model", execution="loop")
    x = token_batch()
    np.testing.assert_allclose(np.asarray(loop(x)["sequence_output"]),
                               np.asarray(backbone(x)["sequence_output"]), atol=1e-5)


def test_corrupt_directory_is_named(tmp_path):
    tiny_backbone().save_pretrained(tmp_path / "model")
    weights = tmp_path / "model" / "model.weights.h5"
    weights.write_bytes(weights.read_bytes()[:200])
    with pytest.raises(ValueError, match="Cannot load .*model.weights.h5"):
        AlbertBackbone.from_pretrained(tmp_path / "model")
    (tmp_path / "model" / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="Corrupt .*config.json"):
        AlbertBackbone.from_pretrained(tmp_path / "model")
    with pytest.raises(ValueError, match="no config.json"):
        AlbertBackbone.from_pretrained(tmp_path)


def test_failed_write_leaves_previous_directory(tmp_path):
    tiny_backbone().save_pretrained(tmp_path / "model")
    before = json.loads((tmp_path / "model" / "config.json").read_text())

    def failing(temporary):
        (temporary / "config.json").write_text("{}")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_directory(tmp_path / "model", failing)
    assert json.loads((tmp_path / "model" / "config.json").read_text()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    with pytest.raises(ValueError, match="exists"):
        write_directory(tmp_path / "model", failing, overwrite=False)
