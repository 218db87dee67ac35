"""Many strings to token id lists in one in-graph tokenizer call."""

import numpy as np


def encode_texts(tokenizer, texts):
    """Token id lists of many strings in one in-graph tokenizer call (any
    keras-albert tokenizer; an empty list gives an empty list)."""
    if not texts:
        return []
    ids = tokenizer(np.array(texts, dtype=object))
    return [list(row) for row in (ids.to_list() if hasattr(ids, "to_list") else ids)]
