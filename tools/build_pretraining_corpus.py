"""Build a pretraining corpus in the original BERT/ALBERT format from the English
text that a Debian system's packages and the installed Python packages carry.

Each file is a document: a manual page (`/usr/share/man/man[1-8]`, roff
stripped), a Python file's docstrings (standard library, site-packages, the
Google Cloud CLI), a documentation file (READMEs, Markdown, reStructuredText,
licences, info manuals, Vim's help, package metadata). Paragraphs that do not
read as English prose (code, tables, option lists) are dropped, and each
paragraph is kept once however many files repeat it. Written as BERT's
`create_pretraining_data.py` reads it: one sentence a line, a blank line
between documents, UTF-8, in files of about 16 MB (`part-00000.txt`, ...), then
`corpus.json`. Text short of `--megabytes` (10^6 bytes) is repeated, its
documents in another order each time; the summary says how much is unique.

    python tools/build_pretraining_corpus.py --out corpus --megabytes 100
"""

import argparse
import gzip
import hashlib
import itertools
import json
import multiprocessing
import os
import random
import re
import site
import sysconfig
import tempfile
from pathlib import Path

from keras_albert.datasets.local_text import file_docstrings

PART_BYTES = 16 * 10**6
MIN_WORDS = 6  # a shorter paragraph is a heading, a label or a list item
MIN_PLAIN_WORDS = 0.7  # fraction of a paragraph's words made of letters only
TEXT_SUFFIXES = (".md", ".txt", ".rst", ".text", ".info")
TEXT_NAMES = ("readme", "news", "copyright", "license", "metadata", "faq", "todo")

ROFF_NAMED = {"em": "\u2014", "en": "\u2013", "lq": '"', "rq": '"', "dq": '"', "aq": "'",
              "oq": "'", "cq": "'", "co": "\u00a9", "-": "-", "e": "\\", " ": " ", "~": " ",
              ".": ".", "'": "'", "`": "`", "\\": "\\"}
ROFF_ESCAPE = re.compile(r"\\(?:[f*]?(\(..|\[[^\]]*\])|f.|s[-+]?\d|\*.|(.))")
ROFF_FONT_MACROS = {"B", "I", "SM", "SB", "BR", "BI", "IB", "IR", "RB", "RI"}
ROFF_SKIPPED_BLOCKS = {"nf": "fi", "EX": "EE", "TS": "TE", "EQ": "EN", "de": "."}
MARKUP = [(re.compile(p), r) for p, r in [
    (r"!\[[^\]]*\]\([^)]*\)", ""), (r"\[([^\]]+)\]\([^)]*\)", r"\1"),  # images, links
    (r"`([^`<]+?) ?<[^>]+>`_+", r"\1"), (r":[\w:]+:`([^`]+)`", r"\1"),  # rst links, roles
    (r"<[^>\n]+>", ""), (r"[`*|]|\b__|__\b", ""),                       # html, emphasis
]]
# A list item, a heading, a docstring's section ("Args:") or an argument's name
# (indented): each starts a paragraph.
BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)]|#+|:[\w ]+:)\s+|^[A-Z]\w*:$"
                    r"|^\s+[\w.]+(?: \([^)]*\))?:(?:\s+|$)")
CODE_PROMPTS = (">>>", "...", "$ ", "|")  # doctests, shell sessions, tables
PLAIN_WORD = re.compile(r"[\"'(\u201c]*[A-Za-z][a-z]*(?:['\u2019-][A-Za-z]+)*[.,;:!?)\"'\u201d]*")
SENTENCE_BREAK = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z0-9])")
ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|Mr|Mrs|Dr|St|No|Fig|al)|\b[A-Z])\.$")


def _unescape(line):
    return ROFF_ESCAPE.sub(
        lambda match: ROFF_NAMED.get((match.group(1) or match.group(2) or "").strip("([]"), ""),
        line)


def roff_lines(text):
    """A manual page's running text; each break in the text is an empty line."""
    block_end, skip_tag = None, False
    for line in text.splitlines():
        line = line.split('\\"')[0]  # a comment
        control = line[:1] in (".", "'")
        macro, _, arguments = line[1:].strip().partition(" ") if control else ("", "", "")
        if block_end:
            block_end = None if macro == block_end else block_end
        elif macro in ROFF_SKIPPED_BLOCKS:
            block_end = ROFF_SKIPPED_BLOCKS[macro]
        elif macro in ROFF_FONT_MACROS and not skip_tag:
            words = [a or b for a, b in re.findall(r'"([^"]*)"|(\S+)', arguments)]
            if words:  # without, the macro sets the font of the next line
                yield _unescape(("" if len(macro) == 2 else " ").join(words))
        elif control or skip_tag:  # a paragraph macro, or the tag of a .TP list item
            skip_tag = macro == "TP"
            yield ""
        else:
            yield _unescape(line)


def markup_lines(text):
    """A Markdown, reStructuredText, info or plain text file's running text."""
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        elif (in_code or not re.search(r"[A-Za-z0-9]", line) or "\x1f" in line
              or line.lstrip().startswith(CODE_PROMPTS)):
            yield ""
        else:
            bullet = BULLET.match(line)
            if bullet:
                yield ""
                line = line[bullet.end():]
            for pattern, replacement in MARKUP:
                line = pattern.sub(replacement, line)
            yield line


def paragraphs(lines):
    """Runs of non-empty lines, each joined into one line."""
    text = "\n".join(line.strip() for line in lines)
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]


