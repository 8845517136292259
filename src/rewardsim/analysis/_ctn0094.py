"""The real CTN-0094 tables: loading, weekly use-pattern words, summaries.

Data: public.ctn0094data 1.0.6 (Balise, Odom, Calderon 2023; MIT), harmonising
CTN-0027, CTN-0030 and CTN-0051. The tables ship with rewardsim in
:data:`CTN0094_DIR` (``rewardsim/data/ctn0094``, with its licence and a README
describing each table); a caller may pass another folder with the same files.

How a weekly word is derived (:func:`ctn0094_words`), following the CTN-0094
team's ``create_weeklyOpioidPattern`` script (public.ctn0094extra):

* Week ``k`` after the first randomisation day ``R`` holds study days ``d`` with
  ``floor((d - R) / 7) + 1 == k``; the randomisation day itself is in week 1,
  which is the convention of the shipped ``use_patterns_opioid.csv``.
* The word runs from week 1 to the week holding the protocol's last day: day 168
  after consent for CTN-0027 and CTN-0051; for CTN-0030, ``R + 98`` without a
  second randomisation and ``R2 + 168`` with one. Days after the last day are dropped.
* A sample is a visit with status ``visit`` or ``final`` in ``visit.csv`` or any
  day with a positive row in ``uds.csv``; it is positive if ``uds.csv`` lists the
  substance that day and negative otherwise (README: "a urine sample with no row
  in uds.csv on a visit day was negative for every substance").
* A week with samples is ``+``, ``-`` or ``*`` (both); a week without one is ``o``.
  Participants never randomised get ``+`` in weeks with a positive sample and
  ``o`` otherwise, weeks counted from consent (day 0 in week 1).
* For opioids, "positive" means a non-study opioid: ``Opioid`` plus methadone for
  buprenorphine arms, plus buprenorphine for the methadone arm, plus both for
  naltrexone or untreated participants (the team's rule).

Re-deriving the opioid words this way reproduces the team's
``use_patterns_opioid.csv`` exactly for most participants and for more than 99 %
of week symbols (checked in the test suite); the remaining differences come from
the team's imputed visit table, which is not in the public data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AnalysisInputError
from ._words import validate_words

__all__ = ["CTN0094_DIR", "Ctn0094", "load_ctn0094", "ctn0094_words", "summarise_words"]

#: The CTN-0094 tables shipped with rewardsim (MIT licence; see the README there).
CTN0094_DIR = Path(__file__).resolve().parents[1] / "data" / "ctn0094"

_FILES = ("everybody", "randomization", "uds", "visit")
_OPIOIDS = ("Opioid", "Methadone", "Buprenorphine")


@dataclass(frozen=True)
class Ctn0094:
    """The CTN-0094 tables needed for use-pattern words (one DataFrame each)."""

    everybody: pd.DataFrame
    randomization: pd.DataFrame
    uds: pd.DataFrame
    visit: pd.DataFrame
    opioid_words: pd.DataFrame | None = None


def load_ctn0094(data_dir: str | Path | None = None) -> Ctn0094:
    """Read the CTN-0094 CSV files from ``data_dir`` (default: the shipped copy).

    Raises
    ------
    AnalysisInputError
        If the folder or one of ``everybody.csv``, ``randomization.csv``,
        ``uds.csv``, ``visit.csv`` is missing (the message names it).
    """
    root = CTN0094_DIR if data_dir is None else Path(data_dir)
    if not root.is_dir():
        raise AnalysisInputError(f"CTN-0094 data folder {str(root)!r} does not exist.")
    tables = {}
    for name in _FILES:
        path = root / f"{name}.csv"
        if not path.is_file():
            raise AnalysisInputError(
                f"CTN-0094 table {name}.csv is missing from {str(root)!r}; needed: "
                f"{', '.join(f + '.csv' for f in _FILES)}."
            )
        tables[name] = pd.read_csv(path)
    words_path = root / "use_patterns_opioid.csv"
    opioid = pd.read_csv(words_path, keep_default_na=False) if words_path.is_file() else None
    return Ctn0094(**tables, opioid_words=opioid)


def _positive_drugs(substance: str, treatment: object) -> tuple[str, ...]:
    if substance.lower() != "opioid":
        return (substance,)
    t = str(treatment) if isinstance(treatment, str) else ""
    if "BUP" in t:
        return ("Opioid", "Methadone")
    if t == "Methadone":
        return ("Opioid", "Buprenorphine")
    return _OPIOIDS


def _last_day(project: int, r1: float, r2: float) -> float:
    if project != 30:
        return 168.0
    if math.isnan(r2):
        return (0.0 if math.isnan(r1) else r1) + 98.0
    return r2 + 168.0


def ctn0094_words(
    data: Ctn0094 | str | Path | None = None, substance: str = "Cocaine"
) -> pd.DataFrame:
    """Weekly use-pattern words after randomisation, one per CTN-0094 participant.

    Parameters
    ----------
    data
        Tables from :func:`load_ctn0094`, or the folder holding them (default: the
        copy shipped with rewardsim).
    substance
        A value of ``uds.csv``'s ``what`` column (e.g. ``"Cocaine"``), or
        ``"opioid"`` for the team's non-study-opioid rule (see module docstring).

    Returns
    -------
    pandas.DataFrame
        ``who``, ``project``, ``treatment`` (first randomisation, NaN if never
        randomised), ``randomized`` and ``usePatternUDS``.
    """
    d = data if isinstance(data, Ctn0094) else load_ctn0094(data)
    known = set(d.uds["what"].dropna())
    if substance.lower() != "opioid" and substance not in known:
        raise AnalysisInputError(
            f"Unknown substance {substance!r}; uds.csv lists {sorted(known)} (or use 'opioid')."
        )
    r = d.randomization
    r1 = r[r["which"] == 1].drop_duplicates("who").set_index("who")
    r2 = r[r["which"] == 2].drop_duplicates("who").set_index("who")["when"]
    present = d.visit[d.visit["what"].isin(["visit", "final"]) & d.visit["when"].notna()]
    present_days = present.groupby("who")["when"].apply(lambda s: set(s.astype(float)))
    uds = d.uds.dropna(subset=["when"])
    uds_days = {
        (who, what): set(g.astype(float)) for (who, what), g in uds.groupby(["who", "what"])["when"]
    }
    rows = []
    for who, project in zip(d.everybody["who"], d.everybody["project"], strict=True):
        treatment = r1["treatment"].get(who, np.nan)
        day_r1 = float(r1["when"].get(who, np.nan))
        last = _last_day(int(project), day_r1, float(r2.get(who, np.nan)))
        drugs = _positive_drugs(substance, treatment)
        pos = {day for drug in drugs for day in uds_days.get((who, drug), ()) if day <= last}
        if math.isnan(day_r1):
            n_weeks = int(last // 7 + 1)
            weeks = {int(day // 7 + 1) for day in pos}
            word = "".join("+" if k in weeks else "o" for k in range(1, n_weeks + 1))
        else:
            days = {day for day in present_days.get(who, set()) | pos if day <= last}
            word = _weekly_word(days, pos, day_r1, int((last - day_r1) // 7 + 1))
        rows.append((who, int(project), treatment, not math.isnan(day_r1), word))
    return pd.DataFrame(
        rows, columns=["who", "project", "treatment", "randomized", "usePatternUDS"]
    )


def _weekly_word(days: set[float], pos: set[float], day_r1: float, n_weeks: int) -> str:
    counts = np.zeros((n_weeks + 1, 2), dtype=int)
    for day in days:
        k = int((day - day_r1) // 7 + 1)
        if 1 <= k <= n_weeks:
            counts[k, 0 if day in pos else 1] += 1
    symbols = []
    for k in range(1, n_weeks + 1):
        n_pos, n_neg = counts[k]
        symbols.append("*" if n_pos and n_neg else "+" if n_pos else "-" if n_neg else "o")
    return "".join(symbols)


def summarise_words(words: pd.DataFrame, *, max_week: int | None = None) -> dict[str, object]:
    """Share of participants ever positive and the weekly positive rate.

    ``ever_positive`` is the share of words with at least one ``+`` or ``*``;
    ``weekly_positive_rate`` is the share of weeks with a urine result (``+``,
    ``-``, ``*``) that had at least one positive sample; ``by_week`` gives that
    rate per study week (up to ``max_week``) with the number of weeks observed.
    """
    w = validate_words(words["usePatternUDS"], words.get("who"))
    n = len(w)
    ever = sum(("+" in x) or ("*" in x) for x in w)
    n_pos = sum(x.count("+") + x.count("*") for x in w)
    n_obs = sum(len(x) - x.count("o") - x.count("_") for x in w)
    longest = max((len(x) for x in w), default=0)
    weeks = range(1, (max_week or longest) + 1)
    by_week = []
    for k in weeks:
        col = [x[k - 1] for x in w if len(x) >= k]
        observed = [c for c in col if c in "+-*"]
        positive = sum(c in "+*" for c in observed)
        by_week.append((k, len(observed), positive / len(observed) if observed else np.nan))
    return {
        "participants": n,
        "ever_positive": ever / n if n else np.nan,
        "weekly_positive_rate": n_pos / n_obs if n_obs else np.nan,
        "weeks_with_result": n_obs,
        "by_week": pd.DataFrame(by_week, columns=["week", "weeks_with_result", "positive_rate"]),
    }
