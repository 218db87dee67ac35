"""TaskSpec: one shape for every fine-tuning task, made whole in its constructor."""

import json

import pytest

from keras_albert import AlbertTokenizer
from keras_albert.finetune import TASKS, TaskSpec, finetune, make_spec, saved_spec
from keras_albert.finetune.registry import spec_from_config


@pytest.fixture
def tokenizer(wordnet_vocab):
    return AlbertTokenizer.from_pretrained(wordnet_vocab)


@pytest.mark.parametrize("task", TASKS)
def test_every_task_is_a_whole_spec(task, tokenizer):
    spec = make_spec(task, tokenizer, 32)
    assert isinstance(spec, TaskSpec)
    assert spec.kind == task
    assert spec.tokenizer is tokenizer and spec.sequence_length == 32
    assert spec.mode == {"val_loss": "min", "val_accuracy": "max"}[spec.monitor]
    again = spec_from_config(json.loads(json.dumps(spec.get_config())), tokenizer)
    assert type(again) is type(spec) and again.get_config() == spec.get_config()


def test_the_base_cannot_be_made_alone(tokenizer):
    with pytest.raises(TypeError, match="abstract"):
        TaskSpec(tokenizer=tokenizer, sequence_length=32)


def test_a_spec_without_a_tokenizer_reads_but_says_why_it_cannot_encode(tmp_path):
    spec = make_spec("tag", None, 32)
    conll = tmp_path / "train.conll"
    conll.write_text("The O\ncat B-ANIMAL\n\nA O\ndog B-ANIMAL\n")
    rows, _ = spec.read(conll)
    assert [row["tags"] for row in rows] == [["O", "B-ANIMAL"]] * 2
    with pytest.raises(ValueError, match="made without a tokenizer"):
        spec.features(rows)


def test_bad_task_and_columns_are_one_line_errors(tokenizer):
    with pytest.raises(ValueError, match="task.*Received: task='sentiment'"):
        make_spec("sentiment", tokenizer, 32)
    with pytest.raises(ValueError, match="reads 2 text column"):
        make_spec("pair", tokenizer, 32, text_columns=["only_one"])
    with pytest.raises(ValueError, match="sequence_length=0"):
        make_spec("classify", tokenizer, 0)


def test_finetune_takes_a_spec_and_records_it(tmp_path, wordnet_vocab):
    tokenizer = AlbertTokenizer.from_pretrained(wordnet_vocab)
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps({"sentence": f"{word} is a word", "y": label}) + "\n"
                             for word, label in [("cat", "a"), ("dog", "b")] * 8))
    spec = make_spec("classify", tokenizer, 16, text_columns=["sentence"],
                     label_column="y")
    summary = finetune(spec, "albert_tiny", train, tmp_path / "run", vocab=wordnet_vocab,
                       epochs=1, batch_size=8, jit_compile=False, verbose=0,
                       log=lambda line: None)
    assert summary["task"] == "classify"
    saved = saved_spec(tmp_path / "run" / "model")
    assert saved.get_config() == spec.get_config()
    assert saved.tokenizer.get_vocabulary() == tokenizer.get_vocabulary()
