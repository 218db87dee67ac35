"""Fine-tuning data already in memory: Hugging Face `datasets`, tf.data (TFDS)
and pandas, read as the files are, with the same row-numbered complaints."""

import json

import datasets
import numpy as np
import pytest
import tensorflow as tf

from keras_albert.finetune import finetune
from keras_albert.finetune.classification import TextClassification
from keras_albert.finetune.squad import QuestionAnswering
from keras_albert.finetune.tagging import TokenTagging
from keras_albert.models.pretrained import load_pretrained


def _sentiment():
    features = datasets.Features({"sentence": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["neg", "pos"])})
    return datasets.Dataset.from_dict(
        {"sentence": ["a dull film", "a fine film", "no label here", "awful", "great"],
         "label": [0, 1, -1, 0, 1]}, features=features)


def test_hugging_face_class_labels_become_names():
    spec = TextClassification("classify", ["sentence"])
    rows, report = spec.read(_sentiment())
    assert [(r["row"], r["sentence"], r["label"]) for r in rows] == [
        (1, "a dull film", "neg"), (2, "a fine film", "pos"), (4, "awful", "neg"),
        (5, "great", "pos")]
    assert report["skipped_no_label"] == 1


def test_tf_data_and_pandas_read_like_the_dataset():
    expected, _ = TextClassification("pair", ["a", "b"]).read(
        [{"a": "one", "b": "two", "label": "x"}, {"a": "three", "b": "four", "label": "y"}])
    records = {"a": ["one", "three"], "b": ["two", "four"], "label": ["x", "y"]}
    from_tf, _ = TextClassification("pair", ["a", "b"]).read(
        tf.data.Dataset.from_tensor_slices(records))
    from_pandas, _ = TextClassification("pair", ["a", "b"]).read(
        datasets.Dataset.from_dict(records).to_pandas())
    assert from_tf == expected == from_pandas


def test_in_memory_problems_name_the_row():
    spec = TextClassification("classify")
    with pytest.raises(ValueError, match=r"DatasetDict.*row 1: expected a mapping.*one split"):
        spec.read(datasets.DatasetDict({"train": _sentiment()}))
    with pytest.raises(ValueError, match=r"Dataset of 2 rows, row 2: no column 'label'"):
        spec.read(datasets.Dataset.from_list([{"text": "a", "label": "x"},
                                              {"text": "b", "label": None}]))
    batched = tf.data.Dataset.from_tensor_slices(
        {"text": ["a", "b"], "label": ["x", "y"]}).batch(2)
    with pytest.raises(ValueError, match=r"tf.data.Dataset, row 1: 'text' must be a text"):
        spec.read(batched)
    undecodable = tf.data.Dataset.from_tensor_slices(
        {"text": [b"fine", b"\xff\xfe", b"good"], "label": [b"x", b"y", b"y"]})
    rows, report = spec.read(undecodable)
    assert [r["row"] for r in rows] == [1, 3] and report["skipped_invalid_utf8"] == 1


def test_tagging_reads_sequence_class_labels():
    features = datasets.Features({
        "tokens": datasets.Sequence(datasets.Value("string")),
        "ner_tags": datasets.Sequence(datasets.ClassLabel(names=["O", "B-PER", "I-PER"]))})
    data = datasets.Dataset.from_dict(
        {"tokens": [["John", "Smith", "runs"]], "ner_tags": [[1, 2, 0]]}, features=features)
    rows, _ = TokenTagging(["tokens"], "ner_tags").read(data)
    assert rows == [{"row": 1, "words": ["John", "Smith", "runs"],
                     "tags": ["B-PER", "I-PER", "O"]}]


def test_squad_records_read_like_the_json_file(tmp_path):
    context = "The cat sat on the mat. It was warm."
    records = [{"id": "q1", "title": "t", "context": context, "question": "Where?",
                "answers": {"text": ["the mat"], "answer_start": [15]}},
               {"id": "q2", "title": "t", "context": context, "question": "How?",
                "answers": {"text": ["warm"], "answer_start": [31]}}]
    squad = {"version": "1.1", "data": [{"title": "t", "paragraphs": [{
        "context": context, "qas": [
            {"id": r["id"], "question": r["question"],
             "answers": [{"text": r["answers"]["text"][0],
                          "answer_start": r["answers"]["answer_start"][0]}]}
            for r in records]}]}]}
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(squad))
    from_file, _ = QuestionAnswering().read(path)
    from_dataset, _ = QuestionAnswering().read(datasets.Dataset.from_list(records))
    assert from_dataset == from_file
    assert [r["span"] for r in from_file] == [(4, 5), (8, 8)]


def test_finetune_on_a_hugging_face_dataset(tmp_path, wordnet_vocab):
    features = datasets.Features({"text": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["animal", "plant",
                                                                      "unused"])})
    texts = ["a dog that barks", "a cat that purrs", "a tree with leaves",
             "a flower with petals"] * 4
    data = datasets.Dataset.from_dict({"text": texts, "label": [0, 0, 1, 1] * 4},
                                      features=features)
    summary = finetune("classify", "albert_tiny", data, tmp_path / "out", eval=data,
                       vocab=wordnet_vocab, sequence_length=16, batch_size=8, epochs=1,
                       jit_compile=False, verbose=0, log=lambda *_: None)
    assert summary["train"] == summary["eval"] == "Dataset of 16 rows"
    model = load_pretrained(tmp_path / "out" / "model")
    # All of the ClassLabel's names, in its order, even one no row uses.
    assert model.label_names == ["animal", "plant", "unused"]
    predictions = model.predict_labels(np.array(texts[:2]), verbose=0)
    assert {p["label"] for p in predictions} <= {"animal", "plant", "unused"}
