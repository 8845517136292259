"""Run a trial design into a run folder: each chunk's tables written once, resumable.

Layout while running::

    RUN/.lock                                  held (flock) by the one process writing RUN
    RUN/.chunks/state.json                     design hash, version, chunk size
    RUN/.chunks/allocation-r<rep>.parquet      id, arm, screening attempt
    RUN/.chunks/done-r<rep>-c<chunk>.json      written after the chunk's tables
    RUN/<table>/part-r<rep>-c<chunk>.parquet   one chunk of patients of one replicate

Each chunk's tables go straight to their final place, a part of each table's Parquet
dataset, built from the kernel's NumPy output columns; there is no final concatenation.
When every chunk is done, ``manifest.json`` is written last, with the row count and
content hash of each part (:func:`rewardsim.io._runfolder.seal_run`), and ``.chunks``
and the lock are removed. Every file is written through :mod:`rewardsim.io._atomic`, so
a killed run leaves only whole files. Started again with the same design, seed and chunk
size, it removes the temporary files the killed process left, skips the chunks already
done (their parts are kept) and ends with the same tables as an uninterrupted run. A run
that will replace the tables of a finished run (another number of replicates) removes its
manifest first, so that a kill in between leaves an unfinished folder, which ``report``
and ``query`` refuse.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine._compile_notice import ensure_compiled
from ..errors import AnalysisInputError, TrialDesignError
from ..io._atomic import atomic_path, atomic_write_json, make_folder
from ..io._read import read_json_object
from ..io._runfolder import MANIFEST, part_name, read_manifest, seal_run, verify_tables
from ..models.behaviour import behaviour_values
from ..models.circuit_daily import TRIAL_HYPOTHESES as HYPOTHESES
from ..models.circuit_daily import describe as circuit_daily_settings
from ..models.measurement import measurement_values
from . import _kernel as K
from ._cohort import KernelInputs, allocate, kernel_inputs, strata
from ._design import Design, design_hash
from ._efficacy import with_efficacy
from ._folder import FolderLock, remove_leftovers
from ._tables import TABLES, ChunkOutput, chunk_tables, decoded

__all__ = ["run_trial", "simulate_patients", "simulate_trial"]

Progress = Callable[[int, int], None]


def _version() -> str:
    from .. import __version__

    return __version__


_STRINGS = ["arm", "kind", "route"]  # dictionary-encode these; numbers are plain


def _atomic_parquet(table: pa.Table, path: Path, what: str = "run chunk") -> None:
    """Write a Parquet file atomically: fast compression, statistics of ``replicate`` only
    (readers check its range), text columns dictionary-encoded as they are built.

    The Arrow schema is not stored: a text column built as a dictionary reads back as
    plain text, as if it had been written as text.
    """
    with atomic_path(path, what=what) as tmp:
        pq.write_table(table, tmp, use_dictionary=_STRINGS, compression="lz4",
                       write_statistics=["replicate"] if "replicate" in table.column_names
                       else False, store_schema=False)


def simulate_patients(
    design: Design, inp: KernelInputs, rep: int, ids: np.ndarray, arm: np.ndarray,
    attempt: np.ndarray, *, screen_only: bool = False, n_threads: int | None = None,
) -> ChunkOutput:
    """Run the kernel for patients ``ids`` (one replicate), split over threads."""
    n = ids.shape[0]
    out = ChunkOutput(n, inp, design.weeks)
    kernel = K.kernel()
    threads = max(1, min(n_threads or os.cpu_count() or 1, n))
    cuts = np.linspace(0, n, threads + 1).astype(np.int64)

    def work(lo: int, hi: int) -> None:
        kernel.simulate_chunk(inp.P, *inp.circuit_args(), np.uint64(design.seed), rep,
                              ids[lo:hi], arm[lo:hi], attempt[lo:hi], screen_only,
                              *inp.args(), *out.rows(lo, hi))

    # Compile before the threads start, saying so when it takes a while (first run).
    first = (inp.P, *inp.circuit_args(), np.uint64(design.seed), rep, ids, arm, attempt,
             screen_only, *inp.args(), *out.rows(0, n))
    ensure_compiled(kernel.simulate_chunk, first, "the trial model")
    if threads == 1:
        work(0, n)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            jobs = [pool.submit(work, int(a), int(b))
                    for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
            for j in jobs:
                j.result()
    return out


def _allocation(design: Design, inp: KernelInputs, rep: int, chunk: int,
                n_threads: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Arm and screening attempt of patients 1..N of replicate ``rep``."""
    n = design.allocation.n
    needs_screen = design.population.min_positive_baseline_urines > 0 or bool(
        design.allocation.stratify_by)
    attempt = np.zeros(n, dtype=np.int64)
    code = np.zeros(n, dtype=np.int64)
    if needs_screen:
        s = np.empty((n, len(K.SUBJECT_COLUMNS)))
        for lo in range(0, n, chunk):
            ids = np.arange(lo + 1, min(n, lo + chunk) + 1, dtype=np.int64)
            out = simulate_patients(design, inp, rep, ids, np.zeros_like(ids),
                                    np.full(ids.shape, -1), screen_only=True,
                                    n_threads=n_threads)
            s[lo : lo + ids.size] = out.s
        if np.any(s[:, K.S_ELIG] < 0.5):
            raise TrialDesignError(
                "population.min_positive_baseline_urines = "
                f"{design.population.min_positive_baseline_urines}: no eligible patient after "
                "1000 screenings for some patients; lower it or lengthen baseline_weeks.")
        attempt = s[:, K.S_ATTEMPT].astype(np.int64)
        code = strata(design, s)
    return allocate(design, rep, code), attempt


