"""`keras-albert verify`: every exported artifact against the Keras model.

On held-out labelled examples (any texts, for a model without a task head,
whose embeddings are compared), each artifact (a SavedModel's two signatures,
each `.tflite`, each `.onnx`) reports the max abs logit difference from the
Keras model (for a TFLite or ONNX file with the tokenizer inside, over the
examples its tokenizer splits as the model's own does, and the share of
those), the share of examples where it picks the same label, the task
metric, its size against the parameters, the median latency at batch 1 for a
short and a 128-token input, and whether it gave finite outputs on bad input
(empty, whitespace, non-UTF-8 and over-long text, batches of 1 and 256,
all-padding token rows). Each artifact has bounds by precision; `passed` is
False when one is missed.
"""

import functools
import statistics
import time

import numpy as np
import tensorflow as tf

from keras_albert import metrics
from keras_albert.export import encoder, runners, serving
from keras_albert.locate import locate
from keras_albert.text.preprocessor import AlbertPreprocessor

# precision -> bounds. "max_abs_diff" on logits (on the embedding for an
# encoder); "agreement" the share of examples with the Keras model's label;
# "min_cosine" (encoders) the least cosine between an example's embedding and
# the Keras model's; "metric_drop" in metric points (0-1);
# "size" the file size over parameters x bytes per weight.
BOUNDS = {
    "float32": {"max_abs_diff": 1e-4, "size": 1.02, "bytes": 4},
    "float16": {"agreement": 0.995, "min_cosine": 0.999, "size": 1.05, "bytes": 2},
    # bfloat16 arithmetic on float32 weights (a SavedModel): 8 bits of mantissa
    "bfloat16": {"agreement": 0.99, "min_cosine": 0.99, "metric_drop": 0.01, "size": 1.02,
                 "bytes": 4},
    "dynamic": {"agreement": 0.99, "min_cosine": 0.99, "metric_drop": 0.01, "size": 1.1,
                "bytes": 1},
    "int8": {"agreement": 0.99, "min_cosine": 0.99, "metric_drop": 0.01, "size": 1.1,
             "bytes": 1},
}
# Below this many parameters the graph itself outweighs the weights; sizes are
# reported but not held to the bound.
SIZE_BOUND_MIN_PARAMETERS = 5_000_000
LATENCY_RUNS = 20
BAD_TEXTS = [b"", b"   \t\n ", b"caf\xe9 \xff\xfe bytes", b"long " * 5000]


def _batches(items, size):
    return [items[start:start + size] for start in range(0, len(items), size)]


def _in_batches(run, inputs, name, size=32):
    """Output `name` of `run` over batches of `inputs` (a list of texts or a
    dict of arrays), concatenated. One output only: an encoder's per-token
    outputs differ in length from batch to batch."""
    if isinstance(inputs, dict):
        count = len(inputs["token_ids"])
        parts = [run({k: v[s:s + size] for k, v in inputs.items()})
                 for s in range(0, count, size)]
    else:
        parts = [run(batch) for batch in _batches(inputs, size)]
    return np.concatenate([part[name] for part in parts])


def _with_ids(run, reference, size=32):
    """`reference.output` of `run` on the reference texts, and per text
    whether its `token_ids` output (padded to its batch's longest row) are
    the model's own packed ids."""
    pad = reference.preprocessor.tokenizer.pad_token_id
    values, same = [], []
    for start in range(0, len(reference.texts), size):
        outputs = run(reference.texts[start:start + size])
        ids = outputs["token_ids"]
        expected = reference.inputs["token_ids"][start:start + size]
        width = min(ids.shape[1], expected.shape[1])
        same.append((ids[:, :width] == expected[:, :width]).all(axis=1)
                    & (ids[:, width:] == pad).all(axis=1)
                    & (expected[:, width:] == pad).all(axis=1))
        values.append(outputs[reference.output])
    return np.concatenate(values), np.concatenate(same)


def median_ms(function, runs=LATENCY_RUNS):
    """Median wall time of `function()` in milliseconds, after one warm-up call."""
    function()  # allocation, first-call compilation
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def _precision(runner):
    metadata = getattr(runner, "metadata", {}) or {}
    if metadata.get("dtype") == "mixed_bfloat16":
        return "bfloat16"
    quantize = metadata.get("quantize", "none")
    return "float32" if quantize == "none" else quantize


def _finite(outputs):
    return all(np.isfinite(np.asarray(v, np.float64)).all() for v in outputs.values())


