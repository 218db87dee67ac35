"""Conversion from keras-hub's `AlbertBackbone`: a preset directory or a live model."""

import warnings
from pathlib import Path

import numpy as np

from keras_albert.compat import keras_hub_encoder_parts
from keras_albert.convert.weights import ConversionError
from keras_albert.models.backbone import AlbertBackbone


def backbone_config_from_keras_hub(hub_backbone, **overrides):
    """Our `AlbertBackbone` config for the shape of a keras-hub `AlbertBackbone`.

    keras-hub runs group g for `num_layers / num_groups` consecutive layers, which
    is the original's `int(l * G / L)` routing when G divides L (it requires that).
    """
    return {
        "vocabulary_size": hub_backbone.vocabulary_size,
        "num_layers": hub_backbone.num_layers,
        "num_heads": hub_backbone.num_heads,
        "hidden_dim": hub_backbone.hidden_dim,
        "embedding_dim": hub_backbone.embedding_dim,
        "intermediate_dim": hub_backbone.intermediate_dim,
        "num_hidden_groups": hub_backbone.num_groups,
        "inner_group_num": hub_backbone.num_inner_repetitions,
        "hidden_act": "gelu_new",
        "dropout": hub_backbone.dropout,
        "attention_dropout": hub_backbone.dropout,
        "max_sequence_length": hub_backbone.max_sequence_length,
        "num_segments": hub_backbone.num_segments,
        **overrides,
    }


def _block_weights(hub_block, hidden_dim):
    """A keras-hub `TransformerEncoder`'s weights in our block's weight order."""
    query, key, value, output, *rest = keras_hub_encoder_parts(hub_block)
    weights = []
    for dense in (query, key, value):
        kernel, bias = dense.get_weights()  # (H, N, D), (N, D)
        weights += [kernel.reshape(hidden_dim, hidden_dim), bias.reshape(hidden_dim)]
    kernel, bias = output.get_weights()  # (N, D, H), (H,)
    weights += [kernel.reshape(hidden_dim, hidden_dim), bias]
    for layer in rest:  # LayerNorm, intermediate, output, LayerNorm
        weights += layer.get_weights()
    return weights


def backbone_from_keras_hub(hub_backbone, **overrides):
    """Our `AlbertBackbone` with the weights of a keras-hub `AlbertBackbone`.

    `overrides` change config entries that do not affect the weights, e.g.
    `execution="loop"` or `dtype`.
    """
    backbone = AlbertBackbone(**backbone_config_from_keras_hub(hub_backbone, **overrides))
    embeddings = backbone.embeddings
    embeddings.word_embeddings.set_weights(hub_backbone.token_embedding.get_weights())
    embeddings.token_type_embeddings.set_weights(
        hub_backbone.segment_embedding.get_weights()
    )
    embeddings.position_embeddings.assign(
        np.asarray(hub_backbone.position_embedding.position_embeddings)
    )
    embeddings.layer_norm.set_weights(hub_backbone.embeddings_layer_norm.get_weights())
    embeddings.projection.set_weights(hub_backbone.embeddings_projection.get_weights())
    for group_index, hub_group in enumerate(hub_backbone.transformer_layers):
        for block, hub_block in zip(backbone.encoder.group(group_index), hub_group):
            block.set_weights(_block_weights(hub_block, backbone.hidden_dim))
    backbone.pooler.set_weights(hub_backbone.pooled_dense.get_weights())
    return backbone


def convert_keras_hub(source, lowercase=None, verbose=False, **overrides):
    """Our backbone and tokenizer files from a keras-hub ALBERT preset directory
    (or a live `keras_hub.models.AlbertBackbone`).

    keras-hub's `AlbertTokenizer` runs SentencePiece on the raw text; the ALBERT
    presets are Google's uncased models, so `lowercase=True` restores the
    original normalization (`lowercase=None` means True). keras-hub backbone presets carry no pretraining heads.
    `verbose` is accepted for a uniform signature; keras-hub loads in one go.

    Returns:
        `(backbone, tokenizer)` as `convert_original`.
    """
    import keras_hub

    if isinstance(source, keras_hub.models.AlbertBackbone):
        return backbone_from_keras_hub(source, **overrides), None
    source = Path(source)
    if not (source / "config.json").is_file():
        raise ConversionError(f"Not a keras-hub preset directory (no config.json): "
                              f"{source}")
    try:
        hub_backbone = keras_hub.models.AlbertBackbone.from_preset(str(source))
    except Exception as error:  # keras-hub raises many types for a bad preset
        raise ConversionError(f"Cannot load keras-hub preset {source}: "
                              f"{type(error).__name__}: {error}") from None
    warnings.warn(f"{source} is a keras-hub backbone preset: it has no masked-LM "
                  "or sentence-order head.", stacklevel=2)
    vocabulary = source / "assets" / "tokenizer" / "vocabulary.spm"
    tokenizer = None
    if vocabulary.is_file():
        tokenizer = {"proto": vocabulary.read_bytes(), "lowercase": lowercase is not False,
                     "keep_accents": False}
    return backbone_from_keras_hub(hub_backbone, **overrides), tokenizer
