"""The Hub fixture of tools/make_hub_fixture.py: its repository and
transformers' logits (the `hub` and `caches` fixtures are in tests/conftest.py)."""

import json
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hub"
REFERENCE = json.loads((FIXTURES / "reference.json").read_text(encoding="utf-8"))
REPO = REFERENCE["repo"]


def converted_entries(caches):
    """The finished entries of the keras-albert cache (not the dot-named
    leftovers of interrupted writes)."""
    models = caches / "models"
    return sorted(p.name for p in models.glob("[!.]*")) if models.is_dir() else []
