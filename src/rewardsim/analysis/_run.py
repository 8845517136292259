"""Reading a trial run folder and answering SQL over its tables.

A run folder (written by the trial layer) holds::

    manifest.json   rewardsim_version, design_hash, seed, hypothesis, replicates, design{...},
                    tables{name: {rows, bytes, parts: [{file, rows, bytes, sha256}]}},
                    written last
    subjects/       replicate, id, arm, baseline_positive_urines, baseline_use_days_per_month,
                    severity, dropout_day (null = completed), completed
    visits/         replicate, id, arm, day, week, kind, attended, urine_positive, be_ng_ml,
                    craving, anxiety
    daily_use/      (optional) replicate, id, day, used, amount_mg, route
    doses/          (optional) replicate, id, day, time_h, amt_mg, taken

Each table is a Parquet dataset, one file per chunk of patients
(``part-r<replicate>-c<chunk>.parquet``); a table may also be one file,
``<table>.parquet`` (manifest entry ``{rows, bytes, sha256}``), as runs made by hand or by
earlier versions are. ``manifest.json``, ``subjects`` and ``visits`` are required; a table
whose files do not match the manifest's row counts or content hashes is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import AnalysisInputError
from ..io._runfolder import read_manifest, verify_tables
from ._query import sandboxed_query

__all__ = ["RunData", "load_run", "query_run", "REQUIRED_COLUMNS"]

#: Columns each table must have (extra columns are kept).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "subjects": (
        "replicate", "id", "arm", "baseline_positive_urines", "baseline_use_days_per_month",
        "severity", "dropout_day", "completed",
    ),
    "visits": (
        "replicate", "id", "arm", "day", "week", "kind", "attended", "urine_positive",
        "be_ng_ml", "craving", "anxiety",
    ),
    "daily_use": ("replicate", "id", "day", "used", "amount_mg", "route"),
    "doses": ("replicate", "id", "day", "time_h", "amt_mg", "taken"),
}  # fmt: skip
_OPTIONAL = ("daily_use", "doses")


@dataclass(frozen=True)
class RunData:
    """The tables of one run folder; :func:`load_run` builds it."""

    path: Path
    manifest: dict[str, Any]
    subjects: pd.DataFrame
    visits: pd.DataFrame
    optional: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def design(self) -> dict[str, Any]:
        """The design dictionary from the manifest."""
        return dict(self.manifest.get("design", {}))

    @property
    def arms(self) -> list[str]:
        """Arm names in design order; the first is the reference (comparator) arm."""
        names = [a["name"] for a in self.design.get("arms", [])]
        extra = sorted(set(self.subjects["arm"].astype(str)) - set(names))
        return names + extra

    @property
    def weeks(self) -> int:
        """Number of treatment weeks."""
        return int(self.design.get("weeks", self.visits["week"].max()))

    @property
    def replicates(self) -> list[int]:
        """Replicate numbers present in the subjects table."""
        return sorted(int(r) for r in self.subjects["replicate"].unique())


# Arrow type family of each column ("int": any integer; "num": any integer or float).
_KINDS: dict[str, str] = {
    "replicate": "int", "id": "int", "day": "int", "week": "int",
    "baseline_positive_urines": "int", "arm": "str", "kind": "str", "route": "str",
    "completed": "bool", "attended": "bool", "used": "bool", "taken": "bool",
}  # fmt: skip
_TYPE_WORDS = {"int": "integers", "num": "numbers", "bool": "booleans", "str": "text"}


def _family(t: pa.DataType) -> str:
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t):
        return "num"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "str"
    return str(t)


def _read_parquet(paths: list[Path], name: str) -> pd.DataFrame:
    """A table from its file, or from its dataset's parts in row order."""
    single = len(paths) == 1 and paths[0].name == f"{name}.parquet"
    # A dataset is read as its folder, which verify_tables has checked holds exactly the
    # listed parts; their names sort in row order.
    source = paths[0] if single else paths[0].parent
    label = source.name if single else f"{name}/"
    try:
        schema = pq.read_schema(paths[0])
        df = pd.read_parquet(source)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise AnalysisInputError(f"Cannot read run table {label!r}: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in df.columns]
    if missing:
        raise AnalysisInputError(
            f"Run table {label!r} is missing column(s) {missing}; required: "
            f"{list(REQUIRED_COLUMNS[name])}."
        )
    for col in REQUIRED_COLUMNS[name]:
        want = _KINDS.get(col, "num")
        got = _family(schema.field(col).type)
        if got != want and not (want == "num" and got == "int"):
            raise AnalysisInputError(
                f"Column {col!r} of run table {label!r} must hold {_TYPE_WORDS[want]}; "
                f"it holds {_TYPE_WORDS.get(got, got)} ({schema.field(col).type}).")
    if name in ("subjects", "visits") and len(df) == 0:
        raise AnalysisInputError(f"Run table {label!r} has no rows.")
    return df


def load_run(path: str | Path) -> RunData:
    """Read and check a run folder.

    The manifest is validated field by field, each table is checked against the row count
    and content hash the manifest records for it, then the tables are read and their
    columns checked.

    Raises
    ------
    AnalysisInputError
        If the folder, ``manifest.json``, ``subjects.parquet`` or ``visits.parquet``
        is missing, unreadable or lacks a required field or column, a table does not
        match the manifest, or a column has the wrong type (the message names the file
        and the field).
    """
    root = Path(path)
    manifest = read_manifest(root)
    tables = verify_tables(root, manifest)
    subjects = _read_parquet(tables["subjects"], "subjects")
    visits = _read_parquet(tables["visits"], "visits")
    optional = {name: _read_parquet(tables[name], name) for name in _OPTIONAL if name in tables}
    return RunData(root, manifest, subjects, visits, optional)


def query_run(path: str | Path, sql: str) -> pd.DataFrame:
    """Answer ``sql`` over the run's tables with DuckDB, read-only.

    The tables the manifest lists are views named ``subjects``, ``visits``, and
    ``daily_use``/``doses`` when present; they are checked against the manifest first.
    The SQL runs in a sandbox that can read these tables and nothing else: writing files
    (``COPY ... TO``), attaching databases, reading other files, the network and
    extensions are refused (see :mod:`rewardsim.analysis._query`).

    Raises
    ------
    AnalysisInputError
        If the folder is not a finished, consistent run, the SQL is empty, or DuckDB
        refuses or fails the SQL (the message quotes DuckDB's error and lists the tables).

    Examples
    --------
    >>> query_run("RUN/", "SELECT arm, count(*) AS n FROM subjects GROUP BY arm")  # doctest: +SKIP
    """
    root = Path(path)
    tables = verify_tables(root, read_manifest(root))
    return sandboxed_query(tables, sql)
