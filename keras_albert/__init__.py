"""keras-albert: ALBERT (Lan et al. 2019) for Keras 3 on the TensorFlow backend."""

import os

# The package is written for the TensorFlow backend (tf.data, tf.while_loop,
# SavedModel, TFLite); choose it unless the user already chose.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402

if keras.backend.backend() != "tensorflow":
    raise ImportError(
        "keras-albert needs the TensorFlow backend. Received: "
        f"KERAS_BACKEND={keras.backend.backend()!r}; set KERAS_BACKEND=tensorflow."
    )

from keras_albert import hub, layers  # noqa: E402  (hub: names in from_pretrained)
from keras_albert.finetune.embedding import embed  # noqa: E402
from keras_albert.models import PRESETS, AlbertBackbone  # noqa: E402
from keras_albert.tasks import (  # noqa: E402
    AlbertClassifier,
    AlbertMaskedLM,
    AlbertMultipleChoice,
    AlbertPretrainer,
    AlbertQuestionAnswerer,
    AlbertSentenceEncoder,
    AlbertSentenceOrder,
    AlbertSentencePairs,
    AlbertTokenClassifier,
)
from keras_albert.text import AlbertTokenizer, AlbertWordPieceTokenizer  # noqa: E402

__version__ = "0.1.0"
