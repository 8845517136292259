"""The published statistics of a two-arm trial, computed from one simulated replicate.

Every test statistic is returned as a signed normal deviate ``z`` (positive: in favour of
the medication arm, or a BE-free probability rising with baseline use); the targets file
states them as the paper does (a chi-square ``z**2`` with its sign, or a two-sided
p value ``2 (1 - Phi(|z|))``). Definitions (the paper's abstract leaves the details open;
these are the choices made here, stated in ``docs/inference.md``):

* ``gee_arm``: GEE logistic model of a BE-free urine on arm, over the treatment-phase
  urines given (missed urines not imputed), independence working correlation, robust
  (sandwich) standard errors (Liang & Zeger 1986); Wald z of the arm term.
* ``gee_baseline_<arm>``: within one arm, the same model on the number of BE-positive
  baseline urines; Wald z of its slope.
* ``be_free_urines``: Welch t test of BE-free urines per patient (of the scheduled
  treatment urines; a missed urine is not BE-free), converted to z through its p value.
* ``retention``: log-rank test of time in study (Peto's O - E over its variance, sign
  flipped so that better retention on the medication is positive).
* ``craving``: Welch t test of each patient's mean rated craving (BSCS) over the
  treatment-phase ratings (patients with none left out); positive = less craving.
* ``adverse_events``: two-proportion (Pearson chi-square) test of the share of patients
  reporting drowsiness at a treatment-phase rating; positive = fewer on the medication.

The GEE here is a vectorised Newton solve with the independence working correlation (a
thousand times faster than statsmodels' GEE, which the tests compare it with), because a
fit simulates thousands of trials.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from ..analysis._survival import logrank_peto

__all__ = ["TESTS", "TrialSummary", "gee_logistic_independence", "summarise", "z_from_p"]

#: Tests computed for every replicate (each a signed z).
TESTS = ("gee_arm", "gee_baseline_medication", "gee_baseline_control", "be_free_urines",
         "retention", "craving", "adverse_events")


def z_from_p(p: float, sign: float = 1.0) -> float:
    """Signed normal deviate of a two-sided p value."""
    p = min(max(p, 1e-300), 1.0)
    return math.copysign(float(special.ndtri(1.0 - p / 2.0)), sign) if p < 1.0 else 0.0


def gee_logistic_independence(y: np.ndarray, x: np.ndarray, groups: np.ndarray
                              ) -> tuple[np.ndarray, np.ndarray]:
    """Logistic GEE with an independence working correlation and robust standard errors.

    ``y`` (n,) 0/1, ``x`` (n, k) design with a constant, ``groups`` (n,) cluster codes
    0..G-1. Returns ``(beta, se)``; NaN where the model is not estimable (a covariate
    without variation, or every outcome the same).
    """
    n, k = x.shape
    beta = np.zeros(k)
    nan = np.full(k, np.nan)
    if n == 0 or y.min() == y.max():
        return nan, nan
    bread = np.eye(k)
    for _ in range(30):
        mu = special.expit(x @ beta)
        w = mu * (1.0 - mu)
        bread = x.T @ (x * w[:, None])
        try:
            step = np.linalg.solve(bread, x.T @ (y - mu))
        except np.linalg.LinAlgError:
            return nan, nan
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return nan, nan
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = special.expit(x @ beta)
    w = mu * (1.0 - mu)
    bread = x.T @ (x * w[:, None])
    score = np.zeros((int(groups.max()) + 1, k))
    np.add.at(score, groups, x * (y - mu)[:, None])
    meat = score.T @ score
    try:
        inv = np.linalg.inv(bread)
    except np.linalg.LinAlgError:
        return nan, nan
    cov = inv @ meat @ inv
    return beta, np.sqrt(np.maximum(np.diag(cov), 0.0))


def _wald_z(y: np.ndarray, covariate: np.ndarray, groups: np.ndarray) -> float:
    """Wald z of ``covariate`` in a logistic GEE of ``y`` (0 when not estimable)."""
    x = np.column_stack([np.ones_like(covariate), covariate])
    beta, se = gee_logistic_independence(y, x, groups)
    if not (np.isfinite(beta[1]) and np.isfinite(se[1])) or se[1] <= 0.0:
        return 0.0
    return float(beta[1] / se[1])


def _welch_z(a: np.ndarray, b: np.ndarray) -> float:
    """Signed z of Welch's t test of mean(a) - mean(b) (0 without variation)."""
    if a.size < 2 or b.size < 2:
        return 0.0
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    if va + vb <= 0.0:
        return 0.0
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return z_from_p(2.0 * float(special.stdtr(df, -abs(t))), t)


