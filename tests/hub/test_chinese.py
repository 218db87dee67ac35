"""A Chinese ALBERT as the Hub has them: transformers'
`AlbertForSequenceClassification` with a `BertTokenizer` (WordPiece,
`vocab.txt`), written by transformers itself (tools/make_chinese_fixtures.py).
It converts with its tokenizer and serves raw Chinese text from Keras, the
SavedModel and a TFLite file with the tokenizer inside, with transformers'
logits."""

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import transformers

from keras_albert import AlbertClassifier
from keras_albert.cli import main
from keras_albert.convert import ConversionError, convert, save_hf
from keras_albert.export.runners import load_runner
from keras_albert.text import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer

FIXTURES = Path(__file__).parent.parent / "fixtures"
REFERENCE = json.loads((FIXTURES / "hub/reference_chinese.json").read_text("utf-8"))
REPO = REFERENCE["repo"]
SOURCE = FIXTURES / "hub" / REPO
EXPECTED = np.array(REFERENCE["logits"])


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("chinese") / "classifier"
    assert main(["convert", "--from", "hf", str(SOURCE), "--out", str(out)]) in (0, None)
    return out


def test_converts_with_its_wordpiece_tokenizer(converted):
    config = json.loads((converted / "tokenizer_config.json").read_text())
    assert config["tokenizer_type"] == "wordpiece" and config["lowercase"] is True
    assert (converted / "vocab.txt").read_bytes() == (SOURCE / "vocab.txt").read_bytes()
    preprocessor = AlbertPreprocessor.from_pretrained(converted)
    assert isinstance(preprocessor.tokenizer, AlbertWordPieceTokenizer)
    ids = np.asarray(preprocessor(np.array(REFERENCE["texts"]))["token_ids"])
    for row, expected in zip(ids, REFERENCE["token_ids"], strict=True):
        assert row[:len(expected)].tolist() == expected  # transformers' own ids


def test_keras_gives_transformers_logits_on_raw_chinese(converted):
    model = AlbertClassifier.from_pretrained(converted)
    assert model.label_names == ["负面", "中性", "正面"]
    preprocessor = AlbertPreprocessor.from_pretrained(converted)
    logits = np.asarray(model(preprocessor(np.array(REFERENCE["texts"]))))
    np.testing.assert_allclose(logits, EXPECTED, atol=1e-4)


def test_tokenizer_json_alone_converts_to_the_same_tokenizer(tmp_path):
    source = tmp_path / "repo"
    shutil.copytree(SOURCE, source)
    (source / "vocab.txt").unlink()  # what transformers 5's save_pretrained leaves
    convert("hf", source, tmp_path / "out")
    tokenizer = load_tokenizer(tmp_path / "out")
    assert isinstance(tokenizer, AlbertWordPieceTokenizer)
    assert tokenizer.get_vocabulary() == (SOURCE / "vocab.txt").read_text("utf-8").splitlines()


def test_no_tokenizer_files_is_an_error_and_writes_nothing(tmp_path):
    source = tmp_path / "repo"
    shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns(
        "vocab.txt", "tokenizer.json", "tokenizer_config.json"))
    with pytest.raises(ConversionError, match="No tokenizer in .*vocab.txt") as error:
        convert("hf", source, tmp_path / "out")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "out").exists()


def test_a_tokenizer_json_that_is_not_berts_is_refused(tmp_path):
    source = tmp_path / "repo"
    shutil.copytree(SOURCE, source)
    (source / "vocab.txt").unlink()
    spec = json.loads((source / "tokenizer.json").read_text("utf-8"))
    spec["normalizer"] = {"type": "NFKC"}
    (source / "tokenizer.json").write_text(json.dumps(spec), "utf-8")
    with pytest.raises(ConversionError, match="not BERT's WordPiece pipeline.*'NFKC'"):
        convert("hf", source, tmp_path / "out")