def _write_chunk(design: Design, inp: KernelInputs, rep: int, c: int, ids: np.ndarray,
                 arm: np.ndarray, res: ChunkOutput, root: Path, wanted: list[str],
                 marker: Path) -> None:
    """Build chunk ``c``'s tables, write each to its dataset part, then its done-marker."""
    tables = chunk_tables(design, inp, rep, ids, arm, res)
    for name in wanted:
        make_folder(root / name, what="run table folder")
        _atomic_parquet(tables[name], root / name / part_name(rep, c), "run table")
    atomic_write_json(marker, {k: v.num_rows for k, v in tables.items()},
                      what="run chunk marker")


def _manifest_design(design: Design, sizes: list[int]) -> dict[str, Any]:
    d = design.model_dump(mode="json")
    arms = []
    for arm, n in zip(design.arms, sizes, strict=True):
        care = "; ".join(f"{c.kind} {'/'.join(c.days)}" for c in arm.cotreatment) or "none"
        s = arm.setting
        setting = s.kind + (f" (admission after {s.admission_delay_days} d)"
                            if s.admission_delay_days else "")
        arms.append({"name": arm.name, "medication": arm.medication, "dose_mg": arm.dose_mg,
                     "regimen": arm.regimen or "", "cotreatment": care, "setting": setting,
                     "n": int(n)})  # fmt: skip
    d["arms_full"] = d.pop("arms")
    d["arms"] = arms
    return d


