"""Reads a table of NVIDIA's aiconfigurator performance data at the commit Parity cites.

The derivation scripts beside this file take the tables from a checkout, or from a bare git
directory (a mirror) at that commit. Needs pandas and pyarrow.
"""

import io
import subprocess
from pathlib import Path

import pandas as pd

COMMIT = "095f58a51c4ca8e61b66ec108d86f223f8d559ce"
DATA = "aic-core/src/aiconfigurator_core/systems/data"
DEFAULT_ROOT = Path("/work/.mirror/ai-dynamo+aiconfigurator/repo")


def read_table(root: Path, relative: str) -> pd.DataFrame:
    """The parquet table at systems/data/`relative`, e.g. "gb200/mhc/vllm/0.24.0/mhc_module_perf.parquet"."""
    path = f"{DATA}/{relative}"
    if (root / path).exists():
        return pd.read_parquet(root / path)
    blob = subprocess.run(
        ["git", f"--git-dir={root}", "show", f"{COMMIT}:{path}"], check=True, capture_output=True
    ).stdout
    return pd.read_parquet(io.BytesIO(blob))
