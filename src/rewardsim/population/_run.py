"""Run a scenario file over the synthetic population into a run folder.

The people are split into chunks of ids; each chunk is one task that simulates its people
under every scenario and reduces them to summaries (:mod:`._summary`), so memory does not
grow with the population. Tasks run on threads (the kernel releases the GIL) or, given a
scheduler address, on an existing Dask cluster (``dask.distributed``); either way a task is
the same function of the scenario file and its id range, and gives the same summaries.

Scenarios change care only, so a person whose setting's care plan a scenario leaves as it is
has the status quo's trajectory bit for bit (same model, same random numbers): the kernel
simulates such people once, and each scenario re-simulates only the people it touches.

Layout while running::

    OUT/.chunks/state.json       hash of the scenario file and version, chunk size
    OUT/.chunks/c<k>.npz         summaries of chunk k (written when the chunk is done)
    OUT/.chunks/p<k>.parquet     per-person outputs of chunk k (--per-person only)

Every file is written to a temporary name and moved into place with :func:`os.replace`, so
a killed run leaves only whole files; run again with the same file and folder, it skips the
chunks already done and ends with the same summaries as an uninterrupted run. At the end the
folder holds ``summary.parquet``/``summary.csv``, ``margins.csv``, ``report.html``,
``manifest.json`` (and ``per_person.parquet``) and ``.chunks`` is removed.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine._compile_notice import ensure_compiled
from ..errors import PopulationError
from ..io._read import read_json_object
from . import _layout as L
from ._care import plan_arrays
from ._inputs import inputs
from ._kernel import kernel
from ._scenarios import ScenarioFile, parse_scenarios, scenario_hash
from ._summary import add, group_matrix, reduce_chunk, summary_table
from ._synth import Population, synthesize
from ._tables import ATTRIBUTES, DEFAULT_MARGINS, SOURCES

__all__ = ["connect", "margins_table", "run_population", "simulate_chunk"]

Progress = Callable[[int, int], None]


def _version() -> str:
    from .. import __version__

    return __version__


@lru_cache(maxsize=2)
def _population(spec_json: str) -> Population:
    spec = parse_scenarios(json.loads(spec_json), merged=True)
    p = spec.population
    return synthesize(p.size, spec.seed, p.margins())


def _kernel_call(spec: ScenarioFile, ids: np.ndarray, codes: dict[str, np.ndarray],
                 plan: np.ndarray, hours: np.ndarray) -> np.ndarray:
    inp = inputs(spec.hypothesis)
    out = np.zeros((ids.shape[0], L.N_OUT))
    if ids.shape[0]:
        args = (*inp.circuit_args(), np.uint64(spec.seed), ids,
                *(np.ascontiguousarray(codes[k], dtype=np.int64)
                  for k in ("route", "frequency", "anxiety", "setting")),
                inp.band_lo, inp.band_hi, inp.ww_anxiety, plan, hours, inp.emax, inp.n50,
                inp.be_unit, inp.csf_unit, inp.burn, spec.days, out)
        fn = kernel().simulate_people
        ensure_compiled(fn, args, "the population model")  # says so on a first compile
        fn(*args)
    return out


def simulate_chunk(spec_json: str, lo: int, hi: int, per_person: bool = False
                   ) -> dict[str, Any]:
    """Simulate people ``lo + 1 .. hi`` under every scenario and reduce them.

    A task of a run (threads or a Dask worker): a function of the scenario file (as JSON
    of a validated :class:`ScenarioFile`) and the id range only. Returns the chunk's
    summaries, the person-days simulated and, with ``per_person``, a table of each person's
    attributes and outputs under each scenario.
    """
    spec = parse_scenarios(json.loads(spec_json), merged=True)
    pop = _population(spec_json)
    ids = np.arange(lo + 1, hi + 1, dtype=np.int64)
    codes = {k: v[lo:hi] for k, v in pop.codes.items()}
    plans = [plan_arrays(spec.care(name)) for name in spec.names]
    base = _kernel_call(spec, ids, codes, *plans[0])
    outputs = [base]
    simulated = ids.shape[0]
    for plan, hours in plans[1:]:
        changed = [st for st in range(plan.shape[0])
                   if not (np.array_equal(plan[st], plans[0][0][st])
                           and np.array_equal(hours[st], plans[0][1][st]))]
        y = base.copy()
        sel = np.flatnonzero(np.isin(codes["setting"], changed))
        if sel.size:
            y[sel] = _kernel_call(spec, ids[sel], {k: v[sel] for k, v in codes.items()},
                                  plan, hours)
        simulated += sel.size
        outputs.append(y)
    res: dict[str, Any] = {
        "lo": lo, "hi": hi, "summary": reduce_chunk(group_matrix(codes), outputs),
        "person_days": simulated * (inputs(spec.hypothesis).burn + spec.days),
    }
    if per_person:
        cols: dict[str, Any] = {"id": ids}
        for attr, levels in ATTRIBUTES.items():
            cols[attr] = pa.DictionaryArray.from_arrays(
                pa.array(codes[attr].astype(np.int8)), pa.array(list(levels)))
        for name, y in zip(spec.names, outputs, strict=True):
            for m, out_name in enumerate(L.OUTPUTS):
                cols[f"{name}.{out_name}"] = y[:, m].astype(np.int32)
        res["people"] = pa.table(cols)
    return res


def connect(address: str, timeout: float = 10.0) -> Any:
    """A ``dask.distributed.Client`` for the scheduler at ``address``; an unreachable or
    malformed address is a :class:`PopulationError` naming it."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise PopulationError("--scheduler needs dask.distributed: pip install distributed"
                              ) from exc
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise PopulationError(f"--scheduler {address!r}: cannot connect to a Dask scheduler "
                              f"there ({type(exc).__name__}: {exc}); start one with "
                              "'dask scheduler' or check the address") from None


