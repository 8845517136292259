"""The plan of a population simulation: validated data, parameters, events, output rows.

:func:`make_plan` does everything :func:`rewardsim.simulate` needs before solving, once:
it validates the arguments and the data set, compiles (or loads) the kernel, draws the
ETAs, groups the dose records by subject and lays out the output rows. The plan also says
how much memory a run will take (output rows, per-subject inputs, the dose events of the
subjects in flight), so that a request can be refused before anything large is allocated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._memory import check_budget
from ..errors import EventTableError, ModelSpecError
from ._codegen import compile_model
from ._fcall import LANES
from ._model import Model
from ._variability import Residual, as_omega, draw_etas

__all__ = ["METHODS", "Plan", "check_events", "check_seed", "make_plan"]

# Bytes the kernel holds per expanded event of a subject in flight (13 arrays of 8 B: the
# expanded list, its sort order and the sorted copy).
_EVENT_BYTES = 13 * 8
# Bytes per output row computing residual error takes on top of the row (draws, copies).
_RESIDUAL_BYTES = 6 * 8

METHODS = ("auto", "exact", "rodas", "dp5-rodas")


def _subject_table(id_col: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Subject code of each row, subject IDs (in order of appearance), first row of each."""
    codes, uniq = pd.factorize(id_col, sort=False)
    first = np.empty(len(uniq), dtype=np.int64)
    # Assigning in reverse leaves the first row index of each subject.
    first[codes[::-1]] = np.arange(len(id_col))[::-1]
    return codes, np.asarray(uniq, dtype=np.int64), first


DOSE_MODIFIERS = ("F", "ALAG", "R", "D")
"""Per-record dose items named for the dosed compartment n: Fn, ALAGn, Rn, Dn."""


def _dose_modifiers(df: pd.DataFrame, cmt: np.ndarray, rate: np.ndarray, rows: np.ndarray,
                    model: Model) -> np.ndarray:
    """(len(rows), 4) array of each event row's F, ALAG, R and D from the data set's
    columns named for the row's compartment (F2 for CMT 2; R and D only on the rows with
    RATE -1 and -2, the only ones validated for them); NaN where there is no such
    column, so that the kernel takes the subject's (model) value."""
    mod = np.full((rows.shape[0], len(DOSE_MODIFIERS)), np.nan)
    uses = (np.ones(rows.shape[0], dtype=bool), np.ones(rows.shape[0], dtype=bool),
            rate == -1, rate == -2)
    for n, comp in enumerate(model.compartments, start=1):
        if not comp.dosable:
            continue
        for k, prefix in enumerate(DOSE_MODIFIERS):
            name = f"{prefix}{n}"
            here = (cmt == n - 1) & uses[k]
            if name in df.columns and here.any():
                mod[here, k] = df[name].to_numpy(np.float64)[rows[here]]
    return mod


def _events(col: dict[str, np.ndarray], codes: np.ndarray, ns: int, df: pd.DataFrame,
            model: Model) -> tuple[np.ndarray, ...]:
    """Dose and reset records grouped by subject: (pointer per subject, then the columns,
    then the records' dose modifiers)."""
    evid = col["EVID"]
    dose = (evid != 0) & (evid != 2)
    # Event rows grouped by subject, in data order within a subject.
    rows = np.flatnonzero(dose)
    rows = rows[np.argsort(codes[rows], kind="stable")]
    ptr = np.zeros(ns + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes[rows], minlength=ns), out=ptr[1:])
    cols = (
        np.asarray(col["TIME"], np.float64)[rows],
        np.asarray(col["EVID"], np.int64)[rows],
        np.asarray(col["CMT"], np.int64)[rows] - 1,
        np.asarray(col["AMT"], np.float64)[rows],
        np.asarray(col["RATE"], np.float64)[rows],
        np.asarray(col["ADDL"], np.int64)[rows],
        np.asarray(col["II"], np.float64)[rows],
        np.asarray(col["SS"], np.int64)[rows],
    )
    return (ptr, *cols, _dose_modifiers(df, cols[2], cols[4], rows, model))


