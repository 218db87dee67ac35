"""`AlbertSentencePairs`: a sentence encoder trained on pairs of texts."""

import keras
import numpy as np

from keras_albert.checks import check_choice
from keras_albert.tasks.sentence_encoder import AlbertSentenceEncoder
from keras_albert.tasks.task import AlbertTask

OBJECTIVES = ("cosine", "in_batch_negatives")
SIDES = ("a", "b")  # the inputs of text a are `token_ids_a`, ...
DEFAULT_SCALE = 20.0  # Sentence-BERT's MultipleNegativesRankingLoss


@keras.saving.register_keras_serializable(package="keras_albert")
class InBatchNegativesLoss(keras.losses.Loss):
    """Cross-entropy of each row of the (B, B) scaled cosine similarities
    between the texts a and b of a batch, with the row's own pair (the
    diagonal) as the class: every other b of the batch is a negative for a.
    `y_true` is not read (a batch's classes are its positions)."""

    def call(self, y_true, y_pred):
        labels = keras.ops.arange(keras.ops.shape(y_pred)[0])  # (B,)
        return keras.losses.sparse_categorical_crossentropy(labels, y_pred,
                                                             from_logits=True)


@keras.saving.register_keras_serializable(package="keras_albert")
class AlbertSentencePairs(AlbertTask):
    """One `AlbertSentenceEncoder` applied to both texts of a pair (a siamese
    network, Sentence-BERT: Reimers and Gurevych 2019, arXiv 1908.10084),
    trained with one of two objectives:

    - `"cosine"`: the output is cos(u, v) (B,), regressed with mean squared
      error onto the pair's score scaled to [0, 1] (`scaled_scores`), as
      Sentence-BERT trains on STS-B. For pairs with a graded score.
    - `"in_batch_negatives"`: the output is `scale` x the (B, B) cosines of
      every a with every b; cross-entropy picks each a's own b among the
      batch's (`InBatchNegativesLoss`: Sentence-BERT's
      MultipleNegativesRankingLoss, SimCSE's supervised loss). For pairs that
      are all similar (paraphrases, a question and its answer): no score is
      needed, the other pairs of the batch are the negatives. A text repeated
      within a batch is a false negative, so pairs should be distinct.

    Inputs are the token inputs of each side, `token_ids_a`, ...,
    `padding_mask_b`; with a `preprocessor`, `fit` and `predict` take raw
    pairs `(texts_a, texts_b)`, each text packed alone. What is trained is
    `encoder`: `save_pretrained` writes it, a model that embeds one text.

    Args:
        backbone: `AlbertBackbone`.
        preprocessor: `AlbertPreprocessor` or None (the encoder's).
        objective: `"cosine"` or `"in_batch_negatives"`.
        scale: float. The in-batch cosines are multiplied by it (a
            temperature of 1 / scale).
        score_range: (low, high). The scores `scaled_scores` maps to 0 and 1.

    Example:
    >>> pairs = AlbertSentencePairs.from_preset(
    ...     "albert_tiny", preprocessor=preprocessor, objective="cosine")
    >>> pairs.compile()
    >>> pairs.fit((texts_a, texts_b), pairs.scaled_scores(scores), batch_size=32)
    >>> pairs.encoder.predict(texts)  # (N, H) unit vectors
    """

    def __init__(self, backbone, preprocessor=None, objective="cosine",
                 scale=DEFAULT_SCALE, score_range=(0.0, 1.0), **kwargs):
        check_choice("objective", objective, OBJECTIVES)
        if not isinstance(scale, (int, float)) or scale <= 0:
            raise ValueError(f"`scale` must be a positive number. Received: scale={scale!r}")
        low, high = (float(value) for value in score_range)
        if not low < high:
            raise ValueError("`score_range` must be (low, high) with low < high. "
                             f"Received: score_range={tuple(score_range)!r}")

        # === Layers ===
        # The pooler does not feed the embedding: frozen, it gets no update
        # (and no "gradients do not exist" warning), and its weights are kept.
        backbone.pooler.trainable = False
        self.encoder = AlbertSentenceEncoder(backbone, preprocessor=preprocessor,
                                             name="sentence_encoder")

        # === Functional model ===
        inputs = {f"{name}_{side}": keras.Input(shape=(None,), dtype="int32",
                                                name=f"{name}_{side}")
                  for side in SIDES for name in backbone.input}
        u, v = (self.encoder({name: inputs[f"{name}_{side}"] for name in backbone.input})
                for side in SIDES)  # (B, H) each, unit length
        if objective == "cosine":
            outputs = keras.ops.sum(u * v, axis=-1)  # (B,)
        else:
            outputs = scale * keras.ops.matmul(u, keras.ops.transpose(v))  # (B, B)
        super().__init__(backbone=backbone, inputs=inputs, outputs=outputs,
                         preprocessor=preprocessor, **kwargs)

        # === Config ===
        self.objective = objective
        self.scale = float(scale)
        self.score_range = (low, high)

    def scaled_scores(self, scores):
        """Scores mapped linearly from `score_range` to [0, 1], the cosines
        the `"cosine"` objective trains towards."""
        low, high = self.score_range
        return (np.asarray(scores, "float32") - low) / (high - low)

    def preprocess_samples(self, x, y=None, sample_weight=None):
        """A batch of raw pairs `(texts_a, texts_b)`: each side packed alone."""
        inputs = {f"{name}_{side}": value for side, texts in zip(SIDES, x, strict=True)
                  for name, value in self.preprocessor(texts).items()}
        return keras.utils.pack_x_y_sample_weight(inputs, y, sample_weight)

    def save_pretrained(self, directory, tokenizer=None, overwrite=True):
        """Write the trained `encoder` (see `AlbertTask.save_pretrained`)."""
        self.encoder.save_pretrained(directory, tokenizer=tokenizer, overwrite=overwrite)

    def default_losses(self):
        if self.objective == "cosine":
            return keras.losses.MeanSquaredError()
        return InBatchNegativesLoss()

    def get_config(self):
        return {**super().get_config(), "objective": self.objective, "scale": self.scale,
                "score_range": list(self.score_range)}
