"""Power against sample size, by resampling the patients of replicate trials.

Every replicate of a run is an independent trial drawn from the same virtual
population, so the patients of all replicates together are a sample of that
population, arm by arm. A trial of ``n`` patients per arm is drawn by sampling ``n``
patients of each arm without replacement from that pool; repeated ``trials`` times
per size, the share of trials with ``p < alpha`` estimates the power at ``n``, and the
Wilson score interval over the trials is its 95 % Monte Carlo interval. Sizes above
the pool of an arm are not drawn. The tests are those of :func:`compare_arms`
(pooled z, Welch t, log-rank); the interval covers Monte Carlo error given the pool,
not the pool's own sampling error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisInputError
from ._endpoints import get_endpoints
from ._power import wilson_interval
from ._survival import logrank_peto

__all__ = ["power_curve", "default_sizes"]


def default_sizes(n_per_arm: int, pool: int) -> list[int]:
    """Sizes per arm from half to four times the run's, as far as the pool allows."""
    sizes = {max(5, round(f * n_per_arm)) for f in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)}
    return sorted(s for s in sizes if s <= pool)


def _p_logical(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pooled two-proportion z test per row (trials x patients)."""
    p1, p0 = a.mean(axis=1), b.mean(axis=1)
    pooled = (a.sum(axis=1) + b.sum(axis=1)) / (a.shape[1] + b.shape[1])
    se = np.sqrt(pooled * (1 - pooled) * (1 / a.shape[1] + 1 / b.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 2 * stats.norm.sf(np.abs(p1 - p0) / se)
    return np.where(se == 0, 1.0, p)


def _p_welch(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Welch t test per row, NaN values left out."""
    na, nb = np.sum(~np.isnan(a), axis=1), np.sum(~np.isnan(b), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        va = np.nanvar(a, axis=1, ddof=1) / na
        vb = np.nanvar(b, axis=1, ddof=1) / nb
        diff = np.nanmean(a, axis=1) - np.nanmean(b, axis=1)
        dof = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
        p = 2 * stats.t.sf(np.abs(diff) / np.sqrt(va + vb), dof)
    p = np.where(va + vb == 0, np.where(diff == 0, 1.0, 0.0), p)
    return np.where((na < 2) | (nb < 2), np.nan, p)


def power_curve(
    values: pd.DataFrame,
    treatment: str,
    reference: str,
    *,
    endpoints: Iterable[str] | None = None,
    sizes: Sequence[int] | None = None,
    trials: int = 200,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """Power of each endpoint against the number of patients per arm.

    Parameters
    ----------
    values
        Endpoint values per patient with an ``arm`` column (:attr:`PowerResult.values`).
    treatment, reference
        The arms compared.
    sizes
        Patients per arm (default: :func:`default_sizes` around the smaller arm's size
        per replicate).
    trials
        Resampled trials per size.

    Returns
    -------
    pandas.DataFrame
        ``endpoint``, ``n_per_arm``, ``trials``, ``power``, ``power_low``, ``power_high``.
    """
    if trials < 1:
        raise AnalysisInputError(f"The 'trials' parameter must be >= 1. Got {trials!r}.")
    arm = values["arm"].astype(str).to_numpy()
    idx_t, idx_r = np.flatnonzero(arm == treatment), np.flatnonzero(arm == reference)
    pool = min(idx_t.size, idx_r.size)
    if pool < 2:
        raise AnalysisInputError(
            f"Need patients in arms {treatment!r} and {reference!r} to resample; got "
            f"{idx_t.size} and {idx_r.size}."
        )
    if sizes is None:
        reps = values["replicate"].nunique() if "replicate" in values else 1
        sizes = default_sizes(max(2, pool // reps), pool)
    bad = [s for s in sizes if not 2 <= s <= pool]
    if bad:
        raise AnalysisInputError(f"Sizes {bad} are outside 2..{pool} (the smaller arm's pool).")
    chosen = get_endpoints(endpoints)
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        # One draw of patients per trial, shared by every endpoint (as in a real trial).
        st = np.array([rng.choice(idx_t, n, replace=False) for _ in range(trials)])
        sr = np.array([rng.choice(idx_r, n, replace=False) for _ in range(trials)])
        for e in chosen:
            if e.kind == "survival":
                tc, ec = e.columns
                time, event = values[tc].to_numpy(float), values[ec].to_numpy(float)
                treated = np.r_[np.ones(n, bool), np.zeros(n, bool)]
                p = np.array([logrank_peto(np.r_[time[a], time[b]], np.r_[event[a], event[b]],
                                           treated)[2] for a, b in zip(st, sr, strict=True)])
            else:
                x = values[e.name].to_numpy(float)
                p = (_p_logical if e.kind == "logical" else _p_welch)(x[st], x[sr])
            k = int(np.sum(p < alpha))
            lo, hi = wilson_interval(k, trials)
            rows.append({"endpoint": e.name, "n_per_arm": int(n), "trials": trials,
                         "power": k / trials, "power_low": float(lo), "power_high": float(hi)})
    return pd.DataFrame(rows)
