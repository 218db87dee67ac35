import json

import pydoc_data.topics
import pytest
import sentencepiece as spm

from keras_albert.convert.tokenizer_json import sentencepiece_from_tokenizer_json
from tests.convert.conversion_fixtures import FIXTURES
from tests.hub.reference import FIXTURES as HUB_FIXTURES
from tests.hub.reference import REPO


def test_the_rebuilt_model_splits_as_the_original():
    # tokenizer.json as transformers 5 saved it for the vocabulary spiece.model.
    rebuilt = spm.SentencePieceProcessor(model_proto=sentencepiece_from_tokenizer_json(
        HUB_FIXTURES / REPO / "tokenizer.json"))
    original = spm.SentencePieceProcessor(model_file=str(FIXTURES / "spiece.model"))
    texts = [line for topic in ("assignment", "if", "lambda", "string-methods")
             for line in pydoc_data.topics.topics[topic].splitlines() if line.strip()]
    texts += ["Crème  brûlée ＡＢＣ ﬁ ①", "[MASK] <pad> x", "\t tabs\u3000and\u00a0spaces "]
    assert len(texts) > 300
    assert [rebuilt.encode(t) for t in texts] == [original.encode(t) for t in texts]
    assert [rebuilt.id_to_piece(i) for i in range(5)] == [
        "<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]
    assert rebuilt.unk_id() == 1 and rebuilt.is_control(2)


def test_a_wordpiece_tokenizer_json_is_refused(tmp_path):
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps({"model": {"type": "WordPiece", "vocab": {}}}))
    with pytest.raises(ValueError, match="'WordPiece' tokenizer, not a SentencePiece"):
        sentencepiece_from_tokenizer_json(path)
