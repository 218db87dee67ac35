"""One table of weight names, and the checked copy between it and a model.

Every keras-albert weight path (`variable.path`) has one name in Google's original
TF1 checkpoints and one in transformers' state dicts. The converters read a
checkpoint into `{name: numpy array}` and call `assign_weights`; `save_hf` calls
`collect_weights` to go the other way. Nothing is assigned unless every weight of
the model was found with the right shape and every tensor of the checkpoint was
used (or is optimizer state), so a conversion either is complete or fails.
"""

import re
import warnings

import numpy as np

ORIGINAL = "original"
TRANSFORMERS = "transformers"
BRIGHTMART = "brightmart"

_BLOCK = r"encoder/group_(\d+)_inner_(\d+)/"
_ORIGINAL_BLOCK = r"bert/encoder/transformer/group_\1/inner_group_\2/"
_HF_BLOCK = r"albert.encoder.albert_layer_groups.\1.albert_layers.\2."

# (our path, original name, transformers name). Entries ending in "/" are layer
# prefixes: the leaf (kernel, bias, gamma, beta) follows. None: no such weight.
NAME_TABLE = [
    ("embeddings/word_embeddings/embeddings", "bert/embeddings/word_embeddings",
     "albert.embeddings.word_embeddings.weight"),
    ("embeddings/token_type_embeddings/embeddings",
     "bert/embeddings/token_type_embeddings",
     "albert.embeddings.token_type_embeddings.weight"),
    ("embeddings/position_embeddings", "bert/embeddings/position_embeddings",
     "albert.embeddings.position_embeddings.weight"),
    ("embeddings/layer_norm/", "bert/embeddings/LayerNorm/", "albert.embeddings.LayerNorm."),
    ("embeddings/embedding_hidden_mapping_in/",
     "bert/encoder/embedding_hidden_mapping_in/",
     "albert.encoder.embedding_hidden_mapping_in."),
    (_BLOCK + "attention/query/", _ORIGINAL_BLOCK + "attention_1/self/query/",
     _HF_BLOCK + "attention.query."),
    (_BLOCK + "attention/key/", _ORIGINAL_BLOCK + "attention_1/self/key/",
     _HF_BLOCK + "attention.key."),
    (_BLOCK + "attention/value/", _ORIGINAL_BLOCK + "attention_1/self/value/",
     _HF_BLOCK + "attention.value."),
    (_BLOCK + "attention/output_dense/", _ORIGINAL_BLOCK + "attention_1/output/dense/",
     _HF_BLOCK + "attention.dense."),
    (_BLOCK + "attention_layer_norm/", _ORIGINAL_BLOCK + "LayerNorm/",
     _HF_BLOCK + "attention.LayerNorm."),
    (_BLOCK + "ffn/", _ORIGINAL_BLOCK + "ffn_1/intermediate/dense/", _HF_BLOCK + "ffn."),
    (_BLOCK + "ffn_output/", _ORIGINAL_BLOCK + "ffn_1/intermediate/output/dense/",
     _HF_BLOCK + "ffn_output."),
    (_BLOCK + "ffn_layer_norm/", _ORIGINAL_BLOCK + "LayerNorm_1/",
     _HF_BLOCK + "full_layer_layer_norm."),
    ("pooler/", "bert/pooler/dense/", "albert.pooler."),
    ("mlm_head/dense/", "cls/predictions/transform/dense/", "predictions.dense."),
    ("mlm_head/layer_norm/", "cls/predictions/transform/LayerNorm/",
     "predictions.LayerNorm."),
    ("mlm_head/output_bias", "cls/predictions/output_bias", "predictions.bias"),
    ("sop_head/kernel", "cls/seq_relationship/output_weights",
     "sop_classifier.classifier.weight"),
    ("sop_head/bias", "cls/seq_relationship/output_bias", "sop_classifier.classifier.bias"),
    ("span_head/qa_outputs/", None, "qa_outputs."),
    ("logits/", None, "classifier."),
]
_HF_LEAVES = {"kernel": "weight", "bias": "bias", "gamma": "weight", "beta": "bias"}

# brightmart/albert_zh's TF1 names (a model built with
# embedding_projection="before_sum" and one shared layer): BERT's names, the
# layer scope `layer_shared`, the E x H projection `word_embeddings_2`.
# Its pretraining heads (an H-wide transform) are not ALBERT's: not mapped.
_SHARED = "bert/encoder/layer_shared/"
BRIGHTMART_TABLE = [
    ("embeddings/word_embeddings/embeddings", "bert/embeddings/word_embeddings"),
    ("embeddings/word_projection/kernel", "bert/embeddings/word_embeddings_2"),
    ("embeddings/token_type_embeddings/embeddings",
     "bert/embeddings/token_type_embeddings"),
    ("embeddings/position_embeddings", "bert/embeddings/position_embeddings"),
    ("embeddings/layer_norm/", "bert/embeddings/LayerNorm/"),
    ("encoder/group_0_inner_0/attention/query/", _SHARED + "attention/self/query/"),
    ("encoder/group_0_inner_0/attention/key/", _SHARED + "attention/self/key/"),
    ("encoder/group_0_inner_0/attention/value/", _SHARED + "attention/self/value/"),
    ("encoder/group_0_inner_0/attention/output_dense/", _SHARED + "attention/output/dense/"),
    ("encoder/group_0_inner_0/attention_layer_norm/",
     _SHARED + "attention/output/LayerNorm/"),
    ("encoder/group_0_inner_0/ffn/", _SHARED + "intermediate/dense/"),
    ("encoder/group_0_inner_0/ffn_output/", _SHARED + "output/dense/"),
    ("encoder/group_0_inner_0/ffn_layer_norm/", _SHARED + "output/LayerNorm/"),
    ("pooler/", "bert/pooler/dense/"),
]
# Each layout's (table, column of its names).
_LAYOUTS = {ORIGINAL: (NAME_TABLE, 1), TRANSFORMERS: (NAME_TABLE, 2),
            BRIGHTMART: (BRIGHTMART_TABLE, 1)}

