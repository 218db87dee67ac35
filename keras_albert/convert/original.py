"""Conversion from Google's original ALBERT releases (TF1 checkpoints).

A release directory holds `albert_config.json`, `model.ckpt-*` and
`30k-clean.model` (the Chinese releases: `vocab_chinese.txt`); the TF-Hub
module layout holds the same weights under a `module/` prefix in
`variables/variables*`, with the config and vocabulary in `assets/`. A
`.tar.gz` (or `.zip`) of either is extracted first (members that would land outside the
target are refused).

brightmart/albert_zh's releases (`albert_config_tiny.json`,
`albert_model.ckpt`, `vocab.txt`) are recognized by their variable names and
converted to a backbone with `embedding_projection="before_sum"`: its word
vectors are projected E -> H before the H-wide position and token-type
embeddings are added and normalized, and its one shared layer has BERT's
variable names. Its pre-LN variant (`ln_type` other than `postln`) is refused.
"""

import stat
import tarfile
import tempfile
import warnings
import zipfile
from pathlib import Path

import keras
import tensorflow as tf

from keras_albert.convert.albert_config import backbone_config, read_json
from keras_albert.convert.pretraining_heads import model_for_heads
from keras_albert.convert.weights import (
    BRIGHTMART,
    ORIGINAL,
    ConversionError,
    assign_weights,
)
from keras_albert.models.backbone import AlbertBackbone
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer

HUB_PREFIX = "module/"


def extract_archive(archive, target):
    """Extract a `.tar.gz` (Google's releases) or a `.zip` (brightmart's) into
    `target`, refusing links and members that would land outside it."""
    if zipfile.is_zipfile(archive):
        _extract_zip(archive, target)
        return
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(target, filter="data")
    except tarfile.FilterError as error:
        raise ConversionError(f"Unsafe member in archive {archive}: {error}") from None
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ConversionError(f"Corrupt archive {archive}: {error}") from None


def _extract_zip(archive, target):
    root = Path(target).resolve()
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.infolist():
                destination = (root / member.filename).resolve()
                is_link = stat.S_ISLNK(member.external_attr >> 16)
                if is_link or not destination.is_relative_to(root):
                    raise ConversionError(f"Unsafe member in archive {archive}: "
                                          f"{member.filename!r}")
            bundle.extractall(root)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ConversionError(f"Corrupt archive {archive}: {error}") from None


def _find(directory, patterns):
    """The first file matching one of `patterns` in `directory` or one level down
    (release archives hold a single top folder)."""
    for pattern in patterns:
        for candidate in (*sorted(directory.glob(pattern)),
                          *sorted(directory.glob(f"*/{pattern}"))):
            if candidate.is_file():
                return candidate
    return None


def _checkpoint_prefix(directory):
    """The newest `model.ckpt-N` (brightmart's: `albert_model.ckpt`; TF-Hub's:
    `variables/variables`) prefix."""
    indexes = [*directory.glob("*model.ckpt*.index"), *directory.glob("*/*model.ckpt*.index")]
    if indexes:
        def step(path):
            digits = path.name.removesuffix(".index").rpartition("-")[2]
            return int(digits) if digits.isdigit() else -1
        return str(max(indexes, key=step)).removesuffix(".index")
    hub = _find(directory, ["variables/variables.index"])
    if hub:
        return str(hub).removesuffix(".index")
    raise ConversionError(f"No TF1 checkpoint (model.ckpt-*.index or "
                          f"variables/variables.index) in {directory}")


def read_checkpoint(prefix, verbose=False):
    """`{name: array}` of a TF1 checkpoint, the TF-Hub `module/` prefix removed."""
    try:
        reader = tf.train.load_checkpoint(prefix)
        names = sorted(reader.get_variable_to_shape_map())
        progress = keras.utils.Progbar(len(names), unit_name="tensor") if verbose else None
        tensors = {}
        for index, name in enumerate(names):
            tensors[name.removeprefix(HUB_PREFIX)] = reader.get_tensor(name)
            if progress:
                progress.update(index + 1)
    except (tf.errors.OpError, ValueError, IndexError, RuntimeError) as error:
        message = getattr(error, "message", str(error)).splitlines()[0]
        raise ConversionError(f"Cannot read checkpoint {prefix}: {message}") from None
    return tensors