def _resolve_method(model: Model, method: str) -> int:
    if method not in METHODS:
        raise ModelSpecError(f"method must be one of {METHODS}. Got {method!r} instead.")
    if method == "exact" and not model.linear:
        raise ModelSpecError(
            f"method 'exact' needs a linear model; {model.name} is not declared linear. "
            "Use method='rodas'."
        )
    if method == "auto":
        return 0 if model.linear else 2
    return {"exact": 0, "rodas": 1, "dp5-rodas": 2}[method]


def check_seed(seed: object, caller: str = "simulate") -> int:
    """The seed as an int, refused unless it is a whole number in 0..2**64-1."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not (
            0 <= int(seed) < 2**64):
        raise ModelSpecError(
            f"The 'seed' argument of {caller} must be a whole number in 0..2**64-1. "
            f"Got {seed!r} instead.")
    return int(seed)


@dataclass
class Plan:
    """Everything a run needs, computed once from the arguments of :func:`simulate`."""

    model: Model
    kernel: Any
    ids: np.ndarray
    P: np.ndarray
    cov: np.ndarray
    ev: tuple[np.ndarray, ...]
    obs_t: np.ndarray
    obs_lo: np.ndarray
    obs_hi: np.ndarray
    row0: np.ndarray
    row_ids: np.ndarray | None
    grid: bool
    status: np.ndarray
    nsteps: np.ndarray
    residual: Residual | None
    seed: int
    tolerances: tuple[float, float, int]
    threads: int
    events_max: int

    @property
    def n_subjects(self) -> int:
        return int(self.ids.shape[0])

    def rows(self, lo: int, hi: int) -> int:
        """Output rows of subjects lo..hi-1."""
        end = self.row0[hi - 1] + (self.obs_hi[hi - 1] - self.obs_lo[hi - 1])
        return int(end - self.row0[lo]) if hi > lo else 0

    def bytes_per_row(self) -> int:
        """Memory per output row: each output, plus DV and its draws with residual error."""
        dv = 8 + _RESIDUAL_BYTES if self.residual is not None else 0
        return 8 * len(self.model.outputs) + dv

    def describe(self, *, one: bool = False) -> str:
        """What is being simulated, in the words of a refusal."""
        ns = self.n_subjects
        rows = self.rows(0, ns) // max(ns, 1)
        who = "one subject" if one else f"{ns:,} subject(s)"
        return (f"Simulating {who} ({rows:,} output rows a subject; up to "
                f"{self.events_max:,} dose events a subject, {self.threads * LANES} subjects "
                f"in flight)")

    def working_bytes(self) -> int:
        """Memory held whatever the chunking: per-subject inputs and events in flight."""
        per_subject = self.P.nbytes + self.cov.nbytes + 2 * self.P.nbytes  # + params, etas
        in_flight = _in_flight_bytes(self.events_max, self.threads)
        return int(per_subject + sum(a.nbytes for a in self.ev) + in_flight)


def _max_events(col: Mapping[str, Any], codes: np.ndarray, ns: int) -> int:
    """Largest number of events the kernel expands one subject's records into."""
    evid, rate = np.asarray(col["EVID"]), np.asarray(col["RATE"])
    dose = (evid == 1) | (evid == 4)
    # float: ADDL of 10**18 must not wrap around
    addl = np.asarray(col["ADDL"]).astype(np.float64)
    n = np.where(dose, (addl + 1.0) * np.where(rate > 0, 2.0, 1.0) + (evid == 4)
                 + (np.asarray(col["SS"]) == 1), (evid == 3).astype(np.float64))
    per_subject = np.bincount(codes, weights=n, minlength=ns)
    return int(min(per_subject.max(initial=0.0), 2.0**62))


def _in_flight_bytes(events_max: int, threads: int) -> int:
    """Memory of the expanded events of the subjects being solved at one time."""
    return events_max * _EVENT_BYTES * threads * LANES


