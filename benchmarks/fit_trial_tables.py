"""Efficacy without table rebuilds (``rewardsim/models/circuit_efficacy.py``) against the circuit's
tables built directly at each efficacy: time per efficacy value and largest error.

    python benchmarks/fit_trial_tables.py      # ~1 min; writes results/fit_trial_tables.json
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from rewardsim.models.circuit_daily import _TABLES as TABLE_MEMO
from rewardsim.models.circuit_daily import DailyCircuit
from rewardsim.trial import load_design
from rewardsim.trial._cohort import kernel_inputs
from rewardsim.trial._efficacy import TONIC_RATIO, with_efficacy

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    inp = kernel_inputs(load_design(ROOT / "examples" / "shoptaw-2003.toml"))
    start = time.perf_counter()
    with_efficacy(inp, 1.0)  # the fine reference table: built, or loaded from the cache
    first = time.perf_counter() - start
    start = time.perf_counter()
    for e in np.linspace(0.0, 1.0, 101):
        with_efficacy(inp, float(e))
    per_value = (time.perf_counter() - start) / 101
    rows = {}
    for e in (0.25, 0.5, 0.75):
        TABLE_MEMO.clear()
        start = time.perf_counter()
        direct = DailyCircuit("anti_craving", EMAX_BAC_VTA=e,
                              EMAX_BAC_TONIC=TONIC_RATIO * e).tables
        built = time.perf_counter() - start
        got = with_efficacy(inp, e).circuit.tables
        rel = np.abs(got - direct) / (np.abs(direct) + 1e-3)
        rows[str(e)] = {"direct_build_or_cache_load_s": round(built, 2),
                        "max_rel_error": float(rel.max()),
                        "p99_rel_error": float(np.percentile(rel, 99))}
    record = {"fine_reference_first_call_s": round(first, 2),
              "per_efficacy_value_ms": round(1000 * per_value, 3), "direct": rows,
              "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                          "load_average": os.getloadavg()}}
    out = ROOT / "benchmarks" / "results" / "fit_trial_tables.json"
    out.write_text(json.dumps(record, indent=1))
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
