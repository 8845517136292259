"""Strict CSV reading, shared by every reader of user CSV files.

Arrow's CSV reader, not pandas': a row with more or fewer fields than the header is an
error (pandas moves extra leading fields into the index, and pads short rows with missing
values), a column name given twice is an error (pandas renames the second ``AMT.1``, which
then goes unnoticed), and text that is not UTF-8 is an error rather than a traceback.
Dates and times stay the text they were; numbers are parsed exactly (correctly rounded).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["NULL_VALUES", "read_csv_strict"]

#: Arrow's default spellings of a missing value (the same as pandas').
NULL_VALUES: tuple[str, ...] = tuple(pacsv.ConvertOptions().null_values)
# Arrow's message for a row with the wrong number of fields (the row's text last, cut
# with " ..." when long).
_RAGGED = re.compile(r"Expected (\d+) columns, got (\d+): (.*)$", re.DOTALL)


def _line_of(path: Path, text: str) -> int | None:
    """1-based line number of the first line equal to ``text`` (for an error message)."""
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            if line.rstrip("\r\n") == text:
                return number
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_csv_strict(
    path: str | os.PathLike[str], *, what: str, error: type[Exception],
    null_values: Sequence[str] = NULL_VALUES, text_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a CSV file into a DataFrame, refusing malformed files with one line.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for messages (``"data set"``, ``"words CSV"``).
    error
        The exception class raised (the caller's error type).
    null_values
        Cell texts read as missing.
    text_columns
        Columns read as text whatever they hold; their empty cells are ``""``.

    Raises
    ------
    error
        Unreadable file, a row with the wrong number of fields (naming its line), a column
        name given twice, text that is not UTF-8.
    """
    path = Path(path)
    convert = pacsv.ConvertOptions(
        null_values=list(null_values), strings_can_be_null=True,
        column_types={c: pa.string() for c in text_columns})  # fmt: skip
    try:
        table = pacsv.read_csv(path, convert_options=convert)
    except (pa.ArrowInvalid, OSError) as exc:
        ragged = _RAGGED.search(str(exc))
        if ragged is None:
            raise error(f"Cannot read {what} {str(path)!r} as CSV: {_first_line(exc)}") from None
        expected, got, text = ragged.groups()
        number = None if text.endswith(" ...") else _line_of(path, text)
        where = f"line {number}" if number else "a line"
        raise error(
            f"Cannot read {what} {str(path)!r} as CSV: {where} has {got} fields but the "
            f"header has {expected}: {text!r}. Give every row one field per column (quote "
            f"text that holds a comma)."
        ) from None
    names = table.column_names
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise error(
            f"Cannot read {what} {str(path)!r}: column {repeated[0]!r} appears "
            f"{names.count(repeated[0])} times; give each column its own name.")
    for i, field in enumerate(table.schema):
        if pa.types.is_temporal(field.type):  # keep dates and times as written
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
        elif field.name in text_columns:  # an empty text cell is the empty text
            table = table.set_column(i, field.name, table.column(i).fill_null(""))
    return table.to_pandas()
