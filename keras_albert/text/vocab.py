"""Train a SentencePiece vocabulary the way the original ALBERT did."""

import json
import os
import tempfile
from pathlib import Path

import sentencepiece as spm

from keras_albert.checks import check_choice, check_positive_int
from keras_albert.text.normalization import check_normalization_flags, normalize_text
from keras_albert.text.tokenizer_base import TOKENIZER_CONFIG_FILE as CONFIG_FILE
from keras_albert.text.tokenizer_files import TOKENIZER_TYPE
from keras_albert.text.tokenizer_files import VOCABULARY_FILE as MODEL_FILE

VOCAB_FILE = "spiece.vocab"
PAD, UNK = "<pad>", "<unk>"
CONTROL_SYMBOLS = ("[CLS]", "[SEP]", "[MASK]")


def utf8_lines(path):
    """The lines of a text file, decoded; a one-line error naming the byte
    offset and line of the first that is not UTF-8."""
    offset = 0
    with open(path, "rb") as file:
        for number, line in enumerate(file, start=1):
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValueError(
                    f"{path} is not valid UTF-8: byte offset "
                    f"{offset + error.start} (line {number}): {error.reason}."
                ) from None
            offset += len(line)


class _Corpus:
    """The normalized, non-empty lines of `paths`, read one line at a time.

    SentencePiece turns an exception raised by the iterator into a RuntimeError;
    the corpus keeps the original in `error` so the caller can raise that instead.
    """

    def __init__(self, paths, lowercase, keep_accents):
        self.paths = paths
        self.lowercase = lowercase
        self.keep_accents = keep_accents
        self.num_sentences = 0
        self.error = None

    def __iter__(self):
        try:
            for path in self.paths:
                yield from self._sentences(path)
        except Exception as error:
            self.error = error
            raise

    def _sentences(self, path):
        for text in utf8_lines(path):
            # NUL is not text: dropped so it never becomes a piece (the
            # tokenizer maps it to <unk>).
            text = normalize_text(
                text.replace("\x00", ""), self.lowercase, self.keep_accents
            )
            if text:
                self.num_sentences += 1
                yield text


def strip_training_paths(model_file):
    """Remove the corpus and output paths SentencePiece records in the model's
    trainer spec (they name the training machine's files; encoding ignores them)."""
    from sentencepiece import sentencepiece_model_pb2

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(Path(model_file).read_bytes())
    proto.trainer_spec.ClearField("input")
    proto.trainer_spec.ClearField("model_prefix")
    Path(model_file).write_bytes(proto.SerializeToString())


def check_input_files(input_files):
    if isinstance(input_files, (str, os.PathLike)):
        input_files = [input_files]
    paths = [Path(path) for path in input_files]
    if not paths:
        raise ValueError(
            f"`input_files` is empty. Received: input_files={input_files!r}"
        )
    for path in paths:
        if not path.is_file():
            raise ValueError(
                f"Input file {str(path)!r} does not exist or is not a file. "
                f"Received: input_files={[str(p) for p in paths]}"
            )
    return paths


def _check_options(vocab_size, model_type, character_coverage, max_sentence_length):
    check_positive_int("vocab_size", vocab_size)
    if vocab_size < 6:
        raise ValueError(
            "`vocab_size` must be at least 6: 5 special pieces and 1 from the "
            f"text. Received: vocab_size={vocab_size}"
        )
    check_choice("model_type", model_type, {"unigram", "bpe", "char", "word"})
    if isinstance(character_coverage, bool) or not (
        isinstance(character_coverage, (int, float)) and 0 < character_coverage <= 1
    ):
        raise ValueError(
            "`character_coverage` must be in (0, 1]. "
            f"Received: character_coverage={character_coverage!r}"
        )
    check_positive_int("max_sentence_length", max_sentence_length)


