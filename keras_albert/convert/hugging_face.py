"""Conversion from and to Hugging Face transformers ALBERT directories.

A transformers directory holds `config.json`, `model.safetensors` (or
`pytorch_model.bin`, or shards with an index) and `spiece.model` (or BERT's
`vocab.txt`, as the Chinese ALBERTs have, or only `tokenizer.json`, as
transformers 5 saves either: see `tokenizer_json`) with `tokenizer_config.json`. The architecture in `config.json` picks our model:
`AlbertForPreTraining` -> `AlbertPretrainer`, `AlbertForSequenceClassification`
-> `AlbertClassifier` (labels kept), and so on; `save_hf` writes the reverse.
"""

import json
import warnings
from pathlib import Path

import keras
import numpy as np

from keras_albert.convert.albert_config import (
    backbone_config,
    read_json,
    transformers_config,
)
from keras_albert.convert.pretraining_heads import model_for_heads
from keras_albert.convert.tokenizer_json import (
    sentencepiece_from_tokenizer_json,
    tokenizer_json_type,
    wordpiece_from_tokenizer_json,
)
from keras_albert.convert.weights import (
    TRANSFORMERS,
    ConversionError,
    assign_weights,
    collect_weights,
)
from keras_albert.files import write_directory
from keras_albert.models.backbone import AlbertBackbone
from keras_albert.tasks import (
    AlbertClassifier,
    AlbertMaskedLM,
    AlbertMultipleChoice,
    AlbertPretrainer,
    AlbertQuestionAnswerer,
    AlbertTokenClassifier,
)
from keras_albert.text.special_tokens import ALBERT_LAYOUT, special_token_ids
from keras_albert.text.tokenizer import AlbertTokenizer
from keras_albert.text.tokenizer_files import VOCABULARY_FILE, tokenizer_spec
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer

TOKENIZER_JSON = "tokenizer.json"
_BASE_PREFIX = "albert."
# The decoder of the MLM head is tied to the word embeddings and its bias to
# `predictions.bias`; transformers may store the copies.
_TIED = {"predictions.decoder.weight": "albert.embeddings.word_embeddings.weight",
         "predictions.decoder.bias": "predictions.bias"}
_TASKS = {
    "AlbertForSequenceClassification": AlbertClassifier,
    "AlbertForTokenClassification": AlbertTokenClassifier,
    "AlbertForQuestionAnswering": AlbertQuestionAnswerer,
    "AlbertForMultipleChoice": AlbertMultipleChoice,
}
# Our weights transformers' class lacks: it builds these two without the pooler
# (`add_pooling_layer=False`), and its QA model has no answerability head.
_NOT_IN_TRANSFORMERS = {
    AlbertTokenClassifier: ("pooler/",),
    AlbertQuestionAnswerer: ("pooler/", "answerable_head/"),
}
_ARCHITECTURES = {
    AlbertBackbone: "AlbertModel",
    AlbertPretrainer: "AlbertForPreTraining",
    AlbertMaskedLM: "AlbertForMaskedLM",
    **{cls: name for name, cls in _TASKS.items()},
}


def _load_safetensors(paths):
    from safetensors.numpy import load_file

    tensors = {}
    for path in paths:
        try:
            tensors.update(load_file(path))
        except Exception as error:  # safetensors raises its own error types
            raise ConversionError(f"Cannot read {path}: {error}") from None
    return tensors


def _load_torch(path):
    try:
        import torch
    except ImportError:
        raise ConversionError(f"Reading {path} needs PyTorch (pip install torch), or "
                              "save the model as safetensors.") from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # pickle and zip errors of all kinds
        raise ConversionError(f"Cannot read {path}: {error}") from None
    return {name: value.float().numpy() for name, value in state.items()}


def read_hf_weights(directory, verbose=False):
    """`{name: float32 array}` from a transformers directory; base-model names
    always carry the `albert.` prefix."""
    directory = Path(directory)
    index = directory / "model.safetensors.index.json"
    if (directory / "model.safetensors").is_file():
        tensors = _load_safetensors([directory / "model.safetensors"])
    elif index.is_file():
        shards = sorted(set(read_json(index, "safetensors index")["weight_map"].values()))
        tensors = _load_safetensors([directory / shard for shard in shards])
    elif (directory / "pytorch_model.bin").is_file():
        tensors = _load_torch(directory / "pytorch_model.bin")
    else:
        raise ConversionError(f"No model.safetensors, model.safetensors.index.json or "
                              f"pytorch_model.bin in {directory}")
    if not any(name.startswith(_BASE_PREFIX) for name in tensors):  # an AlbertModel
        tensors = {_BASE_PREFIX + name: value for name, value in tensors.items()}
    progress = keras.utils.Progbar(len(tensors), unit_name="tensor") if verbose else None
    for index, name in enumerate(tensors):
        tensors[name] = np.asarray(tensors[name], dtype="float32")
        if progress:
            progress.update(index + 1)
    return tensors


