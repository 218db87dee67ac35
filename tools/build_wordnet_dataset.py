"""Rebuild the embedded WordNet dataset from Debian's `wordnet-base` package.

The text of an example is a synset's gloss (its definition, then its usage
examples), the label its lexicographer file (`noun.animal`, `verb.motion`, ...;
45 classes). The split is fixed by synset: a hash of the synset id sends 80% to
train, 10% to validation, 10% to test, so it never changes between rebuilds.

    apt-get download wordnet-base      # wordnet-base_1%3a3.0-37_all.deb
    python tools/build_wordnet_dataset.py wordnet-base_*.deb \
        --out keras_albert/datasets/data

Writes `wordnet_lexnames.tsv.gz` (a header, then one synset a line: synset,
split, label, text; tab-separated, no quoting, as GLUE's TSV files) and
`WORDNET_LICENSE` (WordNet 3.0's license, which must travel with every copy).
"""

import argparse
import gzip
import hashlib
import re
import subprocess
import tempfile
from pathlib import Path

POS_FILES = ("noun", "verb", "adj", "adv")
# Per mille of synsets in validation and in test; the rest is train.
VALIDATION_PER_MILLE = 100
TEST_PER_MILLE = 100


def lexicographer_files(root):
    """{number: name} of the lexicographer files, from the lexnames(5WN) man page."""
    page = gzip.decompress((root / "usr/share/man/man5/lexnames.5WN.gz").read_bytes())
    names = dict(re.findall(r"^(\d\d)\t(\S+)\s", page.decode("utf-8"), re.MULTILINE))
    if len(names) != 45:
        raise ValueError(f"Expected 45 lexicographer files, found {len(names)}")
    return {int(number): name for number, name in names.items()}


def split_of(synset):
    """"train", "validation" or "test", fixed by a hash of the synset id."""
    bucket = int(hashlib.sha256(synset.encode()).hexdigest(), 16) % 1000
    if bucket < TEST_PER_MILLE:
        return "test"
    if bucket < TEST_PER_MILLE + VALIDATION_PER_MILLE:
        return "validation"
    return "train"


def synsets(root, lexnames):
    """One record per synset of the four data files (wndb(5WN) format)."""
    for pos_file in POS_FILES:
        path = root / "usr/share/wordnet" / f"data.{pos_file}"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("  "):  # the license header
                continue
            fields, gloss = line.split(" | ", 1)
            fields = fields.split()
            offset, lex_filenum, pos = fields[0], int(fields[1]), fields[2]
            synset = f"{offset}-{'a' if pos == 's' else pos}"
            yield {
                "synset": synset,
                "split": split_of(synset),
                "label": lexnames[lex_filenum],
                "text": gloss.strip(),
            }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deb", type=Path, help="the wordnet-base .deb file")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(["dpkg-deb", "-x", str(args.deb), tmp], check=True)
        lexnames = lexicographer_files(root)
        records = list(synsets(root, lexnames))
        license_text = (root / "usr/share/doc/wordnet-base/copyright").read_text()
    args.out.mkdir(parents=True, exist_ok=True)
    columns = ("synset", "split", "label", "text")
    lines = "".join("\t".join(row) + "\n" for row in
                    [columns, *([r[c] for c in columns] for r in records)])
    # mtime=0: the same package gives the same bytes.
    with (open(args.out / "wordnet_lexnames.tsv.gz", "wb") as raw,
          gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as file):
        file.write(lines.encode("utf-8"))
    notice = license_text.split("\nFiles: debian/*")[0]
    (args.out / "WORDNET_LICENSE").write_text(
        "The embedded datasets wordnet_lexnames.tsv.gz and wordnet_similarity.tsv.gz are\n"
        "derived from WordNet 3.0 (Debian package wordnet-base), distributed under this\n"
        "license:\n\n" + notice)
    counts = {s: sum(r["split"] == s for r in records)
              for s in ("train", "validation", "test")}
    print(f"{len(records)} synsets, {len(set(lexnames.values()))} labels, {counts}")


if __name__ == "__main__":
    main()
