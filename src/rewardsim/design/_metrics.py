"""From the decisions of every simulated trial to the figures of each design and rule.

For truth ``h`` and ``R`` replicates: the probability of naming the true hypothesis
``p_h`` (the confusion matrix's diagonal over ``R``), the probability of misleading
evidence ``m_h`` (a wrong hypothesis named on strong evidence) and the power of the urine
analysis, each a binomial proportion with Monte Carlo SE ``sqrt(p (1 - p) / R)``. A
design's correct classification is the mean of ``p_h`` over the ``H`` hypotheses (equal
prior weight; its SE ``sqrt(sum p_h (1 - p_h) / R) / H``, the hypotheses' replicates being
independent); a rule that ignores the data scores ``1/H`` (chance) whatever it names.

The ranking orders designs by their best rule's gain over chance per unit cost,
``(p - 1/H) / cost``, and says what limits each.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["binomial", "confusion_rows", "limits", "ranking", "summary_rows"]

Z95 = 1.959963984540054


def binomial(k: np.ndarray | float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Proportion and its Monte Carlo SE."""
    p = np.asarray(k, dtype=float) / n
    return p, np.sqrt(p * (1.0 - p) / n)


def summary_rows(design: str, rule: str, named: np.ndarray, strong: np.ndarray,
                 labels: list[str]) -> dict[str, float]:
    """Figures of one design and rule from ``named``/``strong`` (hypotheses, replicates)."""
    H, R = named.shape
    truth = np.arange(H)[:, None]
    p, se = binomial(np.sum(named == truth, axis=1), R)
    m, se_m = binomial(np.sum((named != truth) & strong, axis=1), R)
    row: dict[str, float] = {
        "design": design, "rule": rule,  # type: ignore[dict-item]
        "p_correct": float(p.mean()), "se_correct": float(np.sqrt(np.sum(se**2)) / H),
        "p_misleading": float(m.mean()), "se_misleading": float(np.sqrt(np.sum(se_m**2)) / H),
        "chance": 1.0 / H,
    }
    for h, lab in enumerate(labels):
        row[f"p_correct[{lab}]"] = float(p[h])
        row[f"se_correct[{lab}]"] = float(se[h])
        row[f"p_misleading[{lab}]"] = float(m[h])
    return row


def confusion_rows(design: str, rule: str, named: np.ndarray, labels: list[str]
                   ) -> list[dict[str, object]]:
    H, R = named.shape
    rows = []
    for h in range(H):
        counts = np.bincount(named[h], minlength=H)
        for k in range(H):
            rows.append({"design": design, "rule": rule, "truth": labels[h],
                         "named": labels[k], "count": int(counts[k]),
                         "share": float(counts[k] / R)})
    return rows


def limits(perf: pd.Series, conf: pd.DataFrame, power: float, missing: list[str],
           labels: list[str]) -> str:
    """What limits a design (its best rule's figures): a few short phrases."""
    out = []
    gain = perf["p_correct"] - perf["chance"]
    if gain <= 2.0 * perf["se_correct"]:
        out.append("at chance (within 2 MC SE)")
    off = conf[conf["truth"] != conf["named"]].sort_values("share", ascending=False)
    if len(off):
        top = off.iloc[0]
        if top["share"] >= 0.2:
            out.append(f"takes {top['truth']} for {top['named']} in "
                       f"{100 * top['share']:.0f} %")
    if perf["p_misleading"] >= 0.05:
        out.append(f"misleading evidence {100 * perf['p_misleading']:.0f} %")
    if np.isfinite(power) and power < 0.5:
        out.append(f"urine effect power {100 * power:.0f} %")
    out.extend(missing)
    return "; ".join(out) or "none found"


def ranking(designs: pd.DataFrame, performance: pd.DataFrame) -> pd.DataFrame:
    """Designs by gain over chance per unit cost (best rule of each)."""
    best = (performance.sort_values(["design", "p_correct"], ascending=[True, False],
                                    kind="stable")
            .groupby("design", sort=False).head(1).set_index("design"))
    rows = []
    for _, d in designs.iterrows():
        b = best.loc[d["id"]]
        gain = b["p_correct"] - b["chance"]
        cost = d["cost"]
        rows.append({"design": d["id"], "name": d["name"], "rule": b["rule"],
                     "p_correct": b["p_correct"], "se_correct": b["se_correct"],
                     "chance": b["chance"], "p_misleading": b["p_misleading"],
                     "cost": cost,
                     "gain_per_million": gain / cost * 1e6 if cost > 0 else math.nan})
    df = pd.DataFrame(rows)
    key = df["gain_per_million"] if df["cost"].gt(0).all() else df["p_correct"] - df["chance"]
    df = df.assign(_k=key.to_numpy()).sort_values("_k", ascending=False, kind="stable")
    df = df.drop(columns="_k").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df


def frontier(cost: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Designs on the cost frontier: no other is cheaper (or as cheap) and better."""
    on = np.ones(cost.size, dtype=bool)
    for i in range(cost.size):
        better = (cost <= cost[i]) & (p > p[i])
        on[i] = not better.any()
    return on
