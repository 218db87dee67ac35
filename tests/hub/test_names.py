import pytest

from keras_albert.hub import Source, parse_name


@pytest.mark.parametrize("name, expected", [
    ("hf://org/model", Source("hf", "org/model")),
    ("hf://org/model@v1.0", Source("hf", "org/model", "v1.0")),
    ("org/model", Source("hf", "org/model")),
    ("org/model@0123abc", Source("hf", "org/model", "0123abc")),
    ("albert-base-v2", Source("hf", "albert/albert-base-v2")),  # transformers' short name
    ("albert-xxlarge-v1", Source("hf", "albert/albert-xxlarge-v1")),
    ("albert_large_v2", Source("hf", "albert/albert-large-v2")),  # a preset with weights
    ("albert_base_en_uncased",
     Source("keras-hub", "kaggle://keras/albert/keras/albert_base_en_uncased/5")),
    ("kaggle://keras/albert/keras/albert_base_en_uncased",
     Source("keras-hub", "kaggle://keras/albert/keras/albert_base_en_uncased")),
    ("https://example.org/albert_base_v2.tar.gz",
     Source("url", "https://example.org/albert_base_v2.tar.gz")),
])
def test_names(name, expected):
    assert parse_name(name) == expected


def test_a_local_directory_wins_over_a_hub_name(tmp_path, monkeypatch):
    (tmp_path / "org" / "model").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert parse_name("org/model") == Source("directory", "org/model")


@pytest.mark.parametrize("name", ["albert_tiny", "not a model", "hf://just-a-name",
                                  "a/b/c"])
def test_unknown_names_are_one_line_errors(name):
    with pytest.raises(ValueError) as error:
        parse_name(name)
    assert repr(name.removeprefix("hf://")) in str(error.value) or name in str(error.value)
    assert "\n" not in str(error.value)
