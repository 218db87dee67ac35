"""`AlbertSentenceEncoder`: one unit-length vector per text."""

import keras

from keras_albert.layers.masked_mean_pooling import MaskedMeanPooling
from keras_albert.tasks.task import AlbertTask


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertSentenceEncoder(AlbertTask):
    """The backbone's token vectors, averaged over the real tokens and scaled
    to unit length: a sentence embedding whose dot products are cosine
    similarities, as Sentence-BERT's (Reimers and Gurevych 2019, arXiv
    1908.10084). It has no weights of its own, so it loads from any
    pretrained directory (untrained, it is the plain mean-pooled backbone);
    `AlbertSentencePairs` fine-tunes it on pairs of texts.

    Each text is packed alone, `[CLS] text [SEP]`; `[CLS]` and `[SEP]` count
    among the averaged tokens, padding does not.

    Args:
        backbone: `AlbertBackbone`.
        preprocessor: `AlbertPreprocessor` or None; with one, `predict` takes
            raw texts.

    Example:
    >>> encoder = AlbertSentenceEncoder.from_pretrained(
    ...     "albert/albert-base-v2",
    ...     preprocessor=AlbertPreprocessor.from_pretrained("albert/albert-base-v2"))
    >>> vectors = encoder.predict(["A cat sat.", "A dog ran."])  # (2, 768)
    >>> float(vectors[0] @ vectors[1])  # their cosine similarity
    """

    def __init__(self, backbone, preprocessor=None, **kwargs):
        # === Layers ===
        # float32: the norm of a sum of many float16 values would lose digits.
        self.pooling = MaskedMeanPooling(normalize=True, dtype="float32",
                                         name="pooling")

        # === Functional model ===
        inputs = backbone.input
        sequence = backbone(inputs)["sequence_output"]  # (B, L, H)
        embedding = self.pooling(sequence, inputs["padding_mask"])  # (B, H)
        super().__init__(backbone=backbone, inputs=inputs, outputs=embedding,
                         preprocessor=preprocessor, **kwargs)

    def default_losses(self):
        raise ValueError("An AlbertSentenceEncoder has no loss of its own: train it on "
                         "pairs of texts with AlbertSentencePairs (or `keras-albert "
                         "finetune --task similarity`).")