def check_events(data: pd.DataFrame, budget: int, n_threads: int | None = None) -> None:
    """Refuse a validated data set whose dose events alone would not fit in ``budget``.

    Cheap (no solving, no output grid), so a caller can check before building a grid.
    """
    codes, _ = pd.factorize(data["ID"], sort=False)
    events = _max_events(data, codes, int(codes.max(initial=-1)) + 1)
    threads = max(1, n_threads or os.cpu_count() or 1)
    check_budget(_in_flight_bytes(events, threads), budget,
                 f"Expanding up to {events:,} dose events a subject ({threads * LANES} "
                 f"subjects in flight)", "Shrink it: fewer doses (ADDL, or a shorter regimen).")


def make_plan(
    model: Model, data: pd.DataFrame, *, times: Sequence[float] | np.ndarray | None,
    omega: object, seed: int, residual: Residual | None, method: str, rtol: float,
    atol: float, max_steps: int, n_threads: int | None,
) -> Plan:
    from ..io._dataset import _validated

    if not isinstance(model, Model):
        raise ModelSpecError(f"model must be a rewardsim Model. Got {type(model).__name__}.")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(v, (int, float)) and 0 < v < 1):
            raise ModelSpecError(f"The {name!r} argument must be in (0, 1). Got {v!r} instead.")
    seed = check_seed(seed)
    imethod = _resolve_method(model, method)
    df, col = _validated(data, model)
    om = as_omega(model, omega)
    if residual is not None:
        residual.validate(model)
    grid = None
    if times is not None:
        grid = np.asarray(times, dtype=np.float64).reshape(-1)
        if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(np.diff(grid) < 0):
            raise EventTableError("times must be a non-empty, finite, sorted grid of hours.")
    kernel = compile_model(model, imethod)

    codes, ids, first = _subject_table(col["ID"])
    ns = ids.shape[0]
    pnames = model.param_names
    P = np.tile(np.array([model.values[n] for n in pnames]), (ns, 1))
    given = [n for n in pnames if n in df.columns]
    etas = draw_etas(om, ids, seed)
    for k, n in enumerate(om.names):
        if n not in given:
            P[:, pnames.index(n)] *= np.exp(etas[:, k])
    for n in given:
        P[:, pnames.index(n)] = df[n].to_numpy(np.float64)[first]
    cov = np.tile(np.array([c.value for c in model.covariates]), (ns, 1)).reshape(
        ns, len(model.covariates))
    for j, c in enumerate(model.covariates):
        if c.name in df.columns:
            cov[:, j] = df[c.name].to_numpy(np.float64)[first]

    ev = _events(col, codes, ns, df, model)
    if grid is not None:
        nt = grid.shape[0]
        obs_t = grid
        obs_lo = np.zeros(ns, dtype=np.int64)
        obs_hi = np.full(ns, nt, dtype=np.int64)
        row0 = np.arange(ns, dtype=np.int64) * nt
        row_ids = None
    else:
        evid = col["EVID"]
        is_obs = (evid == 0) | (evid == 2)
        if not is_obs.any():
            raise EventTableError(
                "The data set has no observation rows (EVID 0) and no output grid was "
                "given: pass times=[...] or add observation rows."
            )
        oc = codes[is_obs]
        order = np.argsort(oc, kind="stable")
        obs_t = col["TIME"][is_obs][order]
        counts = np.bincount(oc, minlength=ns)
        obs_hi = np.cumsum(counts).astype(np.int64)
        obs_lo = obs_hi - counts
        row0 = obs_lo.copy()
        row_ids = ids[oc[order]]
    return Plan(
        model=model, kernel=kernel, ids=ids, P=P, cov=cov, ev=ev, obs_t=obs_t, obs_lo=obs_lo,
        obs_hi=obs_hi, row0=row0, row_ids=row_ids, grid=grid is not None,
        status=np.zeros(ns, dtype=np.int64), nsteps=np.zeros(ns, dtype=np.int64),
        residual=residual, seed=seed, tolerances=(float(rtol), float(atol), int(max_steps)),
        threads=max(1, n_threads or os.cpu_count() or 1),
        events_max=_max_events(col, codes, ns),
    )
