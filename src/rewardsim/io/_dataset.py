"""NONMEM-style event data sets: read, write and validate.

A data set has one row per event record, with the NONMEM columns ``ID, TIME, EVID, AMT,
CMT, RATE, ADDL, II, SS`` (TIME in hours, AMT in mg, RATE in mg/h), plus optional
per-subject parameter columns (named as ``model.param_names``), covariate columns
(``model.covariate_names``) and any other columns, which are kept unchanged.

EVID follows PREDPP: 0 observation, 1 dose, 2 other event, 3 reset, 4 reset and dose.
As in NONMEM, a missing value (empty or ``.`` in a CSV) in AMT, RATE, ADDL, II or SS reads
as 0, and CMT 0 or missing on a dose row means the model's default dose compartment.
RATE -1 and -2 take the infusion rate ``R<n>`` or duration ``D<n>`` of the dosed
compartment n from the model or from a column of that name; columns ``F<n>``, ``ALAG<n>``,
``R<n>`` and ``D<n>`` may change from record to record, each dose record using its own
values. What each combination of EVID, SS, RATE, ADDL and II does is in docs/events.md.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..errors import EventTableError
from ._atomic import atomic_open
from ._csv import NULL_VALUES, read_csv_strict

NONMEM_COLUMNS: tuple[str, ...] = ("ID", "TIME", "EVID", "AMT", "CMT", "RATE", "ADDL", "II", "SS")
"""The NONMEM data items this layer understands, in output order."""

_INT_COLUMNS = frozenset({"ID", "EVID", "CMT", "ADDL", "SS"})
_DOSE_EVIDS = (1, 4)
_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class _Named(Protocol):
    name: str


class ModelLike(Protocol):
    """What :func:`validate_dataset` needs from a model."""

    name: str
    compartments: Sequence[_Named]
    param_names: Sequence[str]
    covariate_names: Sequence[str]
    default_dose_cmt: int


# -- messages -----------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    """Show a cell value the way a user would type it (``-20``, ``0.5``, ``'abc'``)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "a missing value"
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


def interval(lower: float, upper: float) -> str:
    """``[0, inf)`` or ``[0.5, 2]``: a closed range, an infinite end left open."""
    left = "(" if np.isinf(lower) else "["
    right = ")" if np.isinf(upper) else "]"
    return f"{left}{lower:g}, {upper:g}{right}"


def _where(pos: int, ids: np.ndarray | None) -> str:
    """``data row 3 (ID 2)``: 1-based data row number (header excluded) and subject."""
    if ids is None:
        return f"data row {pos + 1}"
    return f"data row {pos + 1} (ID {ids[pos]})"


def _row_error(
    col: str, pos: int, ids: np.ndarray | None, value: Any, expected: str, hint: str = ""
) -> EventTableError:
    msg = f"{col} at {_where(pos, ids)} must be {expected}; got {_fmt(value)}."
    return EventTableError(f"{msg} {hint}" if hint else msg)


def _compartment_list(model: ModelLike) -> str:
    return ", ".join(f"{i}={c.name}" for i, c in enumerate(model.compartments, start=1))


# -- reading and writing ------------------------------------------------------------------


def _file_kind(path: Path, action: str) -> str:
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise EventTableError(
            f"Cannot {action} data set {str(path)!r}: unknown file type {path.suffix!r}; "
            f"expected one of {', '.join(_SUFFIXES)}."
        )
    return kind


def _upper_nonmem_columns(df: pd.DataFrame, extra: Sequence[str] = ()) -> dict[Any, str]:
    """Map columns that match a NONMEM name (or a name in `extra`), ignoring case and
    surrounding spaces, to that name; refuse two columns that map to the same name."""
    targets = {name.upper(): name for name in extra}
    targets.update({name: name for name in NONMEM_COLUMNS})
    mapping: dict[Any, str] = {}
    seen: dict[str, Any] = {}
    for col in df.columns:
        target = targets.get(str(col).strip().upper())
        if target is None:
            continue
        if target in seen:
            raise EventTableError(
                f"Columns {seen[target]!r} and {col!r} both name {target} (column names are "
                f"case-insensitive); keep only one of them."
            )
        seen[target] = col
        if col != target:
            mapping[col] = target
    return mapping


