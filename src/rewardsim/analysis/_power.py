"""Power of each endpoint over replicate trials.

For every replicate the use-pattern words are rebuilt from the visits, every
endpoint is computed, and the treatment arm is compared with the reference arm:

* logical endpoints: difference in proportions, two-sided pooled z test, 95 %
  Wald interval (unpooled standard error);
* count, ratio and score endpoints: difference in means, Welch's t test and its
  95 % interval;
* survival endpoints: log hazard ratio (Peto, standard error ``1/sqrt(V)``) and the
  log-rank test;
* the primary GEE (missing = positive, exchangeable): log odds ratio, Wald test.

Power is the share of replicates with ``p < alpha``, with a 95 % Monte Carlo
interval (Wilson score interval for a binomial proportion over the replicates);
an endpoint "detects" the effect when that share is at least ``target`` (default
80 %) and the mean estimate favours the treatment arm.
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
from ._survival import logrank_peto
from ._words import use_pattern_words

__all__ = ["PowerResult", "compare_arms", "replicate_power", "wilson_interval"]

GEE_NAME = "GEE (missing = positive)"
_Z = float(stats.norm.ppf(0.975))
#: The effect measure of each endpoint kind.
MEASURES = {"logical": "risk difference", "count": "mean difference",
            "ratio": "mean difference", "score": "mean difference",
            "survival": "log hazard ratio"}  # fmt: skip


def wilson_interval(k: np.ndarray | float, n: np.ndarray | float, z: float = _Z):
    """Wilson score interval for ``k`` successes in ``n`` trials (Wilson 1927, JASA
    22:209-212, doi:10.1080/01621459.1927.10502953); returns ``(low, high)``."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # Clip the last-bit rounding at k = 0 or k = n (the exact limits are 0 and 1 there).
    return np.minimum(centre - half, p), np.maximum(centre + half, p)


@dataclass
class PowerResult:
    """Power over replicate trials.

    ``per_replicate``: replicate, endpoint, estimate, p_value, ...; ``summary``: per
    endpoint, ``power`` with its 95 % Monte Carlo interval ``power_low``/``power_high``;
    ``values``: every patient's endpoint values with ``replicate`` and ``arm`` (what
    :func:`rewardsim.analysis.power_curve` resamples).
    """

    per_replicate: pd.DataFrame
    summary: pd.DataFrame
    alpha: float
    target: float
    values: pd.DataFrame | None = None


def _two_proportion(x1: np.ndarray, x0: np.ndarray) -> tuple[float, float, float, float]:
    """Difference in proportions: (estimate, pooled-z p value, 95 % Wald low, high)."""
    p1, p0 = x1.mean(), x0.mean()
    diff = float(p1 - p0)
    pooled = (x1.sum() + x0.sum()) / (x1.size + x0.size)
    se = np.sqrt(pooled * (1 - pooled) * (1 / x1.size + 1 / x0.size))
    half = _Z * np.sqrt(p1 * (1 - p1) / x1.size + p0 * (1 - p0) / x0.size)
    if se == 0:
        return (diff, 1.0, diff - half, diff + half)
    return (diff, float(2 * stats.norm.sf(abs(diff) / se)), diff - half, diff + half)


def _welch(x1: np.ndarray, x0: np.ndarray) -> tuple[float, float, float, float]:
    """Difference in means: (estimate, Welch p value, 95 % low, high)."""
    x1, x0 = x1[~np.isnan(x1)], x0[~np.isnan(x0)]
    if x1.size < 2 or x0.size < 2:
        return (np.nan, np.nan, np.nan, np.nan)
    diff = float(x1.mean() - x0.mean())
    v1, v0 = x1.var(ddof=1) / x1.size, x0.var(ddof=1) / x0.size
    if v1 + v0 == 0:
        return (diff, 1.0 if diff == 0 else 0.0, diff, diff)
    dof = (v1 + v0) ** 2 / (v1**2 / (x1.size - 1) + v0**2 / (x0.size - 1))
    se = np.sqrt(v1 + v0)
    half = float(stats.t.ppf(0.975, dof) * se)
    return (diff, float(2 * stats.t.sf(abs(diff) / se, dof)), diff - half, diff + half)


def compare_arms(
    values: pd.DataFrame,
    arm: Sequence[str] | pd.Series,
    treatment: str,
    reference: str,
    endpoints: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Test each endpoint between two arms (see the module docstring for the tests).

    ``values`` is the output of :func:`compute_endpoints`; ``arm`` gives each row's arm.
    Returns one row per endpoint: ``endpoint``, ``measure`` (risk difference, mean
    difference or log hazard ratio; treatment minus reference), ``estimate``, its 95 %
    interval ``ci_low``/``ci_high``, ``p_value``, ``test``, ``favours_treatment``.
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
            est, se, p = logrank_peto(
                values[tc].to_numpy()[both], values[ec].to_numpy()[both], t[both]
            )
            lo, hi = est - _Z * se, est + _Z * se
            test, favours = "log-rank (log HR)", est < 0
        elif e.kind == "logical":
            x = values[e.name].to_numpy(dtype=float)
            est, p, lo, hi = _two_proportion(x[t], x[r])
            test, favours = "two-proportion z", (est > 0) == e.higher_is_better and est != 0
        else:
            x = values[e.name].to_numpy(dtype=float)
            est, p, lo, hi = _welch(x[t], x[r])
            test, favours = "Welch t", (est > 0) == e.higher_is_better and est != 0
        rows.append(
            {"endpoint": e.name, "measure": MEASURES[e.kind], "estimate": est,
             "ci_low": lo, "ci_high": hi, "p_value": p, "test": test,
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
    k = summary["power"] * summary["replicates"]
    summary["power_low"], summary["power_high"] = wilson_interval(k, summary["replicates"])
    summary["detects"] = (summary["power"] >= target) & (summary["share_favouring"] > 0.5)
    return PowerResult(per, summary, alpha, target, values)
