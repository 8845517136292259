"""Population simulation: the public :func:`simulate` and :func:`simulate_chunks`.

Both share one plan (validated data, parameters, events, output rows) and one runner, so
that a population simulated in chunks gives the same numbers as one simulated at once.
Before anything large is allocated, the memory the request needs is estimated and checked
against a budget (:mod:`rewardsim._memory`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._memory import check_budget, resolve_budget
from ..errors import EventTableError, ModelSpecError
from ._codegen import LANES, compile_model
from ._model import Model
from ._solution import Solution
from ._variability import Residual, add_residual, as_omega, draw_etas

# Bytes the kernel holds per expanded event of a subject in flight (13 arrays of 8 B: the
# expanded list, its sort order and the sorted copy).
_EVENT_BYTES = 13 * 8
# Bytes per output row computing residual error takes on top of the row (draws, copies).
_RESIDUAL_BYTES = 6 * 8

METHODS = ("auto", "exact", "rodas", "dp5-rodas")

# Worker threads are kept between calls: starting and joining them costs more than a
# small population takes to simulate.  A forked child starts without them.
_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()
os.register_at_fork(after_in_child=_POOLS.clear)


def _pool(threads: int) -> ThreadPoolExecutor:
    with _POOLS_LOCK:
        pool = _POOLS.get(threads)
        if pool is None:
            pool = _POOLS[threads] = ThreadPoolExecutor(
                max_workers=threads, thread_name_prefix="rewardsim")
        return pool


def _subject_table(id_col: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Subject code of each row, subject IDs (in order of appearance), first row of each."""
    codes, uniq = pd.factorize(id_col, sort=False)
    first = np.empty(len(uniq), dtype=np.int64)
    # Assigning in reverse leaves the first row index of each subject.
    first[codes[::-1]] = np.arange(len(id_col))[::-1]
    return codes, np.asarray(uniq, dtype=np.int64), first


def _events(col: dict[str, np.ndarray], codes: np.ndarray, ns: int) -> tuple[np.ndarray, ...]:
    """Dose and reset records grouped by subject: (pointer per subject, then the columns)."""
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
    return (ptr, *cols)


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
class _Plan:
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


def _plan(
    model: Model, data: pd.DataFrame, *, times: Sequence[float] | np.ndarray | None,
    omega: object, seed: int, residual: Residual | None, method: str, rtol: float,
    atol: float, max_steps: int, n_threads: int | None,
) -> _Plan:
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

    ev = _events(col, codes, ns)
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
    return _Plan(
        model=model, kernel=kernel, ids=ids, P=P, cov=cov, ev=ev, obs_t=obs_t, obs_lo=obs_lo,
        obs_hi=obs_hi, row0=row0, row_ids=row_ids, grid=grid is not None,
        status=np.zeros(ns, dtype=np.int64), nsteps=np.zeros(ns, dtype=np.int64),
        residual=residual, seed=seed, tolerances=(float(rtol), float(atol), int(max_steps)),
        threads=max(1, n_threads or os.cpu_count() or 1),
        events_max=_max_events(col, codes, ns),
    )


_SHRINK = ("Shrink it: fewer subjects, a shorter or coarser output grid (times), fewer "
           "doses (ADDL), or stream it in chunks (simulate_chunks; `rewardsim simulate "
           "--out FILE` streams).")  # fmt: skip


def _run(plan: _Plan, lo: int, hi: int, chunk_size: int,
         progress: Callable[[int, int], None] | None) -> np.ndarray:
    """Outputs of subjects lo..hi-1, shape (n_outputs, rows), in pieces of chunk_size."""
    nrows = plan.rows(lo, hi)
    out = np.empty((len(plan.model.outputs), nrows))
    threads = plan.threads
    if threads > 1 and out.size > 512:
        # Fault the output's pages in from this thread (one write per 4 KiB page): page
        # faults taken by several threads at once contend for the process's memory map
        # and cost several times more than the same faults taken by one.
        out.reshape(-1)[::512] = 0.0
    row0 = plan.row0 - plan.row0[lo] if lo else plan.row0  # rows local to this output
    rtol, atol, max_steps = plan.tolerances
    args = (plan.P, plan.cov, *plan.ev, plan.obs_t, plan.obs_lo, plan.obs_hi, row0, out, rtol,
            atol, max_steps, plan.status, plan.nsteps)
    run_chunk = plan.kernel.run_chunk
    for a in range(lo, hi, chunk_size):
        b = min(hi, a + chunk_size)
        if threads == 1:
            run_chunk(a, b, *args)
        else:
            # Four pieces per thread, taken in turn by whichever thread is free, so that
            # slow subjects (or a core shared with another process) do not leave a thread
            # idle.  Each subject writes only its own rows: the pieces never change results.
            cuts = np.linspace(a, b, 4 * threads + 1).astype(np.int64)
            pool = _pool(threads)
            jobs = [pool.submit(run_chunk, int(x), int(y), *args)
                    for x, y in zip(cuts[:-1], cuts[1:], strict=True) if y > x]
            for j in jobs:
                j.result()
        if progress is not None:
            progress(b, plan.n_subjects)
    return out


