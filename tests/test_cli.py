import pydoc_data.topics

from keras_albert import AlbertPretrainer, AlbertTokenizer
from keras_albert.cli import main
from tests.convert.conversion_fixtures import fixture_copy


def test_bad_preset_is_one_line_error(tmp_path, capsys):
    (tmp_path / "train.csv").write_text("text,label\na text,yes\nanother,no\n")
    assert main(["finetune", "--task", "classify", "--model", "albert_huge", "--train",
                 str(tmp_path / "train.csv"), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "albert_huge" in error, error


def test_presets_lists_parameter_counts(capsys):
    assert main(["presets"]) == 0
    assert "11,683,584" in capsys.readouterr().out


def test_convert_writes_a_loadable_directory(tmp_path, capsys):
    source = fixture_copy(tmp_path, "original", "30k-clean.model")
    out = tmp_path / "converted"
    assert main(["convert", "--from", "original", str(source), "--out", str(out)]) == 0
    assert "AlbertPretrainer" in capsys.readouterr().out
    assert AlbertPretrainer.from_pretrained(out).backbone.num_layers == 4
    # an existing output is not replaced without --overwrite
    assert main(["convert", "--from", "original", str(source), "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_convert_missing_source_is_one_line_error(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["convert", "--from", "hf", str(missing), "--out",
                 str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and str(missing) in error


def test_vocab_trains_a_tokenizer_directory(tmp_path, capsys):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(pydoc_data.topics.topics.values()), encoding="utf-8")
    assert main(["vocab", "--input", str(corpus), "--vocab-size", "300",
                 "--out", str(tmp_path / "vocab")]) == 0
    tokenizer = AlbertTokenizer.from_pretrained(tmp_path / "vocab")
    assert tokenizer.vocabulary_size() == 300 and tokenizer.mask_token_id == 4
    corpus.write_bytes(b"caf\xe9\n")
    assert main(["vocab", "--input", str(corpus), "--out", str(tmp_path / "v2")]) == 2
    assert "not valid UTF-8" in capsys.readouterr().err
