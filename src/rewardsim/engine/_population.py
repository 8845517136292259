"""Population simulation: the public :func:`simulate`."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from ..errors import EventTableError, ModelSpecError
from ._codegen import compile_model
from ._model import Model
from ._solution import Solution
from ._variability import Residual, add_residual, as_omega, draw_etas

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
        Seed of every random draw; each subject's stream is keyed by its ID.
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

    Returns
    -------
    Solution

    Examples
    --------
    >>> import rewardsim as rs
    >>> data = rs.regimen(100.0, cmt=2, n=2)
    >>> sol = rs.simulate(rs.models.pk1cmt(), data, times=[0, 1, 2], omega=False)
    >>> sol["CP"].shape
    (2, 3)
    """
    from ..io._dataset import _validated

    if not isinstance(model, Model):
        raise ModelSpecError(f"model must be a rewardsim Model. Got {type(model).__name__}.")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(v, (int, float)) and 0 < v < 1):
            raise ModelSpecError(f"The {name!r} argument must be in (0, 1). Got {v!r} instead.")
    imethod = _resolve_method(model, method)
    df, col = _validated(data, model)
    om = as_omega(model, omega)
    if residual is not None:
        residual.validate(model)
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
    if times is not None:
        grid = np.asarray(times, dtype=np.float64).reshape(-1)
        if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(np.diff(grid) < 0):
            raise EventTableError("times must be a non-empty, finite, sorted grid of hours.")
        nt = grid.shape[0]
        obs_t = grid
        obs_lo = np.zeros(ns, dtype=np.int64)
        obs_hi = np.full(ns, nt, dtype=np.int64)
        row0 = np.arange(ns, dtype=np.int64) * nt
        nrows = ns * nt
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
        nrows = obs_t.shape[0]
        row_ids = ids[oc[order]]
    threads = max(1, n_threads or os.cpu_count() or 1)
    out = np.empty((len(model.outputs), nrows))
    if threads > 1 and out.size > 512:
        # Fault the output's pages in from this thread (one write per 4 KiB page): page
        # faults taken by several threads at once contend for the process's memory map
        # and cost several times more than the same faults taken by one.
        out.reshape(-1)[::512] = 0.0
    status = np.zeros(ns, dtype=np.int64)
    nsteps = np.zeros(ns, dtype=np.int64)

    args = (P, cov, *ev, obs_t, obs_lo, obs_hi, row0, out, float(rtol), float(atol),
            int(max_steps), status, nsteps)
    for lo in range(0, ns, chunk_size):
        hi = min(ns, lo + chunk_size)
        if threads == 1:
            kernel.run_chunk(lo, hi, *args)
        else:
            # Four pieces per thread, taken in turn by whichever thread is free, so that
            # slow subjects (or a core shared with another process) do not leave a thread
            # idle.  Each subject writes only its own rows: the pieces never change results.
            cuts = np.linspace(lo, hi, 4 * threads + 1).astype(np.int64)
            pool = _pool(threads)
            jobs = [pool.submit(kernel.run_chunk, int(a), int(b), *args)
                    for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
            for j in jobs:
                j.result()
        if progress is not None:
            progress(hi, ns)

    outputs: dict[str, np.ndarray] = {}
    units = {o.name: o.unit for o in model.outputs}
    for j, o in enumerate(model.outputs):
        col = out[j]
        outputs[o.name] = col.reshape(ns, -1) if times is not None else col
    if residual is not None:
        ip = outputs[residual.output]
        if times is not None:
            rid = np.repeat(ids, ip.shape[1])
            idx = np.tile(np.arange(ip.shape[1]), ns)
            outputs["DV"] = add_residual(residual, ip.reshape(-1), rid, idx, seed).reshape(
                ip.shape)
        else:
            idx = np.arange(nrows) - np.repeat(obs_lo, obs_hi - obs_lo)
            outputs["DV"] = add_residual(residual, ip, row_ids, idx, seed)
        units["DV"] = units[residual.output]
    params = pd.DataFrame(P, columns=list(pnames))
    params.insert(0, "ID", ids)
    return Solution(
        model=model.name, ids=ids, times=obs_t, outputs=outputs, units=units, status=status,
        n_steps=nsteps, grid=times is not None, row_ids=row_ids, params=params,
    )
