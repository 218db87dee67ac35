"""Every task model passes the shared checks and trains on its kind of labels."""

import keras
import numpy as np
import pytest

from keras_albert import (
    AlbertClassifier,
    AlbertMaskedLM,
    AlbertMultipleChoice,
    AlbertPretrainer,
    AlbertQuestionAnswerer,
    AlbertSentenceOrder,
    AlbertTokenClassifier,
)
from tests.helpers import check_task, tiny_backbone, token_batch, traced_step_function

RNG = np.random.default_rng(0)


def predict(model, x):
    """The model called on `x` as numpy: no predict function to compile."""
    return keras.tree.map_structure(keras.ops.convert_to_numpy, model(x))


def mlm_batch(batch_size=4, num_masks=3):
    x = token_batch(batch_size)
    x["mask_positions"] = RNG.integers(0, 10, (batch_size, num_masks)).astype("int32")
    mask_ids = RNG.integers(0, 100, (batch_size, num_masks)).astype("int32")
    mask_weights = np.ones((batch_size, num_masks), "float32")
    mask_weights[-1] = 0.0  # the all-padding row predicts nothing
    return x, mask_ids, mask_weights


def test_classifier(tmp_path):
    x = token_batch()
    model = check_task(
        lambda dtype: AlbertClassifier(tiny_backbone(dtype=dtype), num_classes=3,
                                       label_names=["a", "b", "c"]),
        x, np.array([0, 1, 2, 0]), tmp_path, policies=["mixed_float16"],
        fit_float32=False,  # float32 under XLA: the finetune and example tests
    )
    assert predict(model, x).shape == (4, 3)
    assert model.get_config()["label_names"] == ["a", "b", "c"]


def test_regressor(tmp_path):
    check_task(lambda dtype: AlbertClassifier(tiny_backbone(dtype=dtype), num_classes=1),
               token_batch(), np.array([0.5, 1.0, -1.0, 0.0], "float32"), tmp_path,
               policies=["mixed_bfloat16"], fit_float32=False)  # float32: finetune tests


def test_classifier_rejects_wrong_label_names():
    with pytest.raises(ValueError, match="label_names"):
        AlbertClassifier(tiny_backbone(), num_classes=3, label_names=["a", "b"])


def test_masked_lm(tmp_path):
    x, mask_ids, mask_weights = mlm_batch()
    model = check_task(lambda dtype: AlbertMaskedLM(tiny_backbone(dtype=dtype)),
                       x, mask_ids, tmp_path, sample_weight=mask_weights,
                       policies=["mixed_float16"], fit_float32=False)  # float32: pretrainer
    assert predict(model, x).shape == (4, 3, 100)


def test_masked_lm_decoder_is_tied_to_word_embeddings():
    model = AlbertMaskedLM(tiny_backbone())
    table = model.backbone.token_embedding.embeddings
    # The head adds only its transform (H -> E, LayerNorm) and the output bias.
    head_params = (16 * 8 + 8) + 2 * 8 + 100
    assert model.count_params() == model.backbone.count_params() + head_params
    x, _, _ = mlm_batch()
    before = predict(model, x)
    table.assign(table * 2.0)
    assert not np.allclose(predict(model, x), before)


def test_pretrainer(tmp_path):
    x, mask_ids, mask_weights = mlm_batch()
    y = {"mlm_logits": mask_ids, "sop_logits": np.array([0, 1, 1, 0])}
    sample_weight = {"mlm_logits": mask_weights, "sop_logits": np.ones(4, "float32")}
    # float32 pretraining under XLA: test_pretraining_steps, test_optimizer
    model = check_task(lambda dtype: AlbertPretrainer(tiny_backbone(dtype=dtype)),
                       x, y, tmp_path, sample_weight=sample_weight,
                       policies=["mixed_bfloat16"], fit_float32=False)
    outputs = predict(model, x)
    assert outputs["mlm_logits"].shape == (4, 3, 100)
    assert outputs["sop_logits"].shape == (4, 2)


def test_sentence_order(tmp_path):
    # float32: the same head trains in the pretrainer (test_pretraining_steps)
    check_task(lambda dtype: AlbertSentenceOrder(tiny_backbone(dtype=dtype)),
               token_batch(), np.array([0, 1, 1, 0]), tmp_path, policies=["mixed_bfloat16"],
               fit_float32=False)


def test_token_classifier(tmp_path):
    x = token_batch()
    labels = RNG.integers(0, 5, (4, 10)).astype("int32")
    labels[x["padding_mask"] == 0] = -100  # ignored positions
    model = check_task(
        lambda dtype: AlbertTokenClassifier(tiny_backbone(dtype=dtype), num_classes=5),
        x, labels, tmp_path, policies=["mixed_float16"], fit_float32=False,
    )
    assert predict(model, x).shape == (4, 10, 5)


def test_question_answerer(tmp_path):
    x = token_batch()
    y = {
        "start_logits": np.array([1, 2, 0, 0]),
        "end_logits": np.array([3, 2, 0, 0]),
        "answerable_logits": np.array([1, 1, 0, 0], "float32"),
    }
    model = check_task(lambda dtype: AlbertQuestionAnswerer(tiny_backbone(dtype=dtype)),
                       x, y, tmp_path, policies=["mixed_bfloat16"], fit_float32=False)
    outputs = predict(model, x)
    assert outputs["start_logits"].shape == (4, 10)
    assert outputs["answerable_logits"].shape == (4,)
    # Padding is never a span boundary.
    padded = x["padding_mask"][:-1] == 0
    assert (outputs["start_logits"][:-1][padded] < -1000).all()


def test_multiple_choice(tmp_path):
    x = token_batch(shape=(3, 4))
    model = check_task(
        lambda dtype: AlbertMultipleChoice(tiny_backbone(dtype=dtype)),
        x, np.array([0, 3, 1]), tmp_path, policies=["mixed_float16"], fit_float32=False,
    )
    logits = predict(model, x)
    assert logits.shape == (3, 4)
    # Each choice is scored on its own: choice 2 of example 0 equals the
    # classifier-style score of that packed pair run alone.
    single = {name: value[:1, 2:3] for name, value in x.items()}
    np.testing.assert_allclose(predict(model, single)[0, 0], logits[0, 2],
                               atol=1e-5)


def test_first_step_is_traced_once():
    """`fit` and `train_on_batch` create the optimizer's, losses' and metrics'
    variables before tracing the step; left to the trace, `tf.function` traces
    the step twice (seconds of every first step)."""
    for train in (lambda model, x, y: model.fit(x, y, verbose=0),
                  lambda model, x, y: model.train_on_batch(x, y)):
        model = AlbertPretrainer(tiny_backbone())
        x, mask_ids, _ = mlm_batch()
        model.compile(jit_compile=False)
        train(model, x, {"mlm_logits": mask_ids, "sop_logits": np.array([0, 1, 1, 0])})
        assert model.optimizer.built
        assert traced_step_function(model).experimental_get_tracing_count() == 1


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