def test_by_name_from_the_hub(hub):
    model = AlbertClassifier.from_pretrained(f"hf://{REPO}")
    preprocessor = AlbertPreprocessor.from_pretrained(f"hf://{REPO}")
    logits = np.asarray(model(preprocessor(np.array(REFERENCE["texts"]))))
    np.testing.assert_allclose(logits, EXPECTED, atol=1e-4)
    downloaded = [p for m, p in hub.requests if m == "GET" and "/resolve/" in p]
    assert any(p.endswith("/vocab.txt") for p in downloaded)
    assert not any(p.endswith("/tokenizer.json") for p in downloaded)


@pytest.fixture(scope="module")
def lite_file(converted):
    path = converted.parent / "zh.tflite"
    assert main(["export", "tflite", str(converted), "--out", str(path),
                 "--with-tokenizer"]) in (0, None)
    return path


def test_saved_model_and_tflite_serve_raw_chinese(converted, lite_file, tmp_path):
    assert main(["export", "saved-model", str(converted), "--out", str(tmp_path / "serving"),
                 "--name", "zh"]) in (0, None)
    texts = REFERENCE["texts"]
    saved = load_runner(tmp_path / "serving/zh/1").texts(texts)
    np.testing.assert_allclose(saved["logits"], EXPECTED, atol=1e-4)
    lite = load_runner(lite_file)
    assert lite.takes_text
    np.testing.assert_allclose(lite.texts(texts)["logits"], EXPECTED, atol=1e-4)


def test_verify_on_a_chinese_labelled_file(converted, lite_file, tmp_path):
    with gzip.open(FIXTURES / "chinese/debian_zh_lines.jsonl.gz", "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f][:3000:30]
    labels = ["负面", "中性", "正面"]
    data = tmp_path / "held_out.jsonl"
    data.write_text("".join(json.dumps({"text": line, "label": labels[i % 3]},
                                       ensure_ascii=False) + "\n"
                            for i, line in enumerate(lines)), "utf-8")
    assert main(["export", "onnx", str(converted), "--out", str(tmp_path / "zh.onnx")]) in (
        0, None)
    assert main(["export", "onnx", str(converted), "--out", str(tmp_path / "zh_text.onnx"),
                 "--with-tokenizer"]) in (0, None)
    text_onnx = load_runner(tmp_path / "zh_text.onnx")  # raw Chinese in, as transformers
    np.testing.assert_allclose(text_onnx.texts(REFERENCE["texts"])["logits"], EXPECTED,
                               atol=1e-4)
    report = tmp_path / "report.json"
    assert main(["verify", str(converted), str(lite_file), str(tmp_path / "zh.onnx"),
                 str(tmp_path / "zh_text.onnx"), "--data", str(data),
                 "--json", str(report)]) == 0
    report = json.loads(report.read_text())
    assert report["passed"] and report["examples"] == 100
    lite, onnx, onnx_text = report["artifacts"]
    for row in (lite, onnx, onnx_text):  # zh.onnx takes ids tokenized by the Keras side
        assert row["failures"] == [] and row["max_abs_diff"] <= 1e-4
    # Every held-out line tokenizes inside TFLite and ONNX as the graph
    # tokenizer does.
    assert lite["tokenizer_agreement"] == onnx_text["tokenizer_agreement"] == 1.0


def test_save_hf_writes_a_bert_tokenizer_transformers_reads(converted, tmp_path):
    model = AlbertClassifier.from_pretrained(converted)
    tokenizer = load_tokenizer(converted)
    save_hf(model, tmp_path / "hf", tokenizer=tokenizer)
    bert = transformers.AutoTokenizer.from_pretrained(tmp_path / "hf")
    for text, expected in zip(REFERENCE["texts"], REFERENCE["token_ids"], strict=True):
        assert bert.encode(text) == expected
    config = json.loads((tmp_path / "hf/config.json").read_text())
    assert config["pad_token_id"] == 0
