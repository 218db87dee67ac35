"""Make the Chinese fixtures: real mixed Chinese/English lines from Debian's
translation catalogues, a WordPiece vocabulary learned on them, and a Chinese
ALBERT written by transformers itself with its logits on raw text.

Regenerate (needs torch and transformers besides the package, and Debian's
Chinese gettext catalogues, e.g. from `apt-get install manpages-zh
language-pack-zh-hans` or any package shipping `/usr/share/locale/zh_*`):

    pip install torch==2.13.0 "transformers>=5,<6"
    python tools/make_chinese_fixtures.py

Written:

    tests/fixtures/chinese/debian_zh_lines.jsonl.gz   12,000 lines, each a JSON
        string: the English source and Chinese translation of messages from
        the gettext catalogues (.mo) installed under /usr/share (full-width
        punctuation, printf formats, URLs, menu accelerators, ...)
    tests/fixtures/chinese/catalogues.txt   the catalogues read (under /usr/share)
    tests/fixtures/hub/keras-albert-test/albert-chinese-classifier/
        AlbertForSequenceClassification (relu, as the Chinese ALBERTs; 2 groups
        x 2 inner layers, E != H, random weights) with its BertTokenizer, as
        `save_pretrained` writes them, plus `vocab.txt` as the Hub's Chinese
        ALBERTs carry it. The vocabulary has Google's layout: [PAD] 0,
        [unused1..99], [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103.
    tests/fixtures/hub/reference_chinese.json   texts and transformers' logits
"""

import glob
import gzip
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path

ROOT = Path(__file__).parent.parent
LINES = ROOT / "tests/fixtures/chinese/debian_zh_lines.jsonl.gz"
REPO = "keras-albert-test/albert-chinese-classifier"
HUB = ROOT / "tests/fixtures/hub"
SEED = 2718
NUM_LINES = 12000
CATALOGUES = ("/usr/share/locale/zh*/LC_MESSAGES/*.mo",
              "/usr/share/locale-langpack/zh*/LC_MESSAGES/*.mo",
              "/usr/share/vim/*/lang/zh_*/LC_MESSAGES/*.mo")
RESERVED = ["[PAD]", *(f"[unused{i}]" for i in range(1, 100)),
            "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CONFIG = dict(embedding_size=16, hidden_size=32, num_hidden_layers=4,
              num_attention_heads=4, intermediate_size=40, num_hidden_groups=2,
              inner_group_num=2, hidden_act="relu", max_position_embeddings=64,
              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
              pad_token_id=0, id2label={0: "负面", 1: "中性", 2: "正面"})


def read_catalogue(path):
    """Every message and translation of a gettext .mo file (bytes)."""
    data = Path(path).read_bytes()
    order = "<" if struct.unpack("<I", data[:4])[0] == 0x950412DE else ">"
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    for i in range(count):
        for table in (originals, translations):
            length, offset = struct.unpack(order + "2I", data[table + 8 * i:table + 8 * i + 8])
            yield data[offset:offset + length]


def gather_lines():
    files = sorted({path for pattern in CATALOGUES for path in glob.glob(pattern)})
    seen, lines = set(), []
    for path in files:
        for message in read_catalogue(path):
            try:
                text = message.decode("utf-8")
            except UnicodeDecodeError:
                continue
            # \x00 separates plural forms, \x04 a context from its message.
            for line in text.replace("\x00", "\n").split("\n"):
                line = line.strip()
                if line and line not in seen:
                    seen.add(line)
                    lines.append(line)
    step = max(1, len(lines) // NUM_LINES)
    return files, lines[::step][:NUM_LINES]


def main():
    import torch
    import transformers as hf

    from keras_albert.text.wordpiece_vocab import train_wordpiece_vocabulary

    files, lines = gather_lines()
    if len(lines) < NUM_LINES:
        raise SystemExit(f"Found {len(lines)} lines in {len(files)} catalogues; "
                         f"need {NUM_LINES}: install Debian's Chinese translations.")
    LINES.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(LINES, "wt", encoding="utf-8") as file:
        file.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    (LINES.parent / "catalogues.txt").write_text(
        "".join(f"{path.removeprefix('/usr/share/')}\n" for path in files))

    repository = HUB / REPO
    if repository.exists():
        shutil.rmtree(repository)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus.txt"
        corpus.write_text("".join(line.replace("\n", " ") + "\n" for line in lines), "utf-8")
        vocabulary_dir = Path(scratch) / "vocab"
        tokenizer = train_wordpiece_vocabulary(corpus, 6000, vocabulary_dir,
                                               reserved_tokens=RESERVED)
        vocabulary = tokenizer.get_vocabulary()
        # A directory with vocab.txt alone, as BERT's releases have it.
        plain = Path(scratch) / "plain"
        plain.mkdir()
        shutil.copy(vocabulary_dir / "vocab.txt", plain)
        hf_tokenizer = hf.BertTokenizer.from_pretrained(plain, do_lower_case=True)
    torch.manual_seed(SEED)
    model = hf.AlbertForSequenceClassification(
        hf.AlbertConfig(vocab_size=len(vocabulary), **CONFIG)).eval()
    with torch.no_grad():  # no zero bias or unit gamma may hide a mapping error
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.1)
    model.save_pretrained(repository)
    hf_tokenizer.save_pretrained(repository)
    (repository / "vocab.txt").write_text("".join(f"{t}\n" for t in vocabulary), "utf-8")
    texts = [line for line in lines if any("\u4e00" <= c <= "\u9fff" for c in line)][:6]
    texts += [lines[1], "ＡＢＣ，（全角）Crème 数字123 [MASK] 😀", ""]
    batch = hf_tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits.numpy()
    reference = {"repo": REPO, "texts": texts, "logits": logits.tolist(),
                 "token_ids": [hf_tokenizer.encode(t) for t in texts],
                 "transformers": hf.__version__, "torch": torch.__version__}
    (HUB / "reference_chinese.json").write_text(
        json.dumps(reference, indent=1, ensure_ascii=False), "utf-8")
    print(f"Wrote {LINES} ({len(lines)} lines from {len(files)} catalogues), "
          f"{repository} ({len(vocabulary)} tokens) and {HUB / 'reference_chinese.json'}")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