def run_trial(
    design: Design,
    out: str | Path,
    *,
    replicates: int = 1,
    chunk_size: int = 20_000,
    n_threads: int | None = None,
    progress: Progress | None = None,
    efficacy: Sequence[Mapping[str, float]] | None = None,
    efficacy_source: str = "",
) -> Path:
    """Simulate ``replicates`` independent trials of ``design`` into the folder ``out``.

    Parameters
    ----------
    design
        A validated design (:func:`rewardsim.trial.load_design`).
    out
        Run folder; created if needed. A folder holding a run of another design (or seed,
        or version) is refused; one holding an unfinished run of this design resumes.
    replicates
        Independent trials, numbered 0..K-1 in the ``replicate`` column.
    chunk_size
        Patients simulated and written together (bounds the memory). A resumed run keeps
        the chunk size it was started with.
    progress
        Called as ``progress(patients_done, patients_total)`` after each chunk.
    efficacy
        One mapping per replicate, ``{"e_craving": .., "e_anxiety": ..}``: baclofen's
        efficacy of that replicate (:func:`rewardsim.trial._efficacy.with_efficacy`), e.g.
        drawn from a fitted posterior; ``None`` keeps the hypothesis's values.
        ``efficacy_source`` names where they come from (kept in the manifest).

    Returns
    -------
    pathlib.Path
        The run folder.

    Raises
    ------
    TrialDesignError
        Bad ``replicates``/``chunk_size``, or ``out`` holds another run.
    OutputError
        Another process is writing ``out``, or the folder cannot be written (read-only,
        full disk); nothing partial is left as a finished run.
    """
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
        raise TrialDesignError(
            f"replicates must be a positive integer. Got {replicates!r} instead.")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise TrialDesignError(
            f"chunk_size must be a positive integer. Got {chunk_size!r} instead.")
    if efficacy is not None and len(efficacy) != replicates:
        raise TrialDesignError(f"efficacy needs one entry per replicate ({replicates}). Got "
                               f"{len(efficacy)} instead.")
    draws = None if efficacy is None else [
        {k: float(v) for k, v in e.items()} for e in efficacy]
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise TrialDesignError(f"--out {str(root)!r} exists and is not a folder.")
    make_folder(root, what="run folder")
    with FolderLock(root):
        return _run_locked(design, root, replicates, chunk_size, n_threads, progress, draws,
                           efficacy_source)


def _finished(root: Path) -> bool:
    """Whether ``root`` holds a finished run whose tables match its manifest."""
    try:
        verify_tables(root, read_manifest(root))
    except AnalysisInputError:
        return False
    return True


