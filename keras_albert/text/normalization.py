"""ALBERT's text normalization, in Python and as TensorFlow ops.

`normalize_text` is the reference: google-research/albert `tokenization.py`,
`preprocess_text(inputs, remove_space=True, lower=...)`. `normalize_in_graph` does
the same with TensorFlow and tensorflow-text ops, so a tokenizer can run inside a
`tf.data` pipeline or a saved model. The character classes the graph version uses
(Python's whitespace, characters with a nonzero canonical combining class) are
built from this Python's `unicodedata`, so both versions agree on what they are.
"""

import functools
import sys
import unicodedata

import tensorflow as tf
import tensorflow_text as tf_text


def check_normalization_flags(lowercase, keep_accents):
    """Raise unless `lowercase` and `keep_accents` are bools."""
    for name, value in (("lowercase", lowercase), ("keep_accents", keep_accents)):
        if not isinstance(value, bool):  # ValueError, as in keras_albert.checks
            raise ValueError(  # noqa: TRY004
                f"`{name}` must be True or False. Received: {name}={value!r}"
            )


def normalize_text(text, lowercase=True, keep_accents=False):
    """Normalize one string the way the original ALBERT did before SentencePiece.

    Whitespace runs (every character `str.split()` splits on) become one space and
    the ends are stripped; LaTeX quotes `` `` `` and `''` become `"`; unless
    `keep_accents`, the text is NFKD-decomposed and characters with a nonzero
    canonical combining class (accents) are dropped; then, if `lowercase`, the text
    is lowercased with `str.lower()`.

    Args:
        text: str. The text to normalize.
        lowercase: bool. Lowercase the result (the uncased ALBERT models).
        keep_accents: bool. Keep accents and skip NFKD.

    Returns:
        The normalized string.

    Example:
    >>> normalize_text("  Crème\\tBRÛLÉE ``hot''  ")
    'creme brulee "hot"'
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str. Received: text={text!r}")
    check_normalization_flags(lowercase, keep_accents)
    text = " ".join(text.strip().split())
    text = text.replace("``", '"').replace("''", '"')
    if not keep_accents and not text.isascii():  # NFKD leaves ASCII as it is
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    if lowercase:
        text = text.lower()
    return text


def character_class(codes):
    """An RE2 character class of the code points `codes` (ascending)."""
    ranges = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(
        f"\\x{{{first:x}}}" + (f"-\\x{{{last:x}}}" if last > first else "")
        for first, last in ranges
    ) + "]"


def _character_class(predicate):
    """An RE2 character class of the code points where `predicate` holds."""
    return character_class(code for code in range(sys.maxunicode + 1)
                           if predicate(chr(code)))


@functools.cache
def whitespace_class():
    # RE2's `\s` is ASCII only; `str.split()` also splits on U+001C..U+001F,
    # U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028/9, U+202F, U+205F, U+3000.
    return _character_class(str.isspace)


@functools.cache
def _combining_class():
    # `unicodedata.combining(c) != 0` is neither `\p{M}` nor `\p{Mn}`: 1,063 Mn
    # characters (e.g. Devanagari vowel signs) have class 0 and are kept, while
    # 25 Mc characters have a nonzero class and are dropped.
    return _character_class(unicodedata.combining)


def _lower(strings):
    """`tf.strings.lower` in UTF-8, which stops at the first NUL; split around it."""
    flat = tf.reshape(strings, [-1])  # [n]
    pieces = tf.strings.split(flat, sep=tf.constant("\x00"))  # [n, None]
    pieces = tf.strings.lower(pieces, encoding="utf-8")
    # `reduce_join`'s separator is an attribute, which cannot hold a NUL: append
    # one to every piece and cut the last one off.
    pieces = tf.ragged.map_flat_values(tf.strings.join, [pieces, "\x00"])
    joined = tf.strings.reduce_join(pieces, axis=1)  # [n]
    length = tf.strings.length(joined)  # [n]
    joined = tf.strings.substr(joined, tf.zeros_like(length), length - 1)
    return tf.reshape(joined, tf.shape(strings))


def normalize_in_graph(strings, lowercase=True, keep_accents=False):
    """`normalize_text` on a `tf.string` tensor of any shape, with TensorFlow ops.

    Runs eagerly, inside `tf.function` and inside `tf.data.Dataset.map`. NFKD comes
    from tensorflow-text (ICU), lowercasing from `tf.strings.lower` (ICU full case
    mapping: `"İ"` becomes `"i̇"` and a word-final `"Σ"` becomes `"ς"`, as in
    Python).

    Known differences from `normalize_text` (on Python 3.11, Unicode 14.0), all in
    characters ordinary text does not contain:
        - Code points unassigned in Unicode 14.0 that a newer Unicode decomposes
          (e.g. U+1CCD6, OUTLINED LATIN CAPITAL LETTER A, Unicode 16): ICU
          NFKD-decomposes them, Python leaves them as they are.
        - 40 capitals new in Unicode 14.0 (e.g. U+2C2F GLAGOLITIC CAPITAL LETTER
          CAUDATE CHRIVI, U+A7C0, the Vithkuqi capitals U+10570..U+10595) are not
          lowercased by TensorFlow's older ICU.
    Bytes that are not UTF-8 (which a Python `str` cannot hold) become U+FFFD
    when lowercasing and are kept as they are otherwise.

    Args:
        strings: A `tf.string` tensor (or anything convertible to one).
        lowercase: bool. Lowercase the result.
        keep_accents: bool. Keep accents and skip NFKD.

    Returns:
        A `tf.string` tensor of the same shape.

    Example:
    >>> normalize_in_graph(tf.constant(["  Crème\\u00a0BRÛLÉE ``hot''  "]))
    <tf.Tensor: shape=(1,), dtype=string, numpy=array([b'creme brulee "hot"'], ...)>
    """
    check_normalization_flags(lowercase, keep_accents)
    strings = tf.convert_to_tensor(strings)
    if strings.dtype != tf.string:
        raise ValueError(
            f"`strings` must be a tf.string tensor. Received: strings={strings!r}"
        )
    strings = tf.strings.regex_replace(strings, whitespace_class() + "+", " ")
    strings = tf.strings.regex_replace(strings, "^ | $", "")
    strings = tf.strings.regex_replace(strings, "``|''", '"')
    if not keep_accents:
        strings = tf_text.normalize_utf8(strings, "NFKD")
        strings = tf.strings.regex_replace(strings, _combining_class(), "")
    if lowercase:
        strings = _lower(strings)
    return strings


def valid_utf8(strings):
    """Bytes that are not UTF-8 become U+FFFD, so any string can be served."""
    return tf.strings.unicode_transcode(strings, "UTF-8", "UTF-8", errors="replace",
                                        replace_control_characters=False)
