#!/usr/bin/env python3
"""Derives the time of DeepSeek-V4's hyper-connection (mHC) kernels on NVIDIA GPUs, per engine.

Evidence: NVIDIA's aiconfigurator @ 095f58a51c4c (source `aiconfigurator_perf_data`), the tables
systems/data/<system>/mhc/<engine>/<version>/mhc_module_perf.parquet. Its collectors
(collector/{vllm,sglang,trtllm}/collect_mhc_module.py) time each engine's own mHC kernels in a CUDA
graph: `pre` (the mixing weights, their Sinkhorn normalisation and the layer input) and `post` (the
new residual streams), each for two sites, i.e. around attention and around the MoE block of one
decoder layer, for 4 streams of hidden size 4,096 (DeepSeek-V4-Flash) and 7,168 (V4-Pro), at 1 to
524,288 tokens. Latencies are in milliseconds.

A layer's cost is taken as a fixed part plus a time per token:

    layer(tokens) = fixed + per_token x width x tokens,   width = streams x hidden / (4 x 4,096)

The fixed part is the mean of the rows at 64 tokens or fewer (flat there); the per-token time is
the least-squares slope over the rows from 4,096 tokens up, where the kernels stream the residual
and the fixed part is negligible, divided by the width so that one figure serves both models. Parity
scales it back by the model's width (ModelArchitecture.residualStreams x hiddenSize).

The TensorRT-LLM rows are printed for comparison but not used: their V4-Pro slopes are half their
V4-Flash slopes per unit of width, which no streaming kernel explains (docs/calibration-evidence.md §10).

Run: python3 scripts/derive-nvidia-mhc.py [path to an aiconfigurator checkout or bare git dir]
Needs pandas and pyarrow.
"""

import sys
from pathlib import Path

import pandas as pd

from aiconfigurator_tables import DEFAULT_ROOT, read_table as read_relative

# Parity stack -> (aiconfigurator systems, engine directory)
STACKS = {
    "nvidia-grace-blackwell-vllm": (["gb200", "gb300"], "vllm/0.24.0"),
    "nvidia-blackwell-vllm": (["b200_sxm", "b300_sxm"], "vllm/0.24.0"),
    "nvidia-blackwell-sglang": (["b200_sxm", "b300_sxm", "gb200", "gb300"], "sglang/0.5.14"),
    "nvidia-blackwell": (["b200_sxm", "b300_sxm", "gb200", "gb300"], "trtllm/1.3.0rc20"),
    "nvidia-hopper-vllm": (["h200_sxm", "h100_sxm"], "vllm/0.24.0"),
    "nvidia-hopper-sglang": (["h200_sxm", "h100_sxm"], "sglang/0.5.14"),
    "nvidia-hopper": (["h200_sxm", "h100_sxm"], "trtllm/1.3.0rc20"),
}


def read_table(root: Path, system: str, engine: str) -> pd.DataFrame:
    return read_relative(root, f"{system}/mhc/{engine}/mhc_module_perf.parquet")


def slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def fit(table: pd.DataFrame):
    """(fixed us, per-token us per width-1 token) for each hidden size of one table."""
    out = {}
    for hidden in sorted(table.hidden_size.unique()):
        rows = table[table.hidden_size == hidden]
        layer = rows.pivot_table(index="num_tokens", columns="op_name", values="latency").sum(axis=1) * 1_000
        width = 4 * hidden / (4 * 4_096)
        small = layer[layer.index <= 64]
        large = layer[layer.index >= 4_096]
        out[int(hidden)] = (small.mean(), slope(list(large.index), list(large.values)) / width, layer)
    return out


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ROOT
    for stack, (systems, engine) in STACKS.items():
        fixed, per_token = [], []
        print(f"{stack} ({engine})")
        for system in systems:
            for hidden, (f, p, layer) in fit(read_table(root, system, engine)).items():
                fixed.append(f)
                per_token.append(p)
                print(f"  {system:9s} hidden {hidden}: fixed {f:5.1f} us, {p:.4f} us per width-1 token")
        fixed.sort()
        per_token.sort()
        mid_f = fixed[len(fixed) // 2] if len(fixed) % 2 else (fixed[len(fixed) // 2 - 1] + fixed[len(fixed) // 2]) / 2
        mid_p = (
            per_token[len(per_token) // 2]
            if len(per_token) % 2
            else (per_token[len(per_token) // 2 - 1] + per_token[len(per_token) // 2]) / 2
        )
        print(f"  -> median: fixed {mid_f:.0f} us, {mid_p:.3f} us per width-1 token")
        # How well the two-number model reproduces the first system's V4-Pro rows.
        table = fit(read_table(root, systems[0], engine))
        hidden = 7_168 if 7_168 in table else max(table)
        layer = table[hidden][2]
        width = 4 * hidden / (4 * 4_096)
        worst = max(abs((mid_f + mid_p * width * t) / v - 1) for t, v in layer.items())
        print(f"     worst error over {systems[0]} hidden {hidden} rows: {worst:.0%}")


if __name__ == "__main__":
    main()
