"""Loading by name from a real HTTP Hub on 127.0.0.1 (tests/hub_server.py),
serving a repository that transformers' `save_pretrained` wrote."""

import json
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from keras_albert import AlbertBackbone, AlbertClassifier, AlbertPretrainer
from keras_albert.hub import HubError
from keras_albert.text import AlbertPreprocessor
from tests.hub.reference import REFERENCE, REPO, converted_entries


def transformers_texts():
    return np.array(REFERENCE["texts"]), np.array(REFERENCE["logits"])


def logits_of(model, name):
    texts, _ = transformers_texts()
    preprocessor = AlbertPreprocessor.from_pretrained(name)  # the model's 64 positions
    assert preprocessor.sequence_length == 64
    return np.asarray(model(preprocessor(texts)))


def file_downloads(hub):
    return [path for method, path in hub.requests if method == "GET" and "/resolve/" in path]


def test_classifier_by_name_gives_transformers_logits_then_loads_from_cache(
        hub, caches, monkeypatch):
    model = AlbertClassifier.from_pretrained(f"hf://{REPO}")
    _, expected = transformers_texts()
    np.testing.assert_allclose(logits_of(model, f"hf://{REPO}"), expected, atol=1e-4)
    assert model.label_names == ["negative", "positive"]  # from id2label
    assert model.backbone.num_hidden_groups == 2 and model.backbone.inner_group_num == 2
    assert len(converted_entries(caches)) == 1
    downloaded = file_downloads(hub)
    assert any(p.endswith("model.safetensors") for p in downloaded)
    assert not any(p.endswith("tokenizer.json") for p in downloaded)  # only what is read

    hub.requests.clear()  # the second load: no download, no conversion
    again = AlbertClassifier.from_pretrained(REPO)  # a bare ORG/NAME
    assert file_downloads(hub) == [] and len(converted_entries(caches)) == 1
    np.testing.assert_allclose(logits_of(again, REPO), expected, atol=1e-4)

    hub.stop()  # no server, offline: the cache alone
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    offline = AlbertClassifier.from_pretrained(f"hf://{REPO}@main")
    np.testing.assert_allclose(logits_of(offline, REPO), expected, atol=1e-4)


def test_unreachable_hub_falls_back_to_the_cache(hub, monkeypatch):
    AlbertBackbone.from_pretrained(REPO)
    hub.stop()
    with pytest.warns(UserWarning, match="Using the cached"):
        backbone = AlbertBackbone.from_pretrained(REPO)
    assert backbone.num_layers == 4


def test_a_revision_pins_a_commit(hub):
    commit = hub.commit(REPO)
    model = AlbertBackbone.from_pretrained(f"hf://{REPO}@{commit}")
    assert model.hidden_dim == 32
    with pytest.raises(HubError, match="No revision 'v9' in"):
        AlbertBackbone.from_pretrained(f"hf://{REPO}@v9")


def test_offline_with_nothing_cached_says_what_to_do(caches, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HubError, match="HF_HUB_OFFLINE") as error:
        AlbertClassifier.from_pretrained("hf://nobody/nothing")
    assert "hf://nobody/nothing" in str(error.value) and "\n" not in str(error.value)


def test_unknown_repository(hub, caches):
    with pytest.raises(HubError, match="No model nobody/nothing on http://127.0.0.1"):
        AlbertBackbone.from_pretrained("nobody/nothing")
    assert converted_entries(caches) == []


def test_gated_repository_needs_a_token(hub, monkeypatch):
    hub.gated.add(REPO)
    with pytest.raises(HubError, match="gated.*HF_TOKEN"):
        AlbertBackbone.from_pretrained(REPO)
    monkeypatch.setenv("HF_TOKEN", hub.token)
    assert AlbertBackbone.from_pretrained(REPO).num_layers == 4


def test_a_model_that_is_not_albert_is_refused_before_its_weights(hub, caches):
    bert = hub.root / "org" / "bert"
    shutil.copytree(hub.root / REPO, bert)
    config = json.loads((bert / "config.json").read_text())
    (bert / "config.json").write_text(json.dumps({**config, "model_type": "bert"}))
    with pytest.raises(HubError, match="org/bert is not an ALBERT model.*'bert'"):
        AlbertBackbone.from_pretrained("hf://org/bert")
    assert not any("model.safetensors" in p for p in file_downloads(hub))
    assert converted_entries(caches) == []


def test_a_download_cut_off_leaves_nothing_used_and_the_retry_succeeds(hub, caches):
    hub.cut_file = "model.safetensors"  # every try breaks after 1,000 bytes
    with pytest.raises(HubError, match="run again"):
        AlbertClassifier.from_pretrained(REPO)
    assert converted_entries(caches) == []
    hub.cut_file = None
    model = AlbertClassifier.from_pretrained(REPO)
    _, expected = transformers_texts()
    np.testing.assert_allclose(logits_of(model, REPO), expected, atol=1e-4)


def test_presets_with_weights_load_them_by_name(hub):
    # The local Hub serves the small classifier under the preset's repository.
    (hub.root / "albert").mkdir()
    shutil.copytree(hub.root / REPO, hub.root / "albert" / "albert-base-v2")
    pretrained = AlbertBackbone.from_preset("albert_base_v2")
    assert pretrained.hidden_dim == 32  # the served weights, not the preset's shape
    legacy = AlbertPretrainer.from_pretrained("albert-base-v2")  # transformers' name
    np.testing.assert_array_equal(legacy.backbone.get_weights()[0],
                                  pretrained.get_weights()[0])
    architecture = AlbertBackbone.from_preset("albert_base_v2", load_weights=False)
    assert architecture.hidden_dim == 768


def test_a_repository_saved_by_transformers_5_has_only_tokenizer_json(hub):
    (hub.root / REPO / "spiece.model").unlink()  # as save_pretrained leaves it
    model = AlbertClassifier.from_pretrained(REPO)
    assert any(p.endswith("tokenizer.json") for p in file_downloads(hub))
    _, expected = transformers_texts()
    np.testing.assert_allclose(logits_of(model, REPO), expected, atol=1e-4)


def test_a_process_killed_mid_download_leaves_nothing_used(hub, caches):
    hub.stall_file = "model.safetensors"  # the transfer stops half-way
    process = subprocess.Popen(
        [sys.executable, "-c", "from keras_albert import AlbertBackbone; "
         f"AlbertBackbone.from_pretrained({REPO!r})"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not any(p.endswith("model.safetensors") for p in file_downloads(hub)):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(0.5)  # the first bytes are written to the Hub cache
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        hub.stall_file = None
        hub.resume.set()
    assert converted_entries(caches) == []
    model = AlbertClassifier.from_pretrained(REPO)  # resumes, converts, loads
    _, expected = transformers_texts()
    np.testing.assert_allclose(logits_of(model, REPO), expected, atol=1e-4)
