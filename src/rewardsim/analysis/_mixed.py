"""Linear mixed models for ratings and subgroup analyses by baseline use.

Ratings (craving, anxiety) are modelled with a random intercept per participant
(statsmodels ``MixedLM``, REML; Laird & Ware 1982, Biometrics 38:963-974,
doi:10.2307/2529876): ``rating ~ arm + week + arm x week``, week centred on the
mean treatment week, so the arm coefficient is the mean difference at
mid-treatment.

Subgroups: "heavier users" have at least ``threshold`` positive baseline urines
(default 3, a common stratification in cocaine trials); the GEE arm effect is
estimated within each subgroup and the arm x subgroup interaction is tested in
the whole sample.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ..errors import AnalysisInputError
from ._stats import ModelResult, _table, arm_design, fit_gee, urine_long

__all__ = ["fit_mixed", "subgroup_analysis"]


def fit_mixed(visits: pd.DataFrame, arms: Sequence[str], outcome: str = "craving") -> ModelResult:
    """Random-intercept linear mixed model of a rating on arm, week and arm x week.

    Raises
    ------
    AnalysisInputError
        If ``outcome`` is not a column or has fewer than two participants rated.
    """
    if outcome not in visits.columns:
        raise AnalysisInputError(
            f"Unknown rating column {outcome!r}; visits has {list(visits.columns)}."
        )
    d = visits[(visits["week"] >= 1) & visits[outcome].notna()].reset_index(drop=True)
    if d["id"].nunique() < 2:
        raise AnalysisInputError(f"Too few participants with {outcome!r} ratings to fit a model.")
    x = arm_design(d, arms)
    notes: list[str] = []
    result = None
    # statsmodels' default optimiser first; Powell if it fails or does not converge.
    for method in (None, "powell"):
        kwargs = {} if method is None else {"method": method}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                fit = sm.MixedLM(d[outcome].astype(float), x, groups=d["id"].to_numpy()).fit(
                    reml=True, **kwargs
                )
            except (np.linalg.LinAlgError, ValueError) as exc:
                notes.append(f"{method or 'default'} optimiser failed: {exc}")
                continue
        notes += [f"{type(w.message).__name__}: {w.message}" for w in caught]
        result = fit
        if fit.converged:
            break
    if result is None:
        raise AnalysisInputError(f"The mixed model for {outcome!r} could not be fitted: {notes}")
    k = x.shape[1]
    table = _table(np.asarray(result.fe_params), np.asarray(result.bse_fe)[:k], list(x.columns))
    table.loc[len(table)] = [
        "participant SD", float(np.sqrt(max(result.cov_re.iloc[0, 0], 0.0))),
        np.nan, np.nan, np.nan, np.nan,
    ]  # fmt: skip
    return ModelResult(
        table, f"Linear mixed model (random intercept), {outcome}", x.columns[1],
        int(d["id"].nunique()), len(d), sorted(set(notes)),
    )  # fmt: skip


def _or_row(label: str, n: int, est: float, lo: float, hi: float, p: float, note: str = ""):
    return {
        "subgroup": label,
        "n": n,
        "odds_ratio": float(np.exp(est)),
        "ci_low": float(np.exp(lo)),
        "ci_high": float(np.exp(hi)),
        "p_value": float(p),
        "note": note,
    }


def subgroup_analysis(
    visits: pd.DataFrame,
    subjects: pd.DataFrame,
    arms: Sequence[str],
    *,
    threshold: int = 3,
) -> pd.DataFrame:
    """GEE arm effect (missing = positive) among heavier and lighter baseline users.

    Heavier users have ``baseline_positive_urines >= threshold``. The last row
    tests whether the arm effect differs between the subgroups (arm x subgroup
    interaction in the whole sample; its odds ratio is a ratio of odds ratios).
    """
    base = subjects.drop_duplicates("id").set_index("id")["baseline_positive_urines"]
    heavy_ids = set(base.index[base >= threshold])
    rows = []
    for label, ids in (
        (f"Heavier users (>= {threshold} positive baseline urines)", heavy_ids),
        (f"Lighter users (< {threshold})", set(base.index) - heavy_ids),
    ):
        try:
            t = fit_gee(visits[visits["id"].isin(ids)], arms).term()
            rows.append(
                _or_row(label, len(ids), t["estimate"], t["ci_low"], t["ci_high"], t["p_value"])
            )
        except AnalysisInputError as exc:
            rows.append(_or_row(label, len(ids), np.nan, np.nan, np.nan, np.nan, str(exc)))
    long = urine_long(visits)
    long["heavy"] = long["id"].isin(heavy_ids).astype(float)
    x = arm_design(long, arms, interaction=False)
    arm_cols = [c for c in x.columns if " vs " in c]
    x["heavier users"] = long["heavy"]
    for c in arm_cols:
        x[f"{c} x heavier"] = x[c] * long["heavy"]
    if long["heavy"].nunique() == 2:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = sm.GEE(
                long["positive"], x, groups=long["id"].to_numpy(),
                family=sm.families.Binomial(), cov_struct=sm.cov_struct.Exchangeable(),
            )  # fmt: skip
            res = model.fit()
        term = f"{arm_cols[0]} x heavier"
        ci = res.conf_int().loc[term]
        note = "; ".join(str(w.message) for w in caught)
        label = "Interaction: arm x heavier use (ratio of odds ratios)"
        n_all = int(long["id"].nunique())
        rows.append(_or_row(label, n_all, res.params[term], ci[0], ci[1], res.pvalues[term], note))
    return pd.DataFrame(rows)