class _Reference:
    """The Keras model's inputs and outputs on the examples."""

    def __init__(self, directory, model, texts, labels):
        self.model = model
        self.preprocessor = serving.preprocessor_for(directory, self.model)
        self.encoder = encoder.is_encoder(model)
        self.regression = getattr(self.model, "is_regression", False)
        self.output = ("embedding" if self.encoder else
                       "score" if self.regression else "logits")
        self.texts = texts
        self.inputs = serving.pack_texts(texts, self.preprocessor)
        self.outputs = serving.keras_outputs(self.model, self.inputs)
        if self.regression:
            self.labels = np.array(labels, "float32")
        elif not self.encoder:
            self.labels = self.model.label_ids(np.array(labels))
        self.metric_name = ("cosine" if self.encoder else
                            "pearson" if self.regression else "accuracy")
        self.metric = self.score(self.outputs[self.output])
        tokenizer = self.preprocessor.tokenizer
        backbone = getattr(model, "backbone", model)
        length = min(128, backbone.max_sequence_length)
        long = ("word " * 400).strip()
        long = (long, long) if isinstance(texts[0], tuple) else long
        self.long_text = long
        self.long_inputs = serving.pack_texts([long], AlbertPreprocessor(tokenizer, length))
        self.short_inputs = {k: v[:1, :16] for k, v in self.inputs.items()}

    @functools.cached_property
    def text_outputs(self):
        """The Keras model's outputs on the raw texts: those on `inputs`,
        unless its preprocessor reads long texts in windows (then those of its
        windowed `predict`)."""
        if self.preprocessor.stride is None or isinstance(self.texts[0], tuple):
            return self.outputs
        values = self.model.predict(np.array(self.texts, dtype=object), verbose=0)
        return {self.output: values[:, 0] if self.regression else values}

    @functools.cached_property
    def same_lite_tokens(self):
        """Per example: does the TFLite tokenizer (`--with-tokenizer`) give
        the same packed ids as the model's own?"""
        pairs = isinstance(self.texts[0], tuple)
        columns = list(zip(*self.texts, strict=True)) if pairs else [self.texts]
        packed = serving.lite_pack(self.preprocessor,
                                   [tf.constant(list(column)) for column in columns])
        return (packed["token_ids"].numpy() == self.inputs["token_ids"]).all(axis=1)

    def cosines(self, values):
        """Per example: the cosine between `values` and the Keras embedding."""
        expected = self.outputs[self.output]
        norms = np.linalg.norm(values, axis=-1) * np.linalg.norm(expected, axis=-1)
        # Clipped: rounding can put a vector's cosine with itself at 1 + 1e-7.
        return np.clip((values * expected).sum(-1) / np.maximum(norms, 1e-12), -1.0, 1.0)

    def score(self, values):
        if self.encoder:  # the mean cosine to the Keras model's embeddings
            return float(self.cosines(values).mean())
        if self.regression:
            return metrics.regression_metrics(self.labels, values)["pearson"]
        return float((values.argmax(-1) == self.labels).mean())


def _check_artifact(path, reference):
    """One artifact's figures against the reference (a list: a SavedModel
    reports its token and its text signature separately)."""
    runner = runners.load_runner(path)
    kind = runners.artifact_kind(path)
    size = (sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            if path.is_dir() else path.stat().st_size)
    modes = ["tokens", "text"] if kind == "saved_model" and runner.takes_text else (
        ["text"] if runner.takes_text else ["tokens"])
    results = []
    for mode in modes:
        precision = _precision(runner)
        same = np.ones(len(reference.texts), bool)
        if mode == "text":
            run = runner.texts
            if kind == "onnx":  # its own packed ids are an output
                values, same = _with_ids(run, reference)
            else:
                values = _in_batches(run, reference.texts, reference.output)
            short, long = [reference.texts[0]], [reference.long_text]
            texts = ([(t, t) for t in BAD_TEXTS] if isinstance(reference.texts[0], tuple)
                     else BAD_TEXTS)
            bad = [run(texts), run(texts[:1]), run(texts[1:2] * 256)]
        else:
            run = runner.tokens
            values = _in_batches(run, reference.inputs, reference.output)
            short, long = reference.short_inputs, reference.long_inputs
            padding = {name: np.zeros((256, 8), np.int32) for name in serving.TOKEN_INPUTS}
            bad = [run(padding), run({k: v[:1] for k, v in padding.items()})]
        expected = (reference.text_outputs if mode == "text"
                    else reference.outputs)[reference.output]
        # A TFLite or ONNX tokenizer is another implementation: the logit
        # bound holds where it gives the model's own ids; its agreement is
        # reported.
        if kind == "tflite" and mode == "text":
            same = reference.same_lite_tokens
        result = {
            "artifact": str(path), "kind": kind, "input": mode, "precision": precision,
            "max_abs_diff": float(np.abs(values - expected)[same].max()),
            "tokenizer_agreement": float(same.mean()),
            "agreement": (None if reference.regression or reference.encoder else
                          float((values.argmax(-1) == expected.argmax(-1)).mean())),
            "min_cosine": (float(reference.cosines(values).min()) if reference.encoder
                           else None),
            reference.metric_name: reference.score(values),
            "metric_drop": reference.score(expected) - reference.score(values),
            "size_bytes": size,
            "size_ratio": size / (reference.model.count_params()
                                  * BOUNDS[precision]["bytes"]),
            "latency_ms_short": median_ms(lambda run=run, x=short: run(x)),
            "latency_ms_128": median_ms(lambda run=run, x=long: run(x)),
            "bad_input_finite": all(_finite(b) for b in bad),
        }
        result["failures"] = _failures(result, reference)
        results.append(result)
    return results


