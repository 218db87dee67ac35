import json

import pytest
import sentencepiece as spm

from keras_albert.text import train_vocabulary


def write(path, data):
    path.write_bytes(data)
    return path


def test_files_and_special_pieces(vocab_dir):
    assert sorted(p.name for p in vocab_dir.iterdir()) == [
        "spiece.model", "spiece.vocab", "tokenizer_config.json"]
    config = json.loads((vocab_dir / "tokenizer_config.json").read_text())
    assert config == {"tokenizer_type": "sentencepiece", "lowercase": True,
                      "keep_accents": False}
    processor = spm.SentencePieceProcessor(model_file=str(vocab_dir / "spiece.model"))
    assert processor.vocab_size() == 600
    # no path of the training machine is stored in the model
    assert str(vocab_dir.parent).encode() not in (vocab_dir / "spiece.model").read_bytes()
    assert [processor.id_to_piece(i) for i in range(5)] == [
        "<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]
    assert (processor.bos_id(), processor.eos_id()) == (-1, -1)
    assert [processor.is_control(i) for i in (2, 3, 4)] == [True] * 3


def test_text_is_normalized_and_nul_dropped(tmp_path):
    corpus = write(tmp_path / "c.txt", "Ünïcode\x00 CAFÉ\n\n Crème \n".encode() * 9)
    model_file = train_vocabulary([corpus], 20, tmp_path / "out", model_type="char")
    assert model_file == tmp_path / "out" / "spiece.model"
    processor = spm.SentencePieceProcessor(model_file=str(model_file))
    pieces = {processor.id_to_piece(i) for i in range(processor.vocab_size())}
    assert {"u", "c", "e"} <= pieces
    assert not {"Ü", "É", "U", "\x00"} & pieces


def test_errors_name_the_file(tmp_path):
    with pytest.raises(ValueError, match=r"Received: input_files=\[\]"):
        train_vocabulary([], 100, tmp_path / "out")
    with pytest.raises(ValueError, match="'missing.txt' does not exist"):
        train_vocabulary("missing.txt", 100, tmp_path / "out")
    blank = write(tmp_path / "blank.txt", b" \n\t\n\n")
    with pytest.raises(ValueError, match="empty or only whitespace: .*blank.txt"):
        train_vocabulary(blank, 100, tmp_path / "out")
    latin1 = write(tmp_path / "latin1.txt", b"fine\nna\xefve\n")
    offset = r"latin1.txt is not valid UTF-8: byte offset 7 \(line 2\)"
    with pytest.raises(ValueError, match=offset):
        train_vocabulary(latin1, 100, tmp_path / "out")
    small = write(tmp_path / "small.txt", b"a tiny corpus\n" * 5)
    with pytest.raises(ValueError, match="500 pieces on .*small.txt: Vocabulary size"):
        train_vocabulary(small, 500, tmp_path / "out")
    with pytest.raises(ValueError, match="Received: vocab_size=5"):
        train_vocabulary(small, 5, tmp_path / "out")
    with pytest.raises(ValueError, match="Received: model_type='wordpiece'"):
        train_vocabulary(small, 50, tmp_path / "out", model_type="wordpiece")
    # Nothing is left behind: no output directory, no temporary directory.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "blank.txt", "latin1.txt", "small.txt"]
