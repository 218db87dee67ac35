"""BERT's basic tokenizer (the text before WordPiece), in the graph and
character by character, exactly as transformers' `BertTokenizer` does it.

transformers' `BertTokenizer` (the Rust `tokenizers` pipeline) turns a text
into words thus:

1. the special tokens (`[CLS]`, `[MASK]`, ...) are cut out first, spelled
   exactly, even inside a word, and never touched again;
2. clean: NUL, U+FFFD and every control, format or private-use character
   (Unicode category C*, except tab, newline and carriage return) are
   deleted, and every kind of whitespace becomes a space;
3. each CJK ideograph gets a space on either side (`tokenize_chinese_chars`);
4. accents are stripped (NFD, then nonspacing marks removed) when
   `strip_accents` is true, or is None and the text is lowercased;
   then lowercasing (`str.lower`, not NFKC case folding: full-width `，` and
   `（` stay full-width);
5. every punctuation character (ASCII non-alphanumerics and Unicode P*)
   becomes its own word;
6. words longer than 100 characters become `[UNK]`.

`basic_tokenize` runs steps 1-6 on string tensors (then WordPiece runs on
each word). `normalize_character` is steps 2-5 for one character, from which
the TFLite tokenizer builds its table, which has no regex kernels
(`keras_albert.text.wordpiece_lite`).
"""

import re
import unicodedata

import tensorflow as tf
import tensorflow_text as tf_text

# transformers' `_is_chinese_char`: the CJK Unified Ideographs blocks and
# their extensions, and the compatibility ideographs.
CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF),
              (0x2A700, 0x2B73F), (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF),
              (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
_CJK_CLASS = "".join(f"\\x{{{low:X}}}-\\x{{{high:X}}}" for low, high in CJK_RANGES)
# transformers' `_is_punctuation`: ASCII non-alphanumerics and Unicode P*.
_PUNCTUATION_CLASS = r"!-/:-@\[-`{-~\p{P}"
MAX_CHARS_PER_WORD = 100


def accents_stripped(lowercase, strip_accents):
    """Whether accents are stripped: `strip_accents`, or the lowercasing
    when it is None (transformers' rule)."""
    return lowercase if strip_accents is None else bool(strip_accents)


def special_tokens_pattern(tokens):
    """A regex matching any of `tokens` exactly (None for none)."""
    return "|".join(re.escape(token) for token in tokens) or None


def normalize_words(strings, lowercase, strip_accents, tokenize_chinese_chars):
    """Steps 2-5 on a string tensor: the text with spaces between its words."""
    strings = tf.strings.regex_replace(strings, r"[\t\n\r]", " ")
    strings = tf.strings.regex_replace(strings, r"[\p{C}\x{FFFD}]", "")
    if tokenize_chinese_chars:
        strings = tf.strings.regex_replace(strings, f"[{_CJK_CLASS}]", r" \0 ")
    if lowercase:
        # ICU's full lowercase mapping: `str.lower`, unlike FastBertNormalizer's
        # NFKC case folding.
        strings = tf.strings.lower(strings, encoding="utf-8")
    if accents_stripped(lowercase, strip_accents):
        strings = tf_text.normalize_utf8(strings, "NFD")
        strings = tf.strings.regex_replace(strings, r"\p{Mn}", "")
    return tf.strings.regex_replace(strings, f"[{_PUNCTUATION_CLASS}]", r" \0 ")


def basic_tokenize(strings, lowercase=True, strip_accents=None,
                   tokenize_chinese_chars=True, special_tokens=(),
                   unknown_token="[UNK]", max_chars_per_word=MAX_CHARS_PER_WORD):
    """Steps 1-6 on a (batch,) string tensor: a (batch, None) ragged tensor of
    words, ready for WordPiece."""
    # `regex_split` and `tf.strings.lower` stop at a NUL; transformers deletes
    # it anyway.
    strings = tf.strings.regex_replace(strings, r"\x00", "")
    pattern = special_tokens_pattern(special_tokens)

    def normalize(text):
        return normalize_words(text, lowercase, strip_accents, tokenize_chinese_chars)

    if pattern is None:
        strings = normalize(strings)
    else:
        pieces = tf_text.regex_split(strings, pattern, pattern)
        flat = pieces.flat_values
        flat = tf.where(tf.strings.regex_full_match(flat, pattern), flat, normalize(flat))
        strings = tf.strings.reduce_join(pieces.with_flat_values(flat), axis=-1,
                                         separator=" ")
    words = tf.strings.split(tf.strings.regex_replace(strings, r"\p{Z}+", " "))
    flat = words.flat_values
    too_long = tf.strings.length(flat, unit="UTF8_CHAR") > max_chars_per_word
    return words.with_flat_values(tf.where(too_long, unknown_token, flat))


def _is_cjk(code):
    return any(low <= code <= high for low, high in CJK_RANGES)


def _is_punctuation(char):
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def normalize_character(char, lowercase=True, strip_accents=None,
                        tokenize_chinese_chars=True):
    """Steps 2-5 for one character: its replacement ("" to delete it, spaces
    around a word of its own)."""
    if char in "\t\n\r" or (char.isspace() and not unicodedata.category(char).startswith("C")):
        return " "
    if char in "\x00\ufffd" or unicodedata.category(char).startswith("C"):
        return ""
    text = char.lower() if lowercase else char
    if accents_stripped(lowercase, strip_accents):
        text = "".join(c for c in unicodedata.normalize("NFD", text)
                       if unicodedata.category(c) != "Mn")
    if tokenize_chinese_chars and _is_cjk(ord(char)):
        return f" {text} "
    return "".join(f" {c} " if _is_punctuation(c) else c for c in text)


def assigned_characters():
    """Every assigned character but NUL and the private-use planes."""
    for code in range(1, 0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Cn" or (category == "Co" and code > 0xFFFF):
            continue
        yield char
