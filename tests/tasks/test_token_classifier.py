"""AlbertTokenClassifier: a label per token, -100 ignored."""

import numpy as np

from keras_albert import AlbertTokenClassifier
from tests.helpers import check_task, predict, tiny_backbone, token_batch

RNG = np.random.default_rng(0)


def test_token_classifier(tmp_path):
    x = token_batch()
    labels = RNG.integers(0, 5, (4, 10)).astype("int32")
    labels[x["padding_mask"] == 0] = -100  # ignored positions
    model = check_task(
        lambda dtype: AlbertTokenClassifier(tiny_backbone(dtype=dtype), num_classes=5),
        x, labels, tmp_path, policies=["mixed_float16"], fit_float32=False,
    )
    assert predict(model, x).shape == (4, 10, 5)

def test_token_classifier_loss_ignores_minus_100_labels():
    x = token_batch()
    model = AlbertTokenClassifier(tiny_backbone(), num_classes=5)
    logits = predict(model, x)  # (B, T, 5)
    labels = RNG.integers(0, 5, (4, 10)).astype("int32")
    labels[x["padding_mask"] == 0] = -100
    kept = labels != -100
    log_probabilities = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.take_along_axis(log_probabilities, np.maximum(labels, 0)[..., None],
                                   -1)[..., 0][kept].mean()  # over real labels only
    loss = float(model.default_losses()(labels, logits))
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    noisy = logits.copy()
    noisy[~kept] += 50.0  # what the model says at ignored positions does not count
    assert kept.sum() < kept.size
    np.testing.assert_allclose(float(model.default_losses()(labels, noisy)), loss, rtol=1e-6)
