"""What a pretrained model without a task head exports: the encoder.

A backbone directory, and one of a pretraining task (`AlbertPretrainer`,
`AlbertMaskedLM`, `AlbertSentenceOrder`: what `keras-albert pretrain` and the
conversion of Google's releases write), export as an encoder:

    sequence_output  (B, L, H)  the last layer
    pooled_output    (B, H)     tanh(Dense(first token)), the pooler
    embedding        (B, H)     the mean of `sequence_output` over real tokens:
                                a sentence embedding (scaled to unit length for
                                an `AlbertSentenceEncoder`, as its own output)

and, where the model has its masked-LM head, a SavedModel signature
`fill_mask(text)`: for each `[MASK]` written in a text, the `top_k` most
likely pieces (`tokens`, `token_ids`) and their probabilities (`scores`), with
the position of that `[MASK]` in the packed ids (`mask_positions`, -1 where a
text has fewer masks than the batch's most).
"""

import tensorflow as tf

from keras_albert.layers.masked_mean_pooling import masked_mean, unit_length
from keras_albert.locate import locate
from keras_albert.models.backbone import AlbertBackbone
from keras_albert.models.pretrained import read_config
from keras_albert.tasks.masked_lm import AlbertMaskedLM
from keras_albert.tasks.pretrainer import AlbertPretrainer
from keras_albert.tasks.sentence_encoder import AlbertSentenceEncoder
from keras_albert.tasks.sentence_order import AlbertSentenceOrder
from keras_albert.text.normalization import valid_utf8
from keras_albert.text.packing import pack_segments

ENCODERS = (AlbertBackbone, AlbertPretrainer, AlbertMaskedLM, AlbertSentenceOrder,
            AlbertSentenceEncoder)
MASK_TEXT = "[MASK]"
TOP_K = 5


def is_encoder(model):
    """Whether `model` exports as an encoder (it has no fine-tuned head)."""
    return isinstance(model, ENCODERS)


def saved_as_encoder(directory):
    """Whether the model saved in `directory` exports as an encoder, read from
    its `config.json` without loading the weights."""
    task = read_config(locate(directory)).get("task") or {}
    return task.get("class_name") in (None, *(cls.__name__ for cls in ENCODERS))


def has_fill_mask(model):
    return isinstance(model, (AlbertPretrainer, AlbertMaskedLM))


def encoder_outputs(model, inputs):
    """The named float32 encoder outputs of `model` on token `inputs`."""
    backbone = getattr(model, "backbone", model)
    outputs = backbone(inputs, training=False)
    sequence = tf.cast(outputs["sequence_output"], tf.float32)  # (B, L, H)
    embedding = masked_mean(sequence, inputs["padding_mask"])  # (B, H); empty rows give 0
    if isinstance(model, AlbertSentenceEncoder):  # its output, what `embed` gives
        embedding = unit_length(embedding)
    return {"sequence_output": sequence,
            "pooled_output": tf.cast(outputs["pooled_output"], tf.float32),
            "embedding": embedding}


def _ids_with_masks(tokenizer, texts):
    """Ragged ids of `texts` (B,) with `[MASK]` written in them as the mask id:
    the parts between masks are tokenized alone, as transformers does."""
    parts = tf.strings.split(texts, MASK_TEXT)  # (B, P)
    ids = tf.cast(tokenizer(parts.flat_values), tf.int32)  # (N, None)
    mask = tf.fill([tf.shape(parts.flat_values)[0], 1], tokenizer.mask_token_id)
    ids = tf.concat([ids, tf.RaggedTensor.from_tensor(mask)], axis=1)  # a mask after each
    per_text = tf.RaggedTensor.from_row_splits(ids, parts.row_splits)  # (B, P, None)
    return per_text.merge_dims(1, 2)[:, :-1]  # not after the last part: (B, None)


def fill_mask_function(model, preprocessor, top_k=TOP_K):
    """`f(text)` on (batch,) strings -> the top-k pieces for each `[MASK]`."""
    tokenizer = preprocessor.tokenizer
    vocabulary = tf.constant(tokenizer.get_vocabulary())

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def fill_mask(text):
        ids = _ids_with_masks(tokenizer, valid_utf8(text))
        inputs = pack_segments([ids], preprocessor.sequence_length,
                               cls_id=tokenizer.cls_token_id,
                               sep_id=tokenizer.sep_token_id,
                               pad_id=tokenizer.pad_token_id)
        sequence = model.backbone(inputs, training=False)["sequence_output"]
        token_ids = inputs["token_ids"]  # (B, L)
        columns = tf.broadcast_to(tf.range(tf.shape(token_ids)[1]), tf.shape(token_ids))
        positions = tf.ragged.boolean_mask(columns, token_ids == tokenizer.mask_token_id)
        positions = positions.to_tensor(default_value=-1)  # (B, M)
        logits = model.mlm_head(sequence, tf.maximum(positions, 0))  # (B, M, V)
        scores, top_ids = tf.math.top_k(tf.nn.softmax(tf.cast(logits, tf.float32)),
                                        k=top_k)  # (B, M, K)
        return {"mask_positions": positions, "token_ids": top_ids,
                "tokens": tf.gather(vocabulary, top_ids), "scores": scores}

    return fill_mask
