"""Labelled text classification data sets built from text the machine already
carries: no download, real text written by people for people.

    python_docstrings()   Python's standard library: the first paragraph of a
                          function's or class's docstring -> its package
                          (asyncio, email, logging, ...). Short and medium texts.
    man_page_names()      Debian's manual pages: the NAME line's description ->
                          the manual section (1 commands, 2 system calls, 3
                          library functions, ...). Very short texts.
    package_descriptions()  Debian's package database: a package's description
                          (summary and long text) -> its archive section (libs,
                          utils, python, ...). Long texts.

Each returns rows `{"text", "label"}` in a fixed order (the same machine, the
same rows); `split_rows` splits them reproducibly. What each holds depends on
what is installed: the Python standard library always is; the manual pages and
the package database are those of the Debian system (`ValueError` where there
are too few).
"""

import ast
import collections
import gzip
import hashlib
import re
import sysconfig
from pathlib import Path

DOCSTRING_PACKAGES = ("asyncio", "email", "logging", "multiprocessing", "unittest", "xml")
MAN_SECTIONS = ("1", "2", "3", "5", "7", "8")
PACKAGE_SECTIONS = ("admin", "devel", "java", "libdevel", "libs", "misc", "python", "utils")
_MIN_ROWS = 100


def _words(text):
    return " ".join(text.split())


def file_docstrings(path, modules=True):
    """The docstrings of a Python file's classes and functions (and of the
    module itself, with `modules`), in `ast.walk` order; none for a file
    Python cannot parse."""
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef,
             *((ast.Module,) if modules else ()))
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if isinstance(node, kinds) and (docstring := ast.get_docstring(node)):
            yield docstring


def python_docstrings(packages=DOCSTRING_PACKAGES, stdlib=None):
    """`{"text": first paragraph of a docstring, "label": package}` for every
    function, method and class of the standard library packages `packages`
    whose first docstring paragraph has at least four words (tests left out)."""
    stdlib = Path(stdlib or sysconfig.get_paths()["stdlib"])
    rows = []
    for package in packages:
        paths = [stdlib / f"{package}.py"] + sorted((stdlib / package).rglob("*.py"))
        for path in paths:
            if not path.is_file() or {"test", "tests"} & set(path.parts):
                continue
            for docstring in file_docstrings(path, modules=False):
                text = _words(docstring.split("\n\n")[0])
                if len(text.split()) >= 4:
                    rows.append({"text": text, "label": package})
    return _checked(rows, "Python docstrings", stdlib)


_NAME_LINE = re.compile(r"^\.SH\s+\"?(NAME|NOM|NOMBRE)\"?\s*$", re.IGNORECASE)


def _man_description(path):
    """The description of a manual page's NAME section ("ls \\- list directory
    contents" -> "list directory contents"), or None."""
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
            lines = handle.read(20000).splitlines()
    except (OSError, EOFError):
        return None
    for index, line in enumerate(lines):
        if _NAME_LINE.match(line.strip()):
            body = []
            for following in lines[index + 1:index + 8]:
                if following.startswith((".IX", ".\\\"")):  # index entries, comments
                    continue
                if following.startswith(".") or not following.strip():
                    if body:
                        break
                    continue
                body.append(following)
            body = " ".join(body)
            _, dash, description = body.partition("\\-")
            if not dash:
                return None
            description = re.sub(r"\\f[BIRP]|\\[&-]|\\\(..|\\\*.", "", description)
            description = _words(description.replace(".", " ").replace("\\", " "))
            return description if len(description.split()) >= 2 else None
    return None


def man_page_names(sections=MAN_SECTIONS, per_section=500, root="/usr/share/man"):
    """`{"text": a manual page's NAME description, "label": "man" + section}`,
    at most `per_section` pages of each section (evenly spread over the
    section's sorted pages), each description once."""
    rows, seen = [], set()
    for section in sections:
        pages = sorted(Path(root, f"man{section}").glob("*.gz"))
        found = []
        for path in pages:
            description = _man_description(path)
            if description and description.lower() not in seen:
                seen.add(description.lower())
                found.append(description)
        step = max(len(found) / per_section, 1)
        rows += [{"text": found[int(i * step)], "label": f"man{section}"}
                 for i in range(min(per_section, len(found)))]
    return _checked(rows, "manual pages", root)


def package_descriptions(sections=PACKAGE_SECTIONS, status="/var/lib/dpkg/status"):
    """`{"text": a package's description, "label": its section}` of the
    installed Debian packages in `sections` (the package name left out;
    descriptions of fewer than three words too)."""
    try:
        text = Path(status).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise ValueError(f"No Debian package database: {error}") from None
    rows = []
    for record in text.split("\n\n"):
        fields = collections.defaultdict(str)
        key = None
        for line in record.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += " " + line.strip().removeprefix(".")
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        section = fields["Section"].rpartition("/")[2]
        description = _words(fields["Description"])
        if section in sections and len(description.split()) >= 3:
            rows.append({"text": description, "label": section})
    return _checked(rows, "Debian package descriptions", status)


def _checked(rows, what, where):
    if len(rows) < _MIN_ROWS:
        raise ValueError(f"Too few {what} in {where}: {len(rows)} rows (at least "
                         f"{_MIN_ROWS} needed).")
    return rows


def split_rows(rows, eval_fraction=0.2):
    """`(train, eval)`: each row goes to eval when the hash of its text falls
    in the first `eval_fraction` (the same split on every run and machine)."""
    train, held_out = [], []
    for row in rows:
        digest = hashlib.sha256(row["text"].encode("utf-8")).digest()
        (held_out if digest[0] < 256 * eval_fraction else train).append(row)
    return train, held_out
