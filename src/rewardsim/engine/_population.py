"""Population simulation: the public :func:`simulate` and :func:`simulate_chunks`.

Both share one plan (:mod:`rewardsim.engine._plan`) and one runner, so that a population
simulated in chunks gives the same numbers as one simulated at once. Before anything large
is allocated, the memory the request needs is checked against a budget
(:mod:`rewardsim._memory`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from .._memory import check_budget, resolve_budget
from ..errors import ModelSpecError
from ._compile_notice import ensure_compiled
from ._model import Model
from ._plan import Plan, make_plan
from ._solution import Solution
from ._solve import run_chunk
from ._variability import Residual, add_residual

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


_SHRINK = ("Shrink it: fewer subjects, a shorter or coarser output grid (times), fewer "
           "doses (ADDL), or stream it in chunks (simulate_chunks; `rewardsim simulate "
           "--out FILE` streams).")  # fmt: skip


def _run(plan: Plan, lo: int, hi: int, chunk_size: int,
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
    head = plan.kernel.head
    # Compile (or load) the shared solver before the threads start, saying so when it
    # takes a while (the first run on a machine).
    ensure_compiled(run_chunk, (*head, lo, min(hi, lo + chunk_size), *args), "the solver")
    for a in range(lo, hi, chunk_size):
        b = min(hi, a + chunk_size)
        if threads == 1:
            run_chunk(*head, a, b, *args)
        else:
            # Four pieces per thread, taken in turn by whichever thread is free, so that
            # slow subjects (or a core shared with another process) do not leave a thread
            # idle.  Each subject writes only its own rows: the pieces never change results.
            cuts = np.linspace(a, b, 4 * threads + 1).astype(np.int64)
            pool = _pool(threads)
            jobs = [pool.submit(run_chunk, *head, int(x), int(y), *args)
                    for x, y in zip(cuts[:-1], cuts[1:], strict=True) if y > x]
            for j in jobs:
                j.result()
        if progress is not None:
            progress(b, plan.n_subjects)
    return out


def _solution(plan: Plan, lo: int, hi: int, out: np.ndarray) -> Solution:
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
    plan = make_plan(model, data, times=times, omega=omega, seed=seed, residual=residual,
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
    plan = make_plan(model, data, times=times, omega=omega, seed=seed, residual=residual,
                 method=method, rtol=rtol, atol=atol, max_steps=max_steps, n_threads=n_threads)
    return _chunks(plan, budget, chunk_size, progress)


def _chunks(plan: Plan, budget: int, chunk_size: int | None,
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
