"""Make the original-layout conversion fixtures with Google's own ALBERT code.

The `original*/` fixtures are TF1 checkpoints in the layout of Google's releases
(google-research/albert) and the outputs of Google's graph on `inputs.npz`. Every
variable name and every reference number comes from `albert/modeling.py` and the
pretraining heads and optimizers of `albert/run_pretraining.py` and
`albert/optimization.py`, as packaged on PyPI by `albert-tensorflow==1.1`, run
under `tf.compat.v1`. This tool only supplies the two TF1 layers TF2 lacks,
`tf.contrib.layers.layer_norm` and `tf.layers.dense`, with TF1's variable names
and epsilon; the package's files are not changed.

Regenerate (after `tools/make_reference_checkpoints.py`, which writes the
`inputs.npz` and `spiece.model` used here):

    pip install -e ".[fixtures]"
    python tools/make_original_fixtures.py --out tests/fixtures/conversion

Layout written under --out (the rest of it is left alone):

    original/        a release directory: albert_config.json, model.ckpt-3 (a
                     LAMB training checkpoint: global_step and the adam_m /
                     adam_v slots of every weight) and reference.npz, for 2
                     hidden groups x 2 inner groups, E != H, the original gelu
    original_relu/   the same for 1 group x 1 inner group over 3 layers, relu
                     (the Chinese releases' activation), trained with AdamW
    original_hub/    a TF-Hub module of the first configuration: the graph built
                     under the `module/` variable scope, variables/variables*,
                     assets/albert_config.json, and its own reference.npz
    original_zh/     a Chinese release (albert_*_zh): the relu configuration
                     with a BERT WordPiece vocab_chinese.txt (its size sets
                     vocab_size), no training steps

reference.npz holds `sequence_output` (B, T, H), `pooled_output` (B, H),
`mlm_logits` (B, T, V), the masked-LM head on every position, and `sop_logits`
(B, 2): the tensors that feed the heads' `log_softmax` in Google's graph.
"""

import argparse
import contextlib
import json
import os
import shutil
import sys
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1

SEED = 1234
PERTURBATION = 0.1  # std of the noise added to every initialised variable
TRAIN_STEPS = 3  # the checkpoints are model.ckpt-3
LEARNING_RATE = 1e-3

# 2 hidden groups x 2 inner groups, E != H, the original gelu (tanh form).
GROUPS = dict(hidden_act="gelu", embedding_size=16, hidden_size=32, intermediate_size=37,
              max_position_embeddings=40, num_attention_heads=4, num_hidden_layers=4,
              num_hidden_groups=2, inner_group_num=2)
# 1 group x 1 inner group over 3 layers, relu, with the Chinese releases' extra key.
RELU = dict(hidden_act="relu", embedding_size=16, hidden_size=24, intermediate_size=40,
            max_position_embeddings=40, num_attention_heads=3, num_hidden_layers=3,
            num_hidden_groups=1, inner_group_num=1, layers_to_keep=[])
# name: (sizes, Google's optimizer for the training steps or None, TF-Hub layout);
# vocab_size comes from the fixtures' spiece.model.
FIXTURES = {
    "original": (GROUPS, "lamb", False),
    "original_relu": (RELU, "adamw", False),
    "original_hub": (GROUPS, None, True),
    "original_zh": (RELU, None, False),
}
# A Chinese release: BERT's WordPiece vocabulary under Google's name, here the
# Chinese Hub fixture's (tools/make_chinese_fixtures.py), Google's id layout.
CHINESE_VOCABULARY = os.path.join(os.path.dirname(__file__), os.pardir, "tests", "fixtures",
                                  "hub", "keras-albert-test", "albert-chinese-classifier",
                                  "vocab.txt")
VOCABULARY_FILES = {"original_zh": (CHINESE_VOCABULARY, "vocab_chinese.txt")}


def release_config(vocab_size, sizes):
    """`albert_config.json` with the keys, order and defaults of Google's v2
    releases (albert_base v2), the fixture's `sizes` filled in."""
    config = {
        "attention_probs_dropout_prob": 0, "hidden_act": "gelu", "hidden_dropout_prob": 0,
        "embedding_size": 128, "hidden_size": 768, "initializer_range": 0.02,
        "intermediate_size": 3072, "max_position_embeddings": 512,
        "num_attention_heads": 12, "num_hidden_layers": 12, "num_hidden_groups": 1,
        "net_structure_type": 0, "gap_size": 0, "num_memory_blocks": 0,
        "inner_group_num": 1, "down_scale_factor": 1, "type_vocab_size": 2,
        "vocab_size": vocab_size,
    }
    config.update(sizes)  # layers_to_keep, as the Chinese releases have it, last
    return config


