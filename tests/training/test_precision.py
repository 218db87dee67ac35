"""Precision on the machine at hand: bfloat16 trains without XLA on a CPU-only
machine (XLA's CPU compiler runs its products in float32), and float32
training there is told when the CPU has bfloat16 units."""

from pathlib import Path

from keras_albert.training import precision


def test_cpu_flags_read_the_cpu_description():
    flags = precision.cpu_flags()
    assert isinstance(flags, frozenset)
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.exists() else ""
    for flag in precision.has_bfloat16_units():
        assert flag in text.split()


def test_bfloat16_on_cpu_turns_xla_off_and_says_so():
    lines = []
    jit = precision.training_jit_compile("mixed_bfloat16", True, log=lines.append)
    if precision.cpu_only():
        assert jit is False and len(lines) == 1 and "without XLA" in lines[0]
    else:
        assert jit is True and not lines
    # Other precisions, and XLA already off, are left as asked.
    assert precision.training_jit_compile("float32", True, log=lines.append) is True
    assert precision.training_jit_compile(None, True) is True
    assert precision.training_jit_compile("mixed_bfloat16", False) is False


def test_advice_only_for_float32_on_a_cpu_with_the_units():
    expected = bool(precision.has_bfloat16_units()) and precision.cpu_only()
    for dtype in (None, "float32"):
        advice = precision.bfloat16_advice(dtype, 768)
        assert (advice is not None) is expected
        if advice:
            assert "--dtype mixed_bfloat16" in advice and "\n" not in advice
        # Too narrow to gain: no advice.
        assert precision.bfloat16_advice(dtype, 64) is None
    assert precision.bfloat16_advice("mixed_bfloat16", 768) is None
    assert precision.bfloat16_advice("mixed_float16", 768) is None
