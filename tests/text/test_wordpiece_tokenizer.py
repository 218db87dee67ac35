"""`AlbertWordPieceTokenizer` against transformers' `BertTokenizer` on real
text: 12,000 lines of Debian's Chinese translation catalogues
(tools/make_chinese_fixtures.py) and the edge cases of `MIXED`."""

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import transformers

from keras_albert.text import AlbertPreprocessor
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.text.wordpiece_lite import lite_tokenizer
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer
from tests.text.conftest import MIXED

FIXTURES = Path(__file__).parent.parent / "fixtures"
REPOSITORY = FIXTURES / "hub/keras-albert-test/albert-chinese-classifier"
EDGES = MIXED + [
    "[MASK] 是 [CLS] 特殊 [SEP] tokens [UNK] [PAD] x[MASK]y [mask] [unused5]",
    "ＡＢＣ１２３！？（全角）「括号」《书名》“引号”",
    "零宽\u200b空格\u200d连接\ufeffBOM \ue000私用 \U000e0001tag",
    "𠀀𪚥 CJK Ext-B 𫝀 㐀 ExtA 豈 兀 compat",
    "a" * 120 + " 短词 " + "ж" * 60,
    "控制\x01字符\x7f测试",
]


@pytest.fixture(scope="module")
def lines():
    with gzip.open(FIXTURES / "chinese/debian_zh_lines.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="module")
def vocabulary():
    return (REPOSITORY / "vocab.txt").read_text("utf-8").splitlines()


def reference(vocabulary, **flags):
    return transformers.BertTokenizer(
        vocab={token: i for i, token in enumerate(vocabulary)}, **flags)


def graph_ids(tokenizer, texts):
    run = tf.function(tokenizer)
    ids = []
    for start in range(0, len(texts), 2048):
        ids += run(tf.constant(texts[start:start + 2048])).to_list()
    return ids


def mismatches(ours, texts, bert):
    return [text for text, got in zip(texts, ours, strict=True)
            if got != bert.encode(text, add_special_tokens=False)]


@pytest.mark.parametrize("lowercase", [True, False], ids=["uncased", "cased"])
def test_same_ids_as_transformers_on_debian_lines(lines, vocabulary, lowercase):
    texts = lines + EDGES
    assert len(lines) >= 10_000
    assert sum(any("\u4e00" <= c <= "\u9fff" for c in t) for t in lines) > 4000
    tokenizer = AlbertWordPieceTokenizer(vocabulary, lowercase=lowercase)
    bert = reference(vocabulary, do_lower_case=lowercase)
    assert mismatches(graph_ids(tokenizer, texts), texts, bert) == []


@pytest.mark.parametrize("flags", [
    {"lowercase": True, "strip_accents": False},
    {"lowercase": False, "strip_accents": True},
    {"lowercase": True, "tokenize_chinese_chars": False},
])
def test_same_ids_as_transformers_with_other_flags(lines, vocabulary, flags):
    texts = lines[:2000] + EDGES
    tokenizer = AlbertWordPieceTokenizer(vocabulary, **flags)
    bert = reference(vocabulary, do_lower_case=flags["lowercase"],
                     strip_accents=flags.get("strip_accents"),
                     tokenize_chinese_chars=flags.get("tokenize_chinese_chars", True))
    assert mismatches(graph_ids(tokenizer, texts), texts, bert) == []


def test_tflite_tokenizer_agrees_on_debian_lines(lines, vocabulary, tmp_path):
    from ai_edge_litert.interpreter import InterpreterWithCustomOps
    from tensorflow_text.core.pybinds import tflite_registrar

    tokenizer = AlbertWordPieceTokenizer(vocabulary)
    tokenize = lite_tokenizer(tokenizer)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def lite(strings):
        ids = tokenize(strings)
        return {"values": ids.flat_values, "row_splits": ids.row_splits}

    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [lite.get_concrete_function()], lite)
    converter.allow_custom_ops = True
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    interpreter = InterpreterWithCustomOps(
        model_content=converter.convert(),
        custom_op_registerers=tflite_registrar.SELECT_TFTEXT_OPS)
    # A concrete function converts without a signature: tensors by index.
    (strings,) = interpreter.get_input_details()
    outputs = [detail["index"] for detail in interpreter.get_output_details()]
    texts = lines + EDGES
    got = []
    for start in range(0, len(texts), 500):
        batch = texts[start:start + 500]
        interpreter.resize_tensor_input(strings["index"], [len(batch)])
        interpreter.allocate_tensors()
        interpreter.set_tensor(strings["index"], np.array(batch, dtype=object))
        interpreter.invoke()
        first, second = (interpreter.get_tensor(index) for index in outputs)
        splits, values = ((first, second) if len(first) == len(batch) + 1
                          and first[-1] == len(second) else (second, first))
        got += [values[splits[i]:splits[i + 1]].tolist() for i in range(len(batch))]
    bert = reference(vocabulary, do_lower_case=True)
    wrong = mismatches(got, texts, bert)
    assert len(wrong) / len(texts) <= 0.001, wrong[:5]
    # Where it may differ (bert_normalization's module docstring): a NUL, which
    # SentencePiece's normalizer cannot map.
    assert all("\x00" in text for text in wrong), wrong