def layer_norm(inputs, begin_norm_axis=-1, begin_params_axis=-1, scope=None):
    """`tf.contrib.layers.layer_norm` over the last axis, as TF1 had it: variables
    `LayerNorm/beta` and `LayerNorm/gamma` (`LayerNorm_1`, ... when repeated in a
    scope), epsilon 1e-12."""
    if (begin_norm_axis, begin_params_axis) != (-1, -1):
        raise NotImplementedError("layer_norm over the last axis only")
    with v1.variable_scope(scope, default_name="LayerNorm"):
        shape = inputs.shape[-1:]
        beta = v1.get_variable("beta", shape, initializer=v1.zeros_initializer())
        gamma = v1.get_variable("gamma", shape, initializer=v1.ones_initializer())
        mean, variance = tf.nn.moments(inputs, [inputs.shape.rank - 1], keepdims=True)
        return tf.nn.batch_normalization(inputs, mean, variance, offset=beta,
                                         scale=gamma, variance_epsilon=1e-12)


def dense(inputs, units, activation=None, kernel_initializer=None, name=None):
    """`tf.layers.dense` on a matrix, as TF1 had it: variables `dense/kernel`
    (in, out) and `dense/bias`."""
    with v1.variable_scope(name, default_name="dense"):
        kernel = v1.get_variable("kernel", [inputs.shape[-1], units],
                                 initializer=kernel_initializer)
        bias = v1.get_variable("bias", [units], initializer=v1.zeros_initializer())
        outputs = tf.nn.bias_add(tf.matmul(inputs, kernel), bias)
    return activation(outputs) if activation is not None else outputs


@contextlib.contextmanager
def tf1_modules():
    """`tensorflow` as TF1 code imports it: `tf.compat.v1` with `tf.layers.dense`,
    and a `tensorflow.contrib` holding `layers.layer_norm` (the TPU and data
    modules only name themselves: the pretraining script imports them)."""
    tf1 = types.ModuleType("tensorflow")
    tf1.__getattr__ = lambda name: getattr(v1, name)
    tf1.layers = types.SimpleNamespace(dense=dense)
    contrib = types.ModuleType("tensorflow.contrib")
    contrib.layers = types.SimpleNamespace(layer_norm=layer_norm)
    for unused in ("cluster_resolver", "data", "tpu"):
        setattr(contrib, unused, types.ModuleType(f"tensorflow.contrib.{unused}"))
    saved = {name: sys.modules.get(name) for name in ("tensorflow", "tensorflow.contrib")}
    sys.modules.update({"tensorflow": tf1, "tensorflow.contrib": contrib})
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def google_albert():
    """Google's `modeling`, `run_pretraining` and `optimization` modules."""
    with tf1_modules():
        from albert import modeling, optimization, run_pretraining
    return modeling, run_pretraining, optimization


def logits_of(log_probs):
    """The logits a head's `tf.nn.log_softmax` was applied to, in Google's graph."""
    if log_probs.op.type != "LogSoftmax":
        raise ValueError(f"Expected a LogSoftmax, found {log_probs.op.type}")
    return log_probs.op.inputs[0]


def pretraining_graph(google, config, inputs):
    """Google's pretraining graph on `inputs`: `AlbertModel`, the masked-LM head
    on every position and the sentence-order head of `run_pretraining.py`.

    Returns:
        `(outputs, loss)`: the reference tensors by name, and the pretraining
        loss (masked-LM on the real tokens plus sentence-order).
    """
    modeling, run_pretraining, _ = google
    token_ids = tf.constant(inputs["token_ids"])
    batch, length = inputs["token_ids"].shape
    model = modeling.AlbertModel(
        config=config, is_training=False, input_ids=token_ids,
        input_mask=tf.constant(inputs["padding_mask"]),
        token_type_ids=tf.constant(inputs["segment_ids"]))
    positions = tf.constant(np.tile(np.arange(length, dtype="int32"), (batch, 1)))
    mlm_loss, _, mlm_log_probs = run_pretraining.get_masked_lm_output(
        config, model.get_sequence_output(), model.get_embedding_table(), positions,
        token_ids, tf.constant(inputs["padding_mask"].astype("float32")))
    sop_loss, _, sop_log_probs = run_pretraining.get_sentence_order_output(
        config, model.get_pooled_output(), tf.constant(np.arange(batch) % 2))
    outputs = {"sequence_output": model.get_sequence_output(),
               "pooled_output": model.get_pooled_output(),
               "mlm_logits": logits_of(mlm_log_probs),
               "sop_logits": logits_of(sop_log_probs)}
    return outputs, mlm_loss + sop_loss


