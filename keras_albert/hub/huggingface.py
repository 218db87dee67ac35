"""Models from the Hugging Face Hub, through `huggingface_hub`.

Only the files a conversion reads are downloaded: `config.json`, the weights
(`model.safetensors`, else its shards, else `pytorch_model.bin`) and the
tokenizer files. The Hub's own settings apply: `HF_ENDPOINT`, `HF_HOME` /
`HF_HUB_CACHE`, `HF_TOKEN` (gated and private repositories) and
`HF_HUB_OFFLINE` — read when a model is loaded, not only when
huggingface_hub is first imported.
"""

import json
import os
from pathlib import Path

WEIGHT_CHOICES = (("model.safetensors",), ("model.safetensors.index.json",),
                  ("pytorch_model.bin",))
TOKENIZER_FILES = ("spiece.model", "vocab.txt", "tokenizer_config.json")
_TRUE = {"1", "ON", "YES", "TRUE"}


class HubError(ValueError):
    """A model that cannot be had from the Hub; the message says what to do."""


class HubUnreachable(HubError):
    """The Hub did not answer (no connection, a time-out, a cut transfer)."""


def offline():
    """Whether `HF_HUB_OFFLINE` forbids requests."""
    return os.environ.get("HF_HUB_OFFLINE", "").upper() in _TRUE


def endpoint():
    from huggingface_hub import constants

    return os.environ.get("HF_ENDPOINT", constants.ENDPOINT).rstrip("/")


def _cache_dir():
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    if os.environ.get("HF_HOME"):
        return os.path.join(os.environ["HF_HOME"], "hub")
    return None  # huggingface_hub's default


def describe_error(error):
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _hub_errors(repo, revision, error):
    """A `HubError` naming the model and what to do, for a huggingface_hub or
    connection error."""
    from huggingface_hub import errors

    name = f"{repo}@{revision}" if revision not in (None, "main") else repo
    if isinstance(error, errors.GatedRepoError):
        return HubError(f"{name} is a gated repository on {endpoint()}: accept its "
                        "terms on the Hub, then set HF_TOKEN to a token of that account.")
    if isinstance(error, errors.RepositoryNotFoundError):
        return HubError(f"No model {name} on {endpoint()} (if it is private, set "
                        "HF_TOKEN to a token that can read it).")
    if isinstance(error, errors.RevisionNotFoundError):
        return HubError(f"No revision {revision!r} in {repo} on {endpoint()}.")
    if isinstance(error, errors.HfHubHTTPError):
        return HubError(f"The Hub at {endpoint()} refused {name}: {describe_error(error)}")
    return HubUnreachable(f"Cannot download {name} from {endpoint()}: "
                          f"{describe_error(error)}. Check the connection (or HF_ENDPOINT) "
                          "and run again: the download resumes.")


def resolve_commit(repo, revision):
    """`(commit, file names)` of `repo` at `revision` (branch, tag or commit)."""
    from huggingface_hub import HfApi

    try:
        info = HfApi(endpoint=endpoint()).model_info(repo, revision=revision or "main")
    except Exception as error:  # noqa: BLE001 — mapped to one clear message
        raise _hub_errors(repo, revision, error) from None
    return info.sha, [sibling.rfilename for sibling in info.siblings or []]


def needed_files(repo, files):
    """The files of `repo` a conversion reads, weights by preference."""
    names = set(files)
    if "config.json" not in names:
        raise HubError(f"{repo} has no config.json: not a transformers model.")
    for choice in WEIGHT_CHOICES:
        if choice[0] in names:
            weights = list(choice)
            break
    else:
        raise HubError(f"{repo} has no model.safetensors, model.safetensors.index.json "
                       "or pytorch_model.bin.")
    tokenizer = [f for f in TOKENIZER_FILES if f in names]
    if not names & {"spiece.model", "vocab.txt"} and "tokenizer.json" in names:  # transformers 5
        tokenizer.append("tokenizer.json")
    return ["config.json", *weights, *tokenizer]


def _download(repo, commit, filename):
    from huggingface_hub import hf_hub_download

    try:
        return Path(hf_hub_download(repo, filename, revision=commit,
                                    cache_dir=_cache_dir(), endpoint=endpoint()))
    except Exception as error:  # noqa: BLE001 — mapped to one clear message
        raise _hub_errors(repo, commit, error) from None


def download(repo, commit, files):
    """The snapshot folder of `repo` at `commit` holding the files a
    conversion needs; `config.json` comes first and must be ALBERT's."""
    files = needed_files(repo, files)
    config_path = _download(repo, commit, "config.json")
    try:
        model_type = json.loads(config_path.read_text(encoding="utf-8")).get("model_type")
    except (ValueError, UnicodeDecodeError) as error:
        raise HubError(f"{repo}: config.json is not JSON ({error}).") from None
    if model_type != "albert":
        raise HubError(f"{repo} is not an ALBERT model: its config.json says "
                       f"model_type={model_type!r}.")
    if "model.safetensors.index.json" in files:
        index = _download(repo, commit, "model.safetensors.index.json")
        shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        files += shards
    for filename in files[1:]:
        _download(repo, commit, filename)
    return config_path.parent
