"""Strings to backbone inputs: `[CLS] A [SEP] B [SEP]`, truncated and padded."""

import json

import keras
import tensorflow as tf

from keras_albert.compat import keep_inputs_as_given, preprocessing_function
from keras_albert.locate import locate
from keras_albert.text.packing import check_packing_arguments, pack_segments
from keras_albert.text.tokenizer_base import AlbertTokenizerBase
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.text.windows import check_stride, make_windows


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertPreprocessor(keras.layers.Layer):
    """Strings to ALBERT backbone inputs: tokenize, truncate, pack and pad.

    One segment becomes `[CLS] A [SEP]`, a pair `[CLS] A [SEP] B [SEP]`, padded
    with `<pad>` to `sequence_length` (see `pack_segments`). The call takes
    `(x, y=None, sample_weight=None)` like keras-hub's preprocessors and passes `y`
    and `sample_weight` through, so `dataset.map(preprocessor)` works on labelled
    `tf.data` datasets. `x` is a string, a list or tensor of strings, or a
    *tuple* of one or two of those (a pair). A tuple is always read as segments:
    call `preprocessor(x, y)` with labels, not `preprocessor((x, y))`, and map an
    unlabelled dataset of pairs with `lambda a, b: preprocessor((a, b))`.

    Args:
        tokenizer: a keras-albert tokenizer (`AlbertTokenizer`, ...) without a
            `sequence_length` of its own (the
            preprocessor truncates the pair as a whole).
        sequence_length: int, at least 3 (the special tokens of a pair). The
            length of the packed inputs.
        truncate: str. `"longest_first"` (the original ALBERT
            `_truncate_seq_pair`) or `"waterfall"` (keep all of A that fits).
        stride: int or None. With a stride, a model with this preprocessor
            reads a long text in overlapping windows (`windows()`, see
            `keras_albert.text.windows`) in its `predict` and in its exported
            raw-text signature; the call itself still truncates. None: every
            text is truncated.
        **kwargs: Passed to `keras.layers.Layer` (`name`, ...).

    Example:
    >>> preprocessor = AlbertPreprocessor(AlbertTokenizer("vocab/spiece.model"),
    ...                                   sequence_length=128)
    >>> inputs = preprocessor(("The quick brown fox.", "It jumped."))
    >>> inputs["token_ids"].shape  # also "segment_ids" and "padding_mask"
    TensorShape([128])
    >>> dataset = tf.data.Dataset.from_tensor_slices(((first, second), labels))
    >>> dataset = dataset.batch(32).map(preprocessor)  # (inputs, labels)
    """

    def __init__(self, tokenizer, sequence_length=512, truncate="longest_first",
                 stride=None, **kwargs):
        if not isinstance(tokenizer, AlbertTokenizerBase):
            raise ValueError(  # noqa: TRY004
                "`tokenizer` must be a keras-albert tokenizer (`AlbertTokenizer`, ...). "
                f"Received: tokenizer={tokenizer!r}"
            )
        if tokenizer.sequence_length is not None:
            raise ValueError(
                "`tokenizer` must not truncate or pad (the preprocessor truncates "
                "the pair as a whole): build it with sequence_length=None. "
                f"Received: tokenizer.sequence_length={tokenizer.sequence_length}"
            )
        check_packing_arguments(sequence_length, truncate)
        if stride is not None:
            check_stride(stride, sequence_length)
        super().__init__(**kwargs)
        self.tokenizer = tokenizer
        self.sequence_length = sequence_length
        self.truncate = truncate
        self.stride = stride
        # Strings and ragged ids stay TensorFlow tensors; nothing to build.
        keep_inputs_as_given(self)
        self.built = True

    @classmethod
    def from_pretrained(cls, directory, **kwargs):
        """The preprocessor of a pretrained directory or name: its tokenizer,
        with the packing a fine-tuned model was saved with (else up to 512
        tokens, or the model's positions if fewer); `kwargs` (e.g.
        `sequence_length`) win."""
        directory = locate(directory)
        config = {}
        if (directory / "config.json").is_file():
            config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        saved = (config.get("preprocessor") or {}).get("config", {})
        positions = config.get("backbone", {}).get("max_sequence_length", 512)
        settings = {"sequence_length": min(512, positions),
                    **{k: saved[k] for k in ("sequence_length", "truncate", "stride")
                       if k in saved},
                    **kwargs}
        return cls(load_tokenizer(directory), **settings)

    @preprocessing_function
    def call(self, x, y=None, sample_weight=None):
        segments = x if isinstance(x, tuple) else (x,)
        x = pack_segments(
            [self.tokenizer(segment) for segment in segments],
            self.sequence_length,
            cls_id=self.tokenizer.cls_token_id,
            sep_id=self.tokenizer.sep_token_id,
            pad_id=self.tokenizer.pad_token_id,
            truncate=self.truncate,
        )
        return keras.utils.pack_x_y_sample_weight(x, y, sample_weight)

    def windows(self, texts):
        """The `Windows` of one text per row (strings, (B,)): each cut into
        overlapping windows of `sequence_length` with this preprocessor's
        `stride` (see `keras_albert.text.windows`)."""
        if self.stride is None:
            raise ValueError("This preprocessor truncates: make it with a `stride` to "
                             "read texts in windows. Received: stride=None")
        if isinstance(texts, tuple):
            raise ValueError(  # noqa: TRY004
                "Windows cut one text per example; pairs are truncated. "
                f"Received: a tuple of {len(texts)} segments")
        pieces = self.tokenizer(texts)
        if not isinstance(pieces, tf.RaggedTensor):  # eager: keras-hub gives lists
            pieces = tf.ragged.constant(pieces, dtype=tf.int32, ragged_rank=1)
        return make_windows(pieces, self.sequence_length, self.stride,
                            cls_id=self.tokenizer.cls_token_id,
                            sep_id=self.tokenizer.sep_token_id,
                            pad_id=self.tokenizer.pad_token_id)

    def compute_output_spec(self, x, y=None, sample_weight=None):
        # Without running the tokenizer: a loading `.keras` model calls this
        # before the tokenizer's SentencePiece asset is restored.
        strings = x[0] if isinstance(x, tuple) else x
        shape = (*strings.shape, self.sequence_length)  # (B, sequence_length)
        x = {name: keras.KerasTensor(shape, dtype="int32")
             for name in ("token_ids", "segment_ids", "padding_mask")}
        return keras.utils.pack_x_y_sample_weight(x, y, sample_weight)

    def get_config(self):
        # The SentencePiece model is not config: it is the tokenizer's `.keras` asset.
        return {
            **super().get_config(),
            "tokenizer": keras.saving.serialize_keras_object(self.tokenizer),
            "sequence_length": self.sequence_length,
            "truncate": self.truncate,
            "stride": self.stride,
        }

    @classmethod
    def from_config(cls, config):
        tokenizer = keras.saving.deserialize_keras_object(config["tokenizer"])
        return cls(**{**config, "tokenizer": tokenizer})
