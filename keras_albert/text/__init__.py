"""Text to token ids: ALBERT's normalization, SentencePiece vocabularies, tokenizer."""

from keras_albert.text.normalization import normalize_in_graph, normalize_text
from keras_albert.text.preprocessor import AlbertPreprocessor, pack_segments
from keras_albert.text.tokenizer import AlbertTokenizer
from keras_albert.text.vocab import train_vocabulary

__all__ = [
    "AlbertPreprocessor",
    "AlbertTokenizer",
    "normalize_in_graph",
    "normalize_text",
    "pack_segments",
    "train_vocabulary",
]