def _refuse_repeated(names: Sequence[str], path: Path) -> None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise EventTableError(
            f"Cannot read data set {str(path)!r}: column {repeated[0]!r} appears "
            f"{names.count(repeated[0])} times; give each column its own name."
        )


def read_dataset(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a NONMEM-style data set from CSV or Parquet.

    Parameters
    ----------
    path
        File ending in ``.csv``, ``.parquet`` or ``.pq`` (the suffix picks the format).
        In a CSV, ``.`` is read as a missing value, as NONMEM does.

    Returns
    -------
    pandas.DataFrame
        The table as stored, with NONMEM column names upper-cased (``time`` -> ``TIME``).
        Other columns keep their names. Pass it to :func:`validate_dataset` before use.

    Raises
    ------
    EventTableError
        Unknown suffix, missing file, unreadable content, a CSV row with more or fewer
        fields than the header, a column name given twice, or two columns that differ
        only in case (``time`` and ``TIME``).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "doses.csv").write_text("id,time,amt\\n1,0,20\\n")
    >>> read_dataset(folder / "doses.csv").columns.tolist()
    ['ID', 'TIME', 'AMT']
    """
    path = Path(path)
    kind = _file_kind(path, "read")
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise EventTableError(f"Cannot read data set {str(path)!r}: the path {what}.")
    try:
        if kind == "csv":
            df = read_csv_strict(path, what="data set", error=EventTableError,
                                 null_values=[*NULL_VALUES, "."])
        else:
            _refuse_repeated(pq.read_schema(path).names, path)
            df = pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:  # pandas/pyarrow parse errors
        if isinstance(exc, EventTableError):
            raise
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EventTableError(
            f"Cannot read data set {str(path)!r} as {kind.upper()}: {first_line}"
        ) from exc
    return df.rename(columns=_upper_nonmem_columns(df))


def write_dataset(df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a data set to CSV or Parquet, atomically.

    The table goes to a temporary file in the destination folder, which then replaces
    `path` in one step (``os.replace``), so an existing file is never left half-written and
    a failed write leaves no partial file behind. The index is not written.

    Parameters
    ----------
    df
        The table to write.
    path
        Destination ending in ``.csv``, ``.parquet`` or ``.pq``.

    Raises
    ------
    EventTableError
        Unknown suffix, or the destination folder does not exist.
    OutputError
        The destination is a folder, or writing failed (read-only folder, full disk).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "doses.parquet"
    >>> write_dataset(pd.DataFrame({"ID": [1], "TIME": [0.0], "AMT": [20.0]}), target)
    >>> read_dataset(target)["AMT"].tolist()
    [20.0]
    """
    if not isinstance(df, pd.DataFrame):
        raise EventTableError(
            f"write_dataset expects a pandas DataFrame; got {type(df).__name__} instead."
        )
    path = Path(path)
    kind = _file_kind(path, "write")
    if not path.parent.is_dir():
        raise EventTableError(
            f"Cannot write data set {str(path)!r}: the folder {str(path.parent)!r} does not "
            f"exist; create it first."
        )
    with atomic_open(path, "w" if kind == "csv" else "wb", what="data set") as fh:
        if kind == "csv":
            df.to_csv(fh, index=False)
        else:
            df.to_parquet(fh, index=False)


# -- validation helpers -------------------------------------------------------------------


def _as_float(raw: pd.Series) -> np.ndarray:
    """A writable float64 copy of a column; NaN where missing or not a number."""
    if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "iuf":
        # Plain NumPy columns have no missing-value mask: a cast copies them.
        return np.array(raw.to_numpy(), dtype=np.float64)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values: np.ndarray = raw.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        return values
    # Text columns: convert each distinct value once (parsing 10^6 strings is slow).
    codes, uniques = pd.factorize(raw)
    converted = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce")
    table = np.append(converted.to_numpy(dtype="float64", na_value=np.nan), np.nan)
    values = table[codes]  # code -1 (missing) picks the trailing NaN
    return values


