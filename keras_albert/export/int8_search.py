"""Accuracy-aware full int8: the fewest op groups left float that keep the
labels of held-out text (`export_tflite(..., target_agreement=0.99)`).

Which ops break a model's labels under int8 differs from model to model: a
fixed choice (`int8.FLOAT_IN_INT8`) lands on either side of verify's 99% bound
from one quickstart model to the next. Here the choice is measured:

1. Every op group (`GROUPS`) int8, only the outputs float: done if the
   held-out agreement with the Keras model's labels meets the target.
   "Meets" means with 95% confidence: the one-sided Wilson lower bound of the
   agreement on the held-out texts is at least the target (an observed 99.0%
   on 800 texts meets 99% on new text only half of the time; measured on the
   quickstart: 99.00% held out, 98.70% on its test set). Hence at least
   `MIN_HELD_OUT` texts: fewer cannot show 99% even when all agree.
2. Each group's sensitivity: the agreement with that group alone in int8,
   every other group float (TFLite's quantization debugger's denylist, one
   calibration for all the trials).
3. Groups go int8 in order of sensitivity, the harmless first; a bisection
   finds the longest such prefix that still meets the target (checked on the
   model itself, not assumed from the sensitivities). The rest stay float.

When even every group float misses the target, the export fails with the best
agreement reached. The choice, the agreement and each trial go into the
file's metadata (`int8_float_ops`, `int8_search`).
"""

import math
import re

import numpy as np
from tensorflow_text.core.pybinds import tflite_registrar

from keras_albert.export import serving

# Op groups, matched on the last name an op's output carries (a fused op's
# output names each op fused into it, joined by ";"). Ops in no group
# (lookups, reshapes) are always int8; the outputs always float.
GROUPS = {
    "attention core": r"/attention(_\d+)?/(?!(query|key|value|output_dense)(_\d+)?/)",
    "layer norms": r"layer_norm",
    "residual sums": r"/group_\d+_inner_\d+(_\d+)?/add(_\d+)?$",
    "embedding sum": r"embeddings(_\d+)?/add(_\d+)?$",
    "activations": r"/(Gelu|gelu|Relu|relu)[^/]*/|/pooler(_\d+)?/Tanh",
    "query, key, value": r"/attention(_\d+)?/(query|key|value)(_\d+)?/",
    "attention output": r"/attention(_\d+)?/output_dense(_\d+)?/",
    "feed-forward": r"/ffn(_\d+)?/",
    "feed-forward output": r"/ffn_output(_\d+)?/",
    "pooler": r"/pooler(_\d+)?/(MatMul|BiasAdd)",
    "embedding projection": r"/(embedding_hidden_mapping_in|word_projection)(_\d+)?/",
}
MIN_HELD_OUT = 300
CONFIDENCE_Z = 1.645  # one-sided 95%
BATCH = 32


def lower_bound(share, count, z=CONFIDENCE_Z):
    """The one-sided Wilson score lower bound of a share seen on `count` trials."""
    denominator = 1 + z * z / count
    centre = share + z * z / (2 * count)
    spread = z * math.sqrt(share * (1 - share) / count + z * z / (4 * count * count))
    return (centre - spread) / denominator


def _last_name(name):
    return [part for part in name.split(";") if part][-1]


def group_nodes(names):
    """{group: the op output names of `names` in it}, for groups present."""
    nodes = {}
    for group, pattern in GROUPS.items():
        pattern = re.compile(pattern)
        found = [name for name in names if pattern.search(_last_name(name))]
        if found:
            nodes[group] = found
    return nodes