def test_special_token_ids_are_read_from_the_vocabulary(vocabulary):
    tokenizer = AlbertWordPieceTokenizer(vocabulary)
    assert tuple(tokenizer.special_tokens) == (0, 100, 101, 102, 103)  # Google's layout
    assert (tokenizer.pad_token_id, tokenizer.cls_token_id, tokenizer.mask_token_id) == (
        0, 101, 103)
    moved = ["[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]"] + [
        t for t in vocabulary if t not in ("[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]")]
    tokenizer = AlbertWordPieceTokenizer(moved)
    assert tuple(tokenizer.special_tokens) == (4, 3, 0, 1, 2)
    packed = AlbertPreprocessor(tokenizer, sequence_length=8)("中文")
    assert np.asarray(packed["token_ids"]).tolist()[:4] == [0, moved.index("中"),
                                                           moved.index("文"), 1]
    assert np.asarray(packed["token_ids"]).tolist()[4:] == [4, 4, 4, 4]


def test_a_vocabulary_without_a_special_token_is_refused(vocabulary):
    with pytest.raises(ValueError, match=r"\[MASK\]"):
        AlbertWordPieceTokenizer([t for t in vocabulary if t != "[MASK]"])


def test_saved_and_loaded_by_type(vocabulary, tmp_path):
    tokenizer = AlbertWordPieceTokenizer(vocabulary, lowercase=False)
    tokenizer.save_to_directory(tmp_path)
    config = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert config["tokenizer_type"] == "wordpiece" and config["lowercase"] is False
    loaded = load_tokenizer(tmp_path)
    assert isinstance(loaded, AlbertWordPieceTokenizer)
    assert loaded.get_vocabulary() == vocabulary and not loaded.lowercase
    text = "Crème 中文 ABC"
    assert np.asarray(loaded(text)).tolist() == np.asarray(tokenizer(text)).tolist()
    rebuilt = AlbertWordPieceTokenizer.from_config(tokenizer.get_config())
    rebuilt.set_vocabulary(vocabulary)
    assert np.asarray(rebuilt(text)).tolist() == np.asarray(tokenizer(text)).tolist()


def test_word_starts_for_masking(vocabulary):
    tokenizer = AlbertWordPieceTokenizer(vocabulary)
    starts = tokenizer.word_starts()
    index = {token: i for i, token in enumerate(vocabulary)}
    assert starts[index["中"]] and not starts[index["##中"]]


def test_dense_output_and_detokenize(vocabulary):
    tokenizer = AlbertWordPieceTokenizer(vocabulary, sequence_length=6)
    ids = np.asarray(tokenizer(["中文", "Hello"]))
    assert ids.shape == (2, 6) and ids[0, 2:].tolist() == [0] * 4
    plain = AlbertWordPieceTokenizer(vocabulary)
    assert plain.detokenize(plain(["中文 ok"])) == ["中 文 ok"]


def test_encoder_gives_the_graph_ids(lines, vocabulary):
    tokenizer = AlbertWordPieceTokenizer(vocabulary)
    encode = tokenizer.encoder()
    texts = lines[:200] + EDGES
    assert [encode(t) for t in texts] == graph_ids(tokenizer, texts)
    assert tokenizer.batch_encoder()(texts) == graph_ids(tokenizer, texts)


@pytest.mark.parametrize("lowercase", [True, False], ids=["uncased", "cased"])
def test_onnx_tokenizer_agrees_on_debian_lines(lines, vocabulary, lowercase):
    """onnxruntime-extensions' operators (`wordpiece_onnx`) give transformers'
    ids on every Debian line and edge case but the one with a NUL (the
    operators read a string up to its first NUL)."""
    import onnxruntime
    from onnx import TensorProto, helper

    from keras_albert.compat import onnxruntime_extensions_library
    from keras_albert.text.onnx_graph import CUSTOM_DOMAIN, OnnxTokenizerGraph

    tokenizer = AlbertWordPieceTokenizer(vocabulary, lowercase=lowercase)
    graph = OnnxTokenizerGraph("t/")
    ids, splits = tokenizer.onnx_tokenizer(graph, "text")
    model = helper.make_model(
        helper.make_graph(
            [*graph.nodes, helper.make_node("Identity", [ids], ["ids"]),
             helper.make_node("Identity", [splits], ["splits"])], "wordpiece",
            [helper.make_tensor_value_info("text", TensorProto.STRING, [None])],
            [helper.make_tensor_value_info("ids", TensorProto.INT32, [None]),
             helper.make_tensor_value_info("splits", TensorProto.INT64, [None])],
            graph.initializers),
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(CUSTOM_DOMAIN, 1),
                       helper.make_opsetid("ai.onnx.ml", 3)])
    options = onnxruntime.SessionOptions()
    options.register_custom_ops_library(onnxruntime_extensions_library())
    session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    texts = lines + EDGES
    got = []
    for start in range(0, len(texts), 2000):
        batch = texts[start:start + 2000]
        values, row_splits = session.run(None, {"text": np.array(batch, dtype=object)})
        got += [values[row_splits[i]:row_splits[i + 1]].tolist() for i in range(len(batch))]
    bert = reference(vocabulary, do_lower_case=lowercase)
    assert mismatches(got, texts, bert) == [text for text in EDGES if "\x00" in text]
