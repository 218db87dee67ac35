"""`finetune`: a pretrained model and a data file to a fine-tuned model
directory (`evaluate` and `predict` use it: `finetune.evaluation`).

    finetune(task, model, train, out, eval=...)   -> out/model/, out/metrics.json
"""

import json
import shutil
import tempfile
import time
from pathlib import Path

import keras

from keras_albert.files import atomic_path, write_directory
from keras_albert.finetune import readers
from keras_albert.finetune.collapse import BASELINE_MARGIN, collapse_warnings
from keras_albert.finetune.config import (
    AUTO_STEPS,
    DEFAULT_SEQUENCE_LENGTH,
    MAX_EPOCHS,
    MIN_EPOCHS,
    FinetuneConfig,
    auto_epochs,
)
from keras_albert.finetune.evaluation import skipped
from keras_albert.finetune.registry import make_spec
from keras_albert.finetune.spec import TaskSpec
from keras_albert.finetune.training import (
    LR_SEARCH,
    fit,
    resolve_source,
    source_positions,
    source_tokenizer,
)
from keras_albert.models.lora import enable_lora, save_adapter
from keras_albert.models.presets import PRESETS
from keras_albert.models.pretrained import read_config
from keras_albert.training.distribute import (
    check_global_batch,
    is_chief,
    make_strategy,
    wait_for_workers,
    xla_possible,
)
from keras_albert.training.precision import bfloat16_advice, training_jit_compile