class HeldOut:
    """The Keras model's labels on held-out texts, and a flatbuffer's agreement
    with them (its signature fed token inputs, or the texts themselves for a
    file with the tokenizer inside)."""

    def __init__(self, model, preprocessor, texts, signature, with_tokenizer):
        self.texts = texts
        self.inputs = serving.pack_texts(texts, preprocessor)
        outputs = serving.keras_outputs(model, self.inputs)
        if "logits" not in outputs:
            raise ValueError(f"target_agreement needs a model with labels; a "
                             f"{type(model).__name__} gives {sorted(outputs)}. "
                             f"Use keep_float instead.")
        self.labels = outputs["logits"].argmax(-1)
        self.signature = signature
        self.with_tokenizer = with_tokenizer

    def _batches(self):
        count = len(self.texts)
        for start in range(0, count, BATCH):
            if self.with_tokenizer:
                batch = self.texts[start:start + BATCH]
                pairs = isinstance(batch[0], tuple)
                columns = list(zip(*batch, strict=True)) if pairs else [batch]
                names = ("text_a", "text_b") if pairs else ("text",)
                yield {name: np.array(list(column), dtype=object)
                       for name, column in zip(names, columns, strict=True)}
            else:
                yield {name: self.inputs[name][start:start + BATCH].astype(np.int32)
                       for name in serving.TOKEN_INPUTS}

    def agreement(self, flatbuffer):
        from ai_edge_litert.interpreter import InterpreterWithCustomOps

        interpreter = InterpreterWithCustomOps(
            model_content=flatbuffer, custom_op_registerers=tflite_registrar.SELECT_TFTEXT_OPS)
        run = interpreter.get_signature_runner(self.signature)
        logits = np.concatenate([run(**batch)["logits"] for batch in self._batches()])
        return float((logits.argmax(-1) == self.labels).mean())


def search(quantizer, held_out, target, log=None):
    """The int8 flatbuffer of `quantizer` (an `int8.Int8Quantizer`) with the
    fewest op groups float that meets `target` agreement on `held_out` (a
    `HeldOut`), by the procedure above.

    Returns:
        `(flatbuffer, summary)`: the summary has `float_groups`, `agreement`,
        `target`, `held_out` (texts), `sensitivity` ({group: agreement with it
        alone int8}) and `trials` ([{float_groups, agreement}]).

    Raises:
        ValueError: when no choice meets `target` (naming the best reached).
    """
    log = log or (lambda message: None)
    nodes = group_nodes(quantizer.names)
    groups = list(nodes)
    trials = []

    count = len(held_out.texts)

    def trial(float_groups):
        flatbuffer = quantizer.quantize([n for g in float_groups for n in nodes[g]])
        agreement = held_out.agreement(flatbuffer)
        bound = lower_bound(agreement, count)
        trials.append({"float_groups": list(float_groups), "agreement": agreement,
                       "lower_bound": bound})
        log(f"  int8 with float {', '.join(float_groups) or 'outputs only'}: "
            f"agreement {agreement:.4f} (95% lower bound {bound:.4f})")
        return flatbuffer, agreement

    def meets(agreement):
        return lower_bound(agreement, count) >= target

    def result(flatbuffer, float_groups, agreement, sensitivity):
        return flatbuffer, {"target": target, "held_out": count,
                            "float_groups": list(float_groups), "agreement": agreement,
                            "lower_bound": lower_bound(agreement, count),
                            "sensitivity": sensitivity, "trials": trials}

    flatbuffer, agreement = trial([])
    if meets(agreement):
        return result(flatbuffer, [], agreement, {})
    sensitivity = {g: trial([other for other in groups if other != g])[1] for g in groups}
    order = sorted(groups, key=lambda g: -sensitivity[g])  # the harmless first
    # Bisect the number of groups, in that order, that go int8.
    low, high = 0, len(order)  # `high` groups int8 misses the target (step 1)
    flatbuffer, agreement = trial(order)
    if not meets(agreement):
        best = max(trials, key=lambda t: t["agreement"])
        raise ValueError(
            f"int8 misses target_agreement={target} on {count} held-out texts even "
            f"with every op group float (only lookups and reshapes int8): best "
            f"agreement {best['agreement']:.4f}, 95% lower bound "
            f"{best['lower_bound']:.4f} (float: "
            f"{', '.join(best['float_groups']) or 'outputs only'}). Export 'dynamic', "
            f"or lower the target.")
    good = (flatbuffer, order, agreement)
    while high - low > 1:
        middle = (low + high) // 2
        flatbuffer, agreement = trial(order[middle:])
        if meets(agreement):
            low, good = middle, (flatbuffer, order[middle:], agreement)
        else:
            high = middle
    return result(*good, sensitivity)
