"""The labelled data sets built from text the machine carries (Python's
standard library, Debian's manual pages and package database)."""

import collections

import pytest

from keras_albert.datasets import local_text


@pytest.mark.parametrize("build, labels, min_rows", [
    (local_text.python_docstrings, local_text.DOCSTRING_PACKAGES, 1000),
    (local_text.man_page_names, [f"man{s}" for s in local_text.MAN_SECTIONS], 1000),
    (local_text.package_descriptions, local_text.PACKAGE_SECTIONS, 300),
])
def test_each_data_set_has_its_classes_and_real_text(build, labels, min_rows):
    rows = build()
    counts = collections.Counter(row["label"] for row in rows)
    assert len(rows) >= min_rows and set(counts) == set(labels), counts
    assert all(row["text"] == " ".join(row["text"].split()) and len(row["text"].split()) >= 2
               for row in rows)
    assert build() == rows  # the same rows on every run


def test_man_page_descriptions_are_the_name_lines():
    rows = local_text.man_page_names(sections=("1",), per_section=5000)
    texts = {row["text"] for row in rows}
    assert "list directory contents" in texts  # ls(1)
    assert not any("\\f" in text or text.startswith(".") for text in texts)


def test_split_is_by_text_and_stable():
    rows = local_text.python_docstrings()
    train, held_out = local_text.split_rows(rows)
    assert len(train) + len(held_out) == len(rows)
    assert 0.15 < len(held_out) / len(rows) < 0.25
    assert local_text.split_rows(list(reversed(rows)))[1] == list(reversed(held_out))