def _two_proportion_z(k1: int, n1: int, k0: int, n0: int) -> float:
    """Pooled two-proportion z of k1/n1 - k0/n0 (Pearson chi-square = z**2)."""
    p = (k1 + k0) / (n1 + n0) if n1 + n0 else 0.0
    if n1 == 0 or n0 == 0 or p in (0.0, 1.0):
        return 0.0
    return (k1 / n1 - k0 / n0) / math.sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n0))


@dataclass
class TrialSummary:
    """The statistics of one replicate: tests (signed z) and descriptive figures."""

    z: dict[str, float]
    be_free_medication: float
    be_free_control: float
    benefit_heavier: float  # medication - control BE-free urines, >= 3 positive at baseline
    benefit_lighter: float

    @property
    def difference(self) -> float:
        return self.be_free_medication - self.be_free_control


def summarise(free: np.ndarray, treated: np.ndarray, baseline_pos: np.ndarray,
              time_days: np.ndarray, dropped: np.ndarray, craving: np.ndarray,
              drowsy: np.ndarray, *, heavier_at: int = 3) -> TrialSummary:
    """Statistics of one replicate.

    Parameters
    ----------
    free : (n, urines)
        Treatment-phase urines: 1 BE-free, 0 BE-positive, NaN missed.
    treated : (n,) bool
        In the medication arm (the control arm otherwise).
    baseline_pos : (n,)
        BE-positive urines in the baseline weeks.
    time_days, dropped : (n,)
        Days in study and whether the patient dropped out (else censored).
    craving : (n, ratings)
        Treatment-phase BSCS, NaN where not rated.
    drowsy : (n, ratings)
        Drowsiness reported (1/0) at treatment-phase ratings, NaN where not rated.
    """
    n, m = free.shape
    obs = ~np.isnan(free)
    pid = np.repeat(np.arange(n), m).reshape(n, m)[obs]
    y = free[obs]
    z: dict[str, float] = {}
    z["gee_arm"] = _wald_z(y, treated[pid].astype(float), pid)
    for name, arm in (("gee_baseline_medication", treated), ("gee_baseline_control", ~treated)):
        keep = arm[pid]
        codes = np.unique(pid[keep], return_inverse=True)[1]
        z[name] = _wald_z(y[keep], baseline_pos[pid[keep]].astype(float), codes)
    count = np.nansum(free, axis=1)
    z["be_free_urines"] = _welch_z(count[treated], count[~treated])
    log_hr, se, p = logrank_peto(time_days, dropped.astype(float), treated)
    z["retention"] = z_from_p(p, -log_hr) if np.isfinite(se) else 0.0
    rated = ~np.all(np.isnan(craving), axis=1)
    with np.errstate(invalid="ignore"):
        mean_crave = np.nanmean(np.where(rated[:, None], craving, 0.0), axis=1)
    z["craving"] = _welch_z(mean_crave[rated & ~treated], mean_crave[rated & treated])
    any_ae = np.nansum(drowsy, axis=1) > 0
    z["adverse_events"] = _two_proportion_z(int(np.sum(any_ae & ~treated)), int(np.sum(~treated)),
                                            int(np.sum(any_ae & treated)), int(np.sum(treated)))
    heavy = baseline_pos >= heavier_at

    def diff(sel: np.ndarray) -> float:
        a, b = count[sel & treated], count[sel & ~treated]
        return float(a.mean() - b.mean()) if a.size and b.size else float("nan")

    return TrialSummary(z=z, be_free_medication=float(count[treated].mean()),
                        be_free_control=float(count[~treated].mean()),
                        benefit_heavier=diff(heavy), benefit_lighter=diff(~heavy))
