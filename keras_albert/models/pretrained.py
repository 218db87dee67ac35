"""The pretrained directory: what `keras-albert convert` and training write.

    DIR/config.json            {"backbone": {...}, "task": {"class_name", "config"}
                                or null, "source": {...}}
    DIR/model.weights.h5       the weights of that model (task or backbone)
    DIR/spiece.model           the SentencePiece vocabulary (when known)
    DIR/tokenizer_config.json  {"lowercase": ..., "keep_accents": ...}

Any task class loads from any directory: the backbone always, and the heads the
saved model shares with it by layer name (e.g. `mlm_head` of a pretrainer for an
`AlbertMaskedLM`); other heads start from their initializers.
"""

import json
from pathlib import Path

import keras

from keras_albert.files import write_directory
from keras_albert.locate import locate
from keras_albert.text.tokenizer_files import write_tokenizer_files
from keras_albert.text.tokenizers import load_tokenizer

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"


def _registered(class_name, what):
    cls = keras.saving.get_registered_object(f"keras_albert>{class_name}")
    if cls is None:
        raise ValueError(f"Unknown {what} class in {CONFIG_FILE}. Received: "
                         f"class_name={class_name!r}")
    return cls


def registered_task(class_name):
    """The task class saved under `class_name` in a `config.json`."""
    return _registered(class_name, "task")


def model_config(model):
    """`{"backbone": ..., "task": ...}` of `config.json`: the backbone's and
    the task's constructor arguments (`task` None for a backbone)."""
    backbone = getattr(model, "backbone", model)
    task = None
    if model is not backbone:
        task_config = {key: value for key, value in model.get_config().items()
                       if key not in ("backbone", "name", "trainable", "preprocessor")}
        task = {"class_name": type(model).__name__, "config": task_config}
    backbone_config = {key: value for key, value in backbone.get_config().items()
                       if key not in ("name", "trainable", "dtype")}
    return {"backbone": backbone_config, "task": task}


def save_pretrained(model, directory, tokenizer=None, source=None, overwrite=True):
    """Write `model` (an `AlbertBackbone` or a task) as a pretrained directory.

    Args:
        model: `AlbertBackbone` or an `AlbertTask`.
        directory: path; replaced atomically.
        tokenizer: optional dict `{"proto": path or bytes, "lowercase": bool,
            "keep_accents": bool}` (SentencePiece), or a keras-albert tokenizer.
        source: optional dict recorded in `config.json` (where weights came from).
        overwrite: bool. Replace an existing directory.
    """
    config = {**model_config(model), "source": source or {}}
    preprocessor = getattr(model, "preprocessor", None)
    if preprocessor is not None:
        # The tokenizer is the directory's spiece.model; the rest is config.
        config["preprocessor"] = {
            "class_name": type(preprocessor).__name__,
            "config": {key: value for key, value in preprocessor.get_config().items()
                       if key not in ("tokenizer", "name", "trainable", "dtype")},
        }
        tokenizer = tokenizer or preprocessor.tokenizer

    def write(temporary):
        (temporary / CONFIG_FILE).write_text(json.dumps(config, indent=2))
        model.save_weights(temporary / WEIGHTS_FILE)
        if tokenizer is not None:
            write_tokenizer_files(temporary, tokenizer)

    write_directory(directory, write, overwrite=overwrite)


def read_config(directory):
    """The parsed `config.json` of a pretrained directory, with clear errors."""
    path = Path(directory) / CONFIG_FILE
    if not path.is_file():
        raise ValueError(f"Not a keras-albert pretrained directory (no {CONFIG_FILE}). "
                         f"Received: {directory}")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"Corrupt {path}: {error}") from None
    if not isinstance(config, dict) or "backbone" not in config:
        raise ValueError(f"{path} has no 'backbone' entry.")
    return config


def load_pretrained(directory, cls=None, backbone_overrides=None, **task_kwargs):
    """A model from a pretrained directory.

    Args:
        directory: path written by `save_pretrained` / `keras-albert convert`.
        cls: the class to return: `AlbertBackbone`, a task class, or None for
            the class that was saved.
        backbone_overrides: dict of backbone config entries that leave the
            weights alone (`execution`, `dtype`, `dropout`, ...).
        **task_kwargs: arguments of `cls` besides the backbone (e.g.
            `num_classes` for a classifier built on a pretrained backbone).
    """
    directory = locate(directory)
    config = read_config(directory)
    backbone_cls = _registered("AlbertBackbone", "backbone")
    backbone = backbone_cls(**{**config["backbone"], **(backbone_overrides or {})})
    saved = backbone
    if config.get("task"):
        saved_cls = _registered(config["task"]["class_name"], "task")
        preprocessor = load_preprocessor(directory, config)
        saved = saved_cls(backbone=backbone, preprocessor=preprocessor,
                          **config["task"]["config"])
    weights = Path(directory) / WEIGHTS_FILE
    if not weights.is_file():
        raise ValueError(f"Missing {WEIGHTS_FILE} in {directory}.")
    try:
        saved.load_weights(weights)
    except Exception as error:  # h5py / Keras raise many types for a bad file
        raise ValueError(f"Cannot load {weights}: {type(error).__name__}: "
                         f"{str(error).splitlines()[0] if str(error) else ''}") from None
    if cls is None or (cls is type(saved) and not task_kwargs):
        return saved
    if cls is backbone_cls:
        return backbone
    model = cls(backbone=backbone, **task_kwargs)
    if saved is not backbone:
        _copy_shared_heads(saved, model)
    return model


def load_preprocessor(directory, config=None):
    """The preprocessor saved in a pretrained directory, or None."""
    config = config or read_config(directory)
    if not config.get("preprocessor"):
        return None
    entry = config["preprocessor"]
    cls = _registered(entry["class_name"], "preprocessor")
    return cls(load_tokenizer(directory), **entry["config"])


def _copy_shared_heads(saved, model):
    """Copy the weights of head layers both models have under the same name."""
    saved_layers = {layer.name: layer for layer in saved.layers
                    if layer is not saved.backbone and layer.weights}
    for layer in model.layers:
        source = saved_layers.get(layer.name)
        if source is None or layer is model.backbone:
            continue
        shapes = [tuple(w.shape) for w in layer.weights]
        if shapes == [tuple(w.shape) for w in source.weights]:
            layer.set_weights(source.get_weights())
