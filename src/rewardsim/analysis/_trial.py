"""Everything the trial report shows, computed once from a run folder.

:func:`analyse_run` takes one replicate as "the trial" (by default the first)
and all replicates for the power tables; :mod:`rewardsim.report` only renders the
resulting :class:`TrialAnalysis`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisInputError
from ._endpoints import ENDPOINTS, compute_endpoints, get_endpoints
from ._mixed import fit_mixed, subgroup_analysis
from ._power import PowerResult, compare_arms, replicate_power, wilson_interval
from ._power_curve import power_curve
from ._run import RunData, load_run
from ._stats import ModelResult, fit_gee, gee_sensitivity
from ._survival import RetentionResult, retention
from ._words import use_pattern_words

__all__ = ["TrialAnalysis", "analyse_run", "select_endpoints"]

#: Rating scales of the run-folder ``visits`` table: column -> (label, range).
RATING_SCALES = {"craving": ("Craving, BSCS", (0, 12)), "anxiety": ("Anxiety, HAM-A", (0, 56))}


def select_endpoints(choice: str | Sequence[str], substance: str) -> list[str]:
    """Endpoint names for ``choice``: ``"substance"`` (those defined in trials of the
    trial's substance), ``"all"``, or explicit names."""
    if isinstance(choice, str) and choice == "all":
        return list(ENDPOINTS)
    if isinstance(choice, str) and choice == "substance":
        names = [e.name for e in ENDPOINTS.values() if e.substance == substance]
        if not names:
            raise AnalysisInputError(
                f"No endpoint in the library is defined for substance {substance!r}; "
                f"give endpoints='all' or names."
            )
        return names
    names = [choice] if isinstance(choice, str) else list(choice)
    return [e.name for e in get_endpoints(names)]


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
    #: The trial's substance and the endpoints shown (see :func:`select_endpoints`).
    substance: str = "cocaine"
    endpoint_names: list[str] = field(default_factory=list)
    #: Screening totals: assessed for eligibility, excluded, randomised (None if the run
    #: does not record screening).
    screening: dict[str, int] | None = None
    #: Power against patients per arm from resampled replicates (None: one replicate).
    power_curve: pd.DataFrame | None = None


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


def _screening(subjects: pd.DataFrame) -> dict[str, int] | None:
    if "screened" not in subjects.columns:
        return None
    assessed = int(subjects["screened"].sum())
    return {"assessed": assessed, "excluded": assessed - len(subjects),
            "randomised": len(subjects)}  # fmt: skip


def _urine_by_week(visits: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    v = visits[(visits["week"] >= 1) & visits["kind"].astype(str).str.contains("urine")]
    res = v["urine_positive"].to_numpy(dtype=float)
    v = v.assign(_neg=res < 0.5, _obs=~np.isnan(res))
    g = v.groupby(["arm", "week"], observed=True).agg(
        scheduled=("_neg", "size"), provided=("_obs", "sum"), negative=("_neg", "sum")
    )
    g = g.reset_index()
    g["negative_missing_positive"] = g["negative"] / g["scheduled"]
    g["negative_of_provided"] = g["negative"] / g["provided"].where(g["provided"] > 0)
    # 95 % Wilson intervals of both proportions (urines as independent, as the plot shows).
    g["nmp_low"], g["nmp_high"] = wilson_interval(g["negative"], g["scheduled"])
    g["nop_low"], g["nop_high"] = wilson_interval(g["negative"], g["provided"])
    g["arm"] = pd.Categorical(g["arm"], categories=arms, ordered=True)
    return g.sort_values(["arm", "week"]).reset_index(drop=True)


def _summarise_endpoints(
    values: pd.DataFrame, arm: np.ndarray, arms: list[str], names: list[str]
) -> pd.DataFrame:
    tests = compare_arms(values, arm, arms[1], arms[0], names).set_index("endpoint")
    rows = []
    for e in get_endpoints(names):
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
        for key in ("measure", "estimate", "ci_low", "ci_high", "p_value", "test"):
            row[key] = tests.loc[e.name, key]
        row["substance"] = e.substance
        row["constant"] = constant
        rows.append(row)
    return pd.DataFrame(rows)


def _ratings_by_week(visits: pd.DataFrame, outcome: str) -> pd.DataFrame:
    v = visits[visits[outcome].notna()]
    g = v.groupby(["arm", "week"])[outcome].agg(["mean", "std", "count"]).reset_index()
    g["se"] = g["std"] / np.sqrt(g["count"].where(g["count"] > 0))
    # 95 % t interval of the weekly mean.
    t = stats.t.ppf(0.975, (g["count"] - 1).where(g["count"] > 1))
    g["ci_low"], g["ci_high"] = g["mean"] - t * g["se"], g["mean"] + t * g["se"]
    return g


def analyse_run(
    run: RunData | str | Path,
    *,
    replicate: int | None = None,
    power_replicates: int | None = 200,
    imputations: int = 10,
    seed: int = 0,
    endpoints: str | Sequence[str] = "substance",
    curve_trials: int = 200,
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
        Seed for the multiple imputation and the power-curve resampling.
    endpoints
        ``"substance"`` (default: the endpoints defined in trials of the run's substance,
        ``design.substance``, cocaine unless stated), ``"all"`` or a list of names.
    curve_trials
        Resampled trials per size for the power curve (0: no curve).
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
    substance = str(data.design.get("substance", "cocaine"))
    names = select_endpoints(endpoints, substance)
    words = use_pattern_words(visits, weeks=data.weeks)
    values = compute_endpoints(words, endpoints=names)
    summary = _summarise_endpoints(values, words["arm"].to_numpy(), arms[:2], names)
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
    except AnalysisInputError as exc:
        notes.append(f"GEE not estimable: {exc}")
    if gee is not None:
        try:  # a subgroup may hold a single arm or no positive urine
            subgroups = subgroup_analysis(visits, subjects, arms)
        except AnalysisInputError as exc:
            notes.append(f"GEE subgroups not estimable: {exc}")
    power, curve = None, None
    if len(data.replicates) > 1:
        power = replicate_power(
            data.visits, arms, weeks=data.weeks, endpoints=names,
            max_replicates=power_replicates,
        )  # fmt: skip
        if curve_trials > 0 and power.values is not None:
            curve = power_curve(power.values, arms[1], arms[0], endpoints=names,
                                trials=curve_trials, seed=seed)  # fmt: skip
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
        substance=substance,
        endpoint_names=names,
        screening=_screening(subjects),
        power_curve=curve,
    )