def _task_model(architecture, backbone, hf_config, tensors):
    """Our task model for a transformers architecture name."""
    if architecture in _TASKS:
        cls = _TASKS[architecture]
        kwargs = {}
        if cls is not AlbertQuestionAnswerer:
            dropout = hf_config.get("classifier_dropout_prob")
            kwargs["dropout"] = 0.1 if dropout is None else dropout  # 0.0 stays 0.0
        if cls in (AlbertClassifier, AlbertTokenClassifier):
            num_classes = tensors["classifier.bias"].shape[0]
            labels = {int(key): value
                      for key, value in (hf_config.get("id2label") or {}).items()}
            names = [labels.get(index) for index in range(num_classes)]
            default = [f"LABEL_{index}" for index in range(num_classes)]
            kwargs["num_classes"] = num_classes
            kwargs["label_names"] = None if None in names or names == default else names
        return cls(backbone=backbone, **kwargs)
    return model_for_heads(
        backbone,
        has_mlm_head="predictions.bias" in tensors,
        has_sop_head="sop_classifier.classifier.weight" in tensors,
        source=architecture,
    )


def _check_tied(tensors, source):
    for copy, original in _TIED.items():
        if copy in tensors and original in tensors and not np.array_equal(
                tensors[copy], tensors[original]):
            raise ConversionError(f"{source}: {copy} differs from {original}; untied "
                                  "MLM decoders are not supported.")


def convert_hf(source, lowercase=None, verbose=False, **backbone_overrides):
    """Our model and tokenizer files from a transformers ALBERT directory.

    Args:
        source: the directory.
        lowercase: bool or None (then `do_lower_case` of `tokenizer_config.json`,
            default True as in transformers).
        verbose: bool. Show a progress bar while reading the weights.
        **backbone_overrides: config entries that leave the weights alone.

    Returns:
        `(model, tokenizer)` as `convert_original`.
    """
    source = Path(source)
    if not source.is_dir():
        raise ConversionError(f"Not a directory: {source}")
    hf_config = read_json(source / "config.json", "transformers config")
    config = backbone_config(hf_config, TRANSFORMERS, str(source / "config.json"))
    tensors = read_hf_weights(source, verbose)
    _check_tied(tensors, str(source))
    architecture = (hf_config.get("architectures") or ["AlbertModel"])[0]
    if architecture not in (*_TASKS, "AlbertModel", "AlbertForPreTraining",
                            "AlbertForMaskedLM"):
        raise ConversionError(f"Unsupported architecture in {source}/config.json. "
                              f"Received: {architecture!r}")
    backbone = AlbertBackbone(**{**config, **backbone_overrides})
    model = _task_model(architecture, backbone, hf_config, tensors)
    assign_weights(model, tensors, TRANSFORMERS, str(source), ignore=_TIED,
                   optional=_NOT_IN_TRANSFORMERS.get(type(model), ()))
    return model, _tokenizer(source, lowercase)


def _tokenizer(source, lowercase):
    """The tokenizer of a transformers directory: its `spiece.model`
    (`{"proto", "lowercase", "keep_accents"}`), its BERT `vocab.txt`
    (`AlbertWordPieceTokenizer`), else the one its `tokenizer.json` describes
    (all that transformers 5 saves). A directory with none of them is an
    error: a model is never written without the tokenizer it was trained with."""
    tokenizer_config = {}
    if (source / "tokenizer_config.json").is_file():
        tokenizer_config = read_json(source / "tokenizer_config.json", "tokenizer config")
    if lowercase is None:
        lowercase = tokenizer_config.get("do_lower_case", True)
    if (source / VOCABULARY_FILE).is_file():
        proto = (source / VOCABULARY_FILE).read_bytes()
    elif (source / AlbertWordPieceTokenizer.vocabulary_file).is_file():
        try:
            return AlbertWordPieceTokenizer(
                source / AlbertWordPieceTokenizer.vocabulary_file, lowercase=lowercase,
                strip_accents=tokenizer_config.get("strip_accents"),
                tokenize_chinese_chars=tokenizer_config.get("tokenize_chinese_chars", True))
        except ValueError as error:
            raise ConversionError(f"{source}: {error}") from None
    elif (source / TOKENIZER_JSON).is_file():
        kind = tokenizer_json_type(source / TOKENIZER_JSON)
        try:
            if kind == "WordPiece":
                settings = wordpiece_from_tokenizer_json(source / TOKENIZER_JSON)
                return AlbertWordPieceTokenizer(**{**settings, "lowercase": lowercase})
            proto = sentencepiece_from_tokenizer_json(source / TOKENIZER_JSON)
        except ValueError as error:
            raise ConversionError(f"{source}: {error}") from None
    else:
        raise ConversionError(
            f"No tokenizer in {source}: expected {VOCABULARY_FILE}, "
            f"{AlbertWordPieceTokenizer.vocabulary_file} or {TOKENIZER_JSON}. keras-albert "
            "does not write a model it cannot tokenize for: copy the tokenizer files of "
            "the model it was trained from into the directory.")
    return {"proto": proto, "lowercase": lowercase,
            "keep_accents": tokenizer_config.get("keep_accents", False)}


