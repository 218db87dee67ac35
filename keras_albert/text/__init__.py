"""Text to token ids: ALBERT's normalization, SentencePiece and WordPiece
vocabularies and tokenizers."""

from keras_albert.text.normalization import normalize_in_graph, normalize_text
from keras_albert.text.packing import pack_segments
from keras_albert.text.preprocessor import AlbertPreprocessor
from keras_albert.text.tokenizer import AlbertTokenizer
from keras_albert.text.vocab import train_vocabulary
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer
from keras_albert.text.wordpiece_vocab import train_wordpiece_vocabulary

__all__ = [
    "AlbertPreprocessor",
    "AlbertTokenizer",
    "AlbertWordPieceTokenizer",
    "normalize_in_graph",
    "normalize_text",
    "pack_segments",
    "train_vocabulary",
    "train_wordpiece_vocabulary",
]
