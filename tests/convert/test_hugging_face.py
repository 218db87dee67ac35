import json
import warnings

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from keras_albert import AlbertClassifier, AlbertMaskedLM, AlbertPretrainer
from keras_albert.convert import ConversionError, convert, convert_hf, save_hf
from keras_albert.models.pretrained import load_pretrained
from keras_albert.text import AlbertTokenizer
from tests.convert.conversion_fixtures import (
    FIXTURES,
    TOLERANCE,
    all_positions,
    check_pretraining_outputs,
    fixture_copy,
    inputs,
)


def reference(name):
    return dict(np.load(FIXTURES / name / "reference.npz"))


def check_task_outputs(model, name):
    """The task's logits equal transformers' on real tokens (we give padding
    -10000 in span logits; transformers leaves it as computed)."""
    x = inputs(num_choices=3 if "multiple_choice" in name else None)
    outputs = model(x)
    outputs = outputs if isinstance(outputs, dict) else {"logits": outputs}
    for key, expected in reference(name).items():
        actual = np.asarray(outputs[key])
        if key in ("start_logits", "end_logits"):
            real = x["padding_mask"].astype(bool)
            actual, expected = actual[real], expected[real]
        np.testing.assert_allclose(actual, expected, atol=TOLERANCE, rtol=0, err_msg=key)


@pytest.mark.parametrize("name", ["hf_pretraining_groups", "hf_pretraining_relu"])
def test_pretraining_checkpoint_converts_exactly(tmp_path, name):
    out = tmp_path / "converted"
    convert("hf", fixture_copy(tmp_path, name), out)
    check_pretraining_outputs(AlbertPretrainer.from_pretrained(out), reference(name))
    # the MLM head alone loads from the same directory
    masked_lm = AlbertMaskedLM.from_pretrained(out)
    np.testing.assert_allclose(np.asarray(masked_lm(all_positions(inputs()))),
                               reference(name)["mlm_logits"], atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("name, not_in_transformers", [
    ("hf_sequence_classification", []),
    ("hf_token_classification", ["pooler/kernel"]),
    ("hf_question_answering", ["answerable_head/kernel", "pooler/kernel"]),
    ("hf_multiple_choice", []),
])
def test_fine_tuned_heads_convert_exactly(tmp_path, name, not_in_transformers):
    out = tmp_path / "converted"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        convert("hf", fixture_copy(tmp_path, name), out)
    reported = " ".join(str(w.message) for w in caught if w.category is UserWarning)
    assert all(path in reported for path in not_in_transformers), reported
    assert bool(reported) == bool(not_in_transformers), reported
    check_task_outputs(load_pretrained(out), name)


def test_labels_are_kept(tmp_path):
    model, _ = convert_hf(fixture_copy(tmp_path, "hf_sequence_classification"))
    assert isinstance(model, AlbertClassifier)
    assert model.label_names == ["negative", "neutral", "positive"]
    save_hf(model, tmp_path / "back")
    config = json.loads((tmp_path / "back" / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "neutral", "2": "positive"}


@pytest.mark.parametrize("name", ["hf_pretraining_groups", "hf_sequence_classification",
                                  "hf_question_answering", "hf_multiple_choice"])
def test_save_hf_writes_the_same_tensors(tmp_path, name):
    source = fixture_copy(tmp_path, name)
    model, tokenizer = convert_hf(source)
    save_hf(model, tmp_path / "back", tokenizer=tokenizer)
    written = load_file(tmp_path / "back" / "model.safetensors")
    original = {key: value for key, value in load_file(source / "model.safetensors").items()
                if not key.startswith("predictions.decoder.")}
    assert sorted(written) == sorted(original)
    for key, value in original.items():
        np.testing.assert_array_equal(written[key], value, err_msg=key)
    assert (tmp_path / "back" / "spiece.model").is_file()


@pytest.mark.parametrize("name", ["hf_pretraining_groups", "hf_sequence_classification"])
def test_round_trip_through_transformers(tmp_path, name):
    import torch  # the reference library: installed with .[dev]
    import transformers
    model, _ = convert_hf(fixture_copy(tmp_path, name))
    save_hf(model, tmp_path / "back")
    architecture = json.loads((tmp_path / "back" / "config.json").read_text())
    hf_model = getattr(transformers, architecture["architectures"][0]).from_pretrained(
        tmp_path / "back").eval()
    x = inputs()
    with torch.no_grad():
        result = hf_model(input_ids=torch.tensor(x["token_ids"]).long(),
                          token_type_ids=torch.tensor(x["segment_ids"]).long(),
                          attention_mask=torch.tensor(x["padding_mask"]).long())
    expected = reference(name)
    actual = (result.prediction_logits if "pretraining" in name else result.logits)
    key = "mlm_logits" if "pretraining" in name else "logits"
    np.testing.assert_allclose(actual.numpy(), expected[key], atol=TOLERANCE, rtol=0)


def test_pytorch_bin_is_read_with_weights_only(tmp_path):
    import torch  # the reference library: installed with .[dev]
    source = fixture_copy(tmp_path, "hf_pretraining_relu")
    tensors = load_file(source / "model.safetensors")
    torch.save({key: torch.from_numpy(value) for key, value in tensors.items()},
               source / "pytorch_model.bin")
    (source / "model.safetensors").unlink()
    model, _ = convert_hf(source)
    check_pretraining_outputs(model, reference("hf_pretraining_relu"))


def test_missing_sop_head_warns(tmp_path):
    source = fixture_copy(tmp_path, "hf_pretraining_relu")
    tensors = {key: value for key, value in load_file(source / "model.safetensors").items()
               if not key.startswith("sop_classifier.")}
    save_file(tensors, source / "model.safetensors")
    with pytest.warns(UserWarning, match="no sentence-order head"):
        model, _ = convert_hf(source)
    assert isinstance(model, AlbertMaskedLM)


def test_bad_checkpoints_are_named(tmp_path):
    source = fixture_copy(tmp_path, "hf_pretraining_relu")
    (source / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ConversionError, match="Cannot read .*model.safetensors"):
        convert_hf(source)
    (source / "model.safetensors").unlink()
    with pytest.raises(ConversionError, match="No model.safetensors"):
        convert_hf(source)
    config = json.loads((source / "config.json").read_text())
    (source / "config.json").write_text(json.dumps({**config, "hidden_act": "swish"}))
    with pytest.raises(ConversionError, match="hidden_act='swish'"):
        convert_hf(source)


def test_converted_tokenizer_matches_transformers(tmp_path):
    """Ids of transformers' AlbertTokenizer (stored by the fixture generator) on
    mixed-case, accented, quoted and punctuated text."""
    out = tmp_path / "converted"
    convert("hf", fixture_copy(tmp_path, "hf_pretraining_relu"), out)
    reference = json.loads((FIXTURES / "tokenizer_reference.json").read_text())
    tokenizer = AlbertTokenizer.from_pretrained(out)
    assert tokenizer.lowercase
    for text, expected in zip(reference["texts"], reference["ids"]):
        assert list(np.asarray(tokenizer(text))) == expected, text
