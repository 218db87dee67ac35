"""`keras-albert quickstart`: the whole life of an ALBERT on the embedded data.

vocabulary -> pretraining (MLM + SOP) -> fine-tuning on the WordNet task, and
the same fine-tuning from random weights (what pretraining buys) -> exports (TF Serving SavedModel, TFLite float32 / dynamic / int8, int8 with the
tokenizer inside, ONNX) -> `verify` -> `report.md` and `report.png`.

Each stage writes its own directory under `out/` and a `.done` marker when it
is complete; a rerun with the same settings skips finished stages and resumes
pretraining from its last checkpoint, and a rerun with other settings starts
clean, so a directory never mixes two runs.
"""

import json
import shutil
import time
from pathlib import Path

from keras_albert.checks import check_non_negative
from keras_albert.files import atomic_path
from keras_albert.quickstart_report import INT8_NOT_WRITTEN, write_report

STAGES = ("data", "vocab", "pretrain", "finetune", "finetune_random", "export", "verify",
          "report")
SETTINGS_FILE = "quickstart.json"


def settings(minutes=10):
    """The sizes of each stage for a time budget (about `minutes` on 2 CPU
    cores): more minutes, more pretraining steps and fine-tuning examples."""
    check_non_negative("minutes", minutes, strictly=True)
    scale = minutes / 10
    return {
        "minutes": minutes,
        "corpus_synsets": min(94263, max(2000, int(30000 * scale))),
        "vocab_size": 4000 if scale >= 0.5 else 1000,
        # Length 32 (the median gloss is 20 pieces), a high rate and few masks:
        # 1,500 steps take held-out SOP from 0.50 to 0.75 and MLM accuracy from
        # 0.03 to 0.09 in about 2 minutes; 300 steps at length 64 and 2e-3 left
        # SOP at chance (BENCHMARKS.md, "Quickstart").
        # A multiple of 6: six held-out evaluations (one a checkpoint).
        "pretrain_steps": 6 * max(20, int(250 * scale)),
        "pretrain_batch_size": 64,
        "pretrain_learning_rate": 5e-3,
        "pretrain_max_predictions": 5,
        # Batch 32 at 1e-3 beat batch 64 at 5e-4 by 11 points at equal time
        # (BENCHMARKS.md, "Quickstart"); 2e-3 diverged to the majority class.
        # The same budget fine-tunes the pretrained model and random weights.
        "finetune_examples": max(200, int(48000 * scale)),
        "finetune_epochs": 2,
        "finetune_batch_size": 32,
        "finetune_learning_rate": 1e-3,
        # Validation (evaluated each epoch) and test (verified on every
        # artifact) are cut to this many glosses.
        "verify_examples": max(100, int(2000 * scale)),
        "sequence_length": 32,
    }


