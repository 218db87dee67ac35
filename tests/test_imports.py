"""The package's layering, read off its source: no import cycle (imports
inside functions count), `export/` independent of fine-tuning and the data
sets, and every private Keras / keras-hub / TensorFlow symbol reached through
`keras_albert.compat` only."""

import ast
import importlib
from pathlib import Path

import pytest

import keras_albert
from keras_albert import compat

PACKAGE = Path(keras_albert.__file__).parent
# module prefix -> the packages it must not import.
LAYERS = {
    "keras_albert.export": ("keras_albert.finetune", "keras_albert.datasets",
                            "keras_albert.quickstart", "keras_albert.cli"),
    "keras_albert.layers": ("keras_albert.models", "keras_albert.tasks",
                            "keras_albert.finetune", "keras_albert.export",
                            "keras_albert.training"),
    "keras_albert.text": ("keras_albert.models", "keras_albert.tasks",
                          "keras_albert.finetune", "keras_albert.export"),
    "keras_albert.models": ("keras_albert.finetune", "keras_albert.export",
                            "keras_albert.training", "keras_albert.cli"),
    "keras_albert.tasks": ("keras_albert.finetune", "keras_albert.export",
                           "keras_albert.cli"),
    "keras_albert.finetune": ("keras_albert.export", "keras_albert.cli",
                              "keras_albert.quickstart"),
}
PRIVATE_MODULES = ("keras_hub.src", "keras.src", "tensorflow.python", "tf_keras")


def _modules():
    """{module name: parsed source} of every module of the package."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (path, ast.parse(path.read_text(encoding="utf-8")))
    return modules


MODULES = _modules()


def _imported(name, tree):
    """The package modules `name` imports, anywhere in it. `from P import x`
    is the module `P.x` where there is one, else the package `P` itself (its
    `__init__` runs, importing what it re-exports)."""
    package = name if MODULES[name][0].name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1],
                                 *([base] if base else [])])
            candidates = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES
                          else base for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                found.add(candidate)
    return found


GRAPH = {name: _imported(name, tree) for name, (_, tree) in MODULES.items()}


def _cycle():
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(name, path):
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                return [*path[path.index(target):], target]
            if target not in state and (found := visit(target, [*path, target])):
                return found
        state[name] = "done"
        return None

    for name in sorted(GRAPH):
        if name not in state and (found := visit(name, [name])):
            return found
    return None


def test_no_import_cycle():
    cycle = _cycle()
    assert cycle is None, " -> ".join(cycle)


def test_the_walk_sees_imports_inside_functions():
    tree = ast.parse("def f():\n    from keras_albert.export import verify\n")
    assert "keras_albert.export.verify" in _imported("keras_albert.checks", tree)


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layers_import_downwards(layer):
    wrong = sorted(f"{name} imports {target}" for name, targets in GRAPH.items()
                   if name.startswith(layer) for target in targets
                   if target.startswith(LAYERS[layer]))
    assert not wrong, wrong


def _private_uses(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [alias.name for alias in node.names])
            yield from (f"import {n}" for n in names if n.startswith(PRIVATE_MODULES))
        elif (isinstance(node, ast.Attribute) and node.attr.startswith("_")
              and not node.attr.startswith("__")):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue  # our own object's attributes
            if isinstance(owner, ast.Name) and owner.id in _package_classes():
                continue  # one of our classes' own private helpers
            if (isinstance(owner, ast.Call) and ast.unparse(owner.func) == "super"
                    and node.attr in HOOKS):
                continue  # an override calling the hook it overrides (declared)
            yield f"line {node.lineno}: {ast.unparse(node)}"


HOOKS = {method for hooks in compat.OVERRIDDEN_HOOKS.values() for method in hooks}


def _package_classes():
    return {node.name for _, tree in MODULES.values() for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)}


def test_private_symbols_only_in_compat():
    uses = {name: list(_private_uses(tree)) for name, (_, tree) in MODULES.items()
            if name != "keras_albert.compat"}
    uses = {name: found for name, found in uses.items() if found}
    assert not uses, uses


def _overrides():
    """(class, base that defines it, method) for each private method a class
    of the package defines over one defined outside the package."""
    for name, (_, tree) in MODULES.items():
        classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
        if not classes:
            continue
        module = importlib.import_module(name)
        for class_name in classes:
            cls = getattr(module, class_name)
            for method, value in vars(cls).items():
                if not (method.startswith("_") and not method.startswith("__")
                        and callable(value)):
                    continue
                for base in cls.__mro__[1:]:
                    if method in vars(base):
                        if not base.__module__.startswith("keras_albert"):
                            yield cls, base, method
                        break


def _resolve(spelled):
    module, _, attribute = spelled.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def test_private_hooks_overridden_are_declared_in_compat():
    declared = {(_resolve(base), method) for base, hooks in compat.OVERRIDDEN_HOOKS.items()
                for method in hooks}
    found = list(_overrides())
    assert found  # the tokenizer and LAMB override keras-hub's and Keras' hooks
    undeclared = [f"{cls.__name__}.{method} overrides {base.__module__}.{base.__qualname__}"
                  for cls, base, method in found
                  if not any((b, method) in declared for b in cls.__mro__)]
    assert not undeclared, undeclared
