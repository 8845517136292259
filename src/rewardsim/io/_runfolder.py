"""Run folders: the manifest that seals a run's tables, and the checks made on reading it.

A run folder holds its tables and ``manifest.json``. A table is either one Parquet file,
``<table>.parquet``, or a Parquet dataset, the folder ``<table>/`` of one file per chunk of
patients (``part-r<replicate>-c<chunk>.parquet``, numbered so that their names sort in
the order of the rows), as the trial layer writes it. The manifest is written last
(:func:`seal_run`) and records, for each table, its row count and size in bytes and, for
each file (the table's or each part's), its row count, size and SHA-256. Readers
(``report``, ``query``, :func:`rewardsim.analysis.load_run`) call :func:`read_manifest` and
:func:`verify_tables` first: a folder whose tables do not match its manifest (a run killed
while its tables were being replaced, a table or part edited, added or overwritten
afterwards, a table left over from another run) is refused, naming the file and what does
not match. A folder without a manifest is an unfinished run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import AnalysisInputError
from ._atomic import atomic_write_json

__all__ = ["MANIFEST", "TABLES", "file_entry", "part_name", "read_manifest", "seal_run",
           "verify_tables"]

MANIFEST = "manifest.json"
#: Tables a run folder may hold, in writing order; the first two are required.
TABLES = ("subjects", "visits", "daily_use", "doses")
_REQUIRED = ("subjects", "visits")


class _Checked(BaseModel):
    # Strict: a manifest is written by rewardsim, so "16" for an integer is corruption.
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="allow")


class _Part(_Checked):
    model_config = ConfigDict(strict=True, extra="forbid")
    file: Annotated[str, Field(pattern=r"^[a-z_]+/part-r[0-9]+-c[0-9]+\.parquet$")]
    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class _Table(_Checked):
    model_config = ConfigDict(strict=True, extra="forbid")
    rows: int = Field(ge=0)
    bytes: int = Field(ge=0)
    # One file (its hash) or a dataset (its parts, each with its hash).
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    parts: list[_Part] | None = None

    @model_validator(mode="after")
    def _one_layout(self) -> _Table:
        if (self.sha256 is None) == (self.parts is None):
            raise ValueError("must give either sha256 (one file) or parts (a dataset)")
        return self


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


def part_name(replicate: int, chunk: int) -> str:
    """File name of a dataset part: the rows of one chunk of patients of one replicate
    (zero-padded, so that the names sort in row order)."""
    return f"part-r{replicate:06d}-c{chunk:06d}.parquet"


def _table_entry(root: Path, name: str) -> dict[str, Any] | None:
    """The manifest entry of table ``name``: its dataset folder or its file, if present."""
    folder = root / name
    if folder.is_dir():
        parts = []
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.suffix == ".parquet" and not p.name.startswith("."):
                parts.append({"file": f"{name}/{p.name}", **file_entry(p)})
        return {"rows": sum(p["rows"] for p in parts), "bytes": sum(p["bytes"] for p in parts),
                "parts": parts}
    if (root / f"{name}.parquet").is_file():
        return file_entry(root / f"{name}.parquet")
    return None


def seal_run(root: str | os.PathLike[str], manifest: dict[str, Any]) -> dict[str, Any]:
    """Write ``manifest.json`` (last, atomically) with an entry for each table present.

    ``manifest`` holds everything but ``tables``, which is computed here from the tables
    in ``root``: the dataset folder ``<table>/`` (every part in it) or the file
    ``<table>.parquet``. Returns the manifest as written.
    """
    root = Path(root)
    tables = {t: e for t in TABLES if (e := _table_entry(root, t)) is not None}
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


def _check_file(root: Path, path: Path, label: str, want: dict[str, Any], fix: str) -> None:
    """A table file (or part) against its manifest entry: present, size, rows, hash."""
    if not path.is_file():
        raise AnalysisInputError(
            f"Run folder {str(root)!r} has no {label}, which {MANIFEST} lists. {fix}")
    size = path.stat().st_size
    if size != want["bytes"]:
        raise AnalysisInputError(
            f"{label} in {str(root)!r} has {size} bytes; {MANIFEST} says "
            f"{want['bytes']}. {fix}")
    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise AnalysisInputError(
            f"Cannot read run table {label!r} in {str(root)!r}: "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}") from None
    if rows != want["rows"]:
        raise AnalysisInputError(
            f"{label} in {str(root)!r} has {rows} rows; {MANIFEST} says "
            f"{want['rows']}. {fix}")
    if _sha256(path) != want["sha256"]:
        raise AnalysisInputError(
            f"{label} in {str(root)!r} does not match the content hash in "
            f"{MANIFEST}. {fix}")


def verify_tables(root: str | os.PathLike[str],
                  manifest: dict[str, Any]) -> dict[str, list[Path]]:
    """Check each table listed in ``manifest`` against its files; return name -> files
    (one, or a dataset's parts in row order).

    Raises
    ------
    AnalysisInputError
        A listed table or part is missing, or its size, row count or content hash differs
        from the manifest, or a run table or part is present that the manifest does not
        list.
    """
    root = Path(root)
    listed: dict[str, dict[str, Any]] = manifest["tables"]
    fix = ("The folder was changed after the run finished, or the run was interrupted; "
           "run `rewardsim trial` again into a new folder.")  # fmt: skip
    found: dict[str, list[Path]] = {}
    for name in TABLES:
        path = root / f"{name}.parquet"
        folder = root / name
        want = listed.get(name)
        parts = None if want is None else want.get("parts")
        for unlisted in ((path,) if want is None or parts is not None else ()) + (
                (folder,) if want is None or parts is None else ()):
            if unlisted.exists():
                raise AnalysisInputError(
                    f"Run folder {str(root)!r} holds {unlisted.name}, which {MANIFEST} does "
                    f"not list. {fix}")
        if want is None:
            continue
        if parts is None:
            _check_file(root, path, path.name, want, fix)
            found[name] = [path]
        else:
            files = [root / p["file"] for p in parts]
            if not folder.is_dir():
                raise AnalysisInputError(
                    f"Run folder {str(root)!r} has no {name}/, which {MANIFEST} lists. {fix}")
            extra = sorted({p.name for p in folder.iterdir()} - {f.name for f in files})
            if extra:
                raise AnalysisInputError(
                    f"Run folder {str(root)!r} holds {name}/{extra[0]}, which {MANIFEST} "
                    f"does not list. {fix}")
            for f, p in zip(files, parts, strict=True):
                _check_file(root, f, p["file"], p, fix)
            if sum(p["rows"] for p in parts) != want["rows"]:
                raise AnalysisInputError(
                    f"The parts of {name}/ in {str(root)!r} add up to "
                    f"{sum(p['rows'] for p in parts)} rows; {MANIFEST} says {want['rows']}. "
                    f"{fix}")
            found[name] = files
        _check_replicates(found[name], path.name if parts is None else f"{name}/",
                          int(manifest["replicates"]), every=name == "subjects")
    return found


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


def _check_replicates(paths: list[Path], label: str, replicates: int, *, every: bool) -> None:
    """Replicates of a table within 0..replicates-1; with ``every``, from 0 to the last."""
    ranges = [r for r in map(_replicate_range, paths) if r is not None]
    if not ranges:
        return
    found = (min(r[0] for r in ranges), max(r[1] for r in ranges))
    outside = found[0] < 0 or found[1] >= replicates
    if outside or (every and (found[0] != 0 or found[1] != replicates - 1)):
        raise AnalysisInputError(
            f"Run table {label!r} holds replicates {found[0]} to {found[1]}, but "
            f"{MANIFEST} says replicates = {replicates} (numbered 0 to {replicates - 1}).")
