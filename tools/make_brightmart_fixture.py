"""Make the brightmart `albert_zh` fixture with brightmart's own modeling code.

brightmart/albert_zh (the `albert_tiny_zh` ... `albert_xlarge_zh` checkpoints
many Chinese users start from) is not Google's architecture: its factorized
embedding projects each word vector E -> H right after the lookup
(`bert/embeddings/word_embeddings_2`), then adds H-wide position and
token-type embeddings and normalizes over H; its one shared layer lives under
`bert/encoder/layer_shared/`. This tool runs its `modeling.py` (from a
checkout of https://github.com/brightmart/albert_zh, unchanged) under
`tf.compat.v1`, with the two TF1 layers of `make_original_fixtures.py`, and
writes a checkpoint in its layout and the outputs of its graph.

    git clone https://github.com/brightmart/albert_zh albert_zh
    pip install -e ".[fixtures]"
    python tools/make_brightmart_fixture.py --albert-zh albert_zh

Written: tests/fixtures/conversion/brightmart/ — albert_config.json (its
keys, `ln_type: postln`), model.ckpt, vocab.txt (the Chinese Hub fixture's)
and reference.npz (`sequence_output`, `pooled_output` on inputs.npz).
"""

import argparse
import importlib
import json
import os
import shutil
import sys
import types

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from make_original_fixtures import (
    PERTURBATION,
    SEED,
    layer_norm,
    tf1_modules,
    v1,
)

ROOT = os.path.join(os.path.dirname(__file__), os.pardir)
OUT = os.path.join(ROOT, "tests", "fixtures", "conversion", "brightmart")
VOCABULARY = os.path.join(ROOT, "tests", "fixtures", "hub", "keras-albert-test",
                          "albert-chinese-classifier", "vocab.txt")
INPUTS = os.path.join(ROOT, "tests", "fixtures", "conversion", "inputs.npz")
CONFIG = {"attention_probs_dropout_prob": 0.0, "hidden_act": "gelu",
          "hidden_dropout_prob": 0.0, "hidden_size": 24, "embedding_size": 16,
          "initializer_range": 0.02, "intermediate_size": 40,
          "max_position_embeddings": 40, "num_attention_heads": 3,
          "num_hidden_layers": 3, "type_vocab_size": 2, "ln_type": "postln"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--albert-zh", required=True, help="a brightmart/albert_zh checkout")
    args = parser.parse_args()
    with open(VOCABULARY, encoding="utf-8") as f:
        vocab_size = len(f.read().splitlines())
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    config_path = os.path.join(OUT, "albert_config.json")
    with open(config_path, "w") as f:
        json.dump({**CONFIG, "vocab_size": vocab_size}, f, indent=2)
    shutil.copy(VOCABULARY, os.path.join(OUT, "vocab.txt"))
    inputs = dict(np.load(INPUTS))

    v1.disable_v2_behavior()
    sys.path.insert(0, args.albert_zh)
    with tf1_modules():
        modeling = importlib.import_module("modeling")
    # modeling.py reaches `tf.contrib.layers.layer_norm` through the module.
    modeling.tf.contrib = types.SimpleNamespace(
        layers=types.SimpleNamespace(layer_norm=layer_norm))
    config = modeling.BertConfig.from_json_file(config_path)
    graph = v1.Graph()
    with graph.as_default():
        v1.set_random_seed(SEED)
        model = modeling.BertModel(
            config, is_training=False, input_ids=v1.constant(inputs["token_ids"]),
            input_mask=v1.constant(inputs["padding_mask"].astype("int32")),
            token_type_ids=v1.constant(inputs["segment_ids"]))
        outputs = {"sequence_output": model.get_sequence_output(),
                   "pooled_output": model.get_pooled_output()}
        rng = np.random.default_rng(SEED)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            for variable in v1.global_variables():
                value = session.run(variable)
                variable.load(value + rng.normal(0, PERTURBATION, value.shape)
                              .astype(value.dtype), session)
            v1.train.Saver(save_relative_paths=True).save(
                session, os.path.join(OUT, "model.ckpt"), write_meta_graph=False)
            np.savez(os.path.join(OUT, "reference.npz"), **session.run(outputs))
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()
