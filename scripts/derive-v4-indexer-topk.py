#!/usr/bin/env python3
"""Derives the per-query cost of DeepSeek-V4's sparse selection (indexer top-k) in prefill, per engine.

Evidence: NVIDIA's aiconfigurator @ 095f58a51c4c (source `aiconfigurator_perf_data`), the tables
systems/data/<system>/sparse_attention/<engine>/<version>/dsv4_{csa,hca}_context_module_perf.parquet:
each engine's whole DeepSeek-V4 attention block (projections, compressor, indexer, sparse attention,
output projection) timed in prefill, for V4-Pro and V4-Flash at 1-8 tensor-parallel ranks, one prompt
of `isl` tokens with no cached prefix. Latencies are in milliseconds.

Method. At each prompt length the block time over the TP degrees is fitted as T(tp) = A + B / tp: B is
the work split over the heads, A the work every rank repeats (the down-projections, the compressor,
the indexer, its top-k). A ratio-4 layer (CSA) and a ratio-128 layer (HCA) share that repeated work
except the indexer, so the difference of their A per prompt token is the indexer's cost per query.
Parity already counts the indexer's GEMMs: its query and weight projections and its key compressor
(about 33 MFLOP per token) and its scores over the causal ratio-4 entries (s / 8 entries on average,
2 x 64 heads x 128 + 2 x 64 FLOPs each), at the chip's FP8 peak times the stack's FP8 GEMM efficiency.
What is left, per query, is the selection (top-k over the scores, and the glue around it): the
figure. From 16K to 64K tokens, where most queries select from more candidates than they keep, it is
nearly flat; its median over the stack's rows and those lengths is taken.

Run: python3 scripts/derive-v4-indexer-topk.py [path to an aiconfigurator checkout or bare git dir]
Needs pandas, pyarrow and numpy.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from aiconfigurator_tables import DEFAULT_ROOT, read_table
LENGTHS = [16384, 32768, 65536]
# FP8 peak (TFLOP/s) of each system, from Parity's catalog, and the FP8 GEMM efficiency of the stack
# family that runs there (nvidia-blackwell 0.55, nvidia-hopper 0.65).
FP8 = {"gb200": (5000, 0.55), "gb300": (5000, 0.55), "b200_sxm": (4500, 0.55), "b300_sxm": (4500, 0.55),
       "h200_sxm": (1978.9, 0.65), "h100_sxm": (1978.9, 0.65)}
INDEXER_PROJECTION_FLOPS = 2 * (1536 * 64 * 128 + 7168 * 64) + 2 * 2 * (2 * 128 * 7168)
SCORE_FLOPS_PER_ENTRY = 2 * 64 * 128 + 2 * 64


def modelled_indexer_us(system: str, isl: int) -> float:
    """Parity's own time for the indexer's GEMMs per query token (us)."""
    peak, efficiency = FP8[system]
    flops = INDEXER_PROJECTION_FLOPS + isl / 8 * SCORE_FLOPS_PER_ENTRY
    return flops / (peak * 1e12 * efficiency) * 1e6
ENGINES = {
    "vllm/0.24.0": ["gb200", "gb300", "b200_sxm", "b300_sxm", "h200_sxm", "h100_sxm"],
    "sglang/0.5.14": ["gb200", "gb300", "b200_sxm", "b300_sxm", "h200_sxm", "h100_sxm"],
    "trtllm/1.3.0rc23": ["gb200", "gb300", "b200_sxm", "b300_sxm"],
}


def read(root: Path, system: str, engine: str, kind: str) -> pd.DataFrame:
    return read_table(root, f"{system}/sparse_attention/{engine}/dsv4_{kind}_context_module_perf.parquet")


def repeated_work(table: pd.DataFrame, model: str, isl: int):
    rows = table[(table.model == model) & (table.step == 0) & (table.batch_size == 1) & (table.isl == isl)]
    if rows.tp_size.nunique() < 2:
        return None
    tp = rows.tp_size.values.astype(float)
    design = np.vstack([np.ones_like(tp), 1 / tp]).T
    (a, _), *_ = np.linalg.lstsq(design, rows.latency.values, rcond=None)
    return a


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ROOT
    for engine, systems in ENGINES.items():
        per_engine = []
        by_system = []
        for system in systems:
            try:
                csa, hca = read(root, system, engine, "csa"), read(root, system, engine, "hca")
            except subprocess.CalledProcessError:
                continue
            for model in sorted(set(csa.model) & set(hca.model)):
                values = []
                for isl in LENGTHS:
                    a_csa, a_hca = repeated_work(csa, model, isl), repeated_work(hca, model, isl)
                    if a_csa is None or a_hca is None:
                        continue
                    measured = (a_csa - a_hca) / isl * 1_000  # us per token
                    values.append(measured - modelled_indexer_us(system, isl))
                if values:
                    per_engine += values
                    by_system += [(system, v) for v in values]
                    shown = ", ".join(f"{v:.3f}" for v in values)
                    print(f"{engine:17s} {system:9s} {model.split('/')[-1]:24s} selection us/query at 16K/32K/64K: {shown}")
        if per_engine:
            print(f"  -> {engine}: median {np.median(per_engine):.3f} us per query token ({len(per_engine)} rows)")
        for family, members in (("Blackwell", ("gb200", "gb300", "b200_sxm", "b300_sxm")), ("Hopper", ("h200_sxm", "h100_sxm"))):
            chosen = [v for system, v in by_system if system in members]
            if chosen:
                print(f"     {family}: median {np.median(chosen):.3f} us ({len(chosen)} rows)")
        print()


if __name__ == "__main__":
    main()
