"""Every private Keras, keras-hub, TFLite and onnxruntime-extensions symbol keras-albert touches.

Each is something the libraries' public APIs do not offer (why is said at each).
The rest of the package reaches them only through this module, and
`tests/test_compat.py` checks each against the installed versions, so an
upgrade that moves one fails there, naming the symbol, rather than deep inside
a `fit` or an export. The pins in `pyproject.toml` are the versions tested.
"""

import inspect
from pathlib import Path

# keras-hub: the decorator that lets a preprocessing method take strings,
# ragged tensors and Python lists alike, as keras-hub's own tokenizers do.
from keras_hub.src.utils.tensor_utils import preprocessing_function  # noqa: F401

# Private hooks keras-albert's subclasses override, by base class. A release
# that renames one would silently stop calling our override: the test checks
# each still exists on its base with the same parameters.
OVERRIDDEN_HOOKS = {
    # AlbertTokenizer: normalize in the graph before SentencePiece; check the
    # special pieces when a vocabulary is set; register ALBERT's special tokens.
    "keras_hub.tokenizers.SentencePieceTokenizer": {
        "_tokenize_tf": ("self", "inputs"),
        "_update_special_token_ids": ("self",),
        "_add_special_token": ("self", "token", "name"),
    },
    # AlbertWordPieceTokenizer: BERT's basic tokenizer in the graph before
    # WordPiece; words cut by characters, not bytes; ALBERT's special tokens.
    "keras_hub.tokenizers.WordPieceTokenizer": {
        "_tokenize_tf": ("self", "inputs"),
        "_set_vocabulary_tf": ("self",),
        "_maybe_initialized_tf": ("self",),
        "_add_special_token": ("self", "token", "name"),
    },
    # AlbertLamb: clip after the replicas' gradients are summed; the LAMB
    # update has the weight decay inside the trust ratio (no separate decay).
    "keras.optimizers.Lamb": {
        "_clip_gradients": ("self", "grads"),
        "_apply_weight_decay": ("self", "variables"),
        "_use_weight_decay": ("self", "variable"),
        "_get_variable_index": ("self", "variable"),
    },
}


def sentencepiece_graph_only(kwargs):
    """keras-hub's `SentencePieceTokenizer` runs SentencePiece in Python on
    eager calls unless `_allow_python_workflow=False`; keras-albert wants one
    TensorFlow path (it normalizes in the graph)."""
    return {"_allow_python_workflow": False, **kwargs}


def sentencepiece_tokenize(tokenizer, inputs):
    """keras-hub's own in-graph SentencePiece tokenization (the base of the
    `_tokenize_tf` hook `AlbertTokenizer` overrides to normalize first)."""
    from keras_hub.tokenizers import SentencePieceTokenizer

    return SentencePieceTokenizer._tokenize_tf(tokenizer, inputs)


def sentencepiece_resource(tokenizer):
    """The tensorflow-text SentencePiece resource behind a keras-hub
    tokenizer, which an `ExportArchive` must track to save it."""
    return tokenizer._sentence_piece


def keep_inputs_as_given(layer):
    """Keras converts a layer's positional inputs to tensors of its dtype;
    a preprocessing layer takes strings and ragged tensors as they are."""
    layer._convert_input_args = False
    layer._allow_non_tensor_positional_args = True


def optimizer_slots(optimizer, variable):
    """`(momentum, velocity)` of `variable` in an Adam-family optimizer."""
    index = optimizer._get_variable_index(variable)
    return optimizer._momentums[index], optimizer._velocities[index]


def symbolic_build(model, batch):
    """Build model, losses, metrics and optimizer from one batch (or its
    specs), as the first `fit` does; False when Keras no longer has it."""
    build = getattr(model, "_symbolic_build", None)
    if build is None:
        return False
    build(data_batch=batch)
    return True


def forget_distribute_strategy(model):
    """Make `fit` take the strategy from the scope it runs in instead of the
    model's attribute, which skips its all-reduce of a nested batch that
    `MultiWorkerMirroredStrategy` cannot do (keras-team/keras#20585)."""
    model._distribute_strategy = None


def set_custom_op_registerers(converter, registerers):
    """Kernels of custom ops (tensorflow-text's) for the TFLite converter's
    own calibration run of full-int8 quantization."""
    converter.target_spec._experimental_custom_op_registerers = list(registerers)


def calibrate_only(converter):
    """Make the TFLite converter stop after calibration and return the
    float model annotated with the activation ranges it measured (what the
    quantization debugger does)."""
    converter._experimental_calibrate_only = True


def keras_hub_encoder_parts(block):
    """The sublayers of a keras-hub `TransformerEncoder`, in our block's
    weight order: query, key, value, attention output, attention LayerNorm,
    intermediate dense, output dense, feed-forward LayerNorm."""
    attention = block._self_attention_layer
    return [attention._query_dense, attention._key_dense, attention._value_dense,
            attention._output_dense, block._self_attention_layer_norm,
            block._feedforward_intermediate_dense, block._feedforward_output_dense,
            block._feedforward_layer_norm]


def hook_parameters(base, name):
    """The parameter names of `base.name`, for the test of `OVERRIDDEN_HOOKS`."""
    return tuple(inspect.signature(getattr(base, name)).parameters)


def onnxruntime_extensions_library():
    """The path of onnxruntime-extensions' operator library (None when it is
    not installed), loaded so that it keeps its own symbols.

    Its public `get_library_path()` imports the package, which loads the
    library plainly; after TensorFlow (which loads its libraries with global
    symbols) that binds it to TensorFlow's copies of libraries both link, and
    the first session crashes (SIGSEGV). So the library is found by its file
    name, private, and loaded first with `RTLD_DEEPBIND`; onnxruntime's own
    `dlopen` of it then finds it loaded that way. (A process that imported
    `onnxruntime_extensions` after TensorFlow already holds the plain load.)
    """
    import ctypes
    import importlib.util
    import os

    spec = importlib.util.find_spec("onnxruntime_extensions")
    if spec is None:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    library = str(next(folder.glob("_extensions_pydll*.so")))
    ctypes.CDLL(library, mode=os.RTLD_LOCAL | getattr(os, "RTLD_DEEPBIND", 0))
    return library
