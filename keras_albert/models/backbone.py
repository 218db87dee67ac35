"""`AlbertBackbone`: factorized embedding -> shared encoder -> pooler."""

import keras

from keras_albert.layers.factorized_embedding import FactorizedEmbedding
from keras_albert.layers.shared_encoder import SharedEncoder
from keras_albert.models.lora import DEFAULT_TARGETS, enable_lora
from keras_albert.models.pretrained import load_pretrained, save_pretrained
from keras_albert.models.presets import PRESET_WEIGHTS, get_preset


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertBackbone(keras.Model):
    """The ALBERT encoder (Lan et al. 2019) as a functional Keras model.

    Takes a dict of int32 `token_ids`, `segment_ids` and `padding_mask`, each
    (batch, length) with any batch and any length up to `max_sequence_length`, and
    returns a dict with `sequence_output` (B, T, H) and `pooled_output` (B, H), the
    tanh dense of the first token; with `output_hidden_states=True` also
    `hidden_states` (B, L + 1, T, H): the projected embeddings, then every pass.

    Args:
        vocabulary_size: int. V, the number of token ids.
        num_layers: int. L, the depth (transformer passes).
        num_heads: int. Attention heads; must divide `hidden_dim`.
        hidden_dim: int. H, the transformer width.
        embedding_dim: int. E, the embedding width (factorized, E << H).
        intermediate_dim: int. The feed-forward width.
        num_hidden_groups: int. G, groups of shared transformer weights.
        inner_group_num: int. Transformer layers inside each group.
        hidden_act: str. `"gelu_new"`, `"gelu"` or `"relu"`.
        dropout: float. Dropout on embeddings and block outputs.
        attention_dropout: float. Dropout on the attention probabilities.
        max_sequence_length: int. Learned positions, the longest input.
        num_segments: int. Token types.
        layer_norm_epsilon: float. LayerNorm epsilon everywhere.
        initializer_range: float. Stddev of the truncated normal initializer.
        embedding_projection: str. Where E becomes H: `"after_norm"` (Google's
            ALBERT, transformers' and keras-hub's: sum and normalize the E-wide
            embeddings, then project) or `"before_sum"` (brightmart's albert_zh:
            project each word vector without bias, then add H-wide position
            and token-type embeddings and normalize at H). See
            `FactorizedEmbedding`.
        execution: str. `"unrolled"` or `"loop"`; see `SharedEncoder`.
        output_hidden_states: bool. Also return every layer's hidden states.
        dtype: a dtype policy (e.g. `"mixed_bfloat16"`).

    Example:
    >>> backbone = AlbertBackbone.from_preset("albert_tiny")
    >>> out = backbone({"token_ids": np.array([[2, 10, 11, 3]]),
    ...                 "segment_ids": np.zeros((1, 4), "int32"),
    ...                 "padding_mask": np.ones((1, 4), "int32")})
    >>> out["pooled_output"].shape
    TensorShape([1, 64])
    """

    def __init__(
        self,
        vocabulary_size,
        num_layers,
        num_heads,
        hidden_dim,
        embedding_dim,
        intermediate_dim,
        num_hidden_groups=1,
        inner_group_num=1,
        hidden_act="gelu_new",
        dropout=0.0,
        attention_dropout=0.0,
        max_sequence_length=512,
        num_segments=2,
        layer_norm_epsilon=1e-12,
        initializer_range=0.02,
        embedding_projection="after_norm",
        execution="unrolled",
        output_hidden_states=False,
        dtype=None,
        **kwargs,
    ):
        # === Layers ===
        self.embeddings = FactorizedEmbedding(
            vocabulary_size=vocabulary_size,
            embedding_dim=embedding_dim,
            hidden_dim=hidden_dim,
            max_sequence_length=max_sequence_length,
            num_segments=num_segments,
            dropout=dropout,
            layer_norm_epsilon=layer_norm_epsilon,
            initializer_range=initializer_range,
            projection=embedding_projection,
            dtype=dtype,
            name="embeddings",
        )
        self.encoder = SharedEncoder(
            num_layers=num_layers,
            hidden_dim=hidden_dim,
            num_heads=num_heads,
            intermediate_dim=intermediate_dim,
            num_hidden_groups=num_hidden_groups,
            inner_group_num=inner_group_num,
            hidden_act=hidden_act,
            dropout=dropout,
            attention_dropout=attention_dropout,
            layer_norm_epsilon=layer_norm_epsilon,
            initializer_range=initializer_range,
            execution=execution,
            dtype=dtype,
            name="encoder",
        )
        self.pooler = keras.layers.Dense(
            hidden_dim,
            activation="tanh",
            kernel_initializer=keras.initializers.TruncatedNormal(
                stddev=initializer_range
            ),
            dtype=dtype,
            name="pooler",
        )

        # === Functional model ===
        inputs = {
            name: keras.Input(shape=(None,), dtype="int32", name=name)
            for name in ("token_ids", "segment_ids", "padding_mask")
        }
        x = self.embeddings(inputs["token_ids"], inputs["segment_ids"])  # (B, T, H)
        encoded = self.encoder(x, inputs["padding_mask"],
                               return_hidden_states=output_hidden_states)
        outputs = {}
        if output_hidden_states:
            encoded, outputs["hidden_states"] = encoded  # (B, L + 1, T, H)
        outputs["sequence_output"] = encoded  # (B, T, H)
        outputs["pooled_output"] = self.pooler(encoded[:, 0, :])  # (B, H)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        if dtype is not None:  # a functional model does not keep its `dtype` argument
            self.dtype_policy = keras.dtype_policies.get(dtype)

        # === Config ===
        self.vocabulary_size = vocabulary_size
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.hidden_dim = hidden_dim
        self.embedding_dim = embedding_dim
        self.intermediate_dim = intermediate_dim
        self.num_hidden_groups = num_hidden_groups
        self.inner_group_num = inner_group_num
        self.hidden_act = hidden_act
        self.dropout = dropout
        self.attention_dropout = attention_dropout
        self.max_sequence_length = max_sequence_length
        self.num_segments = num_segments
        self.layer_norm_epsilon = layer_norm_epsilon
        self.initializer_range = initializer_range
        self.embedding_projection = embedding_projection
        self.execution = execution
        self.output_hidden_states = output_hidden_states

    @property
    def token_embedding(self):
        """The V x E word table (a `ReversibleEmbedding`), the tied MLM decoder."""
        return self.embeddings.word_embeddings

    @classmethod
    def from_preset(cls, preset, load_weights=True, **overrides):
        """A preset's backbone, as keras-hub's `from_preset`: with the released
        weights where the preset has them (`PRESET_WEIGHTS`, downloaded and
        converted once, see `from_pretrained`), else, or with
        `load_weights=False`, randomly initialized at the preset's shape.
        `overrides` replace config entries (e.g. `execution="loop"`,
        `dtype="mixed_bfloat16"`)."""
        config = get_preset(preset)
        if load_weights and PRESET_WEIGHTS[preset]:
            return cls.from_pretrained(PRESET_WEIGHTS[preset], **overrides)
        return cls(**{**config, **overrides})

    @classmethod
    def from_pretrained(cls, directory, **overrides):
        """The backbone of a pretrained directory (`keras-albert convert` or
        `save_pretrained` output) or of a pretrained model's name
        (`"albert/albert-base-v2"`, `"hf://org/name@revision"`, a keras-hub
        preset, a release archive: see `keras_albert.hub`); `overrides` as in
        `from_preset`."""
        return load_pretrained(directory, cls=cls, backbone_overrides=overrides)

    def enable_lora(self, rank, targets=DEFAULT_TARGETS):
        """Freeze the backbone and train rank-`rank` LoRA updates of the dense
        layers `targets` (see `keras_albert.models.lora`); returns the number of
        trainable parameters of the backbone."""
        return enable_lora(self, rank, targets)

    def save_pretrained(self, directory, tokenizer=None, overwrite=True):
        """Write config, weights and (optionally) tokenizer files to `directory`."""
        save_pretrained(self, directory, tokenizer=tokenizer, overwrite=overwrite)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "vocabulary_size": self.vocabulary_size,
            "num_layers": self.num_layers,
            "num_heads": self.num_heads,
            "hidden_dim": self.hidden_dim,
            "embedding_dim": self.embedding_dim,
            "intermediate_dim": self.intermediate_dim,
            "num_hidden_groups": self.num_hidden_groups,
            "inner_group_num": self.inner_group_num,
            "hidden_act": self.hidden_act,
            "dropout": self.dropout,
            "attention_dropout": self.attention_dropout,
            "max_sequence_length": self.max_sequence_length,
            "num_segments": self.num_segments,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "initializer_range": self.initializer_range,
            "embedding_projection": self.embedding_projection,
            "execution": self.execution,
            "output_hidden_states": self.output_hidden_states,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
