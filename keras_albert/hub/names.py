"""Names of pretrained models, and what each kind of name points at.

    hf://ORG/NAME[@REVISION], ORG/NAME[@REVISION]  the Hugging Face Hub
    albert-base-v2, ... (transformers' short names) albert/albert-base-v2, ...
    albert_base_v2, ... (our presets with weights)  the same Hub repositories
    albert_base_en_uncased, ... (keras-hub presets) keras-hub, through Kaggle
    kaggle://ORG/MODEL/keras/VARIANT[/VERSION]      keras-hub, through Kaggle
    http(s)://.../albert_base_v2.tar.gz            Google's release archive
    http(s)://.../albert_tiny.zip                  brightmart's albert_zh release
    a directory, a .tar.gz or a .zip on disk       itself (converted if it is
                                                    not ours)

A bare `ORG/NAME` means the Hub only when no such directory exists.
"""

import dataclasses
import re
from pathlib import Path

from keras_albert.models.presets import PRESET_WEIGHTS

_SIZES = ("base", "large", "xlarge", "xxlarge")
# transformers' short names of Google's releases.
LEGACY_NAMES = {f"albert-{size}-{version}": f"albert/albert-{size}-{version}"
                for size in _SIZES for version in ("v1", "v2")}
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a name points: `kind` is "directory", "archive" (a release
    archive on disk), "hf", "keras-hub" or "url"; `name` the path, repository,
    preset or URL; `revision` a Hub branch, tag or commit."""

    kind: str
    name: str
    revision: str | None = None

    def __str__(self):
        if self.kind == "hf":
            return f"hf://{self.name}" + (f"@{self.revision}" if self.revision else "")
        return self.name


def _hf(name):
    repo, _, revision = name.partition("@")
    if not _REPO_ID.match(repo):
        raise ValueError(f"A Hugging Face name is ORG/NAME or ORG/NAME@REVISION. "
                         f"Received: {name!r}")
    return Source("hf", repo, revision or None)


def keras_hub_presets():
    """keras-hub's ALBERT preset names -> Kaggle handles."""
    import keras_hub

    return {name: preset["kaggle_handle"]
            for name, preset in keras_hub.models.AlbertBackbone.presets.items()}


def parse_name(name):
    """The `Source` a model name or path points at; `ValueError` for a name
    that is none of the kinds above."""
    text = str(name)
    path = Path(text).expanduser()
    if path.is_dir():
        return Source("directory", str(path))
    if path.is_file() and text.endswith(_ARCHIVE_SUFFIXES):
        return Source("archive", str(path))
    if text.startswith("hf://"):
        return _hf(text.removeprefix("hf://"))
    if text.startswith("kaggle://"):
        return Source("keras-hub", text)
    if text.startswith(("http://", "https://")):
        return Source("url", text)
    if text in LEGACY_NAMES:
        return Source("hf", LEGACY_NAMES[text])
    if PRESET_WEIGHTS.get(text):
        return Source("hf", PRESET_WEIGHTS[text])
    presets = keras_hub_presets()
    if text in presets:
        return Source("keras-hub", presets[text])
    if _REPO_ID.match(text.partition("@")[0]):
        return _hf(text)
    raise ValueError(
        f"Unknown pretrained model: {text!r} is not a directory, a release archive, "
        "a Hugging Face name (ORG/NAME, hf://ORG/NAME[@REVISION]), a keras-hub "
        "preset or an URL. `keras-albert presets` lists the names with weights.")
