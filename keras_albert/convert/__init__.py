"""Conversion from Google's original checkpoints, transformers and keras-hub.

`convert(source_format, source, out)` writes a pretrained directory that
`AlbertBackbone.from_pretrained` and every task's `from_pretrained` load;
`save_hf` goes back to transformers.
"""

from pathlib import Path

from keras_albert.convert.hugging_face import convert_hf, save_hf
from keras_albert.convert.keras_hub import backbone_from_keras_hub, convert_keras_hub
from keras_albert.convert.original import convert_original
from keras_albert.convert.weights import ConversionError
from keras_albert.models.pretrained import save_pretrained

# Raised when a converter's output changes, so that cached conversions
# (keras_albert.hub) are made again.
CONVERTER_VERSION = 1
CONVERTERS = {"original": convert_original, "hf": convert_hf,
              "keras-hub": convert_keras_hub}


def convert(source_format, source, out, overwrite=False, source_info=None, **kwargs):
    """Convert a checkpoint to a keras-albert pretrained directory.

    Args:
        source_format: `"original"`, `"hf"` or `"keras-hub"`.
        source: the checkpoint directory (or `.tar.gz` for `"original"`).
        out: the directory to write (atomically).
        overwrite: bool. Replace `out` if it exists.
        source_info: optional dict recorded as `source` in `config.json`
            (default: the format and the source's name).
        **kwargs: passed to the converter (e.g. `lowercase`, `verbose`,
            backbone overrides such as `execution="loop"`).

    Returns:
        The converted model.
    """
    if source_format not in CONVERTERS:
        raise ValueError(f"Unknown checkpoint format. Received: source_format="
                         f"{source_format!r}; expected one of {sorted(CONVERTERS)}")
    model, tokenizer = CONVERTERS[source_format](source, **kwargs)
    save_pretrained(model, out, tokenizer=tokenizer, overwrite=overwrite,
                    source={"format": source_format,
                            "name": getattr(source, "name", None) or Path(source).name,
                            **(source_info or {})})
    return model


__all__ = ["CONVERTERS", "CONVERTER_VERSION", "ConversionError", "backbone_from_keras_hub", "convert",
           "convert_hf", "convert_keras_hub", "convert_original", "save_hf"]
