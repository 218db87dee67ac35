"""Make the conversion fixtures with the reference libraries themselves.

The conversion tests compare keras-albert against numbers produced here by
transformers (PyTorch) and keras-hub, so the tests need none of torch or
transformers. Everything is tiny (kilobytes). The `original*/` fixtures (Google's
TF1 layout) come from Google's own code, `tools/make_original_fixtures.py`; this
tool leaves them in place, and since they are computed on `inputs.npz` and
`spiece.model`, run that tool after this one.

Regenerate (needs torch and transformers besides the package's dependencies):

    pip install torch==2.13.0 transformers==5.23.0
    python tools/make_reference_checkpoints.py --out tests/fixtures/conversion
    python tools/make_original_fixtures.py --out tests/fixtures/conversion

Layout written under --out:

    spiece.model                 SentencePiece vocabulary (nmt_nfkc, pad 0, unk 1,
                                 [CLS] [SEP] [MASK]) trained on pydoc_data.topics
    tokenizer_reference.json     transformers AlbertTokenizer ids for test strings
    inputs.npz                   token_ids / segment_ids / padding_mask (B=2, T=9)
    hf_<name>/                   save_pretrained of an Albert* model with random
                                 weights (no spiece.model: the tests add it) and
                                 reference.npz, its outputs on inputs.npz
    keras_hub/                   keras_hub AlbertBackbone.save_to_preset, with
                                 reference.npz (keras-hub's own sequence output)
"""

import argparse
import json
import os
import shutil
import tempfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

SEED = 1234
VOCAB_SIZE = 160
TEXTS = [
    "Hello World! This is ALBERT.",
    "Crème brûlée, naïve café and Ångström units.",
    "``Quoted'' text, with \"double\" and 'single' quotes; semi-colons: yes?",
    "Numbers like 3.14, 1,000 and 42 -- and dashes.",
    "  Leading   and trailing\twhitespace \n lines  ",
    "MiXeD CaSe WoRdS in SHOUTING and whispers.",
]
CONFIGS = {
    # 2 groups x 2 inner groups, E != H, the original's gelu (tanh form).
    "pretraining_groups": dict(
        vocab_size=VOCAB_SIZE, embedding_size=16, hidden_size=32,
        num_hidden_layers=4, num_attention_heads=4, intermediate_size=37,
        num_hidden_groups=2, inner_group_num=2, hidden_act="gelu_new",
        max_position_embeddings=40,
    ),
    # One group over 3 layers, relu (the Chinese models' activation).
    "pretraining_relu": dict(
        vocab_size=VOCAB_SIZE, embedding_size=24, hidden_size=48,
        num_hidden_layers=3, num_attention_heads=3, intermediate_size=64,
        hidden_act="relu", max_position_embeddings=40,
    ),
}
TASK_CONFIG = dict(
    vocab_size=VOCAB_SIZE, embedding_size=16, hidden_size=32, num_hidden_layers=3,
    num_attention_heads=2, intermediate_size=48, hidden_act="gelu",
    max_position_embeddings=40,
)


def train_vocabulary(out):
    import pydoc_data.topics

    import sentencepiece as spm

    from keras_albert.text.vocab import strip_training_paths

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            for text in pydoc_data.topics.topics.values():
                f.write(text.lower() + "\n")
        spm.SentencePieceTrainer.train(
            input=corpus, model_prefix=os.path.join(tmp, "spiece"),
            vocab_size=VOCAB_SIZE, model_type="unigram", pad_id=0, unk_id=1,
            bos_id=-1, eos_id=-1, control_symbols="[CLS],[SEP],[MASK]",
            character_coverage=0.9995, input_sentence_size=20000,
            shuffle_input_sentence=False, num_threads=1, minloglevel=2,
        )
        strip_training_paths(os.path.join(tmp, "spiece.model"))
        shutil.copy(os.path.join(tmp, "spiece.model"), os.path.join(out, "spiece.model"))


def tokenizer_reference(out):
    from transformers import AlbertTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(out, "spiece.model"), tmp)
        tokenizer = AlbertTokenizer.from_pretrained(tmp)
        ids = [tokenizer(text, add_special_tokens=False)["input_ids"] for text in TEXTS]
    with open(os.path.join(out, "tokenizer_reference.json"), "w") as f:
        json.dump({"texts": TEXTS, "ids": ids}, f, indent=1, ensure_ascii=False)


def make_inputs(out):
    rng = np.random.default_rng(SEED)
    token_ids = rng.integers(5, VOCAB_SIZE, (2, 9)).astype("int32")
    token_ids[:, 0] = 2  # [CLS]
    padding_mask = np.ones((2, 9), "int32")
    padding_mask[1, 6:] = 0
    token_ids *= padding_mask
    segment_ids = (np.arange(9) >= 4).astype("int32") * padding_mask
    inputs = dict(token_ids=token_ids, segment_ids=segment_ids,
                  padding_mask=padding_mask)
    np.savez(os.path.join(out, "inputs.npz"), **inputs)
    return inputs


