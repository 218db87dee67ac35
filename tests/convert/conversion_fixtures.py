"""The reference checkpoints of `tools/make_reference_checkpoints.py` and
`tools/make_original_fixtures.py`, and checks against the reference outputs stored
with them."""

import shutil
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).parent.parent / "fixtures" / "conversion"
TOLERANCE = 1e-4  # max abs diff, float32


def fixture_copy(tmp_path, name, vocabulary_name="spiece.model"):
    """A writable copy of fixture `name` with the shared vocabulary added."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    if vocabulary_name:
        shutil.copy(FIXTURES / "spiece.model", target / vocabulary_name)
    return target


def inputs(num_choices=None):
    """The fixed inputs the references were computed on; with `num_choices`, the
    (B, 3, T) layout of the multiple-choice reference."""
    x = {key: value for key, value in np.load(FIXTURES / "inputs.npz").items()}
    if num_choices:
        x = {key: np.stack([value, value[::-1], value], axis=1) for key, value in x.items()}
    return x


def all_positions(x):
    """`mask_positions` covering every token, to compare full MLM logits."""
    batch, length = x["token_ids"].shape
    return {**x, "mask_positions": np.tile(np.arange(length, dtype="int32"), (batch, 1))}


def check_pretraining_outputs(model, reference, tolerance=TOLERANCE):
    """Sequence, pooled, MLM and SOP outputs equal the reference's (max abs diff
    `tolerance`)."""
    x = inputs()
    backbone = model.backbone(x)
    outputs = model(all_positions(x))
    for name, actual in (("sequence_output", backbone["sequence_output"]),
                         ("pooled_output", backbone["pooled_output"]),
                         ("mlm_logits", outputs["mlm_logits"]),
                         ("sop_logits", outputs["sop_logits"])):
        np.testing.assert_allclose(np.asarray(actual), reference[name], atol=tolerance,
                                   rtol=0, err_msg=name)
