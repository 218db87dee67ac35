"""A SentencePiece model from a transformers `tokenizer.json` (Unigram).

transformers 5 saves an ALBERT tokenizer as `tokenizer.json` alone (the
`tokenizers` library's format), no `spiece.model`. For a SentencePiece-based
vocabulary that file holds everything SentencePiece needs: the pieces with
their scores, the unknown piece, and the normalization rules compiled by
SentencePiece itself (`precompiled_charsmap`). `sentencepiece_from_tokenizer_json`
rebuilds the `.model` from them, so that the model converts with its tokenizer.
"""

import base64
import json
from pathlib import Path

from sentencepiece import sentencepiece_model_pb2

_NORMAL, _UNKNOWN, _CONTROL = 1, 2, 3  # ModelProto.SentencePiece.Type


def _precompiled_charsmap(normalizer):
    """The `precompiled_charsmap` in a (possibly nested) normalizer, or None."""
    if not normalizer:
        return None
    if normalizer.get("type") == "Precompiled":
        return normalizer["precompiled_charsmap"]
    for child in normalizer.get("normalizers") or []:
        found = _precompiled_charsmap(child)
        if found:
            return found
    return None


def sentencepiece_from_tokenizer_json(path):
    """The bytes of a SentencePiece `.model` equivalent to the Unigram
    `tokenizer.json` at `path`; `ValueError` when it is not one."""
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"Cannot read {path}: {error}") from None
    model = spec.get("model") or {}
    if model.get("type") != "Unigram":
        raise ValueError(f"{path} is a {model.get('type')!r} tokenizer, not a "
                         "SentencePiece (Unigram) one.")
    charsmap = _precompiled_charsmap(spec.get("normalizer"))
    special = {token["content"] for token in spec.get("added_tokens") or []
               if token.get("special")}
    proto = sentencepiece_model_pb2.ModelProto()
    unk_id = model.get("unk_id")
    for index, (piece, score) in enumerate(model["vocab"]):
        entry = proto.pieces.add()
        entry.piece, entry.score = piece, score
        entry.type = (_UNKNOWN if index == unk_id else
                      _CONTROL if piece in special else _NORMAL)
    proto.trainer_spec.model_type = sentencepiece_model_pb2.TrainerSpec.UNIGRAM
    proto.trainer_spec.vocab_size = len(model["vocab"])
    proto.trainer_spec.unk_id = -1 if unk_id is None else unk_id
    pieces = [piece for piece, _ in model["vocab"]]
    proto.trainer_spec.bos_id = proto.trainer_spec.eos_id = -1
    proto.trainer_spec.pad_id = pieces.index("<pad>") if "<pad>" in pieces else -1
    proto.trainer_spec.byte_fallback = bool(model.get("byte_fallback"))
    normalizer = proto.normalizer_spec
    normalizer.name = "nmt_nfkc" if charsmap else "identity"
    if charsmap:
        normalizer.precompiled_charsmap = base64.b64decode(charsmap)
    normalizer.add_dummy_prefix = True
    normalizer.remove_extra_whitespaces = True
    normalizer.escape_whitespaces = True
    return proto.SerializeToString()
