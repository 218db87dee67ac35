"""The SentencePiece tokenizer inside a TFLite file.

TFLite runs tensorflow-text's `FastBertNormalizer` and
`FastSentencepieceTokenizer` as custom ops, but not the regex and case ops of
`AlbertTokenizer`'s own normalization: lowercasing and accent stripping are
`FastBertNormalizer`'s (NFD, strip Mn), then SentencePiece's NFKC.

Differs from `AlbertTokenizer` only where NFD and NFKD disagree before
SentencePiece's NFKC, and in LaTeX quotes (`` and '' stay as they are);
`keras-albert verify` measures the agreement on real text.
"""

import tensorflow as tf
import tensorflow_text as tf_text


def lite_tokenizer(tokenizer):
    """A function (batch,) strings -> (batch, None) int32 ragged ids of the
    SentencePiece `tokenizer` (an `AlbertTokenizer`), from ops with TFLite
    kernels."""
    if tokenizer.lowercase != (not tokenizer.keep_accents):
        raise ValueError(
            "The TFLite tokenizer lowercases and strips accents together or not at "
            f"all. Received: lowercase={tokenizer.lowercase}, "
            f"keep_accents={tokenizer.keep_accents}")
    normalizer = (tf_text.FastBertNormalizer(lower_case_nfd_strip_accents=True)
                  if tokenizer.lowercase else None)
    sentencepiece = tf_text.FastSentencepieceTokenizer(tokenizer.proto)

    def tokenize(strings):
        if normalizer is not None:
            strings = normalizer.normalize(strings)
        return tf.cast(sentencepiece.tokenize(strings), tf.int32)  # (B, None)

    return tokenize
