"""`albert_config.json` (Google's) and transformers' `config.json` <-> our config.

Both use the same keys; they differ in what `"gelu"` means: the original code's
gelu is the tanh approximation (our `"gelu_new"`), transformers' is the exact erf
form (our `"gelu"`).
"""

import json
from pathlib import Path

from keras_albert.convert.weights import ConversionError
from keras_albert.text.special_tokens import ALBERT_LAYOUT

_ACTIVATIONS = {
    "original": {"gelu": "gelu_new", "gelu_new": "gelu_new", "relu": "relu"},
    "transformers": {"gelu": "gelu", "gelu_new": "gelu_new",
                     "gelu_pytorch_tanh": "gelu_new", "relu": "relu"},
}
_REQUIRED = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
             "intermediate_size")


def read_json(path, what):
    """A JSON file's dict, or a `ConversionError` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ConversionError(f"Missing {what}: {path}")
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConversionError(f"Corrupt {what} {path}: {error}") from None
    if not isinstance(value, dict):
        raise ConversionError(f"{what} {path} is not a JSON object.")
    return value


def backbone_config(albert_config, convention, source):
    """Our `AlbertBackbone` arguments for an ALBERT config dict.

    Args:
        albert_config: dict with the original / transformers keys.
        convention: `"original"` or `"transformers"` (what "gelu" means).
        source: str naming the file, for messages.
    """
    missing = [key for key in _REQUIRED if key not in albert_config]
    if missing:
        raise ConversionError(f"{source} lacks {', '.join(missing)}.")
    act = albert_config.get("hidden_act", "gelu")
    if act not in _ACTIVATIONS[convention]:
        raise ConversionError(f"Unsupported activation in {source}. Received: "
                              f"hidden_act={act!r}; supported: "
                              f"{sorted(_ACTIVATIONS[convention])}")
    # Variants of the original code that this architecture does not have.
    for key, plain in (("net_structure_type", 0), ("layers_to_keep", [])):
        if albert_config.get(key, plain) not in (plain, None):
            raise ConversionError(f"Unsupported {key} in {source}. Received: "
                                  f"{key}={albert_config[key]!r}")
    hidden = albert_config["hidden_size"]
    return {
        "vocabulary_size": albert_config["vocab_size"],
        "num_layers": albert_config["num_hidden_layers"],
        "num_heads": albert_config["num_attention_heads"],
        "hidden_dim": hidden,
        "embedding_dim": albert_config.get("embedding_size", hidden),
        "intermediate_dim": albert_config["intermediate_size"],
        "num_hidden_groups": albert_config.get("num_hidden_groups", 1),
        "inner_group_num": albert_config.get("inner_group_num", 1),
        "hidden_act": _ACTIVATIONS[convention][act],
        "dropout": albert_config.get("hidden_dropout_prob", 0.0),
        "attention_dropout": albert_config.get("attention_probs_dropout_prob", 0.0),
        "max_sequence_length": albert_config.get("max_position_embeddings", 512),
        "num_segments": albert_config.get("type_vocab_size", 2),
        "layer_norm_epsilon": albert_config.get("layer_norm_eps", 1e-12),
        "initializer_range": albert_config.get("initializer_range", 0.02),
    }


def transformers_config(backbone, special=ALBERT_LAYOUT):
    """transformers' `AlbertConfig` dict for an `AlbertBackbone`."""
    if backbone.embedding_projection != "after_norm":
        raise ConversionError(
            "transformers' ALBERT has no embedding_projection="
            f"{backbone.embedding_projection!r} (brightmart's albert_zh layout: word "
            "vectors projected E->H before the position and token-type embeddings); "
            "keep this model in keras-albert's format or export it (SavedModel, "
            "TFLite, ONNX).")
    if backbone.hidden_act not in ("gelu", "gelu_new", "relu"):
        raise ConversionError(f"No transformers activation for "
                              f"hidden_act={backbone.hidden_act!r}")
    return {
        "model_type": "albert",
        "vocab_size": backbone.vocabulary_size,
        "embedding_size": backbone.embedding_dim,
        "hidden_size": backbone.hidden_dim,
        "num_hidden_layers": backbone.num_layers,
        "num_hidden_groups": backbone.num_hidden_groups,
        "num_attention_heads": backbone.num_heads,
        "intermediate_size": backbone.intermediate_dim,
        "inner_group_num": backbone.inner_group_num,
        "hidden_act": backbone.hidden_act,
        "hidden_dropout_prob": backbone.dropout,
        "attention_probs_dropout_prob": backbone.attention_dropout,
        "max_position_embeddings": backbone.max_sequence_length,
        "type_vocab_size": backbone.num_segments,
        "initializer_range": backbone.initializer_range,
        "layer_norm_eps": backbone.layer_norm_epsilon,
        # transformers' ALBERT configs name [CLS] and [SEP] bos and eos.
        "pad_token_id": special.pad,
        "bos_token_id": special.cls,
        "eos_token_id": special.sep,
        "tie_word_embeddings": True,
    }
