import importlib.util
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_classify_token_ids_learns(tmp_path):
    accuracy = load("classify_token_ids").main(steps=100, out=str(tmp_path / "c.keras"))
    assert accuracy > 0.9  # three classes: chance is 1/3
