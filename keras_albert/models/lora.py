"""LoRA (Hu et al. 2021, arXiv 2106.09685) on ALBERT's dense layers, through
Keras' own `EinsumDense.enable_lora`.

`enable_lora(model, rank, targets)` freezes the backbone and gives each
targeted dense layer a trainable rank-`rank` update `A @ B` beside its frozen
kernel (`query` and `value` by default, as in the paper and keras-hub; also
`key`, `attention_output`, `ffn`, `ffn_output`). The task head, outside the
backbone, stays trainable.

ALBERT shares its layers across depth: a group's layer runs at every depth
that maps to the group (all 12 for albert_base's one group), so one adapter
per shared layer adapts all those passes alike, and the trainable parameters
are those of one layer per group, not per depth.

Keras saves a LoRA layer's kernel merged (`kernel + A @ B * alpha / rank`), so
a model saved with `save_pretrained` is a plain model that every export and
`verify` take as is. `save_adapter` writes only what was trained (the
updates, the targeted layers' biases, the head) beside a reference to the base
model; `load_adapter` rebuilds the model from the base and those weights.
"""

import json
from pathlib import Path

import numpy as np

from keras_albert.checks import check_positive_int
from keras_albert.files import write_directory
from keras_albert.models.pretrained import load_pretrained, model_config, registered_task

# Name -> the dense layer of an `AlbertTransformerLayer`.
TARGETS = {
    "query": lambda layer: layer.attention.query,
    "key": lambda layer: layer.attention.key,
    "value": lambda layer: layer.attention.value,
    "attention_output": lambda layer: layer.attention.output_dense,
    "ffn": lambda layer: layer.ffn,
    "ffn_output": lambda layer: layer.ffn_output,
}
DEFAULT_TARGETS = ("query", "value")
ADAPTER_WEIGHTS = "adapter.safetensors"
ADAPTER_CONFIG = "adapter_config.json"


def _backbone(model):
    return getattr(model, "backbone", model)


def target_layers(model, targets=DEFAULT_TARGETS):
    """The dense layers `targets` names, in every shared transformer layer."""
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown or not targets:
        raise ValueError(f"LoRA targets must be some of {', '.join(TARGETS)}. "
                         f"Received: targets={list(targets)}")
    return [TARGETS[name](layer) for layer in _backbone(model).encoder.transformer_layers
            for name in targets]


def enable_lora(model, rank, targets=DEFAULT_TARGETS):
    """Freeze `model`'s backbone and add rank-`rank` LoRA updates to its
    `targets` (a backbone or a task model; the task head stays trainable).

    Returns:
        The number of trainable parameters.
    """
    check_positive_int("rank", rank)
    layers = target_layers(model, targets)
    for layer in layers:
        width = min(layer.kernel.shape)
        if rank > width:
            raise ValueError(f"LoRA rank {rank} is larger than the {layer.name} layer "
                             f"({layer.kernel.shape[0]} x {layer.kernel.shape[1]}): "
                             f"use at most {width}.")
    # A layer's `trainable` sets its variables' flags, sublayers' too; what
    # trains is the variables left trainable.
    for layer in _backbone(model).layers:
        layer.trainable = False
    for layer in layers:
        layer.trainable = True
        layer.enable_lora(rank)
    return trainable_parameters(model)


def trainable_parameters(model):
    return int(sum(np.prod(variable.shape) for variable in model.trainable_variables))


def save_adapter(model, directory, base, rank, targets):
    """Write the trained weights of a LoRA `model` (by variable path) and
    `adapter_config.json` (the base model, the rank, the targets, the task
    config) to `directory`, whole or not at all."""
    from safetensors.numpy import save_file

    weights = {variable.path: np.asarray(variable) for variable in model.trainable_variables}
    config = {"base": str(base), "rank": rank, "targets": list(targets),
              "trainable_parameters": trainable_parameters(model),
              "model": model_config(model)}

    def write(temporary):
        save_file(weights, str(Path(temporary) / ADAPTER_WEIGHTS))
        (Path(temporary) / ADAPTER_CONFIG).write_text(json.dumps(config, indent=2))

    write_directory(Path(directory), write, overwrite=True)


def load_adapter(directory, base=None):
    """The model of an adapter directory: its base (`base`, else the one it
    names), LoRA enabled as it was trained, its weights loaded (to train on
    or to swap adapters; the preprocessor is in the merged model's directory,
    `finetune`'s `model/`)."""
    from safetensors.numpy import load_file

    directory = Path(directory)
    config = json.loads((directory / ADAPTER_CONFIG).read_text())
    task = config["model"].get("task")
    cls = registered_task(task["class_name"]) if task else None
    kwargs = task["config"] if task else {}
    model = load_pretrained(base or config["base"], cls=cls, **kwargs)
    enable_lora(model, config["rank"], config["targets"])
    weights = load_file(str(directory / ADAPTER_WEIGHTS))
    variables = {variable.path: variable for variable in model.trainable_variables}
    missing = sorted(set(weights) ^ set(variables))
    if missing:
        raise ValueError(f"The adapter in {directory} does not fit its base model: "
                         f"{missing[0]} is in one and not the other.")
    for path, value in weights.items():
        variables[path].assign(value)
    return model
