#!/usr/bin/env bash
# REST requests to a model server started with models.config (REST port 8501).
#   raw text (signature serving_default; tokenizer inside the model):
set -euo pipefail
HOST=${HOST:-localhost:8501}
MODEL=${MODEL:-wordnet}
curl -s -X POST "http://$HOST/v1/models/$MODEL:predict" -d '{
  "signature_name": "serving_default",
  "instances": [{"text": "a large burrowing animal"}, {"text": "move fast on foot"}]
}'
#   token ids (signature serve_tokens), any batch size and length:
curl -s -X POST "http://$HOST/v1/models/$MODEL:predict" -d '{
  "signature_name": "serve_tokens",
  "inputs": {"token_ids": [[2, 25, 3]], "segment_ids": [[0, 0, 0]], "padding_mask": [[1, 1, 1]]}
}'
