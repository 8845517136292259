"""Run folders: the manifest that seals a run's tables, and the checks made on reading it.

A run folder holds Parquet tables and ``manifest.json``. The manifest is written last
(:func:`seal_run`) and records, for each table, its row count, size in bytes and SHA-256
of its content. Readers (``report``, ``query``, :func:`rewardsim.analysis.load_run`) call
:func:`read_manifest` and :func:`verify_tables` first: a folder whose tables do not match
its manifest (a run killed while its tables were being replaced, a table edited or
overwritten afterwards, a table left over from another run) is refused, naming the table
and what does not match. A folder without a manifest is an unfinished run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import AnalysisInputError
from ._atomic import atomic_write_json

__all__ = ["MANIFEST", "TABLES", "file_entry", "read_manifest", "seal_run", "verify_tables"]

MANIFEST = "manifest.json"
#: Tables a run folder may hold, in writing order; the first two are required.
TABLES = ("subjects", "visits", "daily_use", "doses")
_REQUIRED = ("subjects", "visits")


class _Checked(BaseModel):
    # Strict: a manifest is written by rewardsim, so "16" for an integer is corruption.
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="allow")


class _Table(_Checked):
    model_config = ConfigDict(strict=True, extra="forbid")
    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Arm(_Checked):
    name: str = Field(min_length=1, max_length=200)


class _Design(_Checked):
    name: str = Field(min_length=1)
    weeks: int = Field(ge=1, le=520)
    baseline_weeks: int = Field(default=0, ge=0, le=52)
    urine_cutoff_ng_ml: float = Field(default=300.0, gt=0.0)
    arms: list[_Arm] = Field(min_length=1)

    @field_validator("arms")
    @classmethod
    def _unique(cls, arms: list[_Arm]) -> list[_Arm]:
        names = [a.name for a in arms]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"arm names must be unique; repeated: {repeated}")
        return arms


class _Manifest(_Checked):
    rewardsim_version: str
    design_hash: str
    seed: int = Field(ge=0, lt=2**64)
    replicates: int = Field(ge=1)
    design: _Design
    tables: dict[Literal[TABLES], _Table]  # type: ignore[valid-type]

    @field_validator("tables")
    @classmethod
    def _required(cls, tables: dict[str, _Table]) -> dict[str, _Table]:
        missing = [t for t in _REQUIRED if t not in tables]
        if missing:
            raise ValueError(f"must list the tables {list(_REQUIRED)}; missing {missing}")
        return tables


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_entry(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``{"rows", "bytes", "sha256"}`` of a Parquet table, as the manifest records it."""
    path = Path(path)
    return {"rows": int(pq.ParquetFile(path).metadata.num_rows),
            "bytes": path.stat().st_size, "sha256": _sha256(path)}  # fmt: skip


