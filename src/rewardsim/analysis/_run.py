"""Reading a trial run folder and answering SQL over its tables.

A run folder (written by the trial layer) holds::

    manifest.json       rewardsim_version, design_hash, seed, hypothesis, replicates, design{...}
    subjects.parquet    replicate, id, arm, baseline_positive_urines, baseline_use_days_per_month,
                        severity, dropout_day (null = completed), completed
    visits.parquet      replicate, id, arm, day, week, kind, attended, urine_positive, be_ng_ml,
                        craving, anxiety
    daily_use.parquet   (optional) replicate, id, day, used, amount_mg, route
    doses.parquet       (optional) replicate, id, day, time_h, amt_mg, taken

``manifest.json``, ``subjects.parquet`` and ``visits.parquet`` are required.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..errors import AnalysisInputError

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


def _read_parquet(path: Path, name: str) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise AnalysisInputError(f"Cannot read run table {path.name!r}: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in df.columns]
    if missing:
        raise AnalysisInputError(
            f"Run table {path.name!r} is missing column(s) {missing}; required: "
            f"{list(REQUIRED_COLUMNS[name])}."
        )
    return df


def load_run(path: str | Path) -> RunData:
    """Read and check a run folder.

    Raises
    ------
    AnalysisInputError
        If the folder, ``manifest.json``, ``subjects.parquet`` or ``visits.parquet``
        is missing, unreadable or lacks a required field or column (the message
        names the file and the field).
    """
    root = Path(path)
    if not root.is_dir():
        raise AnalysisInputError(f"Run folder {str(root)!r} does not exist or is not a folder.")
    for required in ("manifest.json", "subjects.parquet", "visits.parquet"):
        if not (root / required).is_file():
            raise AnalysisInputError(
                f"Run folder {str(root)!r} has no {required}; a run needs manifest.json, "
                f"subjects.parquet and visits.parquet."
            )
    try:
        manifest = json.loads((root / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise AnalysisInputError(f"Cannot read manifest.json in {str(root)!r}: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("design"), dict):
        raise AnalysisInputError("manifest.json must be an object with a 'design' object.")
    arms = manifest["design"].get("arms")
    if not isinstance(arms, list) or not arms or not all("name" in a for a in arms):
        raise AnalysisInputError(
            f"manifest.json field design.arms must be a non-empty list of {{'name': ...}} "
            f"objects. Got {arms!r} instead."
        )
    subjects = _read_parquet(root / "subjects.parquet", "subjects")
    visits = _read_parquet(root / "visits.parquet", "visits")
    optional = {
        name: _read_parquet(root / f"{name}.parquet", name)
        for name in _OPTIONAL
        if (root / f"{name}.parquet").is_file()
    }
    return RunData(root, manifest, subjects, visits, optional)


def query_run(path: str | Path, sql: str) -> pd.DataFrame:
    """Answer ``sql`` over the run's Parquet tables with DuckDB.

    Each ``<name>.parquet`` in the folder is a view named ``<name>`` (``subjects``,
    ``visits``, and ``daily_use``/``doses`` when present).

    Raises
    ------
    AnalysisInputError
        If the folder has no Parquet tables or the SQL fails (the message quotes
        DuckDB's error and lists the tables).

    Examples
    --------
    >>> query_run("RUN/", "SELECT arm, count(*) AS n FROM subjects GROUP BY arm")  # doctest: +SKIP
    """
    root = Path(path)
    if not root.is_dir():
        raise AnalysisInputError(f"Run folder {str(root)!r} does not exist or is not a folder.")
    tables = sorted(p for p in root.glob("*.parquet") if p.stem.isidentifier())
    if not tables:
        raise AnalysisInputError(f"Run folder {str(root)!r} has no .parquet tables to query.")
    con = duckdb.connect(":memory:")
    try:
        for p in tables:
            literal = str(p.resolve()).replace("'", "''")
            con.execute(f"CREATE VIEW {p.stem} AS SELECT * FROM read_parquet('{literal}')")
        try:
            return con.execute(sql).df()
        except duckdb.Error as exc:
            first_line = str(exc).strip().splitlines()[0]
            raise AnalysisInputError(
                f"SQL failed: {first_line}. Tables: {', '.join(p.stem for p in tables)}."
            ) from exc
    finally:
        con.close()
