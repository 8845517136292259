"""Everything the trial report shows, computed once from a run folder.

:func:`analyse_run` takes one replicate as "the trial" (by default the first)
and all replicates for the power tables; :mod:`rewardsim.report` only renders the
resulting :class:`TrialAnalysis`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisInputError
from ._endpoints import compute_endpoints, get_endpoints
from ._mixed import fit_mixed, subgroup_analysis
from ._power import PowerResult, compare_arms, replicate_power
from ._run import RunData, load_run
from ._stats import ModelResult, fit_gee, gee_sensitivity
from ._survival import RetentionResult, retention
from ._words import use_pattern_words

__all__ = ["TrialAnalysis", "analyse_run"]


@dataclass
class TrialAnalysis:
    """Result tables for one replicate of a run, plus power over all replicates."""

    run: RunData
    replicate: int
    arms: list[str]
    weeks: int
    flow: pd.DataFrame
    urine_by_week: pd.DataFrame
    gee: ModelResult | None
    gee_sensitivity: pd.DataFrame | None
    words: pd.DataFrame
    endpoint_summary: pd.DataFrame
    retention: RetentionResult
    ratings: dict[str, tuple[pd.DataFrame, ModelResult | None]]
    subgroups: pd.DataFrame | None
    power: PowerResult | None
    notes: list[str] = field(default_factory=list)


def _flow(subjects: pd.DataFrame, visits: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    treat = visits[(visits["week"] >= 1) & visits["attended"].astype(bool)]
    started = set(treat["id"])
    rows = []
    for a in arms:
        s = subjects[subjects["arm"] == a]
        dropped = s[~s["completed"].astype(bool)]
        rows.append(
            {
                "arm": a,
                "randomised": len(s),
                "attended a treatment visit": int(s["id"].isin(started).sum()),
                "dropped out": len(dropped),
                "median dropout day": float(dropped["dropout_day"].median())
                if len(dropped)
                else np.nan,
                "completed": int(s["completed"].astype(bool).sum()),
                "analysed (intention to treat)": len(s),
            }
        )
    return pd.DataFrame(rows)


def _urine_by_week(visits: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    v = visits[(visits["week"] >= 1) & visits["kind"].astype(str).str.contains("urine")]
    res = v["urine_positive"].to_numpy(dtype=float)
    v = v.assign(_neg=res < 0.5, _obs=~np.isnan(res))
    g = v.groupby(["arm", "week"]).agg(
        scheduled=("_neg", "size"), provided=("_obs", "sum"), negative=("_neg", "sum")
    )
    g = g.reset_index()
    g["negative_missing_positive"] = g["negative"] / g["scheduled"]
    g["negative_of_provided"] = g["negative"] / g["provided"].where(g["provided"] > 0)
    g["arm"] = pd.Categorical(g["arm"], categories=arms, ordered=True)
    return g.sort_values(["arm", "week"]).reset_index(drop=True)


def _summarise_endpoints(values: pd.DataFrame, arm: np.ndarray, arms: list[str]) -> pd.DataFrame:
    tests = compare_arms(values, arm, arms[1], arms[0]).set_index("endpoint")
    rows = []
    for e in get_endpoints():
        row = {
            "endpoint": e.name, "group": e.group, "kind": e.kind, "definition": e.definition,
            "missing": e.missing, "citation": e.citation.short, "doi": e.citation.doi,
        }  # fmt: skip
        for a in arms:
            sel = arm == a
            if e.kind == "survival":
                t = values.loc[sel, e.columns[0]].dropna()
                events = int(values.loc[sel, e.columns[1]].fillna(0).sum())
                row[a] = f"{events} events; mean time {t.mean():.1f}" if len(t) else "n/a"
            elif e.kind == "logical":
                row[a] = f"{100 * values.loc[sel, e.name].mean():.0f}%"
            else:
                x = values.loc[sel, e.name].astype(float)
                row[a] = f"{x.mean():.2f} (SD {x.std(ddof=1):.2f})"
        constant = all(values[c].nunique(dropna=False) <= 1 for c in e.columns)
        row["estimate"] = tests.loc[e.name, "estimate"]
        row["p_value"] = tests.loc[e.name, "p_value"]
        row["test"] = tests.loc[e.name, "test"]
        row["constant"] = constant
        rows.append(row)
    return pd.DataFrame(rows)


def _ratings_by_week(visits: pd.DataFrame, outcome: str) -> pd.DataFrame:
    v = visits[visits[outcome].notna()]
    g = v.groupby(["arm", "week"])[outcome].agg(["mean", "std", "count"]).reset_index()
    g["se"] = g["std"] / np.sqrt(g["count"].where(g["count"] > 0))
    return g


def analyse_run(
    run: RunData | str | Path,
    *,
    replicate: int | None = None,
    power_replicates: int | None = 200,
    imputations: int = 10,
    seed: int = 0,
) -> TrialAnalysis:
    """Compute every table the report shows.

    Parameters
    ----------
    run
        A loaded run or its folder.
    replicate
        The replicate reported as "the trial" (default: the first).
    power_replicates
        At most this many replicates enter the power table (None: all); no power
        table when the run has a single replicate.
    imputations
        Number of multiple imputations in the sensitivity analysis.
    seed
        Seed for the multiple imputation.
    """
    data = run if isinstance(run, RunData) else load_run(run)
    arms = data.arms
    if len(arms) < 2:
        raise AnalysisInputError(f"A trial report needs at least two arms; the design has {arms}.")
    rep = data.replicates[0] if replicate is None else replicate
    if rep not in data.replicates:
        raise AnalysisInputError(f"Replicate {rep} is not in the run; it has {data.replicates}.")
    subjects = data.subjects[data.subjects["replicate"] == rep]
    visits = data.visits[data.visits["replicate"] == rep]
    notes = []
    if len(arms) > 2:
        notes.append(
            f"Pairwise comparisons are {arms[1]} vs {arms[0]}; other arms are described only."
        )
    words = use_pattern_words(visits, weeks=data.weeks)
    values = compute_endpoints(words)
    summary = _summarise_endpoints(values, words["arm"].to_numpy(), arms[:2])
    ratings: dict[str, tuple[pd.DataFrame, ModelResult | None]] = {}
    for outcome in ("craving", "anxiety"):
        by_week = _ratings_by_week(visits, outcome)
        try:
            model: ModelResult | None = fit_mixed(visits, arms, outcome)
        except AnalysisInputError as exc:
            model = None
            notes.append(f"No mixed model for {outcome}: {exc}")
        ratings[outcome] = (by_week, model)
    gee, sensitivity, subgroups = None, None, None
    try:  # a trial where every urine is negative (or positive) has no GEE estimate
        gee = fit_gee(visits, arms)
        sensitivity = gee_sensitivity(visits, arms, subjects, m=imputations, seed=seed)
        subgroups = subgroup_analysis(visits, subjects, arms)
    except AnalysisInputError as exc:
        notes.append(f"GEE not estimable: {exc}")
    power = None
    if len(data.replicates) > 1:
        power = replicate_power(
            data.visits, arms, weeks=data.weeks, max_replicates=power_replicates
        )
    return TrialAnalysis(
        run=data,
        replicate=rep,
        arms=arms,
        weeks=data.weeks,
        flow=_flow(subjects, visits, arms),
        urine_by_week=_urine_by_week(visits, arms),
        gee=gee,
        gee_sensitivity=sensitivity,
        words=words,
        endpoint_summary=summary,
        retention=retention(subjects, arms, data.weeks),
        ratings=ratings,
        subgroups=subgroups,
        power=power,
        notes=notes,
    )