def seal_run(root: str | os.PathLike[str], manifest: dict[str, Any]) -> dict[str, Any]:
    """Write ``manifest.json`` (last, atomically) with an entry for each table present.

    ``manifest`` holds everything but ``tables``, which is computed here from the files
    ``<table>.parquet`` in ``root``. Returns the manifest as written.
    """
    root = Path(root)
    tables = {t: file_entry(root / f"{t}.parquet") for t in TABLES
              if (root / f"{t}.parquet").is_file()}  # fmt: skip
    sealed = {**manifest, "tables": tables}
    atomic_write_json(root / MANIFEST, sealed, what="manifest")
    return sealed


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def read_manifest(root: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and validate ``manifest.json`` of a run folder.

    Raises
    ------
    AnalysisInputError
        The folder or its manifest is missing (an unfinished run), the manifest is not
        JSON, or a field has the wrong type or an impossible value (the message names it).
    """
    root = Path(root)
    if not root.is_dir():
        raise AnalysisInputError(f"Run folder {str(root)!r} does not exist or is not a folder.")
    path = root / MANIFEST
    if not path.is_file():
        raise AnalysisInputError(
            f"Run folder {str(root)!r} has no {MANIFEST}: the run did not finish (or this is "
            f"not a run folder). Run `rewardsim trial` again with the same arguments to "
            f"finish it.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AnalysisInputError(f"Cannot read {MANIFEST} in {str(root)!r}: {first}") from None
    if not isinstance(data, dict):
        raise AnalysisInputError(
            f"{MANIFEST} in {str(root)!r} must be a JSON object; got {type(data).__name__}.")
    try:
        _Manifest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        got = err.get("input")
        got_text = "" if isinstance(got, dict) else f" Got {got!r} instead."
        msg = err["msg"].removeprefix("Value error, ")
        raise AnalysisInputError(
            f"{MANIFEST} in {str(root)!r}: field {_where(err['loc'])!r}: {msg}.{got_text}"
        ) from None
    return data


def verify_tables(root: str | os.PathLike[str], manifest: dict[str, Any]) -> dict[str, Path]:
    """Check each table listed in ``manifest`` against its file; return name -> path.

    Raises
    ------
    AnalysisInputError
        A listed table is missing, or its size, row count or content hash differs from the
        manifest, or a run table is present that the manifest does not list.
    """
    root = Path(root)
    listed: dict[str, dict[str, Any]] = manifest["tables"]
    fix = ("The folder was changed after the run finished, or the run was interrupted; "
           "run `rewardsim trial` again into a new folder.")  # fmt: skip
    for name in TABLES:
        path = root / f"{name}.parquet"
        if name not in listed:
            if path.exists():
                raise AnalysisInputError(
                    f"Run folder {str(root)!r} holds {path.name}, which {MANIFEST} does not "
                    f"list. {fix}")
            continue
        want = listed[name]
        if not path.is_file():
            raise AnalysisInputError(
                f"Run folder {str(root)!r} has no {path.name}, which {MANIFEST} lists. {fix}")
        size = path.stat().st_size
        if size != want["bytes"]:
            raise AnalysisInputError(
                f"{path.name} in {str(root)!r} has {size} bytes; {MANIFEST} says "
                f"{want['bytes']}. {fix}")
        try:
            rows = pq.ParquetFile(path).metadata.num_rows
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise AnalysisInputError(
                f"Cannot read run table {path.name!r} in {str(root)!r}: "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}") from None
        if rows != want["rows"]:
            raise AnalysisInputError(
                f"{path.name} in {str(root)!r} has {rows} rows; {MANIFEST} says "
                f"{want['rows']}. {fix}")
        if _sha256(path) != want["sha256"]:
            raise AnalysisInputError(
                f"{path.name} in {str(root)!r} does not match the content hash in "
                f"{MANIFEST}. {fix}")
        _check_replicates(path, int(manifest["replicates"]), every=name == "subjects")
    return {name: root / f"{name}.parquet" for name in listed}


def _replicate_range(path: Path) -> tuple[int, int] | None:
    """Smallest and largest ``replicate`` of a table (row-group statistics when written)."""
    meta = pq.ParquetFile(path).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    if "replicate" not in names or meta.num_rows == 0:
        return None
    col = names.index("replicate")
    stats = [meta.row_group(g).column(col).statistics for g in range(meta.num_row_groups)]
    if all(s is not None and s.has_min_max for s in stats):
        lo, hi = min(s.min for s in stats), max(s.max for s in stats)
    else:
        found = pc.min_max(pq.read_table(path, columns=["replicate"])["replicate"]).as_py()
        lo, hi = found["min"], found["max"]
    if not isinstance(lo, int) or not isinstance(hi, int):
        return None  # not integers: the reader's column check names the type
    return lo, hi


def _check_replicates(path: Path, replicates: int, *, every: bool) -> None:
    """Replicates of a table within 0..replicates-1; with ``every``, from 0 to the last."""
    found = _replicate_range(path)
    if found is None:
        return
    outside = found[0] < 0 or found[1] >= replicates
    if outside or (every and (found[0] != 0 or found[1] != replicates - 1)):
        raise AnalysisInputError(
            f"Run table {path.name!r} holds replicates {found[0]} to {found[1]}, but "
            f"{MANIFEST} says replicates = {replicates} (numbered 0 to {replicates - 1}).")