def finetune(task, model, train, out, eval=None, config=None, log=print, **settings):
    """Fine-tune `model` (a pretrained directory or name, or a preset with
    `vocab`) on a data file (CSV, TSV, JSONL, CoNLL, SQuAD JSON) or on records
    in memory (a Hugging Face `datasets.Dataset`, an unbatched
    `tf.data.Dataset`, a DataFrame).

    `task` is a task name (`keras_albert.finetune.TASKS`) or a `TaskSpec` made
    on the model's tokenizer (its columns and sequence length then win over
    the config's). The settings are a `FinetuneConfig` (`config`),
    changed by keyword (`finetune(..., epochs=5)`); `config.label_names` fixes
    the classes (default: the labels found in `train`), eval labels outside
    them are an error. Writes `out/model/` (a pretrained directory that takes
    raw text and knows its labels), `out/metrics.json` (the eval metrics of the
    best epoch, the majority-class baseline, `warnings` where the model
    collapsed to one class or did not beat that baseline, the learning rate
    and, with `learning_rate="auto"`, its range test; times, skipped rows),
    `out/history.csv` and `out/lr_search.csv`.

    By default the learning rate, the number of epochs and the packed length
    fit the model and the data: a range test picks the rate
    (`AlbertTask.find_learning_rate`), `auto_epochs` about 1,000 steps, and
    the length is 128 or the model's positions if fewer.

    With `group_by_length` (classification and pairs), texts of similar length
    are batched together and each batch is cut to the width of its bucket (at
    most 4 widths, multiples of 16 chosen from the texts' lengths,
    `AlbertTask.fit`): at WordNet's lengths an epoch is about 2x faster than
    with every batch padded to `sequence_length`.

    Returns:
        The dict written to `metrics.json`.
    """
    config = (config or FinetuneConfig()).replace(**settings)
    if config.restarts > 1:
        return _best_of_restarts(task, model, train, out, eval, config, log)
    keras.utils.set_random_seed(config.seed)
    distribution = make_strategy(config.strategy, config.tpu)
    check_global_batch(config.batch_size, distribution, config.strategy)
    replicas = distribution.num_replicas_in_sync
    if config.strategy != "default":
        log(f"strategy {config.strategy}: {replicas} replica(s), "
            f"{config.batch_size // replicas} of the batch of {config.batch_size} each")
    chief = is_chief(distribution)
    # The other workers of a cluster write to a directory of their own, removed
    # at the end (as Keras' multi-worker guide has them do).
    out = Path(out) if chief else Path(tempfile.mkdtemp(prefix="keras-albert-worker-"))
    source = resolve_source(model, config.vocab)
    if config.lora_rank and isinstance(source, str) and source in PRESETS:
        raise ValueError(
            f"--lora-rank trains adapters beside a pretrained model's frozen weights, "
            f"but {model!r} with --vocab starts from random weights, which LoRA would "
            "leave random: fine-tune it without --lora-rank, or from a pretrained model.")
    positions = source_positions(source)
    if isinstance(task, TaskSpec):
        spec = task
        spec.tokenizer.reload()  # made before the seed cleared TensorFlow's kernels
        _check_length(spec.sequence_length, positions, model)
    else:
        length = config.sequence_length or min(DEFAULT_SEQUENCE_LENGTH, positions)
        _check_length(length, positions, model)
        spec = make_spec(task, source_tokenizer(source, config.vocab), length,
                         config.text_columns, config.label_column,
                         max_answer_length=config.max_answer_length,
                         stride=config.window_stride(length))
    train_rows, train_report = spec.read(train)
    eval_rows, eval_report = spec.read(eval) if eval is not None else (None, {})
    if eval_rows:
        spec.prepare_eval(train_rows, eval_rows, eval)
    with distribution.scope():  # the variables are the strategy's
        task_model = spec.build(source, train_rows, train, config.vocab, config.dtype,
                                config.label_names, config.head_dropout)
        lora = None
        if config.lora_rank:
            trainable = enable_lora(task_model, config.lora_rank, config.lora_targets)
            lora = {"rank": config.lora_rank, "targets": list(config.lora_targets),
                    "trainable_parameters": trainable,
                    "parameters": int(task_model.count_params())}
    if lora is not None:
        log(f"LoRA rank {config.lora_rank} on {', '.join(config.lora_targets)}: "
            f"{trainable:,} of {lora['parameters']:,} parameters train (the head "
            "and one update per shared layer)")
    x, y = spec.arrays(task_model, train_rows, train)
    validation = spec.arrays(task_model, eval_rows, eval) if eval_rows else None
    weights = spec.class_weight(task_model, y) if config.class_weight else None
    log(f"{spec.kind}: {len(train_rows)} training rows, "
        f"{len(eval_rows or ())} eval rows; "
        f"{task_model.backbone.count_params():,} backbone parameters")

    epochs = config.epochs
    if epochs == "auto":
        epochs = auto_epochs(len(keras.tree.flatten(y)[0]), config.batch_size)
        log(f"epochs: {epochs} (auto: about {AUTO_STEPS} steps, {MIN_EPOCHS} to "
            f"{MAX_EPOCHS} epochs; --epochs sets them)")
    # Early stopping waits until the model beats always predicting the
    # commonest training label (where the task has such a baseline).
    baseline = spec.baseline(train_rows, eval_rows) if eval_rows else None
    floor = (baseline["accuracy"] + BASELINE_MARGIN
             if baseline and spec.monitor == "val_accuracy" else None)
    jit_compile = (training_jit_compile(config.dtype, config.jit_compile, log)
                   and xla_possible(distribution))
    advice = bfloat16_advice(config.dtype, task_model.backbone.hidden_dim)
    if advice:
        log(advice)
    started = time.perf_counter()
    history, search = fit(task_model, (x, y), validation, out, epochs,
                          config.batch_size, config.learning_rate, config.warmup_fraction,
                          config.patience, spec.monitor, spec.mode, class_weight=weights,
                          group_by_length=config.group_by_length,
                          jit_compile=jit_compile, verbose=config.verbose, log=log,
                          floor=floor)
    seconds = time.perf_counter() - started
    summary = {
        "task": spec.kind, "train": readers.describe(train),
        "eval": readers.describe(eval) if eval is not None else None,
        "train_rows": len(train_rows), "eval_rows": len(eval_rows or ()),
        "skipped": {"train": skipped(train_report), "eval": skipped(eval_report)},
        "epochs": epochs, "epochs_run": len(history.history["loss"]),
        "train_seconds": round(seconds, 1),
        "dtype": task_model.backbone.dtype_policy.name,  # the policy it trained under
        "jit_compile": jit_compile,
        "strategy": config.strategy, "replicas": replicas,
        "learning_rate": search.rate if search else config.learning_rate,
    }
    long_texts = {"train": spec.long_texts(train_rows),
                  "eval": spec.long_texts(eval_rows) if eval_rows else {}}
    if long_texts["train"] or long_texts["eval"]:
        summary["long_texts"] = long_texts
    if lora is not None:
        summary["lora"] = lora
    if search is not None:
        summary["learning_rate_search"] = search.to_json()
    if weights is not None:
        names = task_model.label_names or [str(index) for index in weights]
        summary["class_weight"] = {names[index]: weight for index, weight in weights.items()}
    if eval_rows:
        summary["eval_metrics"] = spec.evaluate(task_model, eval_rows, eval,
                                                config.batch_size)
        if baseline is not None:
            summary["majority_baseline"] = baseline
        summary["warnings"] = collapse_warnings(spec.kind, summary["eval_metrics"],
                                                baseline, summary["learning_rate"],
                                                searched=search is not None)
        for warning in summary["warnings"]:
            log(f"WARNING: {warning}")
    if chief:
        _write_run(task_model, out, spec, model, config, lora, summary)
    wait_for_workers(distribution)
    if not chief:
        shutil.rmtree(out, ignore_errors=True)
        return {**summary, "chief": False}  # the chief wrote the run
    return summary


