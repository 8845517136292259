"""Synthetic run folders with known effects, for tests and examples.

This is not a simulator of cocaine use: outcomes are drawn from stated
statistical models so that analyses can be checked against known truth.

* Urine results follow a *marginal* logistic model,
  ``logit P(positive) = intercept + arm_log_odds[arm] + week_slope * (week - mid)``,
  made correlated within a participant without changing the margins: each
  result reuses the participant's own uniform draw with probability
  ``within_correlation`` and a fresh one otherwise (so GEE targets exactly
  ``arm_log_odds``).
* Dropout is exponential with a per-arm weekly hazard; visits after dropout and
  a fraction ``miss_prob`` of the others are missed (``urine_positive`` NaN).
* Craving and anxiety are Gaussian with a per-arm shift and a random intercept.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisInputError
from ..io._atomic import atomic_path, make_folder
from ..io._runfolder import seal_run

__all__ = ["write_synthetic_run", "synthetic_tables"]


def synthetic_tables(
    *,
    arms: Sequence[str] = ("placebo", "active"),
    n_per_arm: int = 40,
    weeks: int = 12,
    baseline_weeks: int = 2,
    arm_log_odds: Sequence[float] = (0.0, -1.0),
    intercept: float = 0.5,
    week_slope: float = 0.0,
    within_correlation: float = 0.5,
    dropout_hazard: Sequence[float] = (0.03, 0.02),
    miss_prob: float = 0.05,
    craving_shift: Sequence[float] = (0.0, -1.0),
    replicates: int = 1,
    seed: int | np.random.Generator = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Subjects and visits tables (run-folder schema) drawn from the models above."""
    if not (len(arms) == len(arm_log_odds) == len(dropout_hazard) == len(craving_shift)):
        raise AnalysisInputError(
            "arms, arm_log_odds, dropout_hazard and craving_shift need one entry per arm."
        )
    rng = np.random.default_rng(seed)
    n_arms = len(arms)
    arm_idx = np.tile(np.repeat(np.arange(n_arms), n_per_arm), replicates)
    n = arm_idx.size
    rep = np.repeat(np.arange(replicates), n_arms * n_per_arm)
    pid = np.tile(np.arange(1, n_arms * n_per_arm + 1), replicates)
    hazard = np.asarray(dropout_hazard, dtype=float)[arm_idx]
    with np.errstate(divide="ignore"):
        drop_week = np.where(
            hazard > 0, rng.exponential(1.0, n) / np.where(hazard > 0, hazard, 1), np.inf
        )
    drop_day = np.where(drop_week < weeks, np.floor(drop_week * 7) + 1, np.nan)
    base_p = 1 / (1 + np.exp(-intercept))
    subjects = pd.DataFrame(
        {
            "replicate": rep.astype("int64"),
            "id": pid.astype("int64"),
            "arm": np.asarray(arms, dtype=object)[arm_idx],
            "baseline_positive_urines": rng.binomial(2 * baseline_weeks, base_p, n).astype("int64"),
            "baseline_use_days_per_month": rng.uniform(4, 28, n),
            "severity": rng.normal(5, 1.5, n),
            "dropout_day": drop_day,
            "completed": np.isnan(drop_day),
        }
    )
    # Two urine visits a week (days 1 and 4 of the week); ratings at the first one.
    week = np.repeat(np.arange(-baseline_weeks + 1, weeks + 1), 2)
    first = np.tile([True, False], weeks + baseline_weeks)
    day = (week - 1) * 7 + np.where(first, 1, 4)
    shape = (n, week.size)
    treat = np.broadcast_to(week >= 1, shape)
    with np.errstate(invalid="ignore"):
        gone = treat & (day[None, :] > drop_day[:, None])
    attended = ~gone & (rng.uniform(size=shape) >= miss_prob)
    mid = (weeks + 1) / 2
    lo = np.asarray(arm_log_odds, dtype=float)[arm_idx]
    eta = intercept + np.where(treat, lo[:, None] + week_slope * (week[None, :] - mid), 0.0)
    u_own = rng.uniform(size=(n, 1))
    u = np.where(rng.uniform(size=shape) < within_correlation, u_own, rng.uniform(size=shape))
    positive = np.where(attended, (u < 1 / (1 + np.exp(-eta))).astype(float), np.nan)
    be = np.where(attended, np.exp(rng.normal(np.where(positive == 1, 8.0, 4.0), 1.0)), np.nan)
    shift = np.where(treat, np.asarray(craving_shift, dtype=float)[arm_idx][:, None], 0.0)
    rated = attended & first[None, :]
    re_c, re_a = rng.normal(0, 1, (n, 1)), rng.normal(0, 1, (n, 1))
    crave = np.clip(5 + shift + re_c + rng.normal(0, 1, shape), 0, 10)
    anx = np.clip(4 + 0.5 * shift + re_a + rng.normal(0, 1, shape), 0, 10)
    visits = pd.DataFrame(
        {
            "replicate": np.repeat(rep, week.size).astype("int64"),
            "id": np.repeat(pid, week.size).astype("int64"),
            "arm": np.repeat(subjects["arm"].to_numpy(), week.size),
            "day": np.tile(day, n).astype("int64"),
            "week": np.tile(week, n).astype("int64"),
            "kind": np.tile(np.where(first, "urine+rating", "urine"), n),
            "attended": attended.ravel(),
            "urine_positive": positive.ravel(),
            "be_ng_ml": be.ravel(),
            "craving": np.where(rated, crave, np.nan).ravel(),
            "anxiety": np.where(rated, anx, np.nan).ravel(),
        }
    )
    return subjects, visits


def write_synthetic_run(
    path: str | Path,
    *,
    arms: Sequence[str] = ("placebo", "active"),
    medications: Sequence[str] | None = None,
    weeks: int = 12,
    baseline_weeks: int = 2,
    n_per_arm: int = 40,
    replicates: int = 1,
    seed: int = 0,
    **model: object,
) -> Path:
    """Write ``subjects.parquet``, ``visits.parquet`` and then ``manifest.json`` to ``path``.

    Keyword arguments in ``model`` go to :func:`synthetic_tables`.
    """
    root = make_folder(path, what="run folder")
    subjects, visits = synthetic_tables(
        arms=arms, n_per_arm=n_per_arm, weeks=weeks, baseline_weeks=baseline_weeks,
        replicates=replicates, seed=seed, **model,  # type: ignore[arg-type]
    )  # fmt: skip
    meds = (
        list(medications) if medications is not None else ["placebo"] + ["drug"] * (len(arms) - 1)
    )
    manifest = {
        "rewardsim_version": "synthetic",
        "design_hash": "synthetic",
        "seed": seed,
        "hypothesis": "Synthetic data with known arm effects (rewardsim.analysis._synthetic).",
        "replicates": replicates,
        "design": {
            "name": "synthetic two-arm design",
            "arms": [
                {"name": a, "medication": m, "dose_mg": 0.0 if m == "placebo" else 100.0,
                 "regimen": "daily", "cotreatment": "none", "setting": "outpatient",
                 "n": n_per_arm}
                for a, m in zip(arms, meds, strict=True)
            ],
            "weeks": weeks,
            "baseline_weeks": baseline_weeks,
            "urine_cutoff_ng_ml": 300.0,
        },
    }  # fmt: skip
    for name, table in (("subjects", subjects), ("visits", visits)):
        with atomic_path(root / f"{name}.parquet", what="run table") as tmp:
            table.to_parquet(tmp, index=False)
    seal_run(root, manifest)
    return root