def save_hf(model, directory, tokenizer=None, overwrite=True):
    """Write `model` as a transformers directory (`from_pretrained` loads it).

    Args:
        model: `AlbertBackbone`, `AlbertPretrainer`, `AlbertMaskedLM`,
            `AlbertClassifier`, `AlbertTokenClassifier`, `AlbertQuestionAnswerer`
            (its answerability head has no transformers counterpart and is left
            out, with a warning) or `AlbertMultipleChoice`.
        directory: path; written atomically.
        tokenizer: optional `{"proto", "lowercase", "keep_accents"}` dict or
            `AlbertTokenizer` (writes `spiece.model` and `tokenizer_config.json`),
            or `AlbertWordPieceTokenizer` (`vocab.txt` and a `BertTokenizer`
            config).
        overwrite: bool. Replace an existing directory.
    """
    from safetensors.numpy import save_file

    if type(model) not in _ARCHITECTURES:
        raise ConversionError(f"transformers has no ALBERT class for "
                              f"{type(model).__name__}; save its backbone instead.")
    backbone = getattr(model, "backbone", model)
    wordpiece = isinstance(tokenizer, AlbertWordPieceTokenizer)
    if tokenizer is not None and not wordpiece:
        tokenizer = tokenizer_spec(tokenizer)
    if tokenizer is None:
        special = ALBERT_LAYOUT
    elif wordpiece:
        special = tokenizer.special_tokens
    else:
        special = special_token_ids(AlbertTokenizer(tokenizer["proto"]).get_vocabulary())
    config = {**transformers_config(backbone, special),
              "architectures": [_ARCHITECTURES[type(model)]]}
    left_out = _NOT_IN_TRANSFORMERS.get(type(model), ())
    if isinstance(model, AlbertQuestionAnswerer):
        warnings.warn("answerable_head is not saved: transformers' "
                      "AlbertForQuestionAnswering has no answerability head.",
                      stacklevel=2)
    tensors = collect_weights(model, TRANSFORMERS, left_out=left_out)
    if isinstance(model, (AlbertClassifier, AlbertTokenClassifier)):
        names = model.label_names or [f"LABEL_{i}" for i in range(model.num_classes)]
        config["id2label"] = dict(enumerate(names))
        config["label2id"] = {name: index for index, name in enumerate(names)}
        if getattr(model, "is_regression", False):
            config["problem_type"] = "regression"
    if model is not backbone and hasattr(model, "dropout"):
        config["classifier_dropout_prob"] = model.dropout
    if type(model) is AlbertBackbone:  # AlbertModel's names have no prefix
        tensors = {name.removeprefix(_BASE_PREFIX): value for name, value in tensors.items()}

    def write(temporary):
        (temporary / "config.json").write_text(json.dumps(config, indent=2))
        save_file(tensors, str(temporary / "model.safetensors"), metadata={"format": "pt"})
        if wordpiece:  # BERT's files, which transformers' BertTokenizer reads
            (temporary / tokenizer.vocabulary_file).write_bytes(tokenizer.vocabulary_bytes())
            (temporary / "tokenizer_config.json").write_text(json.dumps({
                "tokenizer_class": "BertTokenizer",
                "do_lower_case": tokenizer.lowercase,
                "strip_accents": tokenizer.strip_accents,
                "tokenize_chinese_chars": tokenizer.tokenize_chinese_chars,
            }, indent=2))
        elif tokenizer is not None:
            (temporary / VOCABULARY_FILE).write_bytes(tokenizer["proto"])
            (temporary / "tokenizer_config.json").write_text(json.dumps({
                "tokenizer_class": "AlbertTokenizer",
                "do_lower_case": tokenizer["lowercase"],
                "keep_accents": tokenizer["keep_accents"],
            }, indent=2))

    write_directory(directory, write, overwrite=overwrite)