def convert_original(source, lowercase=None, verbose=False, **backbone_overrides):
    """Our model and tokenizer files from an original ALBERT release.

    Args:
        source: a release directory, a TF-Hub module directory, or a `.tar.gz`
            or `.zip` of one.
        lowercase: bool or None (True: the released English models are uncased).
        verbose: bool. Show a progress bar while reading the checkpoint.
        **backbone_overrides: config entries that leave the weights alone.

    Returns:
        `(model, tokenizer)`: an `AlbertPretrainer` (or less, with a warning,
        when the checkpoint lacks a head; a brightmart checkpoint's backbone) and `{"proto", "lowercase",
        "keep_accents"}` (a `.model` file) or an `AlbertWordPieceTokenizer`
        (a Chinese release's `vocab_chinese.txt`).
    """
    source = Path(source)
    if not source.exists():
        raise ConversionError(f"No such file or directory: {source}")
    if source.is_file():
        with tempfile.TemporaryDirectory() as target:
            extract_archive(source, target)
            return convert_original(target, lowercase, verbose, **backbone_overrides)

    config_path = _find(source, ["albert_config.json", "assets/albert_config.json",
                                 "albert_config*.json"])
    if config_path is None:
        raise ConversionError(f"Missing albert_config.json in {source} "
                              "(looked in the folder, assets/ and one level down)")
    albert_config = read_json(config_path, "ALBERT config")
    config = backbone_config(albert_config, ORIGINAL, str(config_path))
    tensors = read_checkpoint(_checkpoint_prefix(source), verbose)
    if is_brightmart(tensors):
        config = _brightmart_config(albert_config, config, tensors, source)
        backbone = AlbertBackbone(**{**config, **backbone_overrides})
        heads = sorted(name for name in tensors if name.startswith("cls/"))
        if heads:
            warnings.warn(
                f"{source} is a brightmart/albert_zh checkpoint: its pretraining heads "
                "(an H-wide masked-LM transform) are not ALBERT's and are not "
                "converted; the backbone is.", stacklevel=2)
        assign_weights(backbone, tensors, BRIGHTMART, str(source), ignore=heads)
        return backbone, _tokenizer(source, lowercase)

    backbone = AlbertBackbone(**{**config, **backbone_overrides})
    model = model_for_heads(
        backbone,
        has_mlm_head="cls/predictions/output_bias" in tensors,
        has_sop_head="cls/seq_relationship/output_weights" in tensors,
        source=str(source),
    )
    assign_weights(model, tensors, ORIGINAL, str(source))

    return model, _tokenizer(source, lowercase)


def is_brightmart(tensors):
    """Whether a checkpoint is in brightmart/albert_zh's layout."""
    return any(name.startswith(_BRIGHTMART_MARKS) or "/layer_shared/" in name
               for name in tensors)


_BRIGHTMART_MARKS = ("bert/embeddings/word_embeddings_2",)


def _brightmart_config(albert_config, config, tensors, source):
    """Our backbone config for a brightmart checkpoint, or a one-line refusal
    naming what keras-albert does not implement."""
    ln_type = albert_config.get("ln_type") or "postln"
    if ln_type != "postln":
        raise ConversionError(
            f"{source}: brightmart/albert_zh ln_type={ln_type!r} is its pre-LN "
            "transformer (LayerNorm before attention and feed-forward, none after "
            "the last layer); keras-albert implements its post-LN models (tiny, "
            "base, large, xlarge: ln_type 'postln') only.")
    if any(name.startswith("bert/encoder/layer_0/") for name in tensors):
        raise ConversionError(
            f"{source}: bert/encoder/layer_0/ holds unshared layers (a BERT, not an "
            "ALBERT); keras-albert converts brightmart checkpoints with one "
            "shared layer (bert/encoder/layer_shared/).")
    return {**config, "num_hidden_groups": 1, "inner_group_num": 1,
            "embedding_projection": "before_sum"}


def _tokenizer(source, lowercase):
    """The release's SentencePiece model (the English releases), else its
    BERT WordPiece vocabulary (the Chinese releases' `vocab_chinese.txt`)."""
    vocabulary = _find(source, ["30k-clean.model", "assets/30k-clean.model", "*.model",
                                "assets/*.model"])
    if vocabulary is not None:
        return {"proto": vocabulary.read_bytes(), "lowercase": lowercase is not False,
                "keep_accents": False}
    vocabulary = _find(source, ["vocab_chinese.txt", "assets/vocab_chinese.txt",
                                "vocab*.txt", "assets/vocab*.txt"])
    if vocabulary is None:
        raise ConversionError(
            f"No vocabulary in {source}: expected a SentencePiece *.model (the English "
            "releases' 30k-clean.model) or a WordPiece vocab*.txt (the Chinese releases' "
            "vocab_chinese.txt). keras-albert does not write a model it cannot tokenize "
            "for: copy the release's vocabulary into the directory.")
    try:
        # Google's Chinese models are uncased, with BERT's basic tokenizer.
        return AlbertWordPieceTokenizer(vocabulary, lowercase=lowercase is not False)
    except ValueError as error:
        raise ConversionError(f"{vocabulary}: {error}") from None
