import pydoc_data.topics

import pytest

from keras_albert.text import train_vocabulary

# Mixed case, accents, CJK, emoji, quotes, NUL and whitespace of every kind:
# `normalize_in_graph` must give exactly what `normalize_text` gives on these.
MIXED = [
    "The Quick Brown Fox jumps over the lazy dog.",
    "Crème brûlée, jalapeño & Ångström: naïve CAFÉ Señor!",
    "Straße ǄUNGLE ǅemal İstanbul ΟΔΟΣ Σίσυφος",
    "東京は日本の首都です。中文测试，ｆｕｌｌｗｉｄｔｈ",
    "emoji 😀 👍🏽 ❤️ 🇯🇵 done",
    "``quoted'' “curly” ‘single’ „low“ don't '''",
    "  leading\ttabs\nnewlines\r\n\u00a0nbsp\u3000wide\u2003em\u2028line   trailing  ",
    "\x1cfile\x1dgroup\x1e\x1fseparators\x85next\u200bzero-width",
    "ﬁ ligature ① ½ ㎏ ¨ ´ ™ Ⅻ",
    "हिन्दी, Ελληνικά, русский ЯЗЫК, עִבְרִית",
    "a\x00B nul\x00",
    "",
    " \t\n ",
]

# Capitals new in Unicode 14.0 that TensorFlow's ICU does not lowercase, and a
# code point unassigned in Python 3.11's Unicode 14.0 that ICU NFKD-decomposes.
UNICODE_14_CAPITALS = "\u2c2f\ua7c0\U00010570"
NEWER_THAN_PYTHON = "\U0001ccd6"


@pytest.fixture(scope="session")
def vocab_dir(tmp_path_factory):
    """A 600-piece vocabulary trained on the Python documentation's topics."""
    root = tmp_path_factory.mktemp("vocab")
    corpus = root / "topics.txt"
    corpus.write_text("\n".join(pydoc_data.topics.topics.values()), encoding="utf-8")
    train_vocabulary(corpus, 600, root / "vocab")
    return root / "vocab"


@pytest.fixture(scope="session")
def model_file(vocab_dir):
    return str(vocab_dir / "spiece.model")