def _unparsed(raw: pd.Series, values: np.ndarray) -> np.ndarray:
    """Rows of a column that hold something other than a number or a missing cell."""
    if pd.api.types.is_numeric_dtype(raw.dtype):  # every NaN there is a missing cell
        return np.zeros(len(values), dtype=bool)
    return np.isnan(values) & raw.notna().to_numpy()


def _numeric(df: pd.DataFrame, col: str, ids: np.ndarray | None, expected: str) -> np.ndarray:
    """Column as float64 (NaN where missing); refuse text and infinities."""
    raw = df[col]
    values = _as_float(raw)
    bad = _unparsed(raw, values)
    if bad.any():
        pos = int(np.argmax(bad))
        raise _row_error(col, pos, ids, raw.iloc[pos], expected)
    bad = np.isinf(values)
    if bad.any():
        pos = int(np.argmax(bad))
        raise _row_error(col, pos, ids, values[pos], expected)
    return values


_INT64 = (-(2**63), 2**63 - 1)
# From 2**53 on a float64 no longer holds every whole number: two IDs could become one.
_EXACT_FLOAT = 2**53


def _ids(df: pd.DataFrame) -> np.ndarray:
    """The ID column as int64; refuse missing, fractional and out-of-range IDs."""
    raw = df["ID"]
    expected = "a whole number (NONMEM IDs are numeric)"
    if pd.api.types.is_integer_dtype(raw.dtype) and not raw.isna().any():
        exact = raw.to_numpy()
        if exact.dtype.kind == "u":
            pos = _first(exact > np.uint64(_INT64[1]))
            if pos is not None:
                raise _row_error("ID", pos, None, int(exact[pos]),
                                 "a whole number in -2**63..2**63-1 (a 64-bit integer)")
        return exact.astype(np.int64)
    values = _numeric(df, "ID", None, expected)
    _check(np.isnan(values), "ID", values, None, "a whole number, not missing")
    _whole(values, "ID", None, expected)
    # Exclusive at both ends: a float of exactly -2**63 may stand for a smaller number.
    _check((values <= -(2.0**63)) | (values >= 2.0**63), "ID", values, None,
           "a whole number in -2**63..2**63-1 (a 64-bit integer)")
    # At 2**53 and beyond, one float stands for several whole numbers.
    pos = _first(np.abs(values) >= _EXACT_FLOAT)
    if pos is not None:
        raise _row_error(
            "ID", pos, None, values[pos], "a whole number of magnitude below 2**53 when the "
            "ID column holds decimals or text", "Larger IDs are not exact as floating-point "
            "numbers; write the ID column as whole numbers only (64-bit IDs are allowed).")
    return values.astype(np.int64)


def _first(mask: np.ndarray) -> int | None:
    return int(np.argmax(mask)) if mask.any() else None


def _check(
    mask: np.ndarray,
    col: str,
    values: Any,
    ids: np.ndarray | None,
    expected: str,
    hint: str = "",
) -> None:
    """Raise the row error for the first row where `mask` is true."""
    pos = _first(mask)
    if pos is not None:
        raise _row_error(col, pos, ids, values[pos], expected, hint)


def _whole(values: np.ndarray, col: str, ids: np.ndarray | None, expected: str) -> None:
    finite = ~np.isnan(values)
    bad = finite & (values != np.round(values))
    pos = _first(bad)
    if pos is not None:
        raise _row_error(col, pos, ids, values[pos], expected)


def _fill(values: np.ndarray, default: float) -> np.ndarray:
    return np.where(np.isnan(values), default, values)


def _optional(df: pd.DataFrame, col: str, ids: np.ndarray, expected: str) -> np.ndarray:
    """An optional NONMEM column as float64: zeros when absent, missing cells read as 0."""
    if col not in df.columns:
        return np.zeros(len(df))
    values = _numeric(df, col, ids, expected)
    if col in _INT_COLUMNS:
        _whole(values, col, ids, expected)
    return _fill(values, 0.0)