def torch_inputs(inputs):
    import torch

    return dict(
        input_ids=torch.tensor(inputs["token_ids"], dtype=torch.long),
        token_type_ids=torch.tensor(inputs["segment_ids"], dtype=torch.long),
        attention_mask=torch.tensor(inputs["padding_mask"], dtype=torch.long),
    )


def hf_fixture(out, name, model, inputs, outputs_of):
    import torch

    directory = os.path.join(out, f"hf_{name}")
    model.eval()
    with torch.no_grad():  # no zero bias or unit gamma may hide a mapping error
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.1)
    model.save_pretrained(directory)  # config.json + model.safetensors
    with torch.no_grad():
        outputs = outputs_of(model)
    np.savez(os.path.join(directory, "reference.npz"),
             **{key: value.numpy() for key, value in outputs.items()})
    return model


def hf_fixtures(out, inputs):
    import torch
    import transformers as hf

    torch.manual_seed(SEED)
    feed = torch_inputs(inputs)

    def backbone_outputs(model, result):
        return {"sequence_output": result.hidden_states[-1],
                "pooled_output": model.albert.pooler_activation(
                    model.albert.pooler(result.hidden_states[-1][:, 0]))}

    def pretraining_outputs(model):
        result = model(**feed, output_hidden_states=True)
        return {**backbone_outputs(model, result),
                "mlm_logits": result.prediction_logits,
                "sop_logits": result.sop_logits}

    def logits_outputs(model):
        return {"logits": model(**feed).logits}

    def qa_outputs(model):
        result = model(**feed)
        return {"start_logits": result.start_logits, "end_logits": result.end_logits}

    def choice_outputs(model):  # 3 choices built from the two rows
        choices = {key: torch.stack([value, value.flip(0), value], dim=1)
                   for key, value in feed.items()}
        return {"logits": model(**choices).logits}

    for name, config in CONFIGS.items():
        config = hf.AlbertConfig(**config, hidden_dropout_prob=0.0,
                                 attention_probs_dropout_prob=0.0)
        hf_fixture(out, name, hf.AlbertForPreTraining(config), inputs,
                   pretraining_outputs)
    labels = {0: "negative", 1: "neutral", 2: "positive"}
    tasks = {
        "sequence_classification": (hf.AlbertForSequenceClassification,
                                    dict(id2label=labels), logits_outputs),
        "token_classification": (hf.AlbertForTokenClassification,
                                 dict(num_labels=5), logits_outputs),
        "question_answering": (hf.AlbertForQuestionAnswering, {}, qa_outputs),
        "multiple_choice": (hf.AlbertForMultipleChoice, {}, choice_outputs),
    }
    for name, (cls, extra, outputs_of) in tasks.items():
        config = hf.AlbertConfig(**TASK_CONFIG, **extra)
        hf_fixture(out, name, cls(config), inputs, outputs_of)


def keras_hub_fixture(out, inputs):
    import keras
    import keras_hub

    keras.utils.set_random_seed(SEED)
    backbone = keras_hub.models.AlbertBackbone(
        vocabulary_size=VOCAB_SIZE, num_layers=4, num_heads=2, num_groups=2,
        num_inner_repetitions=2, embedding_dim=16, hidden_dim=32,
        intermediate_dim=48, dropout=0.0, max_sequence_length=40,
    )
    # Random weights everywhere (LayerNorms and biases too), so no zero hides a
    # mapping error.
    rng = np.random.default_rng(SEED)
    for weight in backbone.weights:
        weight.assign(weight + rng.normal(0, 0.1, weight.shape))
    directory = os.path.join(out, "keras_hub")
    backbone.save_to_preset(directory)
    tokenizer = keras_hub.models.AlbertTokenizer(proto=os.path.join(out, "spiece.model"))
    tokenizer.save_to_preset(directory)
    outputs = backbone(inputs)
    np.savez(os.path.join(directory, "reference.npz"),
             sequence_output=keras.ops.convert_to_numpy(outputs["sequence_output"]),
             pooled_output=keras.ops.convert_to_numpy(outputs["pooled_output"]))


def clear_own_fixtures(out):
    """Make `out` hold none of this tool's files; the `original*/` fixtures of
    `tools/make_original_fixtures.py` stay."""
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        path = os.path.join(out, name)
        if name.startswith("original"):
            continue
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    out = parser.parse_args().out
    clear_own_fixtures(out)
    train_vocabulary(out)
    tokenizer_reference(out)
    inputs = make_inputs(out)
    hf_fixtures(out, inputs)
    keras_hub_fixture(out, inputs)


if __name__ == "__main__":
    main()
