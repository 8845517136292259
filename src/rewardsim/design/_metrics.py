"""From the decisions of every simulated trial to the figures of each design and rule.

For truth ``h`` and ``R`` replicates: the probability of naming the true hypothesis
``p_h`` (the confusion matrix's diagonal over ``R``), the probability of misleading
evidence ``m_h`` (a wrong hypothesis named on strong evidence) and the power of the urine
analysis, each a binomial proportion with Monte Carlo SE ``sqrt(p (1 - p) / R)``. A
design's correct classification is the mean of ``p_h`` over the ``H`` hypotheses (equal
prior weight; its SE ``sqrt(sum p_h (1 - p_h) / R) / H``, the hypotheses' replicates being
independent); a rule that ignores the data scores ``1/H`` (chance) whatever it names.

The ranking orders designs by their best rule's gain over chance per unit cost,
``(p - 1/H) / cost``, and says what limits each. :func:`assemble` gathers the tasks'
decisions into these tables (and makes the model-based rule's decisions, which need every
replicate).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._likelihood import classify
from ._space import DesignSpace, n_grid

if TYPE_CHECKING:
    from ._run import DiscriminationResult

__all__ = ["assemble", "binomial", "confusion_rows", "limits", "ranking", "summary_rows"]

_SL = "synthetic_likelihood"

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


def _missing(space: DesignSpace, d: int) -> list[str]:
    p = space.designs[d]
    m = space.measure_sets[p.measures]
    return [f"no {s} scale" for s in ("craving", "anxiety") if s not in m.scales]


def assemble(space: DesignSpace, rules: list[str], tasks: list[tuple[int, int, int]],
             results: dict[tuple[int, int], dict[str, Any]], version: str
             ) -> DiscriminationResult:
    """The figures of every design and rule from the tasks' results (the model-based
    rule's decisions are made here, from every replicate's summaries)."""
    from ._run import DiscriminationResult

    H, R = len(space.hypotheses), space.spec.replicates
    labels = space.labels
    perf_rows: list[dict[str, Any]] = []
    conf_rows: list[dict[str, Any]] = []
    curve_rows: list[dict[str, Any]] = []
    power_rows: list[dict[str, Any]] = []
    design_rows: list[dict[str, Any]] = []
    cost = space.spec.cost
    for d, p in enumerate(space.designs):
        grid = n_grid(space, p)
        G, K = len(grid), len(rules)
        dec = np.full((G, K, H, R), -1, dtype=np.int64)
        strong = np.zeros((G, K, H, R), dtype=bool)
        z = np.zeros((G, H, R))
        scr = np.zeros((G, H, R))
        summ = [[None] * H for _ in range(G)]
        parts: dict[tuple[int, int], list[np.ndarray]] = {}
        for h, lo, hi in tasks:
            o = results[(h, lo)]["designs"][d]
            dec[:, :, h, lo:hi] = o["dec"].transpose(1, 2, 0)
            strong[:, :, h, lo:hi] = o["strong"].transpose(1, 2, 0)
            z[:, h, lo:hi] = o["z"].T
            scr[:, h, lo:hi] = o["screened"].T
            for j in range(G):
                parts.setdefault((j, h), []).append(o["summ"][j])
        for j in range(G):
            for h in range(H):
                summ[j][h] = np.concatenate(parts[(j, h)])
        if _SL in rules:
            k = rules.index(_SL)
            for j in range(G):
                dec[j, k], strong[j, k] = classify(summ[j], space.spec.likelihood_ratio)
        full = G - 1
        power, se_power = binomial(np.sum(z[full] >= Z95, axis=1), R)
        screened = float(scr[full].mean())
        screening = cost.per_screened * screened
        for j, n in enumerate(grid):
            pw, pse = binomial(np.sum(z[j] >= Z95, axis=1), R)
            for h, lab in enumerate(labels):
                power_rows.append({"design": p.id, "truth": lab, "n_per_arm": n,
                                   "power": float(pw[h]), "se": float(pse[h])})
            curve_rows.append({"design": p.id, "rule": "urine power", "n_per_arm": n,
                               "p": float(pw.mean()), "se": float(np.sqrt(np.sum(pse**2)) / H)})
            for k, rule in enumerate(rules):
                if dec[j, k, 0, 0] < 0:
                    continue
                s = summary_rows(p.id, rule, dec[j, k], strong[j, k], labels)
                curve_rows.append({"design": p.id, "rule": rule, "n_per_arm": n,
                                   "p": s["p_correct"], "se": s["se_correct"]})
        for k, rule in enumerate(rules):
            if dec[full, k, 0, 0] < 0:
                continue
            perf_rows.append(summary_rows(p.id, rule, dec[full, k], strong[full, k], labels))
            conf_rows.extend(confusion_rows(p.id, rule, dec[full, k], labels))
        row = {"id": p.id, "name": p.name, "arms": " + ".join(p.arms),
               "n_per_arm": p.n_per_arm, "n_total": p.n_total, "weeks": p.weeks,
               "enrichment": p.enrichment, "measures": p.measures,
               "scales": ", ".join(space.measure_sets[p.measures].scales) or "none",
               "planned_cost": p.planned_cost, "screened_per_trial": screened,
               "screening_cost": screening, "cost": p.planned_cost + screening,
               "power_urine": float(power.mean()),
               "se_power_urine": float(np.sqrt(np.sum(se_power**2)) / H)}
        for h, lab in enumerate(labels):
            row[f"power_urine[{lab}]"] = float(power[h])
        design_rows.append(row)
    designs = pd.DataFrame(design_rows)
    performance = pd.DataFrame(perf_rows)
    confusion = pd.DataFrame(conf_rows)
    rank = ranking(designs, performance)
    on = frontier(rank["cost"].to_numpy(), rank["p_correct"].to_numpy())
    rank["frontier"] = on
    lim = []
    for _, r in rank.iterrows():
        d = int(designs.index[designs["id"] == r["design"]][0])
        perf = performance[(performance["design"] == r["design"])
                           & (performance["rule"] == r["rule"])].iloc[0]
        conf = confusion[(confusion["design"] == r["design"]) & (confusion["rule"] == r["rule"])]
        lim.append(limits(perf, conf, designs.loc[d, "power_urine"], _missing(space, d), labels))
    rank["limits"] = lim
    manifest = {
        "kind": "rewardsim-discriminate-1", "rewardsim_version": version,
        "space_hash": space.space_hash(version), "name": space.spec.name,
        "seed": space.seed, "replicates": R, "alpha": space.spec.alpha,
        "likelihood_ratio": space.spec.likelihood_ratio, "rules": rules,
        "cost_unit": cost.unit,
        "hypotheses": [_hypothesis_record(space, h) for h in range(H)],
        "designs": [{"id": p.id, "name": p.name, "levels": p.levels,
                     "n_grid": n_grid(space, p), "trial": p.trial.model_dump(mode="json")}
                    for p in space.designs],
        "space": space.spec.model_dump(mode="json"),
    }  # fmt: skip
    return DiscriminationResult(
        space=space, designs=designs, performance=performance, confusion=confusion,
        curves=pd.DataFrame(curve_rows), power=pd.DataFrame(power_rows), ranking=rank,
        manifest=manifest)


def _hypothesis_record(space: DesignSpace, h: int) -> dict[str, Any]:
    spec = space.hypotheses[h]
    draws = spec.draws(space.spec.replicates, space.seed)
    rec: dict[str, Any] = {"label": spec.label, "mechanism": spec.mechanism,
                           "efficacy": spec.describe(), "overrides": spec.overrides}
    for j, k in enumerate(("e_craving", "e_anxiety")):
        x = draws[:, j]
        rec[k] = {"mean": float(x.mean()), "sd": float(x.std(ddof=1)) if x.size > 1 else 0.0,
                  "min": float(x.min()), "max": float(x.max())}
    return rec