def compartment_number(value: Any, model: ModelLike) -> int | None:
    """1-based number of a compartment given by name (any case) or number; None if unknown."""
    if isinstance(value, str):
        names = [c.name.upper() for c in model.compartments]
        key = value.strip().upper()
        return names.index(key) + 1 if key in names else None
    return None


def _cmt(df: pd.DataFrame, ids: np.ndarray, dose: np.ndarray, model: ModelLike) -> np.ndarray:
    n_cmt = len(model.compartments)
    valid = f"Model {model.name!r} has compartments {_compartment_list(model)}"
    if "CMT" not in df.columns:
        return np.where(dose, int(model.default_dose_cmt), 0).astype("float64")
    raw = df["CMT"]
    values = _as_float(raw)
    named = _unparsed(raw, values)
    if named.any():
        numbers = {c.name.upper(): float(i) for i, c in enumerate(model.compartments, start=1)}
        # Look each distinct name up once: a trial data set repeats a handful of names.
        codes, uniques = pd.factorize(raw[named])
        lookup = [numbers.get(str(name).strip().upper(), np.nan) for name in uniques]
        found = np.asarray(lookup, dtype="float64")[codes]
        unknown = _first(np.isnan(found))
        if unknown is not None:
            pos = int(np.flatnonzero(named)[unknown])
            raise _row_error(
                "CMT", pos, ids, raw.iloc[pos], "a compartment number or name", f"{valid}."
            )
        values[named] = found
    _check(np.isinf(values), "CMT", values, ids, f"a compartment number 1..{n_cmt}")
    _whole(values, "CMT", ids, f"a whole compartment number 1..{n_cmt}")
    # NONMEM: CMT 0 or missing on a dose row doses into the default dose compartment.
    values = np.where(dose & (np.isnan(values) | (values == 0)), model.default_dose_cmt, values)
    values = _fill(values, 0.0)
    _check(
        dose & ((values < 1) | (values > n_cmt)),
        "CMT",
        values,
        ids,
        f"a compartment number 1..{n_cmt} on a dose row",
        f"{valid}.",
    )
    _check(
        (values < 0) | (values > n_cmt),
        "CMT",
        values,
        ids,
        f"0 (default) or a compartment number 1..{n_cmt}",
        f"{valid}; negative CMT (turning compartments off) is not supported.",
    )
    return values


def _constant_per_subject(values: np.ndarray, col: str, ids: np.ndarray, what: str) -> None:
    """Refuse a column that takes more than one value within a subject."""
    first = pd.Series(values).groupby(ids, sort=False).transform("first").to_numpy()
    pos = _first(values != first)
    if pos is None:
        return
    first_pos = (
        pd.Series(np.arange(len(values))).groupby(ids, sort=False).transform("first").iloc[pos]
    )
    raise EventTableError(
        f"{col} must be constant within a subject ({what}); ID {ids[pos]} has "
        f"{_fmt(first[pos])} at data row {first_pos + 1} and {_fmt(values[pos])} at data "
        f"row {pos + 1}. Use one value per ID."
    )


def _dose_modifier_names(model: ModelLike) -> tuple[str, ...]:
    """F<n>, ALAG<n>, R<n>, D<n> for each dosable compartment n: items a dose record
    carries for its own dose, so their columns may change from record to record."""
    return tuple(
        f"{prefix}{n}"
        for n, comp in enumerate(model.compartments, start=1)
        if getattr(comp, "dosable", True)
        for prefix in ("F", "ALAG", "R", "D")
    )