def _solution(plan: _Plan, lo: int, hi: int, out: np.ndarray) -> Solution:
    """The :class:`Solution` of subjects lo..hi-1 from their rows ``out``."""
    model = plan.model
    ids = plan.ids[lo:hi]
    n = hi - lo
    outputs: dict[str, np.ndarray] = {}
    units = {o.name: o.unit for o in model.outputs}
    for j, o in enumerate(model.outputs):
        outputs[o.name] = out[j].reshape(n, -1) if plan.grid else out[j]
    r0, r1 = plan.row0[lo], plan.row0[lo] + out.shape[1]
    row_ids = None if plan.row_ids is None else plan.row_ids[r0:r1]
    times = plan.obs_t if plan.grid else plan.obs_t[r0:r1]
    res = plan.residual
    if res is not None:
        ip = outputs[res.output]
        if plan.grid:
            rid = np.repeat(ids, ip.shape[1])
            idx = np.tile(np.arange(ip.shape[1]), n)
            outputs["DV"] = add_residual(res, ip.reshape(-1), rid, idx, plan.seed).reshape(
                ip.shape)
        else:
            counts = plan.obs_hi[lo:hi] - plan.obs_lo[lo:hi]
            idx = np.arange(out.shape[1]) - np.repeat(plan.row0[lo:hi] - r0, counts)
            outputs["DV"] = add_residual(res, ip, row_ids, idx, plan.seed)
        units["DV"] = units[res.output]
    params = pd.DataFrame(plan.P[lo:hi], columns=list(model.param_names))
    params.insert(0, "ID", ids)
    return Solution(
        model=model.name, ids=ids, times=times, outputs=outputs, units=units,
        status=plan.status[lo:hi].copy(), n_steps=plan.nsteps[lo:hi].copy(), grid=plan.grid,
        row_ids=row_ids, params=params,
    )


def simulate(
    model: Model,
    data: pd.DataFrame,
    *,
    times: Sequence[float] | np.ndarray | None = None,
    omega: object = None,
    seed: int = 0,
    residual: Residual | None = None,
    method: str = "auto",
    rtol: float = 1e-8,
    atol: float = 1e-12,
    max_steps: int = 500_000,
    chunk_size: int = 20_000,
    n_threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_memory: int | str | None = None,
) -> Solution:
    """Simulate a population of subjects through their dosing records.

    Main arguments
    --------------
    model : Model
        The model, e.g. ``rewardsim.models.pk1cmt()``.
    data : DataFrame
        NONMEM-style data set (ID, TIME, AMT, CMT, RATE, ADDL, II, EVID, SS).
        Columns named as model parameters are each subject's individual value
        (no IIV on top); columns named as covariates set the covariates.
    times : array of float, optional
        Output grid (h) shared by all subjects. Without it, outputs are given at
        the data set's observation rows (EVID 0 and 2).

    Other arguments
    ---------------
    omega : None, False, dict or (names, matrix)
        Between-subject variability; ``None`` uses the model's published CVs.
    seed : int
        Seed of every random draw, 0..2**64-1; each subject's stream is keyed by its ID.
    residual : Residual, optional
        Residual error model; adds a ``DV`` output.
    method : {"auto", "exact", "rodas", "dp5-rodas"}
        ``exact`` (matrix exponential) for linear models; ``rodas`` (adaptive
        Rosenbrock, for stiff systems); ``dp5-rodas`` (explicit Dormand-Prince
        5(4), switching to Rodas4 for the rest of a subject once stiffness is
        detected, as LSODA switches Adams to BDF); ``auto`` picks ``exact``
        for linear models and ``dp5-rodas`` otherwise.
    rtol, atol : float
        Tolerances of the adaptive solver.
    chunk_size, n_threads : int
        Subjects per chunk, threads per chunk (default: all cores).
    progress : callable(done, total), optional
        Called after each chunk.
    max_memory : int or str, optional
        Memory budget in bytes (or ``"4G"``); default half of the available memory. A
        simulation whose result would not fit is refused before it starts.

    Returns
    -------
    Solution

    Raises
    ------
    ResourceError
        The result would need more memory than ``max_memory`` (the message gives the
        size and how to shrink it; :func:`simulate_chunks` streams instead).

    Examples
    --------
    >>> import rewardsim as rs
    >>> data = rs.regimen(100.0, cmt=2, n=2)
    >>> sol = rs.simulate(rs.models.pk1cmt(), data, times=[0, 1, 2], omega=False)
    >>> sol["CP"].shape
    (2, 3)
    """
    budget = resolve_budget(max_memory)
    plan = _plan(model, data, times=times, omega=omega, seed=seed, residual=residual,
                 method=method, rtol=rtol, atol=atol, max_steps=max_steps, n_threads=n_threads)
    ns = plan.n_subjects
    rows = plan.rows(0, ns)
    check_budget(plan.working_bytes() + rows * plan.bytes_per_row(), budget, plan.describe(),
                 _SHRINK)
    out = _run(plan, 0, ns, _chunk(chunk_size), progress)
    return _solution(plan, 0, ns, out)


