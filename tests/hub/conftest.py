import json
import shutil
from pathlib import Path

import pytest

from tests.hub_server import HubServer

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hub"
REFERENCE = json.loads((FIXTURES / "reference.json").read_text(encoding="utf-8"))
REPO = REFERENCE["repo"]


@pytest.fixture
def caches(tmp_path, monkeypatch):
    """Empty keras-albert and Hugging Face caches for this test."""
    monkeypatch.setenv("KERAS_ALBERT_CACHE", str(tmp_path / "keras_albert_cache"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    return tmp_path / "keras_albert_cache"


@pytest.fixture
def hub(tmp_path, caches, monkeypatch):
    """A local Hub on 127.0.0.1 serving a copy of tests/fixtures/hub (tests
    may add repositories under `hub.root`), with HF_ENDPOINT pointing at it."""
    root = tmp_path / "hub_root"
    shutil.copytree(FIXTURES, root, ignore=shutil.ignore_patterns("reference.json"))
    with HubServer(root) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
        yield server


def converted_entries(caches):
    """The finished entries of the keras-albert cache (not the dot-named
    leftovers of interrupted writes)."""
    models = caches / "models"
    return sorted(p.name for p in models.glob("[!.]*")) if models.is_dir() else []