def _subject_columns(out: pd.DataFrame, ids: np.ndarray, model: ModelLike) -> None:
    """Per-subject parameter and covariate columns: numeric, present, constant per ID
    (dose modifiers such as F2 or ALAG1 may change record by record)."""
    per_record = set(_dose_modifier_names(model))
    for name in model.param_names:
        if name not in out.columns:
            continue
        is_lag = name.upper().startswith("ALAG")
        expected = "a lag time >= 0 h" if is_lag else "a number > 0"
        values = _numeric(out, name, ids, f"{expected} (per-subject parameter)")
        bad = np.isnan(values) | ((values < 0) if is_lag else (values <= 0))
        _check(bad, name, values, ids, f"{expected} (per-subject parameter of {model.name})")
        if name not in per_record:
            _constant_per_subject(values, name, ids, "per-subject parameter")
        out[name] = values
    declared = {c.name: c for c in getattr(model, "covariates", ())}
    for name in model.covariate_names:
        if name not in out.columns:
            continue
        values = _numeric(out, name, ids, "a number (covariate)")
        _check(np.isnan(values), name, values, ids, f"a number (covariate of {model.name})")
        cov = declared.get(name)
        if cov is not None:  # a covariate's range, e.g. a clearance is never negative
            _check((values < cov.lower) | (values > cov.upper), name, values, ids,
                   f"a number in {interval(cov.lower, cov.upper)} {cov.unit} (covariate of "
                   f"{model.name})")
        if name not in per_record:
            _constant_per_subject(values, name, ids, "covariates are per subject")
        out[name] = values


def _modelled_infusions(
    out: pd.DataFrame,
    ids: np.ndarray,
    rate: np.ndarray,
    cmt: np.ndarray,
    model: ModelLike,
) -> None:
    """RATE -1 (rate R<n>) and -2 (duration D<n>) need R<n>/D<n> for the dosed
    compartment n, from the model or from a data column (> 0 on the rows that use it)."""
    declared = {
        *model.param_names,
        *model.covariate_names,
        *(x.name for x in getattr(model, "derived", ())),
    }
    for code, prefix, what, unit in ((-1, "R", "rate", "mg/h"), (-2, "D", "duration", "h")):
        uses = rate == code
        for n in np.unique(cmt[uses]).astype("int64"):
            name = f"{prefix}{n}"
            rows = uses & (cmt == n)
            if name not in out.columns:
                if name in declared:
                    continue
                pos = int(np.argmax(rows))
                raise EventTableError(
                    f"RATE at {_where(pos, ids)} is {code} (infusion {what} modelled as "
                    f"{name}), but model {model.name!r} has no {name} and the data set has no "
                    f"{name} column. Add a column {name} ({unit}) or give RATE in mg/h."
                )
            values = _numeric(out, name, ids, f"a {what} > 0 ({unit})")
            _check(
                rows & ~(values > 0),
                name,
                values,
                ids,
                f"a {what} > 0 ({unit}) on a dose row with RATE={code}",
            )
            out[name] = values


def _dose_items(
    ids: np.ndarray,
    dose: np.ndarray,
    amt: np.ndarray,
    rate: np.ndarray,
    ii: np.ndarray,
    ss: np.ndarray,
    model: ModelLike,
) -> None:
    """AMT, RATE, II and SS together, as PREDPP reads them (see docs/events.md)."""
    pos = _first(~np.isin(ss, (0, 1, 2)))
    if pos is not None:
        raise _row_error(
            "SS", pos, ids, ss[pos], "0, 1 or 2",
            "SS=3 (steady state started from the current amounts) is not supported; use "
            "SS=1." if ss[pos] == 3 else "",
        )
    _check(~dose & (ss != 0), "SS", ss, ids, "0 on a non-dose row (EVID 0, 2 or 3)",
           "Set EVID to 1 (or 4) to give a dose.")
    if not getattr(model, "linear", False):
        _check(
            ss == 2,
            "SS",
            ss,
            ids,
            f"0 or 1 for model {model.name!r}, which is not linear",
            "SS=2 adds a steady state to the current amounts, which is right only when "
            "doses superpose (a linear model); write the earlier doses out instead.",
        )
    steady = ss > 0
    # A constant-rate infusion at steady state: AMT=0, RATE>0 (or -1), II=0.
    constant = steady & (amt == 0) & (ii == 0) & ((rate > 0) | (rate == -1))
    _check(
        steady & (ii <= 0) & (amt > 0),
        "II",
        ii,
        ids,
        "> 0 h on a steady-state dose row (SS=1 or 2) with AMT > 0",
        "II is the dosing interval that steady state is reached on; a constant-rate "
        "infusion at steady state has AMT=0, RATE>0 and II=0.",
    )
    _check(
        steady & (amt == 0) & ~constant,
        "AMT",
        amt,
        ids,
        "> 0 (mg) on a steady-state dose row (SS=1 or 2)",
        "Only a constant-rate infusion at steady state has AMT=0 (with RATE>0 and II=0).",
    )
    _check(
        dose & (rate != 0) & (amt == 0) & ~constant,
        "AMT",
        amt,
        ids,
        "> 0 (mg) on an infusion row (RATE > 0, -1 or -2)",
        "An infusion of AMT=0 is a constant-rate infusion only at steady state (SS=1, "
        "II=0).",
    )