def _chunk(chunk_size: object) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ModelSpecError(f"chunk_size must be a positive integer. Got {chunk_size!r}.")
    return chunk_size


def simulate_chunks(
    model: Model,
    data: pd.DataFrame,
    *,
    times: Sequence[float] | np.ndarray | None = None,
    omega: object = None,
    seed: int = 0,
    residual: Residual | None = None,
    method: str = "auto",
    rtol: float = 1e-8,
    atol: float = 1e-12,
    max_steps: int = 500_000,
    chunk_size: int | None = None,
    n_threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_memory: int | str | None = None,
) -> Iterator[Solution]:
    """:func:`simulate`, yielding one :class:`Solution` per chunk of subjects.

    Memory is bounded by one chunk's output, not the population's: write each chunk out
    (``rewardsim simulate --out`` does) and drop it before asking for the next. The
    chunks hold the subjects in data order; their outputs are identical to those of one
    :func:`simulate` call.

    Parameters
    ----------
    chunk_size
        Subjects per chunk; by default as many as fit in a quarter of the budget, at most
        256 MiB of output.
    max_memory
        Budget as for :func:`simulate`; here it bounds one chunk and the per-subject
        inputs. The rest as for :func:`simulate`.

    Raises
    ------
    ResourceError
        Even one subject's outputs, or the per-subject inputs, need more than the budget.

    Examples
    --------
    >>> import rewardsim as rs
    >>> data = rs.regimen(100.0, cmt=2, n=5)
    >>> parts = rs.simulate_chunks(rs.models.pk1cmt(), data, times=[0, 1], chunk_size=2)
    >>> [p.ids.tolist() for p in parts]
    [[1, 2], [3, 4], [5]]
    """
    budget = resolve_budget(max_memory)
    if chunk_size is not None:
        _chunk(chunk_size)
    plan = _plan(model, data, times=times, omega=omega, seed=seed, residual=residual,
                 method=method, rtol=rtol, atol=atol, max_steps=max_steps, n_threads=n_threads)
    return _chunks(plan, budget, chunk_size, progress)


def _chunks(plan: _Plan, budget: int, chunk_size: int | None,
            progress: Callable[[int, int], None] | None) -> Iterator[Solution]:
    ns = plan.n_subjects
    per_subject = max(1, plan.rows(0, ns) // max(ns, 1)) * plan.bytes_per_row()
    working = plan.working_bytes()
    check_budget(working + per_subject, budget, plan.describe(one=True),
                 "Shrink it: a shorter or coarser output grid (times), or fewer doses (ADDL).")
    if chunk_size is None:
        room = min((budget - working) // 4, 256 * 2**20)
        chunk_size = int(max(1, min(ns, room // per_subject)))
    for lo in range(0, ns, chunk_size):
        hi = min(ns, lo + chunk_size)
        out = _run(plan, lo, hi, hi - lo, None)
        if progress is not None:
            progress(hi, ns)
        yield _solution(plan, lo, hi, out)
        del out
