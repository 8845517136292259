"""Calibration of the behaviour model to the real cocaine urine results of CTN-0094.

Data: the weekly cocaine use-pattern words of the 2,492 randomised CTN-0094 participants
(:func:`rewardsim.analysis.ctn0094_words`), weeks 2 to 24. Week 1 is left out: CTN-0051
randomised inpatients during detoxification, and week 1's positive rate (11 %) is half
that of every later week (19-22 %). These are patients in
treatment for opioid use disorder (methadone, buprenorphine or naltrexone), a third of whom
used cocaine: the calibration population is not a cocaine-treatment population.

Statistics (:func:`ctn0094_statistics`; a ``*`` week counts as positive):

* ``weekly_positive_rate``: positive weeks / weeks with a urine result;
* ``p_pos_after_pos``, ``p_pos_after_neg``: chance that a week is positive when the
  previous calendar week had a positive (negative) result, both weeks with a result;
* ``neg_run_*``: share of runs of consecutive negative weeks of length 1, 2, 3-4, 5-8,
  9 or more, counted over each participant's weeks with a result (missing weeks skipped);
* checked, not fitted: the weekly positive rate in weeks 3-24 after a positive and after
  a negative week 2 (``rate_after_pos_first``, ``rate_after_neg_first``).

Simulation: the same participants' observation pattern is imposed on virtual patients
(patient j gets participant j mod N's word length and missing weeks), who live at home
with weekly counselling (assumed for the CTN trials' psychosocial care) and give one urine
a week on the weekday of randomisation, 10:00. Only ``B_MU``, ``B_SD``, ``WC`` and ``SD_X``
are fitted, by Nelder-Mead on the sum of squared (difference / tolerance), with common random
numbers (a fixed seed) so that the objective is deterministic.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from ..analysis import ctn0094_words
from ..errors import AnalysisInputError
from ..models.behaviour import CALIBRATED, behaviour_values
from ._cohort import kernel_inputs
from ._design import Design, parse_design
from ._run import simulate_patients

__all__ = ["FITTED", "TOLERANCES", "calibrate_behaviour", "calibration_table",
           "ctn0094_statistics", "real_words"]  # fmt: skip

FIRST_WEEK, MAX_WEEKS = 2, 24
_RUNS = (("neg_run_1", 1, 1), ("neg_run_2", 2, 2), ("neg_run_3_4", 3, 4),
         ("neg_run_5_8", 5, 8), ("neg_run_9plus", 9, 10**6))  # fmt: skip
#: Fitted statistics and their tolerances (absolute, proportions).
TOLERANCES: dict[str, float] = {
    "weekly_positive_rate": 0.03, "p_pos_after_pos": 0.03, "p_pos_after_neg": 0.03,
    **{name: 0.05 for name, _, _ in _RUNS},
}  # fmt: skip
#: Statistics reported but not fitted, and the tolerance they are checked against.
CHECKS: dict[str, float] = {"rate_after_pos_first": 0.05, "rate_after_neg_first": 0.03}
FITTED = tuple(TOLERANCES)
_SEED = 94


def ctn0094_statistics(words: Iterable[str], *, max_weeks: int = MAX_WEEKS) -> dict[str, float]:
    """Week-level statistics of cocaine use-pattern words (see the module docstring).

    >>> s = ctn0094_statistics(["+-+--", "o--+"])
    >>> round(s["weekly_positive_rate"], 3), float(s["p_pos_after_pos"])
    (0.375, 0.0)
    """
    n_obs = n_pos = 0
    trans = np.zeros((2, 2))
    runs: list[int] = []
    after = {True: [0, 0], False: [0, 0]}
    for raw in words:
        w = raw[:max_weeks].replace("*", "+")
        n_obs += sum(c in "+-" for c in w)
        n_pos += w.count("+")
        for a, b in zip(w[:-1], w[1:], strict=False):
            if a in "+-" and b in "+-":
                trans[int(a == "+"), int(b == "+")] += 1
        seen = "".join(c for c in w if c in "+-")
        runs += [len(r) for r in seen.split("+") if r]
        if w[:1] in ("+", "-"):
            rest = w[1:]
            acc = after[w[0] == "+"]
            acc[0] += rest.count("+")
            acc[1] += sum(c in "+-" for c in rest)
    r = np.asarray(runs)
    out = {
        "weekly_positive_rate": n_pos / n_obs if n_obs else math.nan,
        "p_pos_after_pos": trans[1, 1] / trans[1].sum() if trans[1].sum() else math.nan,
        "p_pos_after_neg": trans[0, 1] / trans[0].sum() if trans[0].sum() else math.nan,
    }
    for name, lo, hi in _RUNS:
        out[name] = float(((r >= lo) & (r <= hi)).mean()) if r.size else math.nan
    for key, flag in (("rate_after_pos_first", True), ("rate_after_neg_first", False)):
        pos, obs = after[flag]
        out[key] = pos / obs if obs else math.nan
    return out


def real_words(data_dir: str | Path) -> list[str]:
    """Cocaine words of the randomised CTN-0094 participants, weeks 2 to 24."""
    w = ctn0094_words(data_dir, "Cocaine")
    return [x[FIRST_WEEK - 1 : MAX_WEEKS] for x in w.loc[w["randomized"], "usePatternUDS"]]


def _design(n: int) -> Design:
    return parse_design({
        "name": "CTN-0094 calibration", "seed": _SEED, "hypothesis": "none",
        "weeks": MAX_WEEKS - FIRST_WEEK + 1, "baseline_weeks": 0,
        "allocation": {"n": n},
        "visits": {"urine_days": ["Mon"], "rating_days": [], "attendance": 1.0},
        "dropout": {"weekly_hazard": 0.0},
        "arms": [{"name": "ctn", "medication": "none",
                  "cotreatment": [{"kind": "counselling", "days": ["Mon"]}]}],
        "output": {"daily_use": False, "doses": False},
    })  # fmt: skip


def simulate_words(
    pattern: Sequence[str], behaviour: dict[str, float] | None = None, *, copies: int = 2,
    seed: int = _SEED, n_threads: int | None = None,
) -> list[str]:
    """Weekly words of virtual patients observed like the participants in ``pattern``."""
    n = copies * len(pattern)
    design = _design(n)
    inp = kernel_inputs(design, behaviour)
    ids = np.arange(1, n + 1, dtype=np.int64)
    zeros = np.zeros(n, dtype=np.int64)
    out = simulate_patients(design.model_copy(update={"seed": seed}), inp, 0, ids, zeros,
                            zeros, n_threads=n_threads)
    pos = out.vbe >= design.urine_cutoff_ng_ml  # (n, weeks): one urine a week
    words = []
    for j in range(n):
        real = pattern[j % len(pattern)]
        words.append("".join(
            "o" if c not in "+-*" else ("+" if pos[j, k] else "-") for k, c in enumerate(real)
        ))  # fmt: skip
    return words


def _table(real: dict[str, float], sim: dict[str, float]) -> pd.DataFrame:
    rows = []
    for name, tol in {**TOLERANCES, **CHECKS}.items():
        diff = sim[name] - real[name]
        rows.append({"statistic": name, "ctn0094": real[name], "simulated": sim[name],
                     "difference": diff, "tolerance": tol, "fitted": name in TOLERANCES,
                     "within": abs(diff) <= tol})  # fmt: skip
    return pd.DataFrame(rows)


def calibration_table(
    data_dir: str | Path, behaviour: dict[str, float] | None = None, *, copies: int = 2,
    seed: int = _SEED, words: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Simulated vs real CTN-0094 statistics with the shipped (or given) parameters.

    Columns: ``statistic, ctn0094, simulated, difference, tolerance, fitted, within``.
    """
    pattern = list(words) if words is not None else real_words(data_dir)
    sim = ctn0094_statistics(simulate_words(pattern, behaviour, copies=copies, seed=seed))
    return _table(ctn0094_statistics(pattern), sim)