def is_prose(paragraph):
    words = paragraph.split()
    plain = sum(bool(PLAIN_WORD.fullmatch(word)) for word in words)
    return (len(words) >= MIN_WORDS and plain >= MIN_PLAIN_WORDS * len(words)
            and re.search(r"[a-z][.!?]", paragraph) is not None
            and "...." not in paragraph)  # a table of contents' leaders


def sentences(paragraph):
    pieces = []
    for piece in SENTENCE_BREAK.split(paragraph):
        if pieces and ABBREVIATION.search(pieces[-1]):
            pieces[-1] += " " + piece
        else:
            pieces.append(piece)
    return pieces


def read_document(kind_and_path):
    """The prose paragraphs of one source file, each as (a digest of its lower
    case text, its sentences)."""
    kind, path = kind_and_path
    if kind == "python":
        lines = [line for docstring in file_docstrings(path) for line in
                 [*markup_lines(docstring), ""]]
    else:
        opener = gzip.open if path.endswith(".gz") else open
        try:
            with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except (OSError, EOFError):
            return []
        lines = roff_lines(text) if kind == "man" else markup_lines(text)
    return [(hashlib.blake2b(p.lower().encode("utf-8"), digest_size=8).digest(), sentences(p))
            for p in paragraphs(lines) if "\ufffd" not in p and is_prose(p)]


def source_files():
    """(kind, path) of every source file, in a fixed order."""
    python_roots = {sysconfig.get_paths()["stdlib"], *site.getsitepackages(),
                    "/usr/lib/python3/dist-packages", "/usr/lib/google-cloud-sdk"}
    found = [("man", path) for path in Path("/usr/share/man").glob("man[1-8]/*.gz")]
    for root in python_roots:
        found += [("python", path) for path in Path(root).rglob("*.py")
                  if not {"test", "tests"} & set(path.parts)]
    for root in ["/usr/share/doc", "/usr/share/info", "/usr/share/vim", *python_roots]:
        for path in Path(root).rglob("*"):
            name = path.name.lower().removesuffix(".gz")
            if ((name.endswith(TEXT_SUFFIXES) or name.startswith(TEXT_NAMES))
                    and "changelog" not in name and path.is_file()):
                found.append(("text", path))
    return sorted((kind, str(path)) for kind, path in found)


def collect_documents():
    """The unique text as documents, each a string of sentence lines, and the
    bytes each kind of source gave."""
    seen, documents, source_bytes = set(), [], dict.fromkeys(["man", "python", "text"], 0)
    sources = source_files()
    with multiprocessing.Pool() as pool:
        for (kind, _), found in zip(sources, pool.imap(read_document, sources, chunksize=32)):
            lines = []
            for digest, paragraph_sentences in found:
                if digest not in seen:
                    seen.add(digest)
                    lines += paragraph_sentences
            if len(lines) >= 2:  # a sentence-order pair needs two
                documents.append("\n".join(lines) + "\n\n")
                source_bytes[kind] += len(documents[-1].encode("utf-8"))
    return documents, source_bytes


def write_text(path, text):
    """Write `text` to `path` atomically."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(handle, 0o644)  # mkstemp's 0o600 would hide the corpus from other users
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def write_corpus(documents, out, total_bytes):
    """Parts of about `PART_BYTES` until `total_bytes` are written: the documents
    in another order (seeded by the repetition's number) each time round."""
    for stale in [*out.glob("part-*.txt"), out / "corpus.json"]:
        stale.unlink(missing_ok=True)
    stream = (document for repetition in itertools.count()
              for document in random.Random(repetition).sample(documents, len(documents)))
    written, parts = 0, 0
    while written < total_bytes:
        part, size = [], 0
        while size < PART_BYTES and written + size < total_bytes:
            part.append(next(stream))
            size += len(part[-1].encode("utf-8"))
        write_text(out / f"part-{parts:05d}.txt", "".join(part))
        written, parts = written + size, parts + 1
    return written, parts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory for the part files")
    parser.add_argument("--megabytes", type=float, required=True,
                        help="size of the corpus in MB (10^6 bytes)")
    args = parser.parse_args()
    out = Path(args.out)
    if args.megabytes <= 0 or (out.exists() and not out.is_dir()):
        parser.error("--megabytes must be positive and --out a directory. Received: "
                     f"--megabytes {args.megabytes} --out {out}")
    out.mkdir(parents=True, exist_ok=True)
    documents, source_bytes = collect_documents()
    if not documents:
        parser.error("no English text found on this machine")
    unique = sum(source_bytes.values())
    written, parts = write_corpus(documents, out, int(args.megabytes * 10**6))
    summary = {"megabytes": args.megabytes, "bytes": written, "unique_bytes": min(unique, written),
               "documents": len(documents), "parts": parts, "unique_bytes_by_source": source_bytes}
    write_text(out / "corpus.json", json.dumps(summary, indent=1) + "\n")
    print(f"Wrote {parts} files, {written / 1e6:.1f} MB, to {out}: {unique / 1e6:.1f} MB "
          f"unique in {len(documents):,d} documents"
          + (f" (repeated {written / unique:.1f} times)" if written > unique else "")
          + "; unique MB by source: " + ", ".join(f"{kind} {size / 1e6:.1f}"
                                                  for kind, size in source_bytes.items()))


if __name__ == "__main__":
    main()
