"""The SentencePiece tokenizer inside ONNX (onnxruntime-extensions' operators)
against the reference: ALBERT's `preprocess_text` (`normalize_text`) and the
sentencepiece library's own encoding."""

import itertools
import random
import unicodedata
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import sentencepiece as spm
from onnx import TensorProto, helper

from keras_albert.compat import onnxruntime_extensions_library
from keras_albert.text import AlbertTokenizer
from keras_albert.text.normalization import normalize_text
from keras_albert.text.onnx_graph import CUSTOM_DOMAIN, OnnxTokenizerGraph
from keras_albert.text.sentencepiece_onnx import add_normalization
from tests.text.conftest import MIXED


def _per_character(text):
    """The text with capital sigma lowercased to medial sigma: Python gives a
    word-final one final sigma, which a character table cannot (the one
    known difference)."""
    return text.replace("\u03a3", "\u03c3")


def _run(build, texts, outputs):
    """Run the graph `build(graph, "text")` adds, on a (batch,) string input."""
    graph = OnnxTokenizerGraph("test/")
    names = build(graph, "text")
    names = names if isinstance(names, tuple) else (names,)
    nodes = [*graph.nodes, *(helper.make_node("Identity", [name], [f"out{i}"])
                             for i, name in enumerate(names))]
    model = helper.make_model(
        helper.make_graph(nodes, "test",
                          [helper.make_tensor_value_info("text", TensorProto.STRING, [None])],
                          [helper.make_tensor_value_info(f"out{i}", kind, None)
                           for i, kind in enumerate(outputs)], graph.initializers),
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(CUSTOM_DOMAIN, 1)])
    options = onnxruntime.SessionOptions()
    options.register_custom_ops_library(onnxruntime_extensions_library())
    session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    return session.run(None, {"text": np.array(texts, dtype=object)})


def _random_texts(count, seed=0):
    """Strings of 20 code points drawn from every assigned letter, mark,
    number, punctuation, symbol and space (upper planes included)."""
    rng = random.Random(seed)
    pool = [code for code in range(0x20, 0x30000) if not 0xD800 <= code <= 0xDFFF
            and unicodedata.category(chr(code))[0] in "LMNPSZ"]
    return ["".join(chr(rng.choice(pool)) for _ in range(20)) for _ in range(count)]


@pytest.mark.parametrize("lowercase, keep_accents", [(True, False), (True, True),
                                                     (False, False)])
def test_normalization_is_albert_s_up_to_sentencepiece_nfkc(lowercase, keep_accents):
    texts = [text.replace("\x00", "") for text in MIXED] + _random_texts(1500)
    (got,) = _run(lambda graph, text: add_normalization(graph, text, lowercase,
                                                        keep_accents),
                  texts, [TensorProto.STRING])
    differ = []
    for text, result in zip(texts, got, strict=True):
        expected = normalize_text(_per_character(text) if lowercase else text,
                                  lowercase, keep_accents)
        if unicodedata.normalize("NFKC", result) != unicodedata.normalize("NFKC", expected):
            differ.append((text, result, expected))
    assert differ == []


def test_word_final_sigma_is_the_known_difference():
    (got,) = _run(lambda graph, text: add_normalization(graph, text, True, False),
                  ["ΟΔΟΣ"], [TensorProto.STRING])
    assert normalize_text("ΟΔΟΣ") == "οδος" and got[0] == "οδοσ"


def test_ids_are_the_sentencepiece_library_s(model_file):
    """Flat ids and row splits, as sentencepiece encodes the normalized text."""
    tokenizer = AlbertTokenizer(Path(model_file).read_bytes())
    texts = [text.replace("\x00", "") for text in MIXED] + _random_texts(200, seed=1)
    ids, splits = _run(lambda graph, text: tokenizer.onnx_tokenizer(graph, text), texts,
                       [TensorProto.INT32, TensorProto.INT64])
    processor = spm.SentencePieceProcessor(model_file=model_file)
    rows = [ids[start:end].tolist() for start, end in itertools.pairwise(splits)]
    expected = [processor.encode(normalize_text(_per_character(t))) for t in texts]
    assert rows == expected


def test_empty_batch_and_empty_strings():
    (got,) = _run(lambda graph, text: add_normalization(graph, text, True, False),
                  np.array([], dtype=object), [TensorProto.STRING])
    assert got.shape == (0,)
    (got,) = _run(lambda graph, text: add_normalization(graph, text, True, False),
                  ["", " \t ", "É"], [TensorProto.STRING])
    assert got.tolist() == ["", "", "e"]
