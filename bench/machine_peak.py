"""This machine's matrix-multiply peak per precision, the ceiling every other
figure in bench/ is read against.

Square and transformer-shaped matrix products, each on the engines our
figures use, best of `--runs` timed calls after a warm-up, all threads:

- float32: TensorFlow (oneDNN, graph and XLA) and onnxruntime (MLAS);
- bfloat16: TensorFlow (oneDNN's AVX512-BF16 kernels, graph and XLA);
- int8: onnxruntime `MatMulInteger` (uint8 x int8, VNNI where the CPU has it).

Each engine's figure is printed in GFLOP/s (2·M·N·K a product); the best per
precision is the machine's peak. `peaks()` is what the other benchmarks call
to print shares in the same run.

    python bench/machine_peak.py
"""

import argparse
import json
import os
import time

import numpy as np

# (M, K, N): a square product, and albert_base's feed-forward at 128 tokens.
SHAPES = ((1024, 1024, 1024), (128, 768, 3072))


def _best_seconds(function, runs):
    function()
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def _tensorflow(shape, dtype, jit, runs):
    import tensorflow as tf

    m, k, n = shape
    rng = np.random.default_rng(0)
    a = tf.constant(rng.standard_normal((m, k)), dtype)
    b = tf.constant(rng.standard_normal((k, n)), dtype)
    repeat = 8  # products per call, so that the call's overhead does not count

    @tf.function(jit_compile=jit)
    def products(a, b):
        total = tf.zeros((m, n), dtype)
        for index in range(repeat):
            total += tf.linalg.matmul(a + tf.cast(index, dtype), b)
        return total

    return _best_seconds(lambda: products(a, b).numpy(), runs) / repeat


def _onnx(shape, integer, runs):
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    m, k, n = shape
    if integer:
        node = helper.make_node("MatMulInteger", ["a", "b"], ["y"])
        inputs = [helper.make_tensor_value_info("a", TensorProto.UINT8, [m, k]),
                  helper.make_tensor_value_info("b", TensorProto.INT8, [k, n])]
        output = helper.make_tensor_value_info("y", TensorProto.INT32, [m, n])
    else:
        node = helper.make_node("MatMul", ["a", "b"], ["y"])
        inputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)
                  for name, dims in (("a", [m, k]), ("b", [k, n]))]
        output = helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])
    graph = helper.make_graph([node], "matmul", inputs, [output])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count()
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    if integer:
        feed = {"a": rng.integers(0, 255, (m, k), dtype=np.uint8),
                "b": rng.integers(-127, 127, (k, n), dtype=np.int8)}
    else:
        feed = {"a": rng.standard_normal((m, k)).astype(np.float32),
                "b": rng.standard_normal((k, n)).astype(np.float32)}
    onnx.checker.check_model(model)
    return _best_seconds(lambda: session.run(None, feed), runs)


ENGINES = {
    "float32": {"tensorflow": lambda s, r: _tensorflow(s, "float32", False, r),
                "tensorflow-xla": lambda s, r: _tensorflow(s, "float32", True, r),
                "onnxruntime": lambda s, r: _onnx(s, False, r)},
    "bfloat16": {"tensorflow": lambda s, r: _tensorflow(s, "bfloat16", False, r),
                 "tensorflow-xla": lambda s, r: _tensorflow(s, "bfloat16", True, r)},
    "int8": {"onnxruntime": lambda s, r: _onnx(s, True, r)},
}


def measure(runs=10):
    """{precision: {engine: {"MxKxN": GFLOP/s}}}."""
    results = {}
    for precision, engines in ENGINES.items():
        for engine, run in engines.items():
            for shape in SHAPES:
                m, k, n = shape
                seconds = run(shape, runs)
                results.setdefault(precision, {}).setdefault(engine, {})[
                    f"{m}x{k}x{n}"] = round(2 * m * k * n / seconds / 1e9, 1)
    return results


def peaks(results=None, runs=10):
    """{precision: the best GFLOP/s of any engine and shape}."""
    results = results or measure(runs)
    return {precision: max(max(by_shape.values()) for by_shape in engines.values())
            for precision, engines in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    results = measure(args.runs)
    print(f"{'precision':9s} {'engine':15s} " + " ".join(
        f"{'x'.join(map(str, shape)):>14s}" for shape in SHAPES) + "   GFLOP/s")
    for precision, engines in results.items():
        for engine, by_shape in engines.items():
            print(f"{precision:9s} {engine:15s} " + " ".join(
                f"{value:14.1f}" for value in by_shape.values()))
    print(json.dumps({"peaks_gflops": peaks(results), "cpu_count": os.cpu_count()}))


if __name__ == "__main__":
    main()
