"""Kernel output arrays of one chunk -> the run folder's tables (pyarrow).

Columns follow the run-folder contract of :mod:`rewardsim.analysis._run` (required columns
first, extra columns after them). A missing result (a missed urine, no rating, no dropout)
is stored as null, never NaN. The two large tables (``daily_use``, ``doses``) store
``replicate``, ``id`` and ``day`` as 32-bit integers.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..models.behaviour import ROUTES
from . import _kernel as K
from ._cohort import KernelInputs
from ._design import REGIMENS, Design

__all__ = ["ChunkOutput", "allocate_outputs", "chunk_tables", "decoded"]

TABLES = ("subjects", "visits", "daily_use", "doses")


class ChunkOutput:
    """Preallocated kernel output arrays for ``n`` patients."""

    def __init__(self, n: int, inp: KernelInputs, weeks: int) -> None:
        n_visits = inp.visit_days.shape[0]
        self.s = np.zeros((n, len(K.SUBJECT_COLUMNS)))
        self.used = np.zeros((n, inp.n_days), dtype=np.int8)
        self.amt = np.zeros((n, inp.n_days), dtype=np.float64)
        self.high = np.full((n, inp.n_days), np.nan)  # peak 'high' of a use day
        self.da = np.full((n, inp.n_days), np.nan)  # peak NAc DA of a use day, % baseline
        self.vatt = np.zeros((n, n_visits), dtype=np.int8)
        self.vbe = np.full((n, n_visits), np.nan)
        self.vcrave = np.full((n, n_visits), np.nan)
        self.vanx = np.full((n, n_visits), np.nan)
        self.vdrowsy = np.full((n, n_visits), np.nan)
        self.taken = np.full((n, 7 * weeks, 4), -1, dtype=np.int8)

    def rows(self, lo: int, hi: int) -> tuple[np.ndarray, ...]:
        return (self.s[lo:hi], self.used[lo:hi], self.amt[lo:hi], self.high[lo:hi],
                self.da[lo:hi], self.vatt[lo:hi], self.vbe[lo:hi], self.vcrave[lo:hi],
                self.vanx[lo:hi], self.vdrowsy[lo:hi], self.taken[lo:hi])


def allocate_outputs(n: int, inp: KernelInputs, weeks: int) -> ChunkOutput:
    return ChunkOutput(n, inp, weeks)


def _nullable(values: np.ndarray) -> pa.Array:
    """A float column with NaN (no result: a missed urine, no rating, no dropout) as null,
    so that SQL over the run folder skips it (``avg``, ``count``) instead of returning NaN."""
    return pa.array(np.asarray(values, dtype=np.float64), from_pandas=True)


def _strings(codes: np.ndarray, names: list[str] | tuple[str, ...]) -> pa.Array:
    """A text column from integer codes: a dictionary array (no string per row is built;
    the run folder stores it dictionary-encoded, read back as plain text, and
    :func:`decoded` turns it into plain text in memory)."""
    dictionary = pa.array(list(names), type=pa.string())
    indices = pa.array(np.asarray(codes, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, dictionary)


def decoded(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary (text) columns as plain text, as the files read back."""
    for k, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(k, field.name, table.column(k).cast(pa.string()))
    return table


