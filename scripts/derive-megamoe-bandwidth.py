#!/usr/bin/env python3
"""Derives how fast DeepGEMM's Mega MoE kernel streams FP4 expert weights on Blackwell.

Evidence: deepseek-ai/DeepGEMM pull request #316 (2026-04-24), the Mega MoE benchmark tables, as
recorded in ../shared/data/measurements-v4.yaml (cases deepgemm-megamoe-*): one whole MoE layer of
DeepSeek-V4 (dispatch, FP8 x FP4 up projection, SwiGLU, down projection and combine in one kernel)
over 8 GPUs with expert parallelism, at 1, 512 and 32,768 tokens per rank. Each row gives the time
and the HBM bandwidth the kernel reached, so their product is the bytes it moved.

The layer's time is taken as a fixed part plus the bytes over a streaming rate,

    time = t0 + bytes / B,

fitted by least squares to the rows that are not compute-bound (1 and 512 tokens; the 32,768-token
row runs at 2,038 TFLOP/s and is bound by arithmetic). B over the 8.0 TB/s of every Blackwell part
in the catalog (B200, GB200, B300, GB300; the PR does not name its GPU) is the efficiency Parity uses
for routed-expert weight streaming under expert parallelism. t0 is printed as a check against the
stacks' moe_layer_overhead_ep.

Run: python3 scripts/derive-megamoe-bandwidth.py [path to measurements-v4.yaml]
"""

import sys

import yaml

PEAK_HBM = 8.0e12  # bytes/s, every Blackwell chip in the catalog

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/measurements-v4.yaml"
with open(path) as f:
    data = yaml.safe_load(f)
cases = data if isinstance(data, list) else data.get("cases", [])

points = []
for case in cases:
    if not isinstance(case, dict) or not case.get("id", "").startswith("deepgemm-megamoe-"):
        continue
    metrics = {m["name"]: m["value"] for m in case["metrics"]}
    time = metrics["time"] * 1e-6  # s
    bandwidth = metrics["global_memory_bandwidth"] * 1e9  # bytes/s
    tflops = metrics["compute"]
    points.append((case["id"], time, time * bandwidth, tflops))
    print(f"{case['id']:38s} {time * 1e6:8.1f} us  {time * bandwidth / 1e6:8.1f} MB  {tflops:6.0f} TFLOP/s")

# Rows bound by memory and fixed costs; the 2,038 TFLOP/s row is bound by arithmetic.
fit = [(t, b) for _, t, b, tf in points if tf < 2000]
n = len(fit)
mean_b = sum(b for _, b in fit) / n
mean_t = sum(t for t, _ in fit) / n
slope = sum((b - mean_b) * (t - mean_t) for t, b in fit) / sum((b - mean_b) ** 2 for _, b in fit)
t0 = mean_t - slope * mean_b
rate = 1 / slope
print(f"\nfit over {n} rows: t0 = {t0 * 1e6:.1f} us, B = {rate / 1e12:.2f} TB/s")
for name, t, b, tf in points:
    if tf < 2000:
        print(f"  {name:36s} measured {t * 1e6:7.1f} us, fit {(t0 + b / rate) * 1e6:7.1f} us")
print(f"efficiency = B / {PEAK_HBM / 1e12:.1f} TB/s = {rate / PEAK_HBM:.2f}")

# The compute-bound row sets the kernel's GEMM rate: FP8 x FP4 runs at the FP8 peak (4.5 PFLOP/s dense on
# every Blackwell part in the catalog), which its TFLOP/s is a fraction of.
PEAK_FP8 = 4.5e15
bound = [tf for _, _, _, tf in points if tf >= 2000]
for tf in bound:
    print(f"compute-bound row: {tf:.0f} TFLOP/s = {tf * 1e12 / PEAK_FP8:.2f} of the FP8 peak")
