"""Names that are not on the Hugging Face Hub: directories of every format,
release archives on disk and by URL; the cache they are converted into."""

import functools
import http.server
import shutil
import tarfile
import threading

import numpy as np
import pytest

from keras_albert import AlbertBackbone, AlbertClassifier, AlbertPretrainer, AlbertTokenizer
from keras_albert.cli import main
from keras_albert.hub import HubError, resolve
from tests.convert.conversion_fixtures import FIXTURES, fixture_copy
from tests.hub.reference import converted_entries


def test_a_transformers_directory_is_converted_once(tmp_path, caches):
    source = fixture_copy(tmp_path, "hf_sequence_classification")
    model = AlbertClassifier.from_pretrained(source)
    assert model.label_names == ["negative", "neutral", "positive"]
    assert AlbertTokenizer.from_pretrained(source).vocabulary_size() == 160
    assert len(converted_entries(caches)) == 1  # the tokenizer used the same entry
    (source / "config.json").touch()  # a changed file: converted again
    AlbertClassifier.from_pretrained(source)
    assert len(converted_entries(caches)) == 2


def test_our_own_directory_is_used_as_it_is(tmp_path, caches):
    source = fixture_copy(tmp_path, "original", "30k-clean.model")
    converted = resolve(source)
    assert converted.parent.parent == caches
    assert resolve(converted) == converted


@pytest.fixture
def archive(tmp_path):
    source = fixture_copy(tmp_path, "original", "30k-clean.model")
    path = tmp_path / "served" / "albert_tiny_release.tar.gz"
    path.parent.mkdir()
    with tarfile.open(path, "w:gz") as tar:
        tar.add(source, arcname="albert_tiny_release")
    return path


def test_a_release_archive_by_url(archive, caches):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(archive.parent))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{archive.name}"
    try:
        model = AlbertPretrainer.from_pretrained(url)
        with pytest.raises(HubError, match="Cannot download .*missing.tar.gz"):
            AlbertPretrainer.from_pretrained(url.replace(archive.name, "missing.tar.gz"))
    finally:
        server.shutdown()
        server.server_close()
    again = AlbertPretrainer.from_pretrained(url)  # from the cache, no server
    assert model.backbone.num_layers == again.backbone.num_layers == 4
    np.testing.assert_array_equal(model.get_weights()[0], again.get_weights()[0])


def test_interrupted_writes_are_never_used_and_cache_clear_removes_them(
        archive, caches, capsys):
    # What a kill -9 in the middle of a conversion leaves: a dot-named folder.
    leftover = caches / "models" / ".half-written.x1"
    leftover.mkdir(parents=True)
    (leftover / "config.json").write_text("{")
    AlbertPretrainer.from_pretrained(archive)
    assert len(converted_entries(caches)) == 1
    assert main(["cache", "list"]) == 0
    listing = capsys.readouterr().out
    assert str(archive) in listing and "1 converted models" in listing
    assert main(["cache", "clear"]) == 0
    assert "Removed 1" in capsys.readouterr().out
    assert not (caches / "models").exists()  # the leftover too


def test_a_keras_hub_preset_name_goes_through_kagglehub(tmp_path, caches, monkeypatch):
    # kagglehub's own cache, laid out as its download leaves it: no request.
    monkeypatch.setenv("KAGGLEHUB_CACHE", str(tmp_path / "kagglehub"))
    variant = tmp_path / "kagglehub/models/keras/albert/keras/albert_base_en_uncased"
    shutil.copytree(FIXTURES / "keras_hub", variant / "5")
    (variant / "5.complete").touch()
    backbone = AlbertBackbone.from_pretrained("albert_base_en_uncased")
    expected = AlbertBackbone.from_pretrained(FIXTURES / "keras_hub")  # the directory
    np.testing.assert_array_equal(backbone.get_weights()[-1], expected.get_weights()[-1])
    assert len(converted_entries(caches)) == 2