def chunk_tables(
    design: Design, inp: KernelInputs, rep: int, ids: np.ndarray, arm: np.ndarray,
    out: ChunkOutput,
) -> dict[str, pa.Table]:
    """The tables of one chunk (``daily_use``/``doses`` only when the design asks)."""
    names = [a.name for a in design.arms]
    n = ids.shape[0]
    s = out.s
    drop = s[:, K.S_DROP]
    completed = np.isnan(drop)
    route = s[:, K.S_ROUTE].astype(np.int64)
    b = s[:, K.S_B]
    tables: dict[str, pa.Table] = {}
    tables["subjects"] = pa.table({
        "replicate": np.full(n, rep, dtype=np.int64),
        "id": ids.astype(np.int64),
        "arm": _strings(arm, names),
        "baseline_positive_urines": s[:, K.S_BPOS].astype(np.int64),
        "baseline_use_days_per_month": s[:, K.S_USE28] * 30.0 / 28.0,
        "severity": s[:, K.S_SEV],
        "dropout_day": _nullable(drop),
        "completed": completed,
        "route": _strings(route, ROUTES),
        "propensity_use_days_per_month": 30.0 / (1.0 + np.exp(-b)),
        "amount_typical_mg": s[:, K.S_AMT],
        "p_dose": s[:, K.S_PDOSE],
        "sessions_attended": s[:, K.S_SESS].astype(np.int64),
        "screened": s[:, K.S_ATTEMPT].astype(np.int64) + 1,
        "eligible": s[:, K.S_ELIG] > 0.5,
    })  # fmt: skip
    days = inp.visit_days
    nv = days.shape[0]
    kind_names = sorted(set(inp.visit_kinds))
    kind_codes = np.array([kind_names.index(k) for k in inp.visit_kinds], dtype=np.int32)
    urine = np.array(["urine" in k for k in inp.visit_kinds])
    be = out.vbe
    positive = np.where(np.isnan(be), np.nan, (be >= design.urine_cutoff_ng_ml).astype(float))
    positive[:, ~urine] = np.nan
    tables["visits"] = pa.table({
        "replicate": np.full(n * nv, rep, dtype=np.int64),
        "id": np.repeat(ids.astype(np.int64), nv),
        "arm": _strings(np.repeat(arm, nv), names),
        "day": np.tile(days, n),
        "week": np.tile((days - 1) // 7 + 1, n),
        "kind": _strings(np.tile(kind_codes, n), kind_names),
        "attended": out.vatt.ravel() > 0,
        "urine_positive": _nullable(positive.ravel()),
        "be_ng_ml": _nullable(be.ravel()),
        "craving": _nullable(out.vcrave.ravel()),
        "anxiety": _nullable(out.vanx.ravel()),
        "drowsiness": _nullable(out.vdrowsy.ravel()),
    })  # fmt: skip
    if design.output.daily_use:
        nd = inp.n_days
        day = np.arange(inp.first_day, inp.first_day + nd, dtype=np.int32)
        in_study = completed[:, None] | (day[None, :] <= np.nan_to_num(drop, nan=1e9)[:, None])
        tables["daily_use"] = pa.table({
            "replicate": np.full(n * nd, rep, dtype=np.int32),
            "id": np.repeat(ids.astype(np.int32), nd),
            "day": np.tile(day, n),
            "used": out.used.ravel() > 0,
            "amount_mg": out.amt.ravel().astype(np.float32),
            "route": _strings(np.repeat(route, nd), ROUTES),
            "in_study": in_study.ravel(),
            "high": pa.array(out.high.ravel().astype(np.float32), from_pandas=True),
            "da_peak_pct": pa.array(out.da.ravel().astype(np.float32), from_pandas=True),
        })  # fmt: skip
    if design.output.doses:
        n_days, n_slots = out.taken.shape[1:]
        flat = np.flatnonzero(out.taken.ravel() >= 0)  # one index array, then unravel
        i, rest = np.divmod(flat, n_days * n_slots)
        d, k = np.divmod(rest, n_slots)
        hours = np.array([list(REGIMENS.get(a.regimen or "", ())) + [-1] * 4 for a in
                          design.arms])[:, :4]
        amt = np.array([a.dose_mg if a.medication == "baclofen" else 0.0 for a in design.arms])
        tables["doses"] = pa.table({
            "replicate": np.full(i.size, rep, dtype=np.int32),
            "id": ids.astype(np.int32)[i],
            "day": (d + 1).astype(np.int32),
            "time_h": hours[arm[i], k].astype(np.float32),
            "amt_mg": amt[arm[i]].astype(np.float32),
            "taken": out.taken[i, d, k] > 0,
        })  # fmt: skip
    return tables