# -- validation ---------------------------------------------------------------------------


def validate_dataset(df: pd.DataFrame, model: ModelLike) -> pd.DataFrame:
    """Check a NONMEM-style data set against a model and return a normalised copy.

    Parameters
    ----------
    df
        One row per event record. ``ID`` and ``TIME`` (h) are required; ``EVID, AMT (mg),
        CMT, RATE (mg/h), ADDL, II (h), SS`` are optional. Column names are matched
        ignoring case (``time`` works). The input is not modified.
    model
        Gives ``name``, ``compartments`` (CMT indexes them from 1), ``param_names``,
        ``covariate_names`` and ``default_dose_cmt``; ``derived`` and ``linear`` when it
        has them (SS=2 needs a model declared linear).

    Returns
    -------
    pandas.DataFrame
        A new table, rows in input order, with a fresh index. The NONMEM columns come first,
        filled where absent (EVID 1 where AMT > 0 else 0; AMT, RATE, ADDL, II, SS 0; CMT the
        default dose compartment on dose rows and 0 elsewhere), with dtypes ID, EVID, CMT,
        ADDL, SS int64 and TIME, AMT, RATE, II float64. CMT given as a compartment name is
        converted to its number. Parameter and covariate columns (matched ignoring case and
        renamed to the model's spelling) become float64; other columns are kept unchanged.
        Rows of one ID need not be contiguous: all rows with the same ID are one subject.

    Raises
    ------
    EventTableError
        On the first problem found, in one line naming the column, the data row (1-based,
        header excluded) and ID, the value, and what is allowed.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> model = NS(name="pk1", compartments=(NS(name="DEPOT"), NS(name="CENTRAL")),
    ...            param_names=("CL", "V"), covariate_names=("WT",), default_dose_cmt=1)
    >>> data = pd.DataFrame({"ID": [1, 1], "TIME": [0, 2], "AMT": [20, 0]})
    >>> validate_dataset(data, model)[["EVID", "CMT"]].values.tolist()
    [[1, 1], [0, 0]]
    """
    return _validated(df, model)[0]