def train_vocabulary(
    input_files,
    vocab_size,
    out_dir,
    lowercase=True,
    keep_accents=False,
    model_type="unigram",
    character_coverage=0.9995,
    max_sentence_length=4192,
):
    """Train a SentencePiece model on text files, with ALBERT's special pieces.

    As in the original ALBERT: `<pad>` is id 0, `<unk>` id 1, the control symbols
    `[CLS]`, `[SEP]`, `[MASK]` ids 2, 3, 4 (they are never produced from text), no
    BOS/EOS; every line is normalized with `normalize_text` first, so the model
    sees the text the tokenizer will give it. Each line of each file (UTF-8) is a
    sentence; empty lines are skipped and NUL characters are dropped. Lines
    longer than `max_sentence_length` bytes are skipped by SentencePiece.

    Writes `spiece.model`, `spiece.vocab` and `tokenizer_config.json`
    (`{"lowercase": ..., "keep_accents": ...}`) into `out_dir`. They are trained
    into a temporary directory next to `out_dir` and renamed into place, so a
    failed run leaves `out_dir` as it was.

    Args:
        input_files: str, path or list of them. UTF-8 text, one sentence a line.
        vocab_size: int. The number of pieces, special pieces included (>= 6).
        out_dir: str or path. Where the three files go; created if missing.
        lowercase: bool. Lowercase the text (an uncased vocabulary).
        keep_accents: bool. Keep accents instead of stripping them.
        model_type: str. `"unigram"` (ALBERT's), `"bpe"`, `"char"` or `"word"`.
        character_coverage: float in (0, 1]. The share of characters the vocab
            covers; the rest become `<unk>`.
        max_sentence_length: int. The longest line, in bytes, used for training.

    Returns:
        The path of `spiece.model`.

    Example:
    >>> model_file = train_vocabulary("corpus.txt", 8000, "vocab/")
    >>> AlbertTokenizer(str(model_file))(["Hello world"])
    """
    paths = check_input_files(input_files)
    _check_options(vocab_size, model_type, character_coverage, max_sentence_length)
    check_normalization_flags(lowercase, keep_accents)

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    corpus = _Corpus(paths, lowercase, keep_accents)
    prefix = f".{out_dir.name}."
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=prefix) as tmp:
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=iter(corpus),
                model_prefix=os.path.join(tmp, "spiece"),
                vocab_size=vocab_size,
                model_type=model_type,
                character_coverage=character_coverage,
                max_sentence_length=max_sentence_length,
                pad_id=0, pad_piece=PAD, unk_id=1, unk_piece=UNK, bos_id=-1, eos_id=-1,
                control_symbols=list(CONTROL_SYMBOLS),
                minloglevel=2,
            )
        except RuntimeError as error:
            if corpus.error is not None:
                raise corpus.error from None
            names = ", ".join(str(path) for path in paths)
            if corpus.num_sentences == 0:
                raise ValueError(
                    f"The corpus is empty or only whitespace: {names}."
                ) from None
            # "INTERNAL: src/trainer_interface.cc(744) [condition] What went wrong."
            gist = str(error).strip().splitlines()[0].rsplit("] ", 1)[-1]
            raise ValueError(
                f"SentencePiece could not train a vocabulary of {vocab_size} pieces "
                f"on {names}: {gist} Received: vocab_size={vocab_size}"
            ) from None
        strip_training_paths(os.path.join(tmp, MODEL_FILE))
        config = {"tokenizer_type": TOKENIZER_TYPE, "lowercase": lowercase,
                  "keep_accents": keep_accents}
        Path(tmp, CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
        out_dir.mkdir(exist_ok=True)
        # SentencePiece wrote the files into a directory of its own (so not
        # files.atomic_path); the model last: a reader that finds it finds the others.
        for name in (CONFIG_FILE, VOCAB_FILE, MODEL_FILE):
            os.replace(os.path.join(tmp, name), out_dir / name)
    return out_dir / MODEL_FILE
