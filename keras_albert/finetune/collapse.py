"""Fine-tuning that learned nothing, said in one line each.

A classifier that predicts (nearly) one class for everything, or scores no
better than always predicting the commonest label, has not learned: with
ALBERT this is most often a learning rate that does not fit the model (the
usual 2e-5..5e-5 is far too low for a small model pretrained briefly, and
above ~1e-4 a large pretrained one diverges), too few steps, or one class
dominating the data. `finetune` and `evaluate` report it in `metrics.json`
under `warnings` and on the console.
"""

ONE_CLASS_SHARE = 0.95  # predictions this concentrated on one class: collapsed
BASELINE_MARGIN = 0.01  # accuracy within this of the majority baseline: not learned

def collapse_warnings(kind, metrics, baseline=None, learning_rate=None, searched=False):
    """The warnings (a list of one-line strings, empty when none) for the eval
    `metrics` of a `kind` task, with the majority-class `baseline`
    (`{"label", "accuracy"}`), the `learning_rate` it trained with and
    whether a range test chose it (`searched`)."""
    rate = ""
    if isinstance(learning_rate, (int, float)):
        rate = f" at learning rate {learning_rate:.3g}" + (
            " (the range test's)" if searched else "")
    knobs = ("try more --epochs (a small or briefly pretrained model needs more steps), "
              "another --learning-rate, or --class-weight balanced" if searched else
              "try --learning-rate auto (a range test), more --epochs, or "
              "--class-weight balanced")
    warnings = []
    share = metrics.get("top_prediction_share")
    if share is not None and share >= ONE_CLASS_SHARE:
        warnings.append(
            f"Collapsed: the model predicts one class for {share:.0%} of the eval rows "
            f"(accuracy {metrics['accuracy']:.3f}){rate}; the learning rate likely "
            f"does not fit this model (too low for a small or briefly pretrained one, "
            f"too high for a large one) or training was too short: {knobs}.")
    elif baseline and "accuracy" in metrics and (
            metrics["accuracy"] <= baseline["accuracy"] + BASELINE_MARGIN):
        warnings.append(
            f"Not learned: eval accuracy {metrics['accuracy']:.3f} is no better than "
            f"always predicting {baseline['label']!r} ({baseline['accuracy']:.3f}){rate}: "
            f"{knobs}.")
    if kind == "tag" and metrics.get("f1") == 0.0:
        warnings.append(
            f"Not learned: entity F1 is 0 (the model finds no entity of the eval data)"
            f"{rate}: {knobs}.")
    return warnings
