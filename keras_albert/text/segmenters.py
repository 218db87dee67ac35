"""Word segmenters for whole-word masking of text without spaces (Chinese).

By default n-gram masking groups the pieces of a word by the vocabulary
(`AlbertTokenizerBase.is_word_start`), so in Chinese every character is a
word. With a segmenter, a word is what the segmenter says (jieba: 北京大学 is
one word of four characters), as Chinese whole-word-masking models do: the
encoder returns, with each id, whether it begins a segmenter word, and the
masking reads that instead.
"""

SEGMENTERS = ("jieba",)


def load_segmenter(name):
    """`text -> list of words` for a segmenter name.

    Raises:
        ValueError: an unknown name, or its package is not installed.
    """
    if name not in SEGMENTERS:
        raise ValueError(f"Unknown word segmenter. Received: whole_word={name!r}; "
                         f"expected one of {list(SEGMENTERS)}")
    try:
        import jieba
    except ImportError:
        raise ValueError("whole_word='jieba' needs the jieba package: "
                         "pip install jieba (or keras-albert[chinese]).") from None
    jieba.setLogLevel(60)  # no "Building prefix dict" chatter on stderr
    return lambda text: jieba.lcut(text, HMM=False)


def segmented_encoder(encode, segment, word_starts):
    """`text -> list of (id, begins_word)`: `encode` on each word of
    `segment(text)`, the first piece of each word marked. Where encoding word
    by word would give other ids than encoding the text (it does not for
    BERT's basic tokenizer, which splits where a segmenter does), the text's
    ids are kept with the vocabulary's `word_starts` (a bool per id)."""
    def encode_words(text):
        ids = encode(text)
        pairs = []
        for word in segment(text):
            pieces = encode(word)
            pairs += [(piece, index == 0) for index, piece in enumerate(pieces)]
        if [piece for piece, _ in pairs] != ids:
            return [(piece, bool(word_starts[piece])) for piece in ids]
        return pairs

    return encode_words