def run_quickstart(out="out/quickstart", minutes=10, log=print):
    """Run every stage (or what is left of an earlier run); return the report dict."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"The quickstart writes a directory, and {out} is a file: "
                         f"name another --out. Received: out={str(out)!r}")
    config = settings(minutes)
    saved = out / SETTINGS_FILE
    if saved.is_file() and json.loads(saved.read_text()) != config:
        log(f"{out} holds a run with other settings: starting clean")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(saved) as temporary:
        temporary.write_text(json.dumps(config, indent=2))
    started = time.perf_counter()
    times = _read_times(out)
    for number, stage in enumerate(STAGES, start=1):
        marker = out / stage / ".done"
        if marker.is_file():
            log(f"[{number}/{len(STAGES)}] {stage}: done in an earlier run")
            continue
        log(f"[{number}/{len(STAGES)}] {stage} ...")
        stage_started = time.perf_counter()
        (out / stage).mkdir(exist_ok=True)
        STAGE_FUNCTIONS[stage](out, config, log)
        times[stage] = round(time.perf_counter() - stage_started, 1)
        with atomic_path(out / "times.json") as temporary:
            temporary.write_text(json.dumps(times, indent=2))
        marker.touch()
        log(f"[{number}/{len(STAGES)}] {stage}: {times[stage]:.0f} s "
            f"({time.perf_counter() - started:.0f} s so far)")
    log(f"Report: {out / 'report.md'} and {out / 'report.png'}")
    return json.loads((out / "report" / "report.json").read_text())


def _read_times(out):
    path = out / "times.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _data(out, config, log):
    from keras_albert.datasets import write_wordnet, write_wordnet_corpus

    write_wordnet(out / "data", splits=("train",), limit=config["finetune_examples"])
    write_wordnet(out / "data", splits=("validation", "test"), limit=config["verify_examples"])
    write_wordnet_corpus(out / "data" / "corpus.txt", limit=config["corpus_synsets"])


def _vocab(out, config, log):
    from keras_albert.text import train_vocabulary

    train_vocabulary(out / "data" / "corpus.txt", config["vocab_size"], out / "vocab")


def _pretrain(out, config, log):
    from keras_albert.training.pretrain import run_pretraining

    steps = config["pretrain_steps"]
    run_pretraining("albert_tiny", out / "vocab", [out / "data" / "corpus.txt"],
                    out / "pretrain", steps=steps, batch_size=config["pretrain_batch_size"],
                    sequence_length=config["sequence_length"],
                    max_predictions=config["pretrain_max_predictions"],
                    learning_rate=config["pretrain_learning_rate"],
                    checkpoint_every=max(steps // 6, 1), dupe_factor=2, verbose=2)


def _finetune_from(model, out, stage, config, log, **settings):
    from keras_albert.datasets import wordnet_label_names
    from keras_albert.finetune import finetune

    summary = finetune("classify", model, out / "data" / "train.jsonl", out / stage,
                       eval=out / "data" / "validation.jsonl",
                       label_names=wordnet_label_names(),
                       sequence_length=config["sequence_length"],
                       batch_size=config["finetune_batch_size"],
                       epochs=config["finetune_epochs"],
                       learning_rate=config["finetune_learning_rate"], verbose=2, log=log,
                       **settings)
    log(f"  validation accuracy {summary['eval_metrics']['accuracy']:.3f} "
        f"(majority class {summary['majority_baseline']['accuracy']:.3f})")


def _finetune(out, config, log):
    _finetune_from(out / "pretrain" / "model", out, "finetune", config, log)


def _finetune_random(out, config, log):
    """The same architecture and fine-tuning budget from random weights."""
    _finetune_from("albert_tiny", out, "finetune_random", config, log,
                   vocab=str(out / "vocab"))


def artifacts(out):
    """name -> path of every export the quickstart writes."""
    export = out / "export"
    return {"SavedModel (TF Serving)": export / "serving" / "wordnet" / "1",
            "TFLite float32": export / "float32.tflite",
            "TFLite dynamic int8": export / "dynamic.tflite",
            "TFLite int8": export / "int8.tflite",
            # The phone file: dynamic-range int8 (int8 weights, float
            # activations). Full int8 chooses what stays float on held-out
            # text for verify's 99% bound (`target_agreement`).
            "TFLite dynamic int8 + tokenizer": export / "dynamic_text.tflite",
            "ONNX": export / "model.onnx"}


def _export(out, config, log):
    from keras_albert.export import export_onnx, export_saved_model, export_tflite
    from keras_albert.finetune import read_texts

    model = out / "finetune" / "model"
    # 200 texts calibrate full int8, the other 800 measure its agreement.
    texts, _ = read_texts(model, out / "data" / "train.jsonl", limit=1000)
    paths = artifacts(out)
    export_saved_model(model, out / "export" / "serving", "wordnet", overwrite=True)
    export_tflite(model, paths["TFLite float32"])
    export_tflite(model, paths["TFLite dynamic int8"], quantize="dynamic")
    paths["TFLite int8"].unlink(missing_ok=True)
    refused = out / "export" / INT8_NOT_WRITTEN
    refused.unlink(missing_ok=True)
    try:
        export_tflite(model, paths["TFLite int8"], quantize="int8", representative=texts,
                      target_agreement=0.99, log=log)
    except ValueError as error:  # no choice of float ops keeps 99% of the labels
        with atomic_path(refused) as temporary:
            temporary.write_text(str(error) + "\n")
        log(f"  TFLite int8: not written: {error}")
    export_tflite(model, paths["TFLite dynamic int8 + tokenizer"], quantize="dynamic",
                  with_tokenizer=True)
    export_onnx(model, paths["ONNX"])
    for name, path in paths.items():
        if path.exists():
            log(f"  {name}: {path}")


def _verify(out, config, log):
    from keras_albert.export import format_table, verify
    from keras_albert.finetune import read_texts

    model = out / "finetune" / "model"
    texts, labels = read_texts(model, out / "data" / "test.jsonl", with_labels=True,
                               limit=config["verify_examples"])
    report = verify(model, [path for path in artifacts(out).values() if path.exists()],
                    texts, labels)
    with atomic_path(out / "verify" / "verify.json") as temporary:
        temporary.write_text(json.dumps(report, indent=2))
    log(format_table(report))


def _report(out, config, log):
    report = write_report(out, config, artifacts(out), _read_times(out))
    with atomic_path(out / "report" / "report.json") as temporary:
        temporary.write_text(json.dumps(report, indent=2))


STAGE_FUNCTIONS = {"data": _data, "vocab": _vocab, "pretrain": _pretrain,
                   "finetune": _finetune, "finetune_random": _finetune_random,
                   "export": _export, "verify": _verify, "report": _report}
