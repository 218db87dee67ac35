import gzip

import pytest

from keras_albert.finetune.readers import (
    check_known_labels,
    label_set,
    read_conll,
    read_table,
)


def test_csv_tsv_jsonl_and_gzip_read_alike(tmp_path):
    (tmp_path / "a.csv").write_text('text,label\n"a, quoted ""text""",x\nplain,y\n')
    (tmp_path / "a.tsv").write_text('text\tlabel\n"a, quoted ""text""\tx\nplain\ty\n')
    with gzip.open(tmp_path / "a.jsonl.gz", "wt") as file:
        file.write('{"text": "plain", "label": "y"}\n')
    csv_rows, _ = read_table(tmp_path / "a.csv", ["text", "label"])
    tsv_rows, _ = read_table(tmp_path / "a.tsv", ["text", "label"])
    assert csv_rows[0]["text"] == 'a, quoted "text"'
    assert tsv_rows[0]["text"] == '"a, quoted ""text""'  # TSV: no quoting, as GLUE
    assert [r["row"] for r in csv_rows] == [2, 3]
    jsonl_rows, _ = read_table(tmp_path / "a.jsonl.gz", ["text", "label"])
    assert jsonl_rows == [{"row": 1, "text": "plain", "label": "y"}]


def test_bad_rows_are_skipped_with_counts_or_named_by_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "ok", "label": "a"}\n{"text": "", "label": "a"}\n'
                     b'{"text": "\xff\xfe", "label": "b"}\n{"text": "fine", "label": "b"}\n')
    rows, report = read_table(path, ["text", "label"])
    assert [r["row"] for r in rows] == [1, 4]
    assert report["skipped_empty_text"] == 1 and report["skipped_invalid_utf8"] == 1
    path.write_text('{"text": "ok", "label": "a"}\n{"text": "no label"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl, line 2: no column 'label'"):
        read_table(path, ["text", "label"])
    with pytest.raises(ValueError, match="line 2: not JSON"):
        path.write_text('{"text": "ok", "label": "a"}\n{broken\n')
        read_table(path, ["text", "label"])
    with pytest.raises(ValueError, match="No usable rows"):
        path.write_text("")
        read_table(path, ["text", "label"])


def test_label_problems_name_the_rows(tmp_path):
    rows = [{"row": 2, "label": "a"}, {"row": 3, "label": "a"}]
    with pytest.raises(ValueError, match="same label 'a'"):
        label_set(rows, "train.csv")
    with pytest.raises(ValueError, match=r"line 3: 'c'"):
        check_known_labels([{"row": 2, "label": "a"}, {"row": 3, "label": "c"}],
                           ["a", "b"], "eval.csv")


def test_conll_sentences(tmp_path):
    path = tmp_path / "a.conll"
    path.write_text("-DOCSTART- -X- O\n\nJohn NNP B-PER\nruns VBZ O\n\nHi UH O\n")
    rows, _ = read_conll(path)
    assert rows == [{"row": 3, "words": ["John", "runs"], "tags": ["B-PER", "O"]},
                    {"row": 6, "words": ["Hi"], "tags": ["O"]}]
    path.write_text("John\n")
    with pytest.raises(ValueError, match="line 1: expected a word and a tag"):
        read_conll(path)


def test_tagging_jsonl_reads_as_conll(tmp_path):
    from keras_albert.finetune.tagging import TokenTagging

    conll = tmp_path / "a.conll"
    conll.write_text("John NNP B-PER\nruns VBZ O\n\nHi UH O\n")
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text('{"words": ["John", "runs"], "tags": ["B-PER", "O"]}\n'
                     '{"words": ["Hi"], "tags": ["O"]}\n')
    strip = lambda rows: [{k: v for k, v in row.items() if k != "row"} for row in rows]
    assert strip(TokenTagging().read(jsonl)[0]) == strip(TokenTagging().read(conll)[0])
    assert strip(TokenTagging().read(jsonl)[0])[0] == {"words": ["John", "runs"],
                                                      "tags": ["B-PER", "O"]}
    jsonl.write_text('{"words": ["John", "runs"], "tags": ["B-PER"]}\n')
    with pytest.raises(ValueError, match="line 1: 2 words but 1 tags"):
        TokenTagging().read(jsonl)


def test_choice_layouts_read_alike(tmp_path):
    import json

    from keras_albert.finetune.choice import MultipleChoice

    layouts = {
        "generic": {"context": "A dog barks.", "question": "Who barks?",
                    "choices": ["the dog", "the cat", "nobody"], "label": 2},
        "race": {"article": "A dog barks.", "question": "Who barks?",
                 "options": ["the dog", "the cat", "nobody"], "answer": "C"},
        "swag": {"sent1": "A dog barks.", "sent2": "Who barks?", "ending0": "the dog",
                 "ending1": "the cat", "ending2": "nobody", "label": 2},
    }
    read = {}
    for name, record in layouts.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_text(json.dumps(record) + "\n")
        read[name] = MultipleChoice().read(path)[0]
    assert read["generic"] == read["race"] == read["swag"] == [{
        "row": 1, "context": "A dog barks.", "label": 2,
        "seconds": ["Who barks? the dog", "Who barks? the cat", "Who barks? nobody"]}]
