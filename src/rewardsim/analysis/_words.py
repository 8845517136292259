"""Use-pattern words: one symbol per period (week or visit) per participant.

Legend (CTNote; Odom et al. 2023, PLOS ONE, doi:10.1371/journal.pone.0291248):

====== ===============================================================
``+``  positive for the substance in that period
``-``  negative
``o``  a sample was due (a urine visit was scheduled) but none was provided
``*``  mixed: at least one positive and at least one negative sample
``_``  no urine visit scheduled in that period
====== ===============================================================

Conventions used by :func:`use_pattern_words` (stated here because endpoint
values depend on them):

* A period's symbol depends only on the urine samples provided in it: all
  positive gives ``+``, all negative ``-``, both ``*``. The CTN-0094 team use the
  same rule for their weekly opioid words (public.ctn0094extra,
  ``create_weeklyOpioidPattern``).
* A period with at least one scheduled urine visit but no sample is ``o``; a
  period with no scheduled urine visit is ``_`` (an unscheduled week, e.g. an
  every-other-week phase). A sample provided at an unscheduled visit still counts.
* Weekly words cover treatment weeks 1..``weeks``; baseline weeks (``week <= 0``)
  are excluded, as in CTNote's post-randomisation words.
* Per-visit words (``by="visit"``) have one symbol per scheduled urine visit in
  day order, so they never contain ``*`` or ``_``.

Endpoints decide how ``o``, ``*`` and ``_`` are recoded (see each endpoint's
docstring); the words themselves are never imputed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import AnalysisInputError
from ..io._csv import read_csv_strict

__all__ = ["SYMBOLS", "validate_word", "validate_words", "use_pattern_words", "read_words_csv"]

#: The five symbols of a use-pattern word and their meaning.
SYMBOLS: dict[str, str] = {
    "+": "positive",
    "-": "negative",
    "o": "missing (sample due, none provided)",
    "*": "mixed positive and negative",
    "_": "no visit scheduled",
}
_ALLOWED = "'+', '-', 'o', '*', '_'"


def validate_word(word: object, *, who: object = None) -> str:
    """Return ``word`` if it is a string of use-pattern symbols, else raise.

    Raises
    ------
    AnalysisInputError
        Naming the participant, the offending symbol, its 1-based position and
        the allowed symbols.

    Examples
    --------
    >>> validate_word("+-o*_")
    '+-o*_'
    """
    where = f" for who={who!r}" if who is not None else ""
    if not isinstance(word, str):
        raise AnalysisInputError(
            f"Use-pattern word{where} must be a string of {_ALLOWED}. Got {word!r} instead."
        )
    for pos, symbol in enumerate(word, start=1):
        if symbol not in SYMBOLS:
            raise AnalysisInputError(
                f"Use-pattern word{where} has unknown symbol {symbol!r} at position {pos} "
                f"in {word!r}; allowed symbols are {_ALLOWED}."
            )
    return word


def validate_words(words: Iterable[object], who: Iterable[object] | None = None) -> list[str]:
    """Validate many words at once (see :func:`validate_word`)."""
    words = list(words)
    ids = list(who) if who is not None else [None] * len(words)
    return [validate_word(w, who=i) for w, i in zip(words, ids, strict=True)]


_VISIT_COLUMNS = ("id", "week", "day", "kind", "urine_positive")


def use_pattern_words(
    visits: pd.DataFrame,
    *,
    by: str = "week",
    weeks: int | None = None,
    keys: tuple[str, ...] = ("replicate", "id"),
) -> pd.DataFrame:
    """Build one use-pattern word per participant from visit-level urine results.

    Parameters
    ----------
    visits
        Visit table as in a run folder's ``visits.parquet``: ``id``, ``week``,
        ``day``, ``kind`` (``"urine"``, ``"rating"`` or ``"urine+rating"``) and
        ``urine_positive`` (1.0, 0.0 or NaN when no sample). ``replicate`` and
        ``arm`` are carried through when present.
    by
        ``"week"`` (one symbol per treatment week) or ``"visit"`` (one symbol per
        scheduled urine visit). See the module docstring for the conventions.
    weeks
        Number of treatment weeks (word length for ``by="week"``); defaults to
        the largest ``week`` in ``visits``.
    keys
        Columns identifying a participant; missing ones are ignored.

    Returns
    -------
    pandas.DataFrame
        The key columns, ``arm`` (if present) and ``usePatternUDS``.

    Examples
    --------
    >>> v = pd.DataFrame({"id": [1, 1, 1, 1], "week": [1, 1, 2, 4], "day": [1, 4, 8, 22],
    ...     "kind": ["urine"] * 4, "urine_positive": [1.0, 0.0, np.nan, 0.0]})
    >>> use_pattern_words(v, weeks=4)["usePatternUDS"].tolist()
    ['*o_-']
    """
    missing = [c for c in _VISIT_COLUMNS if c not in visits.columns]
    if missing:
        raise AnalysisInputError(
            f"The visits table needs columns {list(_VISIT_COLUMNS)}; missing {missing}."
        )
    if by not in ("week", "visit"):
        raise AnalysisInputError(
            f"The 'by' parameter must be 'week' or 'visit'. Got {by!r} instead."
        )
    keys = tuple(k for k in keys if k in visits.columns)
    if not keys:
        raise AnalysisInputError("The visits table needs an 'id' column to identify participants.")
    participants = visits[list(keys) + (["arm"] if "arm" in visits.columns else [])]
    participants = participants.drop_duplicates(list(keys)).sort_values(list(keys))
    participants = participants.reset_index(drop=True)
    v = visits[visits["week"] >= 1].copy()
    v["_urine"] = v["kind"].astype(str).str.contains("urine", regex=False)
    v = v[v["_urine"] | v["urine_positive"].notna()]
    if weeks is not None and int(weeks) < 0:
        raise AnalysisInputError(f"The 'weeks' parameter must be >= 0. Got {weeks!r} instead.")
    n_weeks = int(weeks if weeks is not None else (v["week"].max() if len(v) else 0))
    out = participants.copy()
    if by == "visit":
        out["usePatternUDS"] = _visit_words(v, participants, list(keys))
    else:
        out["usePatternUDS"] = _week_words(v, participants, list(keys), n_weeks)
    return out


def _week_words(
    v: pd.DataFrame, participants: pd.DataFrame, keys: list[str], n_weeks: int
) -> list[str]:
    v = v[v["week"] <= n_weeks]
    res = v["urine_positive"].to_numpy(dtype=float)
    agg = (
        v.assign(_pos=res >= 0.5, _neg=res < 0.5)  # NaN is neither
        .groupby(keys + ["week"], sort=False)[["_pos", "_neg", "_urine"]]
        .agg({"_pos": "sum", "_neg": "sum", "_urine": "any"})
        .reset_index()
    )
    row = participants[keys].reset_index().merge(agg, on=keys, how="inner")
    grid = np.full((len(participants), n_weeks), "_", dtype="<U1")
    if len(row):
        pos, neg = row["_pos"].to_numpy() > 0, row["_neg"].to_numpy() > 0
        empty = np.where(row["_urine"], "o", "_")
        sym = np.where(pos & neg, "*", np.where(pos, "+", np.where(neg, "-", empty)))
        grid[row["index"].to_numpy(), row["week"].to_numpy(dtype=int) - 1] = sym
    return ["".join(r) for r in grid]


def _visit_words(v: pd.DataFrame, participants: pd.DataFrame, keys: list[str]) -> list[str]:
    sched = v[v["_urine"]].sort_values(keys + ["day"])
    res = sched["urine_positive"].to_numpy(dtype=float)
    sched = sched.assign(_sym=np.where(np.isnan(res), "o", np.where(res >= 0.5, "+", "-")))
    joined = sched.groupby(keys, sort=False)["_sym"].agg("".join)
    idx = pd.MultiIndex.from_frame(participants[keys]) if len(keys) > 1 else participants[keys[0]]
    return [str(w) if isinstance(w, str) else "" for w in joined.reindex(idx).tolist()]


def read_words_csv(path: object) -> pd.DataFrame:
    """Read a words CSV and validate every word.

    The file needs ``usePatternUDS`` and a participant id: ``who`` (CTNote, CTN-0094)
    or ``id`` (a run folder's words, as ``rewardsim words`` writes them, with
    ``replicate`` and ``arm``). Other columns are kept.

    Raises
    ------
    AnalysisInputError
        If the file is unreadable, a required column is missing, or a word has an
        unknown symbol. An empty cell is read as the empty word.
    """
    df = read_csv_strict(path, what="words CSV", error=AnalysisInputError,
                         text_columns=["usePatternUDS"])
    key = next((c for c in ("who", "id") if c in df.columns), None)
    if key is None or "usePatternUDS" not in df.columns:
        raise AnalysisInputError(
            f"Words CSV {str(path)!r} needs columns 'usePatternUDS' and a participant id "
            f"('who', or 'id' as in a run folder); got {list(df.columns)}."
        )
    if len(df) == 0:
        raise AnalysisInputError(
            f"Words CSV {str(path)!r} has no rows; expected one word per participant.")
    missing_id = df[key].isna().to_numpy()
    if missing_id.any():
        raise AnalysisInputError(
            f"Words CSV {str(path)!r}: {key!r} is missing at data row "
            f"{int(missing_id.argmax()) + 1}; every word needs its participant.")
    validate_words(df["usePatternUDS"], df[key])
    first = [c for c in ("replicate", key, "arm") if c in df.columns] + ["usePatternUDS"]
    return df[first + [c for c in df.columns if c not in first]]