def _run_locked(design: Design, root: Path, replicates: int, chunk_size: int,
                n_threads: int | None, progress: Progress | None,
                draws: list[dict[str, float]] | None, efficacy_source: str) -> Path:
    version = _version()
    h = design_hash(design, version if draws is None else version + json.dumps(draws))
    manifest_path = root / MANIFEST
    chunks = root / ".chunks"
    state_path = chunks / "state.json"
    # Temporary files of a killed run.
    remove_leftovers(root, chunks, *(root / name for name in TABLES))
    if manifest_path.is_file():
        old = read_json_object(manifest_path, TrialDesignError)
        if old.get("design_hash") != h:
            raise TrialDesignError(
                f"Run folder {str(root)!r} holds a run of another design (hash "
                f"{old.get('design_hash')!r}, this one {h!r}); choose a new --out folder.")
        if old.get("replicates") == replicates and _finished(root):
            shutil.rmtree(chunks, ignore_errors=True)  # a run killed while cleaning up
            return root
        # The tables are about to be replaced: first the folder stops being a finished run.
        manifest_path.unlink()
    if state_path.is_file():
        state = read_json_object(state_path, TrialDesignError)
        if state.get("design_hash") != h:
            raise TrialDesignError(
                f"Run folder {str(root)!r} holds an unfinished run of another design (hash "
                f"{state.get('design_hash')!r}, this one {h!r}); choose a new --out folder.")
        chunk_size = int(state["chunk_size"])
    make_folder(chunks, what="run folder")
    state = {"design_hash": h, "rewardsim_version": version, "chunk_size": chunk_size}
    atomic_write_json(state_path, state, what="run state")

    inp = kernel_inputs(design)
    n = design.allocation.n
    total = n * replicates
    done_patients = 0
    wanted = [t for t in TABLES if t in ("subjects", "visits") or getattr(design.output, t)]
    for name in set(TABLES) - set(wanted):  # a table from an earlier run of other options
        shutil.rmtree(root / name, ignore_errors=True)
    for name in TABLES:  # the one-file layout of earlier versions
        (root / f"{name}.parquet").unlink(missing_ok=True)
    pending: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1) as writer:  # one chunk's tables at a time, in order
        for rep in range(replicates):
            alloc_path = chunks / f"allocation-r{rep}.parquet"
            if alloc_path.is_file():
                a = pq.read_table(alloc_path)
                arm = a["arm"].to_numpy()
                attempt = a["attempt"].to_numpy()
            else:
                arm, attempt = _allocation(design, inp, rep, chunk_size, n_threads)
                _atomic_parquet(pa.table({"id": np.arange(1, n + 1), "arm": arm,
                                          "attempt": attempt}), alloc_path)
            if rep == 0:
                sizes = np.bincount(arm, minlength=len(design.arms)).tolist()
            rep_inp = inp if draws is None else with_efficacy(inp, **draws[rep])
            for c, lo in enumerate(range(0, n, chunk_size)):
                hi = min(n, lo + chunk_size)
                marker = chunks / f"done-r{rep}-c{c}.json"
                if not marker.is_file():
                    ids = np.arange(lo + 1, hi + 1, dtype=np.int64)
                    res = simulate_patients(design, rep_inp, rep, ids, arm[lo:hi],
                                            attempt[lo:hi], n_threads=n_threads)
                    # This chunk's tables are built and written while the next chunk is
                    # simulated; at most two chunks are held at once.
                    if pending is not None:
                        pending.result()
                    pending = writer.submit(_write_chunk, design, rep_inp, rep, c, ids,
                                            arm[lo:hi], res, root, wanted, marker)
                    del res
                done_patients += hi - lo
                if progress is not None:
                    progress(done_patients, total)
        if pending is not None:
            pending.result()
    # Parts of an earlier run with more replicates (or of another chunking) are not ours.
    n_chunks = (n + chunk_size - 1) // chunk_size
    ours = {part_name(r, c) for r in range(replicates) for c in range(n_chunks)}
    rows = {}
    for name in wanted:
        for p in (root / name).iterdir():
            if p.name not in ours:
                p.unlink()
        rows[name] = sum(pq.ParquetFile(root / name / f).metadata.num_rows for f in ours)
    manifest = {
        "rewardsim_version": version,
        "design_hash": h,
        "seed": design.seed,
        "hypothesis": design.hypothesis,
        "hypothesis_parameters": HYPOTHESES[design.hypothesis],
        "replicates": replicates,
        "chunk_size": chunk_size,
        "rows": rows,
        "behaviour": behaviour_values(),
        "measurement": measurement_values(),
        "reward_circuit": inp.circuit.values,
        "circuit_daily": circuit_daily_settings(),
        "design": _manifest_design(design, sizes),
    }
    if draws is not None:
        manifest["efficacy"] = {"source": efficacy_source, "per_replicate": draws}
    seal_run(root, manifest)  # last: row counts and content hashes of the tables above
    shutil.rmtree(chunks, ignore_errors=True)
    return root


def simulate_trial(
    design: Design, *, replicate: int = 0, overrides: dict[str, float] | None = None,
    n_threads: int | None = None,
) -> dict[str, Any]:
    """One replicate of ``design`` in memory: ``{table name: pandas.DataFrame}``.

    The same tables as :func:`run_trial` writes (for small designs, notebooks and tests);
    ``overrides`` replace kernel parameter values by name (sensitivity analyses).
    """
    inp = kernel_inputs(design, overrides)
    arm, attempt = _allocation(design, inp, replicate, max(1, design.allocation.n), n_threads)
    ids = np.arange(1, design.allocation.n + 1, dtype=np.int64)
    res = simulate_patients(design, inp, replicate, ids, arm, attempt, n_threads=n_threads)
    tables = chunk_tables(design, inp, replicate, ids, arm, res)
    return {name: decoded(t).to_pandas() for name, t in tables.items()}
