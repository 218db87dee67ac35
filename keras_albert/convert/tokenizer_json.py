"""Tokenizers from a transformers `tokenizer.json`: a SentencePiece model
(Unigram) or a BERT WordPiece vocabulary.

transformers 5 saves an ALBERT tokenizer as `tokenizer.json` alone (the
`tokenizers` library's format), no `spiece.model`. For a SentencePiece-based
vocabulary that file holds everything SentencePiece needs: the pieces with
their scores, the unknown piece, and the normalization rules compiled by
SentencePiece itself (`precompiled_charsmap`). `sentencepiece_from_tokenizer_json`
rebuilds the `.model` from them, so that the model converts with its tokenizer.
A BERT tokenizer's file holds the WordPiece vocabulary and BERT's flags
(`wordpiece_from_tokenizer_json`).
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


def _read(path, model_type, what):
    """(the parsed file, its `model`), which must be of `model_type`."""
    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"Cannot read {path}: {error}") from None
    model = spec.get("model") or {}
    if model.get("type") != model_type:
        raise ValueError(f"{path} is a {model.get('type')!r} tokenizer, not {what}.")
    return spec, model


def sentencepiece_from_tokenizer_json(path):
    """The bytes of a SentencePiece `.model` equivalent to the Unigram
    `tokenizer.json` at `path`; `ValueError` when it is not one."""
    spec, model = _read(path, "Unigram", "a SentencePiece (Unigram) one")
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


def wordpiece_from_tokenizer_json(path):
    """`{"vocabulary", "lowercase", "strip_accents", "tokenize_chinese_chars"}`
    of a BERT WordPiece `tokenizer.json` (`BertTokenizer`'s, as transformers 5
    saves it); `ValueError` naming what differs from BERT's pipeline."""
    spec, model = _read(path, "WordPiece", "a WordPiece one")
    differences = []
    if model.get("continuing_subword_prefix", "##") != "##":
        differences.append(f"continuing_subword_prefix={model['continuing_subword_prefix']!r}")
    if model.get("max_input_chars_per_word", 100) != 100:
        differences.append(f"max_input_chars_per_word={model['max_input_chars_per_word']}")
    if model.get("unk_token", "[UNK]") != "[UNK]":
        differences.append(f"unk_token={model['unk_token']!r}")
    normalizer = spec.get("normalizer") or {}
    if normalizer.get("type") != "BertNormalizer":
        differences.append(f"normalizer {normalizer.get('type')!r}")
    elif not normalizer.get("clean_text", True):
        differences.append("clean_text=false")
    pre_tokenizer = (spec.get("pre_tokenizer") or {}).get("type")
    if pre_tokenizer != "BertPreTokenizer":
        differences.append(f"pre-tokenizer {pre_tokenizer!r}")
    if differences:
        raise ValueError(f"{path} is not BERT's WordPiece pipeline ({', '.join(differences)}); "
                         "keras-albert's WordPiece tokenizer implements BERT's exactly.")
    vocab = model.get("vocab") or {}
    ids = sorted(vocab.values())
    if ids != list(range(len(ids))):
        raise ValueError(f"{path}: the WordPiece ids are not 0..{len(ids) - 1} without gaps.")
    by_id = {index: token for token, index in vocab.items()}
    return {"vocabulary": [by_id[i] for i in range(len(ids))],
            "lowercase": bool(normalizer.get("lowercase", True)),
            "strip_accents": normalizer.get("strip_accents"),
            "tokenize_chinese_chars": bool(normalizer.get("handle_chinese_chars", True))}


def tokenizer_json_type(path):
    """The model type of a `tokenizer.json` (`"Unigram"`, `"WordPiece"`, ...), or
    None when unreadable (the reader then says why)."""
    try:
        return (json.loads(Path(path).read_text(encoding="utf-8")).get("model") or {}).get("type")
    except (OSError, ValueError, AttributeError):
        return None
