"""Train a BERT WordPiece vocabulary (the Chinese ALBERTs' kind).

The text is split into words by BERT's basic tokenizer exactly as
`AlbertWordPieceTokenizer` splits it (every CJK character its own word,
punctuation split off, lowercased), the words are counted, and
tensorflow-text's WordPiece learner (the one behind
`bert_vocab_from_dataset`) picks the tokens.
"""

import json
import tempfile
from pathlib import Path

import tensorflow as tf
from tensorflow_text.tools.wordpiece_vocab import (
    wordpiece_tokenizer_learner_lib as learner,
)

from keras_albert.checks import check_positive_int
from keras_albert.text.bert_normalization import basic_tokenize
from keras_albert.text.special_tokens import WORDPIECE_SPECIAL_TOKENS
from keras_albert.text.tokenizer_base import TOKENIZER_CONFIG_FILE
from keras_albert.text.vocab import check_input_files, utf8_lines
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer

# [PAD] first, as in BERT's vocabularies; the others follow.
RESERVED_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_BATCH = 1024


def _read_lines(paths):
    for path in paths:
        for text in utf8_lines(path):
            if text.strip():
                yield text


def count_words(paths, lowercase=True, strip_accents=None, tokenize_chinese_chars=True):
    """{word: count} of the basic tokenizer's words in the files' lines."""
    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def words(lines):
        split = basic_tokenize(lines, lowercase, strip_accents, tokenize_chinese_chars,
                               special_tokens=list(WORDPIECE_SPECIAL_TOKENS.values()))
        unique, _, counts = tf.unique_with_counts(split.flat_values)
        return unique, counts

    counts = {}
    batch = []

    def add(batch):
        unique, found = words(tf.constant(batch))
        for word, count in zip(unique.numpy(), found.numpy()):
            word = word.decode("utf-8")
            counts[word] = counts.get(word, 0) + int(count)

    for line in _read_lines(paths):
        batch.append(line)
        if len(batch) == _BATCH:
            add(batch)
            batch = []
    if batch:
        add(batch)
    return counts


def train_wordpiece_vocabulary(input_files, vocab_size, out_dir, lowercase=True,
                               strip_accents=None, tokenize_chinese_chars=True,
                               reserved_tokens=RESERVED_TOKENS):
    """Train a WordPiece vocabulary on text files.

    Every character of the corpus gets a token, as a word start and as a
    continuation (`##`), so no word becomes `[UNK]` for a character it holds;
    the rest of the vocabulary goes to the most useful pieces. Writes
    `vocab.txt` and `tokenizer_config.json` into `out_dir` (created if
    missing), each under a temporary name renamed into place.

    Args:
        input_files: str, path or list of them. UTF-8 text, one sentence a line.
        vocab_size: int. The most tokens, reserved ones included.
        out_dir: str or path.
        lowercase, strip_accents, tokenize_chinese_chars: as in
            `AlbertWordPieceTokenizer`.
        reserved_tokens: the tokens first in the vocabulary, in order; they
            must include `[PAD] [UNK] [CLS] [SEP] [MASK]`.

    Returns:
        The `AlbertWordPieceTokenizer` of the new vocabulary.
    """
    paths = check_input_files(input_files)
    check_positive_int("vocab_size", vocab_size)
    reserved_tokens = list(reserved_tokens)
    missing = [token for token in WORDPIECE_SPECIAL_TOKENS.values() if token not in reserved_tokens]
    if missing:
        raise ValueError(f"`reserved_tokens` must include {', '.join(missing)}. "
                         f"Received: reserved_tokens={reserved_tokens}")
    counts = count_words(paths, lowercase, strip_accents, tokenize_chinese_chars)
    if not counts:
        raise ValueError(f"The corpus is empty or only whitespace: "
                         f"{', '.join(map(str, paths))}.")
    characters = {char for word in counts for char in word}
    smallest = len(reserved_tokens) + 2 * len(characters)
    if vocab_size < smallest:
        raise ValueError(
            f"`vocab_size` must be at least {smallest} for this corpus: "
            f"{len(reserved_tokens)} reserved tokens and {len(characters)} characters, "
            f"each also as a ## continuation. Received: vocab_size={vocab_size}")
    vocabulary = learner.learn(
        list(counts.items()), vocab_size, reserved_tokens,
        max_unique_chars=len(characters), max_input_tokens=-1)
    tokenizer = AlbertWordPieceTokenizer(
        vocabulary[:vocab_size], lowercase=lowercase, strip_accents=strip_accents,
        tokenize_chinese_chars=tokenize_chinese_chars)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    config = {"tokenizer_type": tokenizer.tokenizer_type, **tokenizer.settings()}
    # The config first, the vocabulary last: a reader that finds the
    # vocabulary finds the config.
    for name, content in ((TOKENIZER_CONFIG_FILE, json.dumps(config, indent=2).encode()),
                          (tokenizer.vocabulary_file, tokenizer.vocabulary_bytes())):
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=f".{name}.",
                                         delete=False) as file:
            file.write(content)
        Path(file.name).replace(out_dir / name)
    return tokenizer