def _validated(
    df: pd.DataFrame, model: ModelLike
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """:func:`validate_dataset`, also returning its NONMEM columns as arrays."""
    if not isinstance(df, pd.DataFrame):
        raise EventTableError(
            f"validate_dataset expects a pandas DataFrame; got {type(df).__name__} instead."
        )
    names = (*model.param_names, *model.covariate_names)
    names += tuple(n for n in _dose_modifier_names(model) if n not in names)
    mapping = _upper_nonmem_columns(df, names)
    out = (df.rename(columns=mapping) if mapping else df).reset_index(drop=True)
    for col in ("ID", "TIME"):
        if col not in out.columns:
            found = ", ".join(map(str, df.columns)) or "none"
            raise EventTableError(
                f"The data set has no {col} column, which is required; columns found: {found}."
            )
    if len(out) == 0:
        raise EventTableError("The data set has no rows; expected at least one event record.")

    ids = _ids(out)

    time = _numeric(out, "TIME", ids, "a number of hours")
    _check(np.isnan(time), "TIME", time, ids, "a number of hours, not missing")

    amt = np.zeros(len(out))
    if "AMT" in out.columns:
        amt = _numeric(out, "AMT", ids, "a number >= 0 (mg)")
    if "EVID" in out.columns:
        evid = _numeric(out, "EVID", ids, "one of 0, 1, 2, 3, 4")
        _check(~np.isin(evid, (0, 1, 2, 3, 4)), "EVID", evid, ids, "one of 0, 1, 2, 3, 4")
    else:
        evid = np.where(amt > 0, 1.0, 0.0)
    dose = np.isin(evid, _DOSE_EVIDS)
    not_dose = "0 on a non-dose row (EVID 0, 2 or 3)"
    dose_hint = "Set EVID to 1 (or 4) to give a dose."

    _check(dose & np.isnan(amt), "AMT", amt, ids, "a number >= 0 (mg) on a dose row")
    _check(amt < 0, "AMT", amt, ids, "a number >= 0 (mg)")
    amt = _fill(amt, 0.0)
    _check(~dose & (amt != 0), "AMT", amt, ids, not_dose, dose_hint)

    rate_expected = (
        "a number >= 0 (mg/h; 0 for a bolus), -1 (rate modelled as R<CMT>) or -2 "
        "(duration modelled as D<CMT>)"
    )
    rate = _optional(out, "RATE", ids, rate_expected)
    _check((rate < 0) & ~np.isin(rate, (-1, -2)), "RATE", rate, ids, rate_expected)
    _check(~dose & (rate != 0), "RATE", rate, ids, not_dose, dose_hint)

    cmt = _cmt(out, ids, dose, model)

    ii = _optional(out, "II", ids, "a number of hours >= 0")
    _check(ii < 0, "II", ii, ids, "a number of hours >= 0")
    addl = _optional(out, "ADDL", ids, "a whole number >= 0")
    _check(addl < 0, "ADDL", addl, ids, "a whole number >= 0")
    _check(~dose & (addl != 0), "ADDL", addl, ids, not_dose, dose_hint)
    pos = _first((addl > 0) & (ii <= 0))
    if pos is not None:
        raise _row_error(
            "II",
            pos,
            ids,
            ii[pos],
            f"> 0 h when ADDL > 0 (ADDL={_fmt(addl[pos])})",
            "II is the interval between the additional doses.",
        )
    ss = _optional(out, "SS", ids, "0, 1 or 2")
    _dose_items(ids, dose, amt, rate, ii, ss, model)
    _modelled_infusions(out, ids, np.where(dose, rate, 0.0), cmt, model)

    # The previous row of the same subject (rows of one ID need not be contiguous).
    order = np.argsort(ids, kind="stable")
    same = np.zeros(len(ids), dtype=bool)
    same[1:] = ids[order[1:]] == ids[order[:-1]]
    prev = np.full(len(ids), np.nan)
    prev[order[1:]] = np.where(same[1:], time[order[:-1]], np.nan)
    pos = _first(time < prev)
    if pos is not None:
        raise EventTableError(
            f"TIME must not decrease within a subject; ID {ids[pos]} goes from "
            f"{_fmt(prev[pos])} h to {_fmt(time[pos])} h at data row {pos + 1}. "
            f"Sort the rows by ID, then TIME."
        )

    _subject_columns(out, ids, model)

    columns = {
        "ID": ids,
        "TIME": time,
        "EVID": evid.astype("int64"),
        "AMT": amt,
        "CMT": cmt.astype("int64"),
        "RATE": rate,
        "ADDL": addl.astype("int64"),
        "II": ii,
        "SS": ss.astype("int64"),
    }
    nonmem = pd.DataFrame(columns, index=out.index, copy=False)
    rest = [c for c in out.columns if c not in NONMEM_COLUMNS]
    if not rest:
        return nonmem, columns
    return pd.concat([nonmem, out[rest]], axis=1), columns
