"""The special tokens of a vocabulary, found by their spelling, never assumed
at fixed ids.

ALBERT's SentencePiece vocabularies have `<pad> <unk> [CLS] [SEP] [MASK]` at
ids 0..4; BERT's WordPiece vocabularies (the Chinese ALBERTs) spell padding and
unknown `[PAD]` and `[UNK]` and put them elsewhere (0, 100..103 in Google's
`vocab_chinese.txt`). Everything that needs one of these ids reads it here.
"""

from typing import NamedTuple

# BERT's WordPiece vocabularies: attribute name -> token (ids read from the
# file), and the prefix of a piece that continues a word.
WORDPIECE_SPECIAL_TOKENS = {
    "pad_token": "[PAD]",
    "unk_token": "[UNK]",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}
WORDPIECE_SUFFIX_INDICATOR = "##"

# Field -> the spellings it may have, SentencePiece's first.
SPELLINGS = {
    "pad": ("<pad>", "[PAD]"),
    "unk": ("<unk>", "[UNK]"),
    "cls": ("[CLS]",),
    "sep": ("[SEP]",),
    "mask": ("[MASK]",),
}


class SpecialTokenIds(NamedTuple):
    """The ids of a vocabulary's special tokens."""

    pad: int
    unk: int
    cls: int
    sep: int
    mask: int

    def ordinary(self, vocabulary_size):
        """The ids of the vocabulary that are not special, ascending."""
        special = set(self)
        return [i for i in range(vocabulary_size) if i not in special]


# The layout of ALBERT's SentencePiece vocabularies (`train_vocabulary` and
# Google's releases), for a model saved without its vocabulary.
ALBERT_LAYOUT = SpecialTokenIds(pad=0, unk=1, cls=2, sep=3, mask=4)


def special_token_ids(pieces, where="the vocabulary"):
    """The `SpecialTokenIds` of a vocabulary given as its list of pieces (or
    tokens), id order.

    Raises:
        ValueError: naming `where` and the missing token.
    """
    index = {}
    for i, piece in enumerate(pieces):
        index.setdefault(piece, i)
    ids = {}
    for field, spellings in SPELLINGS.items():
        found = [index[s] for s in spellings if s in index]
        if not found:
            raise ValueError(f"{where} has no {' or '.join(spellings)} token; an ALBERT "
                             "vocabulary needs <pad>/[PAD], <unk>/[UNK], [CLS], [SEP] "
                             "and [MASK].")
        ids[field] = found[0]
    return SpecialTokenIds(**ids)
