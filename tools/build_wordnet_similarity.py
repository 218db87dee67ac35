"""Build the embedded WordNet similarity pairs from Debian's `wordnet-base` package.

Each pair is two noun synsets of one split of the embedded WordNet task
(`build_wordnet_dataset.py`'s split by synset, so no gloss of a test pair was
in the training glosses), scored by the Wu-Palmer similarity of the synsets
in WordNet's noun hierarchy (hypernyms and instance hypernyms):

    wup(a, b) = 2 * depth(lcs) / (dist(a, lcs) + dist(b, lcs) + 2 * depth(lcs))

as NLTK's `wup_similarity` computes it (`depth` the longest path from the root
plus one, `lcs` the common hypernym deepest by its shortest path from the
root; ties broken by offset, where NLTK breaks them by name). A uniformly
drawn pair of nouns is nearly always distant, so a third of the partners are
drawn near the first synset (a synset within two steps below one of its
hypernyms two steps up), a third from its lexicographer file and a third from
anywhere: the scores spread over 0.1 to 1.

    apt-get download wordnet-base      # wordnet-base_1%3a3.0-37_all.deb
    python tools/build_wordnet_similarity.py wordnet-base_*.deb \
        --out keras_albert/datasets/data

Writes `wordnet_similarity.tsv.gz`: a header, then one pair a line (split,
synset_a, synset_b, score; tab-separated), synset ids as in
`wordnet_lexnames.tsv.gz`.
"""

import argparse
import collections
import gzip
import random
import subprocess
import tempfile
from pathlib import Path

from build_wordnet_dataset import split_of

PAIRS = {"train": 8000, "validation": 1000, "test": 1000}
HYPERNYMS = ("@", "@i")  # hypernym, instance hypernym
SEED = 0


def noun_graph(root):
    """`(hypernyms, lexfile)`: {offset: [hypernym offsets]} and {offset:
    lexicographer file number} of every noun synset (wndb(5WN) format)."""
    hypernyms, lexfile = {}, {}
    for line in (root / "usr/share/wordnet/data.noun").read_text(encoding="utf-8").splitlines():
        if line.startswith("  "):  # the license header
            continue
        fields = line.split(" | ", 1)[0].split()
        offset, words = fields[0], int(fields[3], 16)
        pointers_at = 4 + 2 * words
        count = int(fields[pointers_at])
        pointers = [fields[pointers_at + 1 + 4 * i: pointers_at + 5 + 4 * i]
                    for i in range(count)]
        hypernyms[offset] = [target for symbol, target, pos, _ in pointers
                             if symbol in HYPERNYMS and pos == "n"]
        lexfile[offset] = int(fields[1])
    return hypernyms, lexfile


class Hierarchy:
    """Depths and upward distances in the noun DAG, memoized."""

    def __init__(self, hypernyms):
        self.hypernyms = hypernyms
        self.children = collections.defaultdict(list)
        for synset, parents in hypernyms.items():
            for parent in parents:
                self.children[parent].append(synset)
        self._min, self._max, self._up = {}, {}, {}

    def min_depth(self, synset):
        if synset not in self._min:
            parents = self.hypernyms[synset]
            self._min[synset] = 1 + min(map(self.min_depth, parents)) if parents else 0
        return self._min[synset]

    def max_depth(self, synset):
        if synset not in self._max:
            parents = self.hypernyms[synset]
            self._max[synset] = 1 + max(map(self.max_depth, parents)) if parents else 0
        return self._max[synset]

    def up(self, synset):
        """{ancestor (itself included): shortest distance up to it}."""
        if synset not in self._up:
            distances, frontier, step = {synset: 0}, [synset], 0
            while frontier:
                step += 1
                frontier = [p for s in frontier for p in self.hypernyms[s]
                            if p not in distances]
                for parent in frontier:
                    distances.setdefault(parent, step)
            self._up[synset] = distances
        return self._up[synset]

    def wu_palmer(self, a, b):
        up_a, up_b = self.up(a), self.up(b)
        common = up_a.keys() & up_b.keys()
        lcs = max(common, key=lambda s: (self.min_depth(s), -int(s)))
        depth = self.max_depth(lcs) + 1
        return 2 * depth / (up_a[lcs] + up_b[lcs] + 2 * depth)

    def near(self, synset, rng, steps=2):
        """A synset within `steps` below a hypernym `steps` above `synset`."""
        above = [s for s, d in self.up(synset).items() if 0 < d <= steps] or [synset]
        node = rng.choice(sorted(above))
        for _ in range(rng.randint(1, steps)):
            if not self.children[node]:
                break
            node = rng.choice(self.children[node])
        return node


def pairs(hierarchy, lexfile, split, count, rng):
    nouns = sorted(s for s in hierarchy.hypernyms if split_of(f"{s}-n") == split)
    in_split = set(nouns)
    by_file = collections.defaultdict(list)
    for synset in nouns:
        by_file[lexfile[synset]].append(synset)
    rows, seen = [], set()
    while len(rows) < count:
        a = rng.choice(nouns)
        kind = len(rows) % 3
        b = (hierarchy.near(a, rng) if kind == 0 else
             rng.choice(by_file[lexfile[a]]) if kind == 1 else rng.choice(nouns))
        key = tuple(sorted((a, b)))
        if b == a or b not in in_split or key in seen:
            continue
        seen.add(key)
        rows.append((split, f"{a}-n", f"{b}-n", f"{hierarchy.wu_palmer(a, b):.4f}"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deb", type=Path, help="the wordnet-base .deb file")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(args.deb), tmp], check=True)
        hypernyms, lexfile = noun_graph(Path(tmp))
    hierarchy = Hierarchy(hypernyms)
    rng = random.Random(SEED)
    rows = [row for split, count in PAIRS.items()
            for row in pairs(hierarchy, lexfile, split, count, rng)]
    lines = "".join("\t".join(row) + "\n" for row in
                    [("split", "synset_a", "synset_b", "score"), *rows])
    args.out.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same package gives the same bytes.
    with (open(args.out / "wordnet_similarity.tsv.gz", "wb") as raw,
          gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as file):
        file.write(lines.encode("utf-8"))
    scores = sorted(float(row[3]) for row in rows)
    print(f"{len(rows)} pairs; score quartiles "
          f"{[scores[len(scores) * q // 4] for q in (1, 2, 3)]}")


if __name__ == "__main__":
    main()