def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _atomic_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, path)


def _atomic_parquet(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def margins_table(spec: ScenarioFile) -> pd.DataFrame:
    """The synthetic population's one-way margins against their target tables."""
    pop = _population(json.dumps(spec.model_dump(mode="json")))
    got = pop.margins()
    target = {**DEFAULT_MARGINS,
              **{k: np.asarray(v) for k, v in spec.population.margins().items()}}
    rows = []
    for attr, levels in ATTRIBUTES.items():
        given = attr in spec.population.margins()
        for j, level in enumerate(levels):
            rows.append({"attribute": attr, "level": level, "target": float(target[attr][j]),
                         "simulated": float(got[attr][j]),
                         "people": int(round(got[attr][j] * pop.size)),
                         "source": "scenario file" if given else SOURCES[attr]})
    return pd.DataFrame(rows)


def run_population(
    spec: ScenarioFile,
    out: str | Path,
    *,
    chunk_size: int = 50_000,
    n_threads: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    per_person: bool = False,
    progress: Progress | None = None,
    scheduler_timeout: float = 10.0,
) -> Path:
    """Simulate every scenario of ``spec`` over its population into the folder ``out``.

    Parameters
    ----------
    spec
        A validated scenario file (:func:`rewardsim.population.load_scenarios`).
    out
        Run folder; created if needed. A folder holding a run of another file is refused;
        an unfinished run of this file resumes.
    chunk_size
        People per task (bounds the memory of a task). A resumed run keeps the chunk size
        it was started with.
    n_threads
        Tasks run at once on this machine (default: all cores); ignored on a cluster.
    scheduler, client
        Run the tasks on the Dask cluster at this address (``tcp://HOST:PORT``), or
        through this ``distributed.Client``.
    per_person
        Also write ``per_person.parquet`` (one row per person, outputs per scenario).
    progress
        Called as ``progress(people_done, people_total)`` after each chunk.
    scheduler_timeout
        Seconds to wait for the scheduler at ``scheduler``.

    Returns
    -------
    pathlib.Path
        The run folder.
    """
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise PopulationError(f"--chunk-size must be a positive integer. Got {chunk_size!r}")
    if n_threads is not None and (not isinstance(n_threads, int) or n_threads < 1):
        raise PopulationError(f"--threads must be a positive integer. Got {n_threads!r}")
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise PopulationError(f"--out {str(root)!r} exists and is not a folder")
    version = _version()
    h = scenario_hash(spec, version)
    chunks = root / ".chunks"
    state_path = chunks / "state.json"
    manifest_path = root / "manifest.json"
    if manifest_path.is_file():
        old = read_json_object(manifest_path, PopulationError)
        if old.get("scenario_hash") != h:
            raise PopulationError(
                f"--out {str(root)!r} holds a run of another scenario file (hash "
                f"{old.get('scenario_hash')!r}, this one {h!r}); choose a new folder")
        if not per_person or (root / "per_person.parquet").is_file():
            return root
    if state_path.is_file():
        state = read_json_object(state_path, PopulationError)
        if state.get("scenario_hash") != h:
            raise PopulationError(
                f"--out {str(root)!r} holds an unfinished run of another scenario file (hash "
                f"{state.get('scenario_hash')!r}, this one {h!r}); choose a new folder")
        chunk_size = int(state["chunk_size"])
    own = scheduler is not None and client is None
    if own:
        client = connect(scheduler, scheduler_timeout)  # before anything is written
    try:
        return _run(spec, root, h, version, chunk_size, n_threads, client, per_person,
                    progress)
    finally:
        if own:
            client.close()


def _run(spec: ScenarioFile, root: Path, h: str, version: str, chunk_size: int,
         n_threads: int | None, client: Any, per_person: bool,
         progress: Progress | None) -> Path:
    started = time.perf_counter()
    chunks = root / ".chunks"
    chunks.mkdir(parents=True, exist_ok=True)
    _atomic_bytes(chunks / "state.json", json.dumps(
        {"scenario_hash": h, "rewardsim_version": version, "chunk_size": chunk_size}).encode())
    n = spec.population.size
    bounds = [(k, lo, min(n, lo + chunk_size)) for k, lo in enumerate(range(0, n, chunk_size))]
    todo = [b for b in bounds if not (chunks / f"c{b[0]}.npz").is_file()
            or (per_person and not (chunks / f"p{b[0]}.parquet").is_file())]
    done = sum(hi - lo for k, lo, hi in bounds) - sum(hi - lo for _, lo, hi in todo)
    spec_json = json.dumps(spec.model_dump(mode="json"))

    def store(k: int, res: dict[str, Any]) -> None:
        nonlocal done
        if per_person:
            _atomic_parquet(res["people"], chunks / f"p{k}.parquet")
        _atomic_npz(chunks / f"c{k}.npz", {**res["summary"],
                                           "person_days": np.array(res["person_days"])})
        done += res["hi"] - res["lo"]
        if progress is not None:
            progress(done, n)

    if progress is not None:
        progress(done, n)
    if todo and client is not None:
        from distributed import as_completed

        futures = {client.submit(simulate_chunk, spec_json, lo, hi, per_person,
                                 key=f"rewardsim-population-{h}-{k}", pure=False): k
                   for k, lo, hi in todo}  # fmt: skip
        for fut in as_completed(futures, loop=client.loop):
            store(futures[fut], fut.result())
    elif todo:
        threads = max(1, n_threads or os.cpu_count() or 1)
        k0, lo0, _ = todo[0]
        simulate_chunk(spec_json, lo0, lo0 + 1)  # compile or load the kernel before threads
        with ThreadPoolExecutor(max_workers=threads) as pool:
            pending: dict[Any, int] = {}
            queue = list(todo)
            while queue or pending:
                while queue and len(pending) < 2 * threads:
                    k, lo, hi = queue.pop(0)
                    pending[pool.submit(simulate_chunk, spec_json, lo, hi, per_person)] = k
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    k = pending.pop(fut)
                    try:
                        store(k, fut.result())
                    except BaseException:
                        for f in pending:
                            f.cancel()
                        raise
    _finish(spec, root, h, version, chunk_size, bounds, per_person,
            time.perf_counter() - started, n_threads, client)
    return root


def _finish(spec: ScenarioFile, root: Path, h: str, version: str, chunk_size: int,
            bounds: list[tuple[int, int, int]], per_person: bool, seconds: float,
            n_threads: int | None, client: Any) -> None:
    chunks = root / ".chunks"
    sums: dict[str, np.ndarray] | None = None
    person_days = 0
    for k, _, _ in bounds:
        with np.load(chunks / f"c{k}.npz") as z:
            part = {key: z[key] for key in ("n", "sum", "sumsq", "dsum", "dsumsq")}
            person_days += int(z["person_days"])
        sums = add(sums, part)
    assert sums is not None
    table = summary_table(sums, spec.names)
    _atomic_parquet(pa.Table.from_pandas(table, preserve_index=False), root / "summary.parquet")
    _atomic_bytes(root / "summary.csv", table.to_csv(index=False).encode())
    margins = margins_table(spec)
    _atomic_bytes(root / "margins.csv", margins.to_csv(index=False).encode())
    if per_person:
        _concat([chunks / f"p{k}.parquet" for k, _, _ in bounds], root / "per_person.parquet")
    manifest = {
        "rewardsim_version": version, "scenario_hash": h, "name": spec.name,
        "seed": spec.seed, "days": spec.days, "hypothesis": spec.hypothesis,
        "size": spec.population.size, "chunk_size": chunk_size, "scenarios": spec.names,
        "scenario_file": spec.model_dump(mode="json"), "sources": SOURCES,
        "person_days_simulated": person_days, "seconds_last_session": seconds,
        "runner": "dask" if client is not None else f"threads ({n_threads or os.cpu_count()})",
    }  # fmt: skip
    _atomic_bytes(root / "manifest.json", json.dumps(manifest, indent=2).encode())
    from ..report import population_report

    population_report(root)
    shutil.rmtree(chunks, ignore_errors=True)


def _concat(parts: list[Path], dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    writer = None
    try:
        for p in parts:
            t = pq.read_table(p)
            if writer is None:
                writer = pq.ParquetWriter(tmp, t.schema)
            writer.write_table(t)
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, dest)
