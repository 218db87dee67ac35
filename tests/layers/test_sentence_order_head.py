"""SentenceOrderHead."""

import numpy as np

from keras_albert.layers import SentenceOrderHead
from tests.helpers import check_layer


def test_sentence_order_head():
    head = SentenceOrderHead()
    check_layer(head, np.ones((2, 16), "float32"))
    assert head(np.ones((2, 16), "float32")).shape == (2, 2)
