"""The quickstart's `report.md` and `report.png`, from what its stages wrote."""

import json
from pathlib import Path

from keras_albert.files import atomic_path, read_csv_rows

HELD_OUT = ("val_mlm_logits_loss", "val_mlm_logits_accuracy", "val_sop_logits_accuracy")
# Below this held-out SOP accuracy the report says pretraining learned no order.
SOP_CHANCE_MARGIN = 0.55
# Written by the quickstart's export when full int8 meets no target (why).
INT8_NOT_WRITTEN = "int8_not_written.txt"


def write_report(out, config, artifacts, times):
    """Write `out/report.md` and `out/report.png`; return the figures as a dict."""
    out = Path(out)
    pretrain = read_csv_rows(out / "pretrain" / "log.csv")
    history = read_csv_rows(out / "finetune" / "history.csv")
    finetune = json.loads((out / "finetune" / "metrics.json").read_text())
    random_history = read_csv_rows(out / "finetune_random" / "history.csv")
    random = json.loads((out / "finetune_random" / "metrics.json").read_text())
    verify = json.loads((out / "verify" / "verify.json").read_text())
    test = verify["keras"]["accuracy"]
    summary = {
        "settings": config, "seconds": times, "total_seconds": round(sum(times.values()), 1),
        # Held-out MLM and SOP at the first checkpoint and at the last.
        "pretrain_held_out": {
            when: {k: float(row[k]) for k in HELD_OUT} for when, row in
            (("first", pretrain[0]), ("last", pretrain[-1]))} if pretrain else {},
        "validation": finetune["eval_metrics"],
        "validation_by_epoch": [float(r["val_accuracy"]) for r in history],
        "random_weights": {"validation": random["eval_metrics"],
                           "validation_by_epoch": [float(r["val_accuracy"])
                                                   for r in random_history]},
        "majority_baseline": finetune["majority_baseline"]["accuracy"],
        "test_accuracy": test,
        "artifacts": [{k: r[k] for k in ("artifact", "input", "precision", "max_abs_diff",
                                          "agreement", "size_bytes", "latency_ms_128",
                                          "failures")} for r in verify["artifacts"]],
        "all_within_bounds": verify["passed"],
    }
    _write_png(out / "report.png", pretrain, history, verify, artifacts)
    with atomic_path(out / "report.md") as temporary:
        temporary.write_text(_markdown(summary, verify, artifacts, out), encoding="utf-8")
    return summary


