"""Architecture presets as plain configs for `AlbertBackbone(**config)`.

Shapes follow the original release configs (`albert_config.json`). v1 and v2 share
shapes; v2 was trained longer without dropout, so its configs set dropout to 0.
`albert_tiny` is a small shape for tests and quick experiments; it has no
published weights. `PRESET_WEIGHTS` names the Hugging Face repository of each
preset's released weights (Google's checkpoints as transformers publishes
them), which `from_preset` loads unless `load_weights=False`.
"""

_SHARED = {
    "vocabulary_size": 30000,
    "embedding_dim": 128,
    "max_sequence_length": 512,
    "num_segments": 2,
    "num_hidden_groups": 1,
    "inner_group_num": 1,
    "hidden_act": "gelu_new",
    "initializer_range": 0.02,
}

_SHAPES = {
    "base": {"num_layers": 12, "hidden_dim": 768, "num_heads": 12,
             "intermediate_dim": 3072},
    "large": {"num_layers": 24, "hidden_dim": 1024, "num_heads": 16,
              "intermediate_dim": 4096},
    "xlarge": {"num_layers": 24, "hidden_dim": 2048, "num_heads": 16,
               "intermediate_dim": 8192},
    "xxlarge": {"num_layers": 12, "hidden_dim": 4096, "num_heads": 64,
                "intermediate_dim": 16384},
}

_DROPOUT = {"v1": 0.1, "v2": 0.0}

PRESETS = {
    f"albert_{size}_{version}": {
        **_SHARED, **shape, "dropout": rate, "attention_dropout": rate,
    }
    for size, shape in _SHAPES.items()
    for version, rate in _DROPOUT.items()
}
PRESETS["albert_tiny"] = {
    **_SHARED,
    "vocabulary_size": 1000,
    "embedding_dim": 32,
    "max_sequence_length": 128,
    "num_layers": 4,
    "hidden_dim": 64,
    "num_heads": 2,
    "intermediate_dim": 128,
    "dropout": 0.0,
    "attention_dropout": 0.0,
}


PRESET_WEIGHTS = {
    f"albert_{size}_{version}": f"albert/albert-{size}-{version}"
    for size in _SHAPES for version in _DROPOUT
}
PRESET_WEIGHTS["albert_tiny"] = None


def get_preset(name):
    """A copy of preset `name`'s config; `ValueError` listing the names if unknown."""
    if name not in PRESETS:
        raise ValueError(
            f"Unknown preset. Received: preset={name!r}; known: {sorted(PRESETS)}"
        )
    return dict(PRESETS[name])


def count_backbone_params(config):
    """Backbone parameters of a config, computed without building the model."""
    vocab, width = config["vocabulary_size"], config["embedding_dim"]
    hidden, inner = config["hidden_dim"], config["intermediate_dim"]
    embeddings = (
        (vocab + config.get("num_segments", 2) + config["max_sequence_length"]) * width
        + 2 * width  # LayerNorm
        + width * hidden + hidden  # projection E -> H
    )
    block = (
        4 * (hidden * hidden + hidden)  # query, key, value, output
        + hidden * inner + inner + inner * hidden + hidden  # FFN
        + 2 * 2 * hidden  # two LayerNorms
    )
    num_blocks = config.get("num_hidden_groups", 1) * config.get("inner_group_num", 1)
    pooler = hidden * hidden + hidden
    return embeddings + num_blocks * block + pooler
