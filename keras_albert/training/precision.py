"""Which precision and compilation to train with on the machine at hand.

On a CPU with bfloat16 units (`avx512_bf16`, `amx_bf16`), TensorFlow's oneDNN
kernels run bfloat16 matrix products at about twice the float32 rate
(`bench/machine_peak.py`: 388 against 202 GFLOP/s on this project's 2-core
AMD EPYC). XLA's CPU compiler does not use them: it converts every bfloat16
`dot` to float32 (its HLO dump shows `convert` bf16->f32 before each `dot`),
so `mixed_bfloat16` under XLA runs at float32 speed plus the conversions
(measured training steps: albert_base 3.11 s against float32's 3.04 s under
XLA, 1.84 s without it; albert_tiny 0.47, 0.42 and 0.30 s). Its
`xla_cpu_experimental_onednn_custom_call` flag changes nothing in TensorFlow
2.21. Hence on a CPU-only machine `mixed_bfloat16` trains without XLA
(`training_jit_compile`), and float32 training of a model wide enough to gain
there says that bfloat16 is available (`bfloat16_advice`). GPUs and TPUs keep XLA.
"""

import functools
from pathlib import Path

BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")
# Below this hidden width the products are too small for bfloat16 to pay for
# running without XLA: each op's dispatch outweighs it (measured: the
# quickstart's hidden-64 model fine-tunes 1.48x slower in bfloat16 without
# XLA than in float32 with it; hidden 312 1.39x faster, 512 1.62x, 768 1.65x).
ADVICE_MIN_WIDTH = 256


@functools.cache
def cpu_flags():
    """The CPU's feature flags (Linux `/proc/cpuinfo`); empty where unknown."""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def has_bfloat16_units():
    """The CPU's bfloat16 flags it has (a tuple; empty when none)."""
    return tuple(flag for flag in BFLOAT16_FLAGS if flag in cpu_flags())


def cpu_only():
    """No GPU or TPU visible to TensorFlow."""
    import tensorflow as tf

    return not (tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("TPU"))


def training_jit_compile(dtype, jit_compile, log=None):
    """`jit_compile` for training under `dtype`: off for `mixed_bfloat16` on
    a CPU-only machine (see above), with a line to `log` saying so."""
    if jit_compile and dtype == "mixed_bfloat16" and cpu_only():
        if log:
            log("mixed_bfloat16 on CPU trains without XLA: XLA's CPU compiler runs "
                "bfloat16 products in float32, oneDNN's kernels use the bfloat16 units")
        return False
    return jit_compile


def bfloat16_advice(dtype, hidden_dim):
    """A line recommending `--dtype mixed_bfloat16` when training float32 a
    model at least `ADVICE_MIN_WIDTH` wide on a CPU-only machine that has
    bfloat16 units; else None."""
    units = has_bfloat16_units()
    if (dtype in (None, "float32") and hidden_dim >= ADVICE_MIN_WIDTH and units
            and cpu_only()):
        return (f"this CPU has bfloat16 units ({', '.join(units)}): --dtype "
                f"mixed_bfloat16 trains 1.4-1.6x faster at this width, without XLA "
                f"(BENCHMARKS.md)")
    return None