def _failures(result, reference):
    bounds = BOUNDS[result["precision"]]
    failures = []
    if "max_abs_diff" in bounds and result["max_abs_diff"] > bounds["max_abs_diff"]:
        failures.append(f"max_abs_diff {result['max_abs_diff']:.2e} > {bounds['max_abs_diff']}")
    if (result["agreement"] is not None and "agreement" in bounds
            and result["agreement"] < bounds["agreement"]):
        failures.append(f"agreement {result['agreement']:.4f} < {bounds['agreement']}")
    if result["min_cosine"] is not None and "min_cosine" in bounds and (
            result["min_cosine"] < bounds["min_cosine"]):
        failures.append(f"embedding cosine {result['min_cosine']:.4f} < "
                        f"{bounds['min_cosine']}")
    if (not reference.encoder and "metric_drop" in bounds
            and result["metric_drop"] > bounds["metric_drop"]):
        failures.append(f"metric drop {result['metric_drop']:.4f} > {bounds['metric_drop']}")
    sized = (result["kind"] != "saved_model" and result["input"] == "tokens"
             and reference.model.count_params() >= SIZE_BOUND_MIN_PARAMETERS)
    if sized and result["size_ratio"] > bounds["size"]:
        failures.append(f"size {result['size_ratio']:.3f} x parameters > {bounds['size']}")
    if not result["bad_input_finite"]:
        failures.append("non-finite outputs on bad input")
    return failures


def verify(directory, artifacts, texts, labels=None):
    """Check each artifact of the model in `directory` (or of a name) on
    held-out `texts` (strings, or (a, b) tuples for pair tasks) and their
    `labels` (class names, or scores for regression; not needed for an
    encoder, whose embeddings are compared). `keras_albert.finetune.read_texts`
    reads them from a data file in the model's format.

    Returns:
        `{"model": ..., "examples": n, "keras": {metric: value}, "artifacts":
        [one dict per artifact and input], "passed": bool}`.
    """
    from pathlib import Path

    if not artifacts:
        raise ValueError("Name at least one exported artifact to verify.")
    texts = list(texts)
    if not texts:
        raise ValueError("verify needs held-out texts. Received: none.")
    directory = locate(directory)
    model = serving.load_for_export(directory)
    if not encoder.is_encoder(model):
        if labels is None:
            raise ValueError(f"verify: {directory} has a task head; pass the held-out "
                             "labels (a data file with a label column).")
        if len(labels) != len(texts):
            raise ValueError(f"verify: {len(texts)} texts but {len(labels)} labels.")
    reference = _Reference(directory, model, texts, labels)
    results = [r for path in artifacts for r in _check_artifact(Path(path), reference)]
    return {"model": str(directory), "examples": len(texts),
            "parameters": reference.model.count_params(),
            "keras": {reference.metric_name: reference.metric},
            "artifacts": results, "passed": not any(r["failures"] for r in results)}


def format_table(report):
    """The report as a fixed-width table, one line per artifact and input
    (`ids`: the share of examples tokenized as the model's own tokenizer does)."""
    metric = next(iter(report["keras"]))
    width = max([len("artifact"), *(len(r["artifact"]) for r in report["artifacts"])])
    lines = [f"{report['model']}: {report['examples']} examples, "
             f"{report['parameters']:,} parameters, Keras {metric} "
             f"{report['keras'][metric]:.4f}",
             f"{'artifact':{width}s} {'input':6s} {'precision':9s} {'max|diff|':>9s} "
             f"{'agree':>6s} {'ids':>6s} {metric:>8s} {'MB':>7s} {'x par':>6s} {'ms@16':>7s} "
             f"{'ms@128':>7s} {'bad in':>6s}  result"]
    for r in report["artifacts"]:
        agreement = "" if r["agreement"] is None else f"{r['agreement']:.4f}"
        lines.append(
            f"{r['artifact']:{width}s} {r['input']:6s} {r['precision']:9s} "
            f"{r['max_abs_diff']:9.2e} {agreement:>6s} {r['tokenizer_agreement']:6.4f} "
            f"{r[metric]:8.4f} "
            f"{r['size_bytes'] / 1e6:7.2f} {r['size_ratio']:6.3f} "
            f"{r['latency_ms_short']:7.2f} {r['latency_ms_128']:7.2f} "
            f"{'ok' if r['bad_input_finite'] else 'NaN':>6s}  "
            f"{'; '.join(r['failures']) or 'pass'}")
    return "\n".join(lines)
