#!/usr/bin/env bash
# Training on one GPU in bf16 mixed precision with XLA, at length 128 and 512:
# tokens/s and model-FLOPs utilisation of ours (unrolled, loop) and keras-hub,
# same batch, shapes and precision in one process per length.
#   PEAK_TFLOPS: the GPU's dense bf16 peak (989 for an H100 SXM, 756 PCIe).
#   BATCH: global batch (default 32).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
for length in 128 512; do
  python bench/train_throughput.py --impls unrolled loop keras_hub \
    --dtype mixed_bfloat16 --length "$length" --batch-size "${BATCH:-32}" \
    --rounds 4 --steps 20 --peak-tflops "${PEAK_TFLOPS:-989}" \
    --json "out/gpu_training_$length.json"
done
