"""Dosing regimens: build NONMEM dose records, read regimens written in words, expand ADDL.

``regimen`` writes one dose record per subject (``ADDL = n_doses - 1``, ``II = every``),
like mrgsolve's ``ev(amt=, ii=, addl=)``. ``parse_regimen`` reads the way a protocol
states a regimen ("20 mg tid for 16 weeks") into the arguments of ``regimen``.
``expand_addl`` writes ADDL records out as explicit doses, like mrgsolve's ``realize_addl``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EventTableError
from ._dataset import NONMEM_COLUMNS, ModelLike, compartment_number

# Every duration is held in minutes while parsing, so that "over 1 min" and "q8h" stay exact.
_MINUTES = {
    **dict.fromkeys(("min", "mins", "minute", "minutes"), 1.0),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 60.0),
    **dict.fromkeys(("d", "day", "days"), 1440.0),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 10080.0),
}
_MG = {"mg": 1.0, "g": 1000.0, "ug": 1e-3, "µg": 1e-3, "μg": 1e-3, "mcg": 1e-3}

_NUM = r"(\d+(?:\.\d*)?|\.\d+)"
_END = r"(?=[\s,;]|$)"  # a unit must end the word: "20 mg/kg" is refused, not read as 20 mg
_TUNIT = rf"({'|'.join(sorted(_MINUTES, key=len, reverse=True))}){_END}"
_DOSE = re.compile(rf"([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*({'|'.join(_MG)})(?=[\s,;/]|$)")
_PER_DAY = r"(?:daily|a\s+day|per\s+day|/\s*day)"
# (pattern, clause kind, interval in minutes or None when the pattern gives it)
_CLAUSES: tuple[tuple[re.Pattern[str], str, float | None], ...] = tuple(
    (re.compile(f"(?:{pattern}){_END}"), kind, minutes)
    for pattern, kind, minutes in (
        (rf"once\s+{_PER_DAY}|daily|qd|od", "every", 1440.0),
        (rf"twice\s+{_PER_DAY}|bid|bd", "every", 720.0),
        (rf"(?:three\s+times|3\s*x|3\s+times)\s+{_PER_DAY}|tid|tds", "every", 480.0),
        (rf"(?:four\s+times|4\s*x|4\s+times)\s+{_PER_DAY}|qid|qds", "every", 360.0),
        (r"once\s+(?:weekly|a\s+week|per\s+week)|weekly", "every", 10080.0),
        (rf"every\s+{_NUM}?\s*{_TUNIT}", "every", None),
        (rf"q\s*{_NUM}\s*{_TUNIT}", "every", None),
        (r"once|(?:as\s+a\s+)?single\s+dose", "once", None),
        (rf"over\s+{_NUM}\s*{_TUNIT}", "over", None),
        (rf"(?:for|x|×)\s*{_NUM}\s*{_TUNIT}", "for", None),
        # A bare count only after "x" ("x 10"); after "for" it must say "doses".
        (r"for\s*(\d+)\s*doses?|(?:x|×)\s*(\d+)(?:\s*doses?)?", "doses", None),
    )
)
_UNKNOWN_UNIT = re.compile(rf"(?:every|q|over|for|x|×)\s*{_NUM}?\s*([^\W\d_]+)")
_EXAMPLES = (
    "'20 mg every 8 h for 16 weeks', '20 mg q8h x 16 weeks', '20 mg tid for 112 days', "
    "'500 mg every 12 h x 10 doses', '100 mg once', '32 mg over 1 min'"
)


def _match_clause(rest: str) -> tuple[re.Match[str], str, float | None] | None:
    """The first clause pattern that matches at the start of `rest`."""
    for pattern, kind, minutes in _CLAUSES:
        m = pattern.match(rest)
        if m is not None:
            return m, kind, minutes
    return None


def _refuse(text: str, problem: str) -> EventTableError:
    return EventTableError(
        f"Cannot read the regimen {text!r}: {problem}. Write a dose, then optionally an "
        f"interval, a duration and an infusion time, e.g. {_EXAMPLES}."
    )


def parse_regimen(text: str) -> dict[str, Any]:
    """Read a dosing regimen written in words.

    Accepted forms: a dose (``mg``, ``g``, ``ug``/``µg``/``mcg``), then in any order an
    interval (``every 8 h``, ``q8h``, ``daily``/``qd``, ``bid``, ``tid``, ``qid``,
    ``three times daily``, ``weekly``) or ``once``, a duration (``for 16 weeks``,
    ``x 16 weeks``, ``x 10 doses``) and an infusion time (``over 30 min``). Time units:
    ``min``, ``h``/``hour(s)``, ``day(s)``, ``week(s)``.

    Over a duration T at interval τ the doses fall at 0, τ, 2τ, ... strictly before T, so
    ``every 8 h for 16 weeks`` gives ceil(2688 / 8) = 336 doses.

    Returns
    -------
    dict
        ``{"amt": mg, "every": h or None, "n_doses": int, "rate": mg/h}`` (rate 0 for a
        bolus), ready for ``regimen(**parse_regimen(text), n=...)``.

    Raises
    ------
    EventTableError
        Text that is not a regimen (quoted back, with examples), a dose <= 0, an interval
        without a duration or the reverse, or a zero interval, duration or infusion time.

    Examples
    --------
    >>> parse_regimen("20 mg tid for 16 weeks")
    {'amt': 20.0, 'every': 8.0, 'n_doses': 336, 'rate': 0.0}
    >>> parse_regimen("32 mg over 1 min")
    {'amt': 32.0, 'every': None, 'n_doses': 1, 'rate': 1920.0}
    """
    if not isinstance(text, str):
        raise EventTableError(f"A regimen must be text; got {type(text).__name__} {text!r}.")
    rest = " ".join(text.lower().split())
    match = _DOSE.match(rest)
    if match is None:
        raise _refuse(text, "it does not start with a dose such as '20 mg'")
    amt = float(match.group(1)) * _MG[match.group(2)]
    if amt <= 0:
        raise EventTableError(
            f"The dose in the regimen {text!r} must be > 0 mg; got {match.group(0)}."
        )
    found: dict[str, Any] = {}
    rest = rest[match.end() :]
    while rest.strip(" ,;"):
        rest = rest.lstrip(" ,;")
        rest = re.sub(r"^(?:and|then)\s+", "", rest)
        clause = _match_clause(rest)
        if clause is None and rest.startswith("/"):
            raise _refuse(text, "doses per body weight or area are not supported; give mg")
        unit = _UNKNOWN_UNIT.match(rest)
        if clause is None and unit is not None:
            raise _refuse(
                text, f"unknown time unit {unit.group(2)!r}; use min, h, day(s) or week(s)"
            )
        if clause is None:
            raise _refuse(text, f"cannot read {rest!r}")
        m, kind, minutes = clause
        key = "every" if kind in ("every", "once") else "period" if kind == "for" else kind
        if (
            key in found
            or (key == "period" and "doses" in found)
            or (key == "doses" and "period" in found)
        ):
            raise _refuse(text, f"{m.group(0)!r} repeats a part already given")
        if kind == "once":
            found["every"] = "once"
        elif kind == "doses":
            found["doses"] = int(m.group(1) or m.group(2))
        elif minutes is not None:
            found["every"] = minutes
        else:
            # "every week" has no number: one unit.
            number = float(m.group(1)) if m.group(1) else 1.0
            found[key] = number * _MINUTES[m.group(2)]
        rest = rest[m.end() :]

    every = found.get("every")
    if every == "once":
        if "period" in found or "doses" in found:
            raise _refuse(text, "'once' cannot have a duration or a number of doses")
        every = None
    elif every is not None and every <= 0:
        raise _refuse(text, "the dosing interval must be > 0")
    if every is not None and "period" not in found and "doses" not in found:
        raise _refuse(text, "an interval needs a duration ('for 7 days') or 'x N doses'")
    if every is None and ("period" in found or "doses" in found):
        raise _refuse(text, "a duration needs an interval ('every 8 h', 'bid', ...)")
    n_doses = 1
    if "doses" in found:
        n_doses = found["doses"]
    elif "period" in found:
        # Doses at 0, every, ... strictly before the end; the slack absorbs rounding.
        n_doses = math.ceil(found["period"] / every - 1e-9)
    if n_doses < 1:
        raise _refuse(text, "the duration or number of doses must be > 0")
    rate = 0.0
    if "over" in found:
        if found["over"] <= 0:
            raise _refuse(text, "the infusion time must be > 0")
        rate = amt * 60.0 / found["over"]
    return {
        "amt": amt,
        "every": None if every is None else every / 60.0,
        "n_doses": n_doses,
        "rate": rate,
    }


def _positive_number(name: str, value: Any, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if ok and np.isfinite(value) and (value >= 0 if allow_zero else value > 0):
        return float(value)
    bound = ">= 0" if allow_zero else "> 0"
    raise EventTableError(
        f"The {name!r} argument of regimen must be a number {bound}; got {value!r}."
    )


def regimen(
    amt: float,
    *,
    every: float | None = None,
    n_doses: int = 1,
    cmt: int | str | None = None,
    rate: float = 0.0,
    start: float = 0.0,
    n: int = 1,
    ids: Iterable[int] | None = None,
    model: ModelLike | None = None,
) -> pd.DataFrame:
    """Dose records for a regimen: one record per subject, repeated with ADDL and II.

    Parameters
    ----------
    amt
        Dose (mg), > 0.
    every
        Dosing interval (h); required when ``n_doses > 1``.
    n_doses
        Number of doses, the first at ``start`` (written as ``ADDL = n_doses - 1``).
    cmt
        Dose compartment, a 1-based number or a name (names need `model`). Default: the
        model's default dose compartment, or 0 without a model, which NONMEM and
        :func:`validate_dataset` read as the default dose compartment.
    rate
        Infusion rate (mg/h); 0 for a bolus.
    start
        Time of the first dose (h).
    n, ids
        Subjects: IDs 1..n, or the given `ids`.
    model
        Used to check `cmt` and to turn a compartment name into its number.

    Returns
    -------
    pandas.DataFrame
        Columns ``NONMEM_COLUMNS`` (EVID 1, SS 0), one row per subject.

    Examples
    --------
    >>> doses = regimen(20, every=8, n_doses=336, n=2)
    >>> doses["ID"].tolist(), doses["ADDL"].tolist(), doses["II"].tolist()
    ([1, 2], [335, 335], [8.0, 8.0])
    """
    amt = _positive_number("amt", amt)
    rate = _positive_number("rate", rate, allow_zero=True)
    start = float(start)
    if not np.isfinite(start):
        raise EventTableError(
            f"The 'start' argument of regimen must be a finite time (h); got {start!r}."
        )
    if isinstance(n_doses, bool) or not isinstance(n_doses, int | np.integer) or n_doses < 1:
        raise EventTableError(
            f"The 'n_doses' argument of regimen must be a whole number >= 1; got {n_doses!r}."
        )
    if every is None:
        if n_doses > 1:
            raise EventTableError(
                f"regimen was given n_doses={n_doses} but no interval; pass every= (h)."
            )
        ii = 0.0
    else:
        ii = _positive_number("every", every)
    if ids is None:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise EventTableError(
                f"The 'n' argument of regimen must be a whole number >= 1; got {n!r}."
            )
        id_list = list(range(1, int(n) + 1))
    else:
        id_list = list(ids)
        whole = all(isinstance(i, int | np.integer) and not isinstance(i, bool) for i in id_list)
        if not id_list or not whole or len(set(id_list)) != len(id_list):
            raise EventTableError(
                f"The 'ids' argument of regimen must be distinct whole-number IDs; got {id_list!r}."
            )
        if n != 1 and n != len(id_list):
            raise EventTableError(
                f"regimen was given n={n} but {len(id_list)} ids; pass one or the other."
            )
    number = _dose_cmt(cmt, model)
    size = len(id_list)
    return pd.DataFrame(
        {
            "ID": np.asarray(id_list, dtype="int64"),
            "TIME": np.full(size, start),
            "EVID": np.ones(size, dtype="int64"),
            "AMT": np.full(size, amt),
            "CMT": np.full(size, number, dtype="int64"),
            "RATE": np.full(size, rate),
            "ADDL": np.full(size, int(n_doses) - 1, dtype="int64"),
            "II": np.full(size, ii),
            "SS": np.zeros(size, dtype="int64"),
        },
        columns=list(NONMEM_COLUMNS),
    )


def _dose_cmt(cmt: int | str | None, model: ModelLike | None) -> int:
    if cmt is None:
        return 0 if model is None else int(model.default_dose_cmt)
    if isinstance(cmt, str):
        if model is None:
            raise EventTableError(
                f"regimen was given cmt={cmt!r}, a compartment name; pass model= to look it "
                f"up, or give the compartment number."
            )
        number = compartment_number(cmt, model)
        if number is None:
            names = ", ".join(c.name for c in model.compartments)
            raise EventTableError(
                f"Unknown compartment {cmt!r} for model {model.name!r}; valid: {names}."
            )
        return number
    if isinstance(cmt, bool) or not isinstance(cmt, int | np.integer) or cmt < 1:
        raise EventTableError(
            f"The 'cmt' argument of regimen must be a number >= 1 or a name; got {cmt!r}."
        )
    if model is not None and cmt > len(model.compartments):
        names = ", ".join(f"{i}={c.name}" for i, c in enumerate(model.compartments, 1))
        raise EventTableError(
            f"The 'cmt' argument of regimen must be 1..{len(model.compartments)} for model "
            f"{model.name!r} ({names}); got {cmt}."
        )
    return int(cmt)


def expand_addl(df: pd.DataFrame) -> pd.DataFrame:
    """Write each ADDL dose record out as explicit dose rows.

    A dose row (EVID 1 or 4) with ``ADDL = k`` and ``II = τ`` becomes itself plus ``k``
    copies at ``TIME + τ, ..., TIME + kτ``, all with ADDL 0. The copies are plain doses:
    EVID 1 (a reset happens once), SS 0 and II 0; the original keeps II only if it is a
    steady-state row (SS=1), which needs it. Within each ID rows are ordered by TIME, and
    at equal times the original rows come before the added doses, as in NONMEM and
    mrgsolve. Other columns are copied from the originating dose row.

    Parameters
    ----------
    df
        A data set as returned by :func:`validate_dataset`.

    Returns
    -------
    pandas.DataFrame
        A new table with a fresh index; the input is not modified.

    Examples
    --------
    >>> expand_addl(regimen(20, every=12, n_doses=3))["TIME"].tolist()
    [0.0, 12.0, 24.0]
    """
    missing = [c for c in ("ID", "TIME", "ADDL", "II") if c not in df.columns]
    if missing:
        raise EventTableError(
            f"expand_addl needs the columns ID, TIME, ADDL and II; missing: "
            f"{', '.join(missing)}. Run validate_dataset first."
        )
    out = df.reset_index(drop=True)
    addl = out["ADDL"].to_numpy()
    evid = out["EVID"].to_numpy() if "EVID" in out.columns else np.ones(len(out), dtype="int64")
    addl = np.where(np.isin(evid, (1, 4)), addl, 0)
    bad = (addl > 0) & ~(out["II"].to_numpy() > 0)
    if bad.any():
        pos = int(np.argmax(bad))
        raise EventTableError(
            f"II at data row {pos + 1} (ID {out['ID'].iloc[pos]}) must be > 0 h when ADDL > 0; "
            f"got {out['II'].iloc[pos]}."
        )
    # Repeat each dose row once per additional dose; k numbers the copies 1..ADDL.
    source = np.repeat(np.arange(len(out)), addl)
    k = np.arange(len(source)) - np.repeat(np.cumsum(addl) - addl, addl) + 1
    added = out.iloc[source].reset_index(drop=True)
    added["TIME"] = added["TIME"].to_numpy() + k * added["II"].to_numpy()
    added["II"] = np.zeros(len(added), dtype=out["II"].dtype)
    if "EVID" in added.columns:
        added.loc[added["EVID"] == 4, "EVID"] = 1
    if "SS" in added.columns:
        added["SS"] = np.zeros(len(added), dtype=out["SS"].dtype)
    if "SS" in out.columns:
        out["II"] = out["II"].where(out["SS"] == 1, 0).astype(out["II"].dtype)
    else:
        out["II"] = np.zeros(len(out), dtype=out["II"].dtype)
    out["ADDL"] = np.zeros(len(out), dtype=out["ADDL"].dtype)
    added["ADDL"] = np.zeros(len(added), dtype=out["ADDL"].dtype)

    both = pd.concat([out, added], ignore_index=True)
    # Subjects in order of first appearance, then TIME, then originals before added doses.
    # factorize numbers IDs by first appearance, and every ID appears among the originals.
    subject, _ = pd.factorize(both["ID"])
    is_added = np.r_[np.zeros(len(out)), np.ones(len(added))]
    order = np.lexsort((np.arange(len(both)), is_added, both["TIME"].to_numpy(), subject))
    return both.iloc[order].reset_index(drop=True)
