"""Power of each endpoint over replicate trials.

For every replicate the use-pattern words are rebuilt from the visits, every
endpoint is computed, and the treatment arm is compared with the reference arm:

* logical endpoints: difference in proportions, two-sided pooled z test;
* count, ratio and score endpoints: difference in means, Welch's t test;
* survival endpoints: log hazard ratio (Peto) and the log-rank test;
* the primary GEE (missing = positive, exchangeable): log odds ratio, Wald test.

Power is the share of replicates with ``p < alpha``; an endpoint "detects" the
effect when that share is at least ``target`` (default 80 %) and the mean
estimate favours the treatment arm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisInputError
from ._endpoints import compute_endpoints, get_endpoints
from ._stats import fit_gee
from ._survival import logrank_two_group
from ._words import use_pattern_words

__all__ = ["PowerResult", "compare_arms", "replicate_power"]

GEE_NAME = "GEE (missing = positive)"


@dataclass
class PowerResult:
    """``per_replicate`` (replicate, endpoint, estimate, p_value) and ``summary`` per endpoint."""

    per_replicate: pd.DataFrame
    summary: pd.DataFrame
    alpha: float
    target: float


def _two_proportion(x1: np.ndarray, x0: np.ndarray) -> tuple[float, float]:
    p1, p0 = x1.mean(), x0.mean()
    pooled = (x1.sum() + x0.sum()) / (x1.size + x0.size)
    se = np.sqrt(pooled * (1 - pooled) * (1 / x1.size + 1 / x0.size))
    if se == 0:
        return (float(p1 - p0), 1.0)
    return (float(p1 - p0), float(2 * stats.norm.sf(abs(p1 - p0) / se)))


def _welch(x1: np.ndarray, x0: np.ndarray) -> tuple[float, float]:
    x1, x0 = x1[~np.isnan(x1)], x0[~np.isnan(x0)]
    if x1.size < 2 or x0.size < 2:
        return (np.nan, np.nan)
    diff = float(x1.mean() - x0.mean())
    v1, v0 = x1.var(ddof=1) / x1.size, x0.var(ddof=1) / x0.size
    if v1 + v0 == 0:
        return (diff, 1.0 if diff == 0 else 0.0)
    dof = (v1 + v0) ** 2 / (v1**2 / (x1.size - 1) + v0**2 / (x0.size - 1))
    return (diff, float(2 * stats.t.sf(abs(diff) / np.sqrt(v1 + v0), dof)))


def compare_arms(
    values: pd.DataFrame,
    arm: Sequence[str] | pd.Series,
    treatment: str,
    reference: str,
    endpoints: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Test each endpoint between two arms (see the module docstring for the tests).

    ``values`` is the output of :func:`compute_endpoints`; ``arm`` gives each row's arm.
    Returns one row per endpoint: ``endpoint``, ``estimate``, ``p_value``, ``test``,
    ``favours_treatment``.
    """
    arm = np.asarray(arm, dtype=object)
    t, r = arm == treatment, arm == reference
    if not t.any() or not r.any():
        raise AnalysisInputError(
            f"Need participants in arms {treatment!r} and {reference!r}; got {sorted(set(arm))}."
        )
    rows = []
    for e in get_endpoints(endpoints):
        if e.kind == "survival":
            tc, ec = e.columns
            both = t | r
            est, p = logrank_two_group(
                values[tc].to_numpy()[both], values[ec].to_numpy()[both], t[both]
            )
            test, favours = "log-rank (log HR)", est < 0
        elif e.kind == "logical":
            x = values[e.name].to_numpy(dtype=float)
            est, p = _two_proportion(x[t], x[r])
            test, favours = "two-proportion z", (est > 0) == e.higher_is_better and est != 0
        else:
            x = values[e.name].to_numpy(dtype=float)
            est, p = _welch(x[t], x[r])
            test, favours = "Welch t", (est > 0) == e.higher_is_better and est != 0
        rows.append(
            {"endpoint": e.name, "estimate": est, "p_value": p, "test": test,
             "favours_treatment": bool(favours)}
        )  # fmt: skip
    return pd.DataFrame(rows)


def replicate_power(
    visits: pd.DataFrame,
    arms: Sequence[str],
    *,
    treatment: str | None = None,
    weeks: int | None = None,
    endpoints: Iterable[str] | None = None,
    include_gee: bool = True,
    alpha: float = 0.05,
    target: float = 0.8,
    max_replicates: int | None = None,
) -> PowerResult:
    """Power per endpoint over the replicates in ``visits``.

    Parameters
    ----------
    visits
        Visit table with a ``replicate`` column (run-folder schema).
    arms
        Arm names; the first is the reference.
    treatment
        The arm compared with the reference (default: the second arm).
    endpoints
        Endpoint names (default: all).
    include_gee
        Also fit the primary GEE in each replicate.
    max_replicates
        Use only the first replicates (in order) to bound the run time.
    """
    if not 0 < alpha < 1:
        raise AnalysisInputError(f"The 'alpha' parameter must be in (0, 1). Got {alpha!r}.")
    reference = arms[0]
    treatment = treatment or (arms[1] if len(arms) > 1 else None)
    if treatment is None or treatment not in arms:
        raise AnalysisInputError(
            f"The 'treatment' arm must be one of {list(arms)}; got {treatment!r}."
        )
    names = [e.name for e in get_endpoints(endpoints)]
    reps = sorted(visits["replicate"].unique()) if "replicate" in visits else [0]
    if max_replicates is not None:
        reps = reps[:max_replicates]
    pair = visits[visits["arm"].isin([reference, treatment])]
    words = use_pattern_words(pair[pair["replicate"].isin(reps)], weeks=weeks)
    values = compute_endpoints(words, who=None, endpoints=names)
    values["replicate"] = words["replicate"].to_numpy()
    values["arm"] = words["arm"].to_numpy()
    rows = []
    for rep in reps:
        sel = values["replicate"] == rep
        res = compare_arms(values[sel], values.loc[sel, "arm"], treatment, reference, names)
        res.insert(0, "replicate", rep)
        rows.append(res)
        if include_gee:
            v = pair[pair["replicate"] == rep]
            try:
                g = fit_gee(v, [reference, treatment]).term()
                est, p = float(g["estimate"]), float(g["p_value"])
            except AnalysisInputError:
                est, p = np.nan, np.nan
            rows.append(pd.DataFrame([{
                "replicate": rep, "endpoint": GEE_NAME, "estimate": est, "p_value": p,
                "test": "GEE Wald (log OR)", "favours_treatment": bool(est < 0),
            }]))  # fmt: skip
    per = pd.concat(rows, ignore_index=True)
    per["significant"] = per["p_value"] < alpha
    summary = (
        per.groupby("endpoint", sort=False)
        .agg(
            replicates=("p_value", "size"),
            power=("significant", "mean"),
            mean_estimate=("estimate", "mean"),
            share_favouring=("favours_treatment", "mean"),
            test=("test", "first"),
        )
        .reset_index()
    )
    summary["detects"] = (summary["power"] >= target) & (summary["share_favouring"] > 0.5)
    return PowerResult(per, summary, alpha, target)