def calibrate_behaviour(
    data_dir: str | Path, *, copies: int = 2, seed: int = _SEED, maxfev: int = 120,
    write: str | Path | None = None, words: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Fit ``B_MU``, ``B_SD``, ``WC`` and ``SD_X`` to the CTN-0094 cocaine statistics.

    Returns ``{"parameters": {name: {"value", "unit", "source"}}, "table": [...],
    "objective": float, "evaluations": int}``; ``write`` saves it as JSON (atomically).

    Raises
    ------
    AnalysisInputError
        If the CTN-0094 folder or one of its tables is missing.
    """
    pattern = list(words) if words is not None else real_words(data_dir)
    if not pattern:
        raise AnalysisInputError("No randomised CTN-0094 participants to calibrate to.")
    real = ctn0094_statistics(pattern)
    base = behaviour_values()

    def values(x: np.ndarray) -> dict[str, float]:
        return {"B_MU": float(x[0]), "B_SD": float(np.exp(x[1])), "WC": float(np.exp(x[2])),
                "SD_X": float(np.exp(x[3]))}

    def objective(x: np.ndarray) -> float:
        sim = ctn0094_statistics(simulate_words(pattern, values(x), copies=copies, seed=seed))
        return float(sum(((sim[k] - real[k]) / tol) ** 2 for k, tol in TOLERANCES.items()))

    x0 = np.array([base["B_MU"], math.log(base["B_SD"]), math.log(base["WC"]),
                   math.log(base["SD_X"])])
    fit = minimize(objective, x0, method="Nelder-Mead",
                   options={"maxfev": maxfev, "xatol": 0.01, "fatol": 0.01,
                            "initial_simplex": x0 + np.vstack([np.zeros(4), 0.5 * np.eye(4)])})
    best = values(fit.x)
    sim = ctn0094_statistics(simulate_words(pattern, best, copies=copies, seed=seed))
    table = _table(real, sim)
    result = {
        "parameters": {
            k: {"value": best[k], "unit": "logit" if k == "WC" else "logit/day",
                "source": "calibrated: CTN-0094 cocaine urine results, "
                          "rewardsim.trial.calibrate_behaviour"}
            for k in CALIBRATED
        },
        "data": "public.ctn0094data 1.0.6, randomised participants, weeks 2-24",
        "copies": copies, "seed": seed, "objective": float(fit.fun),
        "evaluations": int(fit.nfev),
        "table": json.loads(table.to_json(orient="records")),
    }  # fmt: skip
    if write is not None:
        path = Path(write)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(result, indent=2) + "\n")
        os.replace(tmp, path)
    return result
