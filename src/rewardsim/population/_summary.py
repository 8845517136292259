"""Chunk summaries (sums by scenario, subgroup and output) and the table built from them.

A chunk is reduced to, per scenario ``s``, subgroup ``g`` and output ``m``: the number of
people, the sum and the sum of squares of the output, and the sum and sum of squares of the
person's difference from the status quo. Outputs are whole numbers, so these sums are exact
in float64 whatever the chunking or the order in which chunks are added: the summaries of a
run do not depend on the chunk size, the threads or the workers.

Monte Carlo intervals. A person's outputs are random (the day-to-day draws); people are
independent given their attributes. The population total of an output is ``T = sum y_i``
with ``Var T`` estimated by ``n s^2`` (``s`` the standard deviation between people in the
subgroup), and the 95 % interval is ``T +/- 1.96 sqrt(n s^2)``. Differences from the status
quo use each person's own difference ``d_i = y_i(scenario) - y_i(status quo)`` (common random
numbers: the same person with the same random numbers in every scenario), so their interval
is ``D +/- 1.96 sqrt(n s_d^2)``, much narrower than the two totals' intervals combined. These
intervals describe simulation noise for this population and these parameter values, not
uncertainty in the parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._layout import OUTPUTS
from ._tables import ATTRIBUTES

__all__ = ["GROUPS", "group_matrix", "reduce_chunk", "summary_table"]

#: Subgroups: everyone, then each level of each attribute.
GROUPS: tuple[tuple[str, str], ...] = (("all", "all"), *(
    (attr, level) for attr, levels in ATTRIBUTES.items() for level in levels))
_Z = 1.959963984540054


def group_matrix(codes: dict[str, np.ndarray]) -> np.ndarray:
    """Membership (people x :data:`GROUPS`, 0/1 float64) from attribute codes."""
    n = next(iter(codes.values())).shape[0]
    g = np.zeros((n, len(GROUPS)))
    g[:, 0] = 1.0
    j = 1
    for attr, levels in ATTRIBUTES.items():
        g[np.arange(n), j + codes[attr].astype(np.int64)] = 1.0
        j += len(levels)
    return g


def reduce_chunk(groups: np.ndarray, outputs: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Sums of one chunk: ``outputs[s]`` is (people x OUTPUTS) for scenario ``s`` (0: the
    status quo). Returns arrays n (groups), sum, sumsq, dsum, dsumsq (scenarios x groups x
    outputs)."""
    base = outputs[0]
    gt = groups.T
    res = {"n": groups.sum(axis=0)}
    res["sum"] = np.stack([gt @ y for y in outputs])
    res["sumsq"] = np.stack([gt @ (y * y) for y in outputs])
    diffs = [y - base for y in outputs]
    res["dsum"] = np.stack([gt @ d for d in diffs])
    res["dsumsq"] = np.stack([gt @ (d * d) for d in diffs])
    return res


def add(a: dict[str, np.ndarray] | None, b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Element-wise sum of two chunk summaries."""
    if a is None:
        return {k: v.copy() for k, v in b.items()}
    return {k: a[k] + b[k] for k in a}


def _sd(n: np.ndarray, s: np.ndarray, ss: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (ss - s * s / n) / (n - 1.0)
    return np.sqrt(np.clip(np.nan_to_num(var, nan=0.0), 0.0, None))


def summary_table(sums: dict[str, np.ndarray], scenarios: list[str]) -> pd.DataFrame:
    """One row per scenario, subgroup and output: totals, means and differences from the
    status quo with 95 % Monte Carlo intervals (see the module docstring)."""
    n = sums["n"]
    rows = []
    for s, scen in enumerate(scenarios):
        for g, (attr, level) in enumerate(GROUPS):
            ng = float(n[g])
            for m, name in enumerate(OUTPUTS):
                tot = float(sums["sum"][s, g, m])
                sd = float(_sd(ng, tot, sums["sumsq"][s, g, m])) if ng > 1 else 0.0
                dtot = float(sums["dsum"][s, g, m])
                dsd = float(_sd(ng, dtot, sums["dsumsq"][s, g, m])) if ng > 1 else 0.0
                half = _Z * np.sqrt(ng) * sd
                dhalf = _Z * np.sqrt(ng) * dsd
                mean = tot / ng if ng else np.nan
                rows.append({
                    "scenario": scen, "group": attr, "level": level, "output": name,
                    "n": int(ng), "total": tot, "total_low": tot - half,
                    "total_high": tot + half, "mean": mean, "sd": sd,
                    "diff_total": dtot, "diff_low": dtot - dhalf, "diff_high": dtot + dhalf,
                    "diff_mean": dtot / ng if ng else np.nan,
                })  # fmt: skip
    return pd.DataFrame(rows)
