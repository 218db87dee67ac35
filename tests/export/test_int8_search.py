"""Accuracy-aware full int8 (`--target-agreement`): the op groups kept float
are measured on held-out text, the file meets the target on texts it never saw
against the Keras model, the choice is in its metadata, and a target nothing
meets fails instead of shipping."""

import pytest

from keras_albert.cli import main
from keras_albert.datasets import load_wordnet
from keras_albert.export import export_tflite
from keras_albert.export.int8_search import GROUPS, HeldOut, search
from keras_albert.export.runners import TFLiteRunner
from keras_albert.export.serving import keras_outputs, load_for_export, pack_texts, preprocessor_for
from keras_albert.export.tflite import read_metadata


@pytest.fixture(scope="module")
def representative(tmp_path_factory):
    """700 training glosses: 200 calibrate, 500 measure."""
    path = tmp_path_factory.mktemp("int8_search") / "representative.txt"
    path.write_text("\n".join(e["text"] for e in load_wordnet("train", limit=700)))
    return path


def _agreement(classifier_dir, path, texts, with_tokenizer):
    """Label agreement of a file with the Keras model on `texts`."""
    model = load_for_export(classifier_dir)
    inputs = pack_texts(texts, preprocessor_for(classifier_dir, model))
    expected = keras_outputs(model, inputs)["logits"].argmax(-1)
    runner = TFLiteRunner(path)
    logits = runner.texts(texts)["logits"] if with_tokenizer else runner.tokens(inputs)["logits"]
    return float((logits.argmax(-1) == expected).mean())


@pytest.mark.parametrize("with_tokenizer", [False, True], ids=["tokens", "text"])
def test_target_agreement_is_met_on_unseen_text(classifier_dir, representative, glosses,
                                                tmp_path, with_tokenizer):
    out = tmp_path / "int8.tflite"
    command = ["export", "tflite", str(classifier_dir), "--out", str(out), "--quantize",
               "int8", "--representative", str(representative), "--target-agreement", "0.99"]
    assert main(command + (["--with-tokenizer"] if with_tokenizer else [])) == 0
    metadata = read_metadata(out)
    search_summary = metadata["int8_search"]
    assert metadata["int8_float_ops"] == search_summary["float_groups"]
    assert set(search_summary["float_groups"]) <= set(GROUPS)
    assert search_summary["held_out"] == 500 and search_summary["agreement"] >= 0.99
    # Every group int8 misses on this model (the attention core breaks it), so
    # the search had to keep something float, and measured every group.
    assert search_summary["float_groups"]
    assert min(search_summary["sensitivity"].values()) < 0.99
    # On the held-out validation glosses, which the search never saw.
    assert _agreement(classifier_dir, out, glosses, with_tokenizer) >= 0.98


def test_a_target_nothing_meets_fails_with_the_best_figure(classifier_dir, glosses, tmp_path):
    """Against labels the model does not give (shifted by one class), no
    choice of float ops agrees: the search raises, naming the best reached."""
    import tensorflow as tf

    from keras_albert.export import int8
    from keras_albert.export.tflite import SIGNATURE, _converter, _quantize, _token_function, _write_saved_model

    model = load_for_export(classifier_dir)
    preprocessor = preprocessor_for(classifier_dir, model)
    calibration = int8.calibration_inputs(preprocessor, glosses[:16])
    saved = tmp_path / "saved"
    _write_saved_model(str(saved), _token_function(model, None, None), model)
    converter = _converter(str(saved), False)
    _quantize(converter, "int8", calibration)
    quantizer = int8.Int8Quantizer(converter, _converter(str(saved), False), calibration)
    held_out = HeldOut(model, preprocessor, glosses, SIGNATURE, with_tokenizer=False)
    held_out.labels = (held_out.labels + 1) % 3
    with pytest.raises(ValueError, match=r"misses target_agreement=0\.99 .* best agreement"):
        search(quantizer, held_out, 0.99)
    assert tf.io.gfile.exists(str(saved))  # nothing else was written


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"quantize": "dynamic"}, "applies to quantize='int8'"),
    ({"quantize": "int8", "keep_float": "attention"}, "not both"),
    ({"quantize": "int8", "target_agreement": 1.5}, r"must be in \(0, 1\]"),
    ({"quantize": "int8", "texts": 450}, "at least 300 representative texts beyond"),
])
def test_bad_target_settings_fail_in_one_line(classifier_dir, tmp_path, kwargs, message):
    kwargs = {"target_agreement": 0.99, "texts": 700, **kwargs}
    texts = [e["text"] for e in load_wordnet("train", limit=kwargs.pop("texts"))]
    with pytest.raises(ValueError, match=message) as error:
        export_tflite(classifier_dir, tmp_path / "x.tflite", representative=texts, **kwargs)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "x.tflite").exists()


def test_held_out_refuses_a_model_without_labels(classifier_dir, glosses):
    """An encoder (a backbone without a head) has embeddings, not labels."""
    model = load_for_export(classifier_dir)
    with pytest.raises(ValueError, match="needs a model with labels"):
        HeldOut(model.backbone, preprocessor_for(classifier_dir, model), glosses[:4],
                "serve_tokens", with_tokenizer=False)