def _write_run(task_model, out, spec, model, config, lora, summary):
    """`out/model` (and `out/adapter` for LoRA) and `out/metrics.json`."""
    record = {"finetune": {**spec.get_config(), "from": str(model)}}
    # LoRA layers save their kernels merged: `model` is a plain model.
    task_model.save_pretrained(out / "model", tokenizer=spec.tokenizer)
    _record_source(out / "model", record)
    if lora is not None:
        save_adapter(task_model, out / ADAPTER_DIR, model, config.lora_rank,
                     config.lora_targets)
    with atomic_path(out / "metrics.json") as temporary:
        temporary.write_text(json.dumps(summary, indent=2))


# The eval metric that picks the best restart, the first a task reports.
RESTART_METRICS = ("accuracy", "f1", "pearson")
ADAPTER_DIR = "adapter"  # a LoRA run's trained weights alone (`models.lora`)
RESTARTS_DIR = "restarts"


def _best_of_restarts(task, model, train, out, eval, config, log):
    """`config.restarts` runs with consecutive seeds under `out/restarts/`;
    the best on the eval data is copied to `out/` (model, metrics, history),
    the others keep their metrics and history only."""
    if eval is None:
        raise ValueError(f"--restarts {config.restarts} keeps the run best on the eval "
                         "data: pass --eval.")
    out = Path(out)
    runs = []
    for index in range(config.restarts):
        seed = config.seed + index
        log(f"restart {index + 1}/{config.restarts}: seed {seed}")
        run_dir = out / RESTARTS_DIR / f"seed_{seed}"
        summary = finetune(task, model, train, run_dir, eval,
                           config.replace(restarts=1, seed=seed), log)
        metric = next(m for m in RESTART_METRICS if m in summary["eval_metrics"])
        runs.append((summary["eval_metrics"][metric], seed, run_dir, summary))
    value, seed, best_dir, summary = max(runs, key=lambda run: run[0])
    log(f"restarts: seed {seed} is best ({metric} {value:.4f}; "
        + ", ".join(f"seed {s}: {v:.4f}" for v, s, _, _ in runs) + ")")
    for name in ("model", "checkpoints", ADAPTER_DIR):
        if (best_dir / name).is_dir():
            write_directory(out / name, lambda temporary, name=name: shutil.copytree(
                best_dir / name, temporary, dirs_exist_ok=True))
    for name in ("history.csv", LR_SEARCH):
        if (best_dir / name).is_file():
            with atomic_path(out / name) as temporary:
                shutil.copyfile(best_dir / name, temporary)
    for _, _, run_dir, _ in runs:  # one copy of the weights is enough
        for name in ("model", "checkpoints", ADAPTER_DIR):
            shutil.rmtree(run_dir / name, ignore_errors=True)
    summary = {**summary, "seed": seed,
               "restarts": [{"seed": s, metric: v} for v, s, _, _ in runs]}
    with atomic_path(out / "metrics.json") as temporary:
        temporary.write_text(json.dumps(summary, indent=2))
    return summary


def _check_length(length, positions, model):
    if length > positions:
        raise ValueError(
            f"--sequence-length {length} is longer than the {positions} positions of "
            f"{model}: use at most {positions} (texts longer than that are truncated).")


def _record_source(directory, source):
    config = read_config(directory)
    config["source"] = {**config.get("source", {}), **source}
    with atomic_path(Path(directory) / "config.json") as temporary:
        temporary.write_text(json.dumps(config, indent=2))
