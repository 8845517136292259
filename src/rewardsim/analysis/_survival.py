"""Retention: Kaplan-Meier curves by arm and the log-rank test.

Time on study is the dropout day, or the end of treatment (``weeks * 7`` days)
for completers, who are censored there. Kaplan-Meier estimates come from
statsmodels (``SurvfuncRight``); the log-rank test is statsmodels'
``survdiff`` (Mantel 1966, Cancer Chemother Rep 50:163-170). For the endpoint
power tables a vectorised two-group log-rank with the Peto hazard-ratio estimate
``exp((O - E) / V)`` is provided as :func:`logrank_two_group`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from ..errors import AnalysisInputError

__all__ = ["RetentionResult", "retention", "km_confidence", "logrank_two_group", "logrank_peto"]


@dataclass
class RetentionResult:
    """Kaplan-Meier retention by arm and the log-rank test.

    ``curves``: arm, day, surv and its pointwise 95 % confidence limits ``lo``/``hi``
    (Greenwood variance, log(-log) transform); ``censored``: arm, day, surv at each
    censoring time (completers, censored at the end of treatment); ``at_risk``: arm, day,
    n (patients still on study at the start of that day, every week up to 12 weeks of
    treatment, every 4 weeks for longer trials); ``summary``:
    per-arm counts and median; ``chi2``/``p_value``: log-rank test across arms.
    """

    curves: pd.DataFrame
    summary: pd.DataFrame
    chi2: float
    p_value: float
    censored: pd.DataFrame = field(default_factory=pd.DataFrame)
    at_risk: pd.DataFrame = field(default_factory=pd.DataFrame)


def km_confidence(surv: np.ndarray, se: np.ndarray, z: float = 1.959963984540054):
    """Pointwise confidence limits of a Kaplan-Meier curve on the log(-log) scale.

    ``se`` is Greenwood's standard error of S(t). The limits are
    ``S ** exp(+-z * se / (S * |log S|))`` (Kalbfleisch & Prentice 2002, The Statistical
    Analysis of Failure Time Data, 2nd ed., section 1.4), inside [0, 1]; where S is 1
    (no event yet) or 0 the limits equal S.
    """
    surv = np.asarray(surv, dtype=float)
    se = np.asarray(se, dtype=float)
    lo, hi = surv.copy(), surv.copy()
    ok = (surv > 0) & (surv < 1) & (se > 0)
    s = surv[ok]
    w = z * se[ok] / (s * np.abs(np.log(s)))
    lo[ok], hi[ok] = s ** np.exp(w), s ** np.exp(-w)
    return lo, hi


def _time_event(subjects: pd.DataFrame, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    end = float(weeks * 7)
    drop = subjects["dropout_day"].to_numpy(dtype=float)
    event = ~np.isnan(drop) & ~subjects["completed"].to_numpy(dtype=bool)
    time = np.where(event, np.minimum(np.nan_to_num(drop, nan=end), end), end)
    return time, event.astype(int)


def retention(subjects: pd.DataFrame, arms: Sequence[str], weeks: int) -> RetentionResult:
    """Kaplan-Meier retention per arm and the log-rank test across arms.

    Raises
    ------
    AnalysisInputError
        If fewer than two of ``arms`` have subjects.
    """
    s = subjects[subjects["arm"].astype(str).isin(arms)]
    present = [a for a in arms if (s["arm"] == a).any()]
    if len(present) < 2:
        raise AnalysisInputError(f"Retention needs subjects in two arms of {list(arms)}.")
    time, event = _time_event(s, weeks)
    curves, rows, censored, at_risk = [], [], [], []
    # Numbers at risk every week for trials up to 12 weeks, every 4 weeks beyond.
    risk_days = np.arange(0, weeks * 7 + 1, 7 if weeks <= 12 else 28, dtype=float)
    for a in present:
        mask = (s["arm"] == a).to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # empty-risk-set divisions
            sf = SurvfuncRight(time[mask], event[mask])
        last = sf.surv_prob[-1] if len(sf.surv_prob) else 1.0
        days = np.concatenate([[0.0], sf.surv_times, [float(weeks * 7)]])
        surv = np.concatenate([[1.0], sf.surv_prob, [last]])
        se = np.concatenate([[0.0], sf.surv_prob_se, [sf.surv_prob_se[-1] if
                                                      len(sf.surv_prob_se) else 0.0]])
        lo, hi = km_confidence(surv, np.nan_to_num(se))
        curves.append(pd.DataFrame({"arm": a, "day": days, "surv": surv, "lo": lo, "hi": hi}))
        cens_t = np.unique(time[mask][event[mask] == 0])
        step = np.searchsorted(days, cens_t, side="right") - 1
        censored.append(pd.DataFrame({"arm": a, "day": cens_t, "surv": surv[step]}))
        at_risk.append(pd.DataFrame(
            {"arm": a, "day": risk_days,
             "n": [int((time[mask] >= d).sum()) for d in risk_days]}))  # fmt: skip
        below = sf.surv_times[sf.surv_prob <= 0.5 + 1e-12]  # median: first S(t) <= 1/2
        rows.append(
            {
                "arm": a,
                "n": int(mask.sum()),
                "dropouts": int(event[mask].sum()),
                "retained_at_end": float(surv[-1]),
                "median_days": float(below[0]) if below.size else np.nan,
            }
        )
    groups = s["arm"].astype(str).to_numpy()
    if event.sum() == 0:
        chi2, p = 0.0, 1.0
    else:
        chi2, p = survdiff(time, event, groups)
    return RetentionResult(
        pd.concat(curves, ignore_index=True), pd.DataFrame(rows), float(chi2), float(p),
        pd.concat(censored, ignore_index=True), pd.concat(at_risk, ignore_index=True),
    )


def logrank_two_group(
    time: np.ndarray, event: np.ndarray, treated: np.ndarray
) -> tuple[float, float]:
    """Two-group log-rank test: ``(log hazard ratio (Peto), p_value)``, treated vs control.

    Returns ``(nan, 1.0)`` when there are no events.
    """
    log_hr, _, p = logrank_peto(time, event, treated)
    return log_hr, p


def logrank_peto(
    time: np.ndarray, event: np.ndarray, treated: np.ndarray
) -> tuple[float, float, float]:
    """``(log hazard ratio, its standard error, p_value)``: Peto's one-step estimate
    ``(O - E) / V`` with standard error ``1 / sqrt(V)``, and the log-rank test.

    Returns ``(nan, nan, 1.0)`` when there are no events.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    ok = ~np.isnan(time) & ~np.isnan(event)
    time, event, treated = time[ok], event[ok].astype(bool), treated[ok]
    if not event.any() or treated.all() or not treated.any():
        return (np.nan, np.nan, 1.0)
    o_minus_e = var = 0.0
    for t in np.unique(time[event]):
        at_risk = time >= t
        n, n1 = at_risk.sum(), (at_risk & treated).sum()
        d = (event & (time == t)).sum()
        d1 = (event & (time == t) & treated).sum()
        o_minus_e += d1 - d * n1 / n
        if n > 1:
            var += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    if var <= 0:
        return (np.nan, np.nan, 1.0)
    return (o_minus_e / var, float(1 / np.sqrt(var)), float(stats.chi2.sf(o_minus_e**2 / var, 1)))
