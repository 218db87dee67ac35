"""ALBERT's tokenizer as a Keras layer: normalization and SentencePiece in-graph."""

import keras
import sentencepiece as spm
from keras_hub.tokenizers import SentencePieceTokenizer

from keras_albert.checks import check_positive_int
from keras_albert.compat import (
    preprocessing_function,
    sentencepiece_graph_only,
    sentencepiece_resource,
    sentencepiece_tokenize,
)
from keras_albert.locate import locate
from keras_albert.text.normalization import (
    check_normalization_flags,
    normalize_in_graph,
    normalize_text,
)
from keras_albert.text.sentencepiece_lite import lite_tokenizer
from keras_albert.text.sentencepiece_onnx import add_sentencepiece
from keras_albert.text.tokenizer_base import AlbertTokenizerBase
from keras_albert.text.tokenizer_files import (
    TOKENIZER_TYPE,
    VOCABULARY_FILE,
    read_tokenizer_files,
)

# Attribute name -> piece. ALBERT's vocabularies have them at ids 0..4.
SPECIAL_TOKENS = {
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertTokenizer(AlbertTokenizerBase, SentencePieceTokenizer):
    """Text to ALBERT token ids, with the original ALBERT normalization, in-graph.

    Each string is normalized with `normalize_in_graph` (whitespace collapsed,
    LaTeX quotes to `"`, accents stripped, lowercased: google-research/albert
    `preprocess_text`) and then split into SentencePiece ids by tensorflow-text.
    Eager calls, `tf.function` and `tf.data.Dataset.map` all run these same ops.
    The SentencePiece model is saved as an asset in `.keras` files.

    Outputs follow keras-hub: in a graph, a batch of strings gives a
    `tf.RaggedTensor` of ids; called eagerly, a list of id lists (a scalar string
    gives a 1-D tensor either way). With `sequence_length` the output is a dense
    tensor, truncated or padded with `<pad>` (id 0). `detokenize` turns ids back
    into (normalized) text; control symbols such as `[CLS]` decode to nothing.

    Args:
        proto: str or bytes. The path of a SentencePiece `.model` file, or its
            bytes. It must hold `<pad>`, `<unk>`, `[CLS]`, `[SEP]` and `[MASK]`.
        lowercase: bool. Lowercase before SentencePiece (uncased models).
        keep_accents: bool. Keep accents instead of stripping them.
        sequence_length: int or None. If set, the output is dense with this length.
        **kwargs: Passed to `keras_hub.tokenizers.SentencePieceTokenizer`
            (`dtype`, `name`, ...).

    Example:
    >>> tokenizer = AlbertTokenizer("vocab/spiece.model")
    >>> ids = tokenizer(["The quick brown fox.", "Crème BRÛLÉE"])  # [[...], [...]]
    >>> tokenizer.detokenize(tokenizer("Crème BRÛLÉE"))
    'creme brulee'
    >>> dataset = tf.data.Dataset.from_tensor_slices(["Héllo!"]).batch(8)
    >>> dataset = dataset.map(tokenizer)  # a RaggedTensor of ids per batch
    >>> tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.mask_token_id
    (2, 3, 4)
    """

    tokenizer_type, vocabulary_file = TOKENIZER_TYPE, VOCABULARY_FILE

    def __init__(
        self, proto, lowercase=True, keep_accents=False, sequence_length=None, **kwargs
    ):
        check_normalization_flags(lowercase, keep_accents)
        if sequence_length is not None:
            check_positive_int("sequence_length", sequence_length)
        self.lowercase = lowercase
        self.keep_accents = keep_accents
        for name, token in SPECIAL_TOKENS.items():
            self._add_special_token(token, name)
        # Eager calls take the same TensorFlow path as graphs (keras-hub would
        # run SentencePiece in Python and skip `normalize_in_graph`).
        super().__init__(proto=proto, sequence_length=sequence_length,
                         **sentencepiece_graph_only(kwargs))

    def set_proto(self, proto):
        """Load a SentencePiece model (path or bytes); check ALBERT's pieces."""
        self._proto_name = (
            repr(proto) if isinstance(proto, str) else f"of {len(proto or b'')} bytes"
        )
        super().set_proto(proto)

    def _update_special_token_ids(self):
        vocabulary = set(self.get_vocabulary())
        for token in SPECIAL_TOKENS.values():
            if token not in vocabulary:
                raise ValueError(
                    f"The SentencePiece model {self._proto_name} has no {token!r} "
                    f"piece; ALBERT needs {', '.join(SPECIAL_TOKENS.values())}. "
                    "Train one with `keras_albert.text.train_vocabulary`."
                )
        super()._update_special_token_ids()

    @classmethod
    def from_pretrained(cls, directory, **kwargs):
        """The tokenizer of a pretrained or vocabulary directory, or of a
        pretrained model's name (see `keras_albert.hub`): its `spiece.model`
        with the flags of its `tokenizer_config.json`."""
        return super().from_pretrained(locate(directory), **kwargs)

    @classmethod
    def read_directory(cls, directory):
        return read_tokenizer_files(directory)

    def vocabulary_bytes(self):
        return self.proto

    def settings(self):
        return {"lowercase": self.lowercase, "keep_accents": self.keep_accents}

    def is_word_start(self, piece):
        return piece.startswith("\u2581")  # SentencePiece marks a word's start with "▁"

    def encoder(self):
        # SentencePiece in Python after the same normalization: the in-graph ids,
        # without a TensorFlow call per text.
        processor = spm.SentencePieceProcessor(model_proto=self.proto)
        lowercase, keep_accents = self.lowercase, self.keep_accents
        return lambda text: processor.encode(normalize_text(text, lowercase, keep_accents))

    def batch_encoder(self):
        processor = spm.SentencePieceProcessor(model_proto=self.proto)
        lowercase, keep_accents = self.lowercase, self.keep_accents
        # One thread: `prepare` runs a process per core.
        return lambda texts: processor.encode(
            [normalize_text(text, lowercase, keep_accents) for text in texts], num_threads=1)

    def lite_tokenizer(self):
        return lite_tokenizer(self)

    def onnx_tokenizer(self, graph, strings):
        return add_sentencepiece(graph, self, strings)  # see sentencepiece_onnx

    def export_resources(self):
        return [sentencepiece_resource(self)]

    def reload(self):
        self.set_proto(self.proto)

    @preprocessing_function
    def _tokenize_tf(self, inputs):
        inputs = normalize_in_graph(inputs, self.lowercase, self.keep_accents)
        return sentencepiece_tokenize(self, inputs)

    def get_config(self):
        return {
            **super().get_config(),
            "lowercase": self.lowercase,
            "keep_accents": self.keep_accents,
        }