def _markdown(summary, verify, artifacts, out):
    from keras_albert.export import format_table

    config, held_out = summary["settings"], summary["pretrain_held_out"]
    names = {str(path): name for name, path in artifacts.items()}
    lines = [
        "# keras-albert quickstart",
        "",
        f"Budget `--minutes {config['minutes']}`; took {summary['total_seconds']:.0f} s "
        "(" + ", ".join(f"{k} {v:.0f} s" for k, v in summary["seconds"].items()) + ").",
        "",
        "![curves and artifacts](report.png)",
        "",
        "## Pretraining",
        f"`albert_tiny`, {config['vocab_size']}-piece SentencePiece vocabulary trained on "
        f"{config['corpus_synsets']:,} WordNet train glosses, {config['pretrain_steps']} "
        f"steps of MLM + SOP (batch {config['pretrain_batch_size']}, length "
        f"{config['sequence_length']}).",
    ]
    if held_out:
        first, last = held_out["first"], held_out["last"]
        lines += ["", "| held out | first checkpoint | last checkpoint |", "|---|---|---|"]
        lines += [f"| {name} | {first[key]:.3f} | {last[key]:.3f} |" for name, key in (
            ("MLM loss", "val_mlm_logits_loss"), ("MLM accuracy", "val_mlm_logits_accuracy"),
            ("SOP accuracy", "val_sop_logits_accuracy"))]
        if last["val_sop_logits_accuracy"] < SOP_CHANCE_MARGIN:
            lines.append(f"Held-out sentence order stayed near chance "
                         f"({last['val_sop_logits_accuracy']:.3f}): this budget is too "
                         "small for the model to learn it; run with more `--minutes`.")
    lines += [
        "",
        "## Fine-tuning on the WordNet task (45 classes)",
        f"{config['finetune_examples']:,} training glosses, {config['finetune_epochs']} "
        f"epochs, batch {config['finetune_batch_size']}, learning rate "
        f"{config['finetune_learning_rate']:g}. Validation accuracy {summary['validation']['accuracy']:.3f}, macro-F1 "
        f"{summary['validation']['macro_f1']:.3f}; majority class "
        f"{summary['majority_baseline']:.3f}. Test accuracy ({verify['examples']} glosses) "
        f"{summary['test_accuracy']:.3f}.",
        "",
        *_what_pretraining_buys(summary),
        "",
        "## Exports, checked by `keras-albert verify`",
        "",
        "| artifact | input | max abs logit diff | label agreement | MB | ms at 128 tokens | bounds |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in verify["artifacts"]:
        lines.append(
            f"| {names.get(row['artifact'], row['artifact'])} | {row['input']} | "
            f"{row['max_abs_diff']:.2e} | {row['agreement']:.4f} | "
            f"{row['size_bytes'] / 1e6:.2f} | {row['latency_ms_128']:.2f} | "
            f"{'; '.join(row['failures']) or 'within bounds'} |")
    lines += ["", "```", format_table(verify), "```", ""]
    lines += _int8_choice(artifacts, out)
    return "\n".join(lines) + "\n"


def _int8_choice(artifacts, out):
    """What the accuracy-aware full-int8 export kept float, from its metadata,
    or why it wrote no file."""
    from keras_albert.export.tflite import read_metadata

    refused = out / "export" / INT8_NOT_WRITTEN
    if refused.is_file():
        return [f"Full int8 was not written: {refused.read_text().strip()}"]
    paths = [path for path in artifacts.values()
             if str(path).endswith(".tflite") and Path(path).is_file()]
    for path in paths:
        search = read_metadata(path).get("int8_search")
        if search:
            kept = ", ".join(search["float_groups"]) or "none"
            return [f"Full int8 (`{Path(path).name}`): the op groups kept float were "
                    f"chosen on {search['held_out']} held-out training texts for "
                    f"{search['target']:.0%} label agreement with the Keras model: {kept} "
                    f"(and the logits); {search['agreement']:.2%} there "
                    f"(`keras-albert export tflite --quantize int8 --target-agreement`)."]
    return []


def _what_pretraining_buys(summary):
    pretrained, random = summary["validation"], summary["random_weights"]["validation"]
    gain = pretrained["accuracy"] - random["accuracy"]
    lines = [
        "",
        "## What pretraining buys",
        "The same architecture, vocabulary and fine-tuning budget from random weights:",
        "",
        "| start | validation accuracy by epoch | validation accuracy | macro-F1 |",
        "|---|---|---|---|",
    ]
    for name, by_epoch, metrics in (
            ("pretrained here", summary["validation_by_epoch"], pretrained),
            ("random weights", summary["random_weights"]["validation_by_epoch"], random)):
        lines.append(f"| {name} | {' / '.join(f'{v:.3f}' for v in by_epoch)} | "
                     f"{metrics['accuracy']:.3f} | {metrics['macro_f1']:.3f} |")
    lines.append("")
    if gain > 0.005:
        lines.append(f"Pretraining adds {100 * gain:.1f} points of validation accuracy.")
    else:
        lines.append(f"At this budget pretraining did not help fine-tuning "
                     f"({100 * gain:+.1f} points): too few pretraining steps for this "
                     "data; run with more `--minutes`.")
    return lines


def _write_png(path, pretrain, history, verify, artifacts):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    if pretrain:
        steps = range(1, len(pretrain) + 1)
        axes[0].plot(steps, [float(r["val_mlm_logits_loss"]) for r in pretrain], "o-",
                     label="held-out MLM loss")
        twin = axes[0].twinx()
        twin.plot(steps, [float(r["val_sop_logits_accuracy"]) for r in pretrain], "s--",
                  color="tab:orange", label="held-out SOP accuracy")
        twin.set_ylim(0.4, 1.0)
        axes[0].set_xlabel("checkpoint")
        axes[0].set_title("pretraining (held out)")
        axes[0].legend(loc="lower left", fontsize=8)
        twin.legend(loc="lower right", fontsize=8)
        axes[0].xaxis.get_major_locator().set_params(integer=True)
    epochs = range(1, len(history) + 1)
    axes[1].plot(epochs, [float(r["accuracy"]) for r in history], "o-", label="train")
    axes[1].plot(epochs, [float(r["val_accuracy"]) for r in history], "s-",
                 label="validation")
    axes[1].set_ylim(0, 1)
    axes[1].set_xlabel("epoch")
    axes[1].xaxis.get_major_locator().set_params(integer=True)
    axes[1].set_title("fine-tuning accuracy")
    axes[1].legend(fontsize=8)
    names = {str(p): n for n, p in artifacts.items()}
    rows = verify["artifacts"]
    labels = [f"{names.get(r['artifact'], r['artifact'])} ({r['input']})" for r in rows]
    axes[2].barh(labels, [r["agreement"] for r in rows],
                 color=["tab:green" if not r["failures"] else "tab:red" for r in rows])
    axes[2].axvline(0.99, color="black", linestyle=":", linewidth=1)
    axes[2].set_xlim(min(0.9, min(r["agreement"] for r in rows)), 1.0)
    axes[2].set_title("label agreement with Keras (red: out of bounds)")
    axes[2].tick_params(axis="y", labelsize=7)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=110, format="png")
    plt.close(figure)