# Optimizer state and bookkeeping in training checkpoints: not model weights.
SKIPPED = re.compile(
    r"(^|/)(global_step|good_steps|loss_scale|current_loss_scale)$"
    r"|/(adam_m|adam_v|Adam|Adam_1|lamb_m|lamb_v|Momentum|ExponentialMovingAverage)$"
)


class ConversionError(ValueError):
    """A checkpoint that cannot be converted completely; the message says why."""


def source_name(path, layout):
    """The name of our weight `path` in `layout`, and whether it is transposed.

    Returns `(None, False)` for a weight the layout does not have.
    """
    table, column = _LAYOUTS[layout]
    for entry in table:
        ours, theirs = entry[0], entry[column]
        leaf = None
        if ours.endswith("/"):
            match = re.fullmatch(ours + r"(kernel|bias|gamma|beta)", path)
            if match:
                leaf = match.group(match.re.groups)
        else:
            match = re.fullmatch(ours, path)
        if not match:
            continue
        if theirs is None:
            return None, False
        name = match.expand(theirs)
        if leaf is not None:
            name += _HF_LEAVES[leaf] if layout == TRANSFORMERS else leaf
        # torch Linear stores (out, in); the original only its output_weights.
        transpose = (path.endswith("/kernel") if layout == TRANSFORMERS
                     else path == "sop_head/kernel")
        return name, transpose
    return None, False


def _describe(names, limit=12):
    names = sorted(names)
    more = f" ... and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def assign_weights(model, tensors, layout, source, ignore=(), optional=()):
    """Copy `tensors` ({name: array} in `layout`) into every weight of `model`.

    Args:
        model: the keras-albert model to fill.
        tensors: dict of checkpoint name -> numpy array.
        layout: `"original"`, `"transformers"` or `"brightmart"`.
        source: str naming the checkpoint, for messages.
        ignore: names known to be redundant (e.g. a tied decoder copy).
        optional: path prefixes of our weights the checkpoint may lack (they
            keep their initial values, with a warning).

    Raises:
        ConversionError: a weight missing from the checkpoint, a shape mismatch
            (variable, expected and found shape), or checkpoint tensors that no
            weight used. The model is left untouched in that case.
    """
    planned, missing, mismatched, used = [], [], [], set(ignore)
    initial = []
    for variable in model.weights:
        name, transpose = source_name(variable.path, layout)
        if (name is None or name not in tensors) and variable.path.startswith(
                tuple(optional)):
            initial.append(variable.path)
            continue
        if name is None or name not in tensors:
            missing.append(f"{variable.path} (as {name})" if name else variable.path)
            continue
        value = np.asarray(tensors[name])
        value = value.T if transpose else value
        used.add(name)
        if tuple(value.shape) != tuple(variable.shape):
            mismatched.append(f"{name}: expected {tuple(variable.shape)}, found "
                              f"{tuple(value.shape)}")
            continue
        planned.append((variable, value))
    if mismatched:
        raise ConversionError(f"Shape mismatch in {source}: {_describe(mismatched)}")
    if missing:
        raise ConversionError(f"Weights missing from {source}: {_describe(missing)}")
    unmapped = [name for name in tensors if name not in used and not SKIPPED.search(name)]
    if unmapped:
        raise ConversionError(
            f"Variables of {source} left unmapped (not part of a "
            f"{type(model).__name__}): {_describe(unmapped)}"
        )
    if initial:
        warnings.warn(f"{source} has no {_describe(initial)}; they keep their "
                      "initial values.", stacklevel=3)
    for variable, value in planned:
        variable.assign(value.astype(variable.dtype))


def collect_weights(model, layout, left_out=()):
    """`{name: array}` of every weight of `model` in `layout` (for writing),
    except those whose path starts with one of `left_out`."""
    tensors, unnamed = {}, []
    for variable in model.weights:
        if variable.path.startswith(tuple(left_out)):
            continue
        name, transpose = source_name(variable.path, layout)
        if name is None:
            unnamed.append(variable.path)
            continue
        value = np.asarray(variable.numpy())
        tensors[name] = np.ascontiguousarray(value.T if transpose else value)
    if unnamed:
        raise ConversionError(
            f"{type(model).__name__} has weights with no {layout} name: "
            f"{_describe(unnamed)}"
        )
    return tensors
