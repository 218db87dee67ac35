"""SavedModels laid out for TF Serving: `BASE/NAME/VERSION/`.

Two signatures:
    serving_default  raw text: `text` (or `text_a`, `text_b` for pair tasks), a
                     batch of strings; tokenizer and packing run in the graph
                     (tensorflow-text ops); outputs carry the label names.
    serve_tokens     int32 `token_ids`, `segment_ids`, `padding_mask` of any
                     batch size and length.

A directory without a tokenizer (`spiece.model`) and a multiple-choice model
export `serve_tokens` alone, which then also answers as `serving_default`.
A pretrained model without a task head exports the encoder's outputs, and
`fill_mask` where it has its masked-LM head (see `encoder`).

The export loads with TensorFlow and `import tensorflow_text` alone (the
SentencePiece op is registered by that import); keras_albert is not needed.
"""

import json
from pathlib import Path

from keras_albert.export import encoder, serving
from keras_albert.files import write_directory
from keras_albert.locate import locate
from keras_albert.tasks.multiple_choice import AlbertMultipleChoice
from keras_albert.text.tokenizers import has_tokenizer

LABELS_FILE = "labels.txt"


def check_version(version):
    """TF Serving reads versions as positive integers."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"`version` must be a positive integer (TF Serving's version "
                         f"directories). Received: version={version!r}")


def export_saved_model(directory, base, name, version=1, sequence_length=None,
                       overwrite=False, dtype="float32"):
    """Write the model of a pretrained `directory` to `base/name/version/`.

    Args:
        directory: a pretrained directory (`save_pretrained`, `keras-albert
            finetune`, `keras-albert convert`).
        base: the TF Serving model base path.
        name: the model name (TF Serving's `name` in models.config).
        version: positive int, the version directory.
        sequence_length: length the raw-text signature packs to (default: the
            saved preprocessor's, else 128); longer texts are truncated.
        overwrite: replace an existing version.
        dtype: `"float32"`, or `"mixed_bfloat16"` to compute in bfloat16
            (float32 weights and outputs) on CPUs with bfloat16 units (see
            `keras_albert.training.precision`).

    Returns:
        The `Path` of the version directory.
    """
    check_version(version)
    directory = locate(directory)
    if not name or "/" in str(name) or str(name).startswith("."):
        raise ValueError(f"`name` must be a plain directory name. Received: name={name!r}")
    target = Path(base) / name / str(version)
    if target.exists() and not overwrite:
        raise ValueError(f"{target} already exists; pick another --version or pass "
                         "--overwrite.")
    model = serving.load_for_export(directory, dtype)
    preprocessor = None
    if has_tokenizer(directory) and not isinstance(model, AlbertMultipleChoice):
        preprocessor = serving.preprocessor_for(directory, model, sequence_length)
    num_texts = serving.num_texts(directory)
    endpoints = {}
    if preprocessor is not None:  # TF Serving's default: raw text
        endpoints["serving_default"] = serving.text_function(model, preprocessor, num_texts)
    endpoints["serve_tokens"] = serving.tokens_function(model)
    if preprocessor is not None and encoder.has_fill_mask(model):
        endpoints["fill_mask"] = encoder.fill_mask_function(model, preprocessor)
    exported = serving.archive(model, endpoints, preprocessor)

    def write(temporary):
        exported.write_out(str(temporary), verbose=False)
        _write_assets(temporary, model, preprocessor, list(endpoints), dtype)

    # Written under a dot-name and renamed whole: TF Serving only picks up
    # numeric directories, so it never loads a half-written version.
    write_directory(target, write, overwrite=overwrite)
    return target


def _write_assets(export_dir, model, preprocessor, signatures, dtype):
    """Label names and the packing length beside the graph, for clients."""
    extra = Path(export_dir) / "assets.extra"
    extra.mkdir(exist_ok=True)
    names = serving.label_names(model)
    if names:
        (extra / LABELS_FILE).write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
    info = {"task": type(model).__name__, "label_names": names,
            "sequence_length": preprocessor.sequence_length if preprocessor else None,
            "signatures": signatures, "dtype": dtype}
    (extra / "keras_albert.json").write_text(json.dumps(info, indent=2))
