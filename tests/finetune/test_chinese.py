"""Fine-tuning in Chinese through the existing commands, with a WordPiece
vocabulary: sentence pairs from a CSV (the LCQMC layout), character-level CoNLL
tagging and SQuAD-format QA with character offsets (the CMRC 2018 layout), on
lines of Debian's Chinese catalogues."""

import csv
import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from keras_albert.finetune.squad import QuestionAnswering
from keras_albert.metrics import squad_metrics
from keras_albert.text.tokenizers import load_tokenizer
from tests.finetune.test_finetune import run_task

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture(scope="module")
def chinese_lines():
    with gzip.open(FIXTURES / "chinese/debian_zh_lines.jsonl.gz", "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    return [line for line in lines if re.search("[\u4e00-\u9fff]{4}", line)
            and " " not in line][:40]


@pytest.fixture(scope="module")
def chinese_vocab(tmp_path_factory):
    directory = tmp_path_factory.mktemp("zh_vocab")
    shutil.copy(FIXTURES / "hub/keras-albert-test/albert-chinese-classifier/vocab.txt",
                directory)
    return directory


def test_sentence_pairs_from_a_chinese_csv(tmp_path, capsys, chinese_vocab, chinese_lines):
    """Two text columns and a Chinese label, as LCQMC-style files come."""
    train = tmp_path / "pairs.csv"
    with open(train, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["句子1", "句子2", "标签"])
        for i, line in enumerate(chinese_lines[:24]):
            other = line if i % 2 else chinese_lines[(i + 7) % len(chinese_lines)]
            writer.writerow([line, other, "相同" if i % 2 else "不同"])
    summary, predictions = run_task(tmp_path, capsys, chinese_vocab, "pair", train,
                                    ["--text-column", "句子1", "句子2",
                                     "--label-column", "标签"])
    assert set(summary["eval_metrics"]) >= {"accuracy"}
    assert len(predictions) == 24 and {p["label"] for p in predictions} <= {"相同", "不同"}
    # The Chinese characters are in the vocabulary: none became [UNK].
    tokenizer = load_tokenizer(tmp_path / "run" / "model")
    ids = tokenizer(chinese_lines[0]).numpy().tolist()
    assert tokenizer.unk_token_id not in ids and len(ids) >= 4


def tag(character):
    return "B-CJK" if "\u4e00" <= character <= "\u9fff" else "O"


def test_character_level_conll_tagging(tmp_path, capsys, chinese_vocab, chinese_lines):
    sentences = []
    for line in chinese_lines:  # one character a line, as Chinese NER corpora are
        sentences.append("\n".join(f"{c} {tag(c)}" for c in line if not c.isspace()))
    train = tmp_path / "train.conll"
    train.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    summary, predictions = run_task(tmp_path, capsys, chinese_vocab, "tag", train)
    assert summary["eval_metrics"]
    assert len(predictions) == len(sentences)
    for prediction, line in zip(predictions, chinese_lines, strict=True):
        characters = [c for c in line if not c.isspace()]
        assert prediction["words"][:len(prediction["tags"])] == characters[
            :len(prediction["tags"])]
        assert len(prediction["tags"]) == len(prediction["words"])


def answer_start(line):
    """Where four Chinese characters in a row start (from a third in)."""
    match = (re.compile("[\u4e00-\u9fff]{4}").search(line, len(line) // 3)
             or re.compile("[\u4e00-\u9fff]{4}").search(line))
    return match.start()


def cmrc_file(path, lines):
    """SQuAD JSON as CMRC 2018 has it: Chinese contexts without spaces, answers
    with character offsets."""
    paragraphs = []
    for number, line in enumerate(lines):
        start = answer_start(line)
        answer = line[start:start + 4]
        paragraphs.append({"context": line, "qas": [{
            "id": f"q{number}", "question": "哪四个字？",
            "answers": [{"text": answer, "answer_start": start}]}]})
    path.write_text(json.dumps({"version": "v1.1", "data": [
        {"title": "t", "paragraphs": paragraphs}]}, ensure_ascii=False), encoding="utf-8")
    return path


def test_cmrc_layout_maps_answers_to_characters(tmp_path, chinese_vocab, chinese_lines):
    path = cmrc_file(tmp_path / "cmrc.json", chinese_lines)
    spec = QuestionAnswering(tokenizer=load_tokenizer(chinese_vocab), sequence_length=64)
    rows, report = spec.read(path)
    assert report["skipped_answer_not_in_context"] == 0
    for row, line in zip(rows, chinese_lines, strict=True):
        first, last = row["span"]
        start = answer_start(line)
        assert row["spans"][first][0] == start and row["spans"][last][1] == start + 4
        assert line[row["spans"][first][0]:row["spans"][last][1]] == row["answers"][0]


def test_cmrc_layout_through_the_commands(tmp_path, capsys, chinese_vocab, chinese_lines):
    train = cmrc_file(tmp_path / "cmrc.json", chinese_lines)
    summary, predictions = run_task(tmp_path, capsys, chinese_vocab, "qa", train)
    assert set(summary["eval_metrics"]) == {"exact_match", "f1"}
    contexts = dict(zip([f"q{i}" for i in range(len(chinese_lines))], chinese_lines,
                        strict=True))
    for prediction in predictions:  # spans of the context, sliced from it
        assert prediction["answer"] in contexts[prediction["id"]]
        assert " " not in prediction["answer"]


def test_f1_counts_chinese_characters():
    scores = squad_metrics(["北京市", "上海"], [["北京"], ["北京"]])
    assert scores["exact_match"] == 0.0
    assert scores["f1"] == pytest.approx(100 * (0.8 + 0.0) / 2)