def perturb(session, variables, rng):
    """Add noise to every variable, so no zero bias or unit gamma hides a mapping
    error."""
    for variable in variables:
        value = session.run(variable)
        noise = rng.normal(0.0, PERTURBATION, value.shape).astype(value.dtype)
        variable.load(value + noise, session)


def run_google(google, config_path, inputs, directory, optimizer=None, hub=False):
    """Build Google's graph from `config_path`, perturb its variables, train
    `TRAIN_STEPS` steps with Google's `optimizer` (if any), save the checkpoint
    into `directory` and return the reference outputs."""
    modeling, _, optimization = google
    config = modeling.AlbertConfig.from_json_file(config_path)
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(SEED)
        with v1.variable_scope("module") if hub else contextlib.nullcontext():
            outputs, loss = pretraining_graph(google, config, inputs)
        weights = v1.global_variables()
        if optimizer:
            train_op = optimization.create_optimizer(
                loss, LEARNING_RATE, num_train_steps=100, num_warmup_steps=0,
                use_tpu=False, optimizer=optimizer)
        session_config = v1.ConfigProto(intra_op_parallelism_threads=1,
                                        inter_op_parallelism_threads=1)
        with v1.Session(graph=graph, config=session_config) as session:
            session.run(v1.global_variables_initializer())
            perturb(session, weights, np.random.default_rng(SEED))
            for _ in range(TRAIN_STEPS if optimizer else 0):
                session.run(train_op)
            saver = v1.train.Saver(save_relative_paths=True)
            if hub:
                saver.save(session, os.path.join(directory, "variables", "variables"),
                           write_meta_graph=False, write_state=False)
            else:
                saver.save(session, os.path.join(directory, "model.ckpt"),
                           global_step=v1.train.get_global_step(),
                           write_meta_graph=False)
            return session.run(outputs)


def vocabulary_size(out):
    """The number of pieces of the fixtures' `spiece.model`."""
    import sentencepiece as spm

    return spm.SentencePieceProcessor(
        model_file=os.path.join(out, "spiece.model")).get_piece_size()


def write_fixture(google, out, name, inputs, vocab_size):
    """One `original*/` directory: config, checkpoint and reference outputs."""
    sizes, optimizer, hub = FIXTURES[name]
    directory = os.path.join(out, name)
    if os.path.exists(directory):
        shutil.rmtree(directory)
    config_dir = os.path.join(directory, "assets" if hub else "")
    os.makedirs(config_dir, exist_ok=True)
    config_path = os.path.join(config_dir, "albert_config.json")
    with open(config_path, "w") as f:
        json.dump(release_config(vocab_size, sizes), f, indent=2)
        f.write("\n")
    if name in VOCABULARY_FILES:
        source, target = VOCABULARY_FILES[name]
        shutil.copy(source, os.path.join(directory, target))
    outputs = run_google(google, config_path, inputs, directory, optimizer, hub)
    batch, length = inputs["token_ids"].shape
    outputs["mlm_logits"] = outputs["mlm_logits"].reshape(batch, length, -1)
    np.savez(os.path.join(directory, "reference.npz"), **outputs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True,
                        help="the conversion fixtures folder (holds inputs.npz "
                             "and spiece.model)")
    parser.add_argument("--only", nargs="+", choices=sorted(FIXTURES),
                        help="make these fixtures only")
    args = parser.parse_args()
    out = args.out
    v1.disable_v2_behavior()
    google = google_albert()
    inputs = dict(np.load(os.path.join(out, "inputs.npz")))
    for name in args.only or FIXTURES:
        if name in VOCABULARY_FILES:
            with open(VOCABULARY_FILES[name][0], encoding="utf-8") as f:
                vocab_size = len(f.read().splitlines())
        else:
            vocab_size = vocabulary_size(out)
        write_fixture(google, out, name, inputs, vocab_size)


if __name__ == "__main__":
    main()
