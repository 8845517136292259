"""Run a design space: replicate every design under every hypothesis, apply the rules,
score them, write the answer.

Work is split into tasks of (hypothesis, a range of replicates); a task simulates its
replicates of every design (:class:`._simulate.Plan`), applies every rule but the
model-based one to each design's trial and to its nested smaller trials (the sample-size
curves), and returns decisions, summaries and urine statistics. Tasks run on threads (the
trial kernel releases the GIL) or on a Dask cluster; a task is a function of the space and
its range only, so the answer is the same on any number of threads or workers. The
model-based rule needs every replicate of every hypothesis and runs after the tasks.

Nothing is written until everything is computed: a bad rule or a refused design leaves
no folder behind.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignSpaceError
from ..inference._statistics import gee_logistic_independence
from ..trial import parse_design
from ._data import TrialData
from ._likelihood import summaries
from ._metrics import assemble
from ._rules import BUILTIN_RULES, decide, evidence, load_rule, normalise_decision
from ._simulate import Plan
from ._space import DesignSpace, n_grid, parse_space

__all__ = ["DiscriminationResult", "discriminate", "run_task"]

Progress = Callable[[int, int], None]
UserRules = Mapping[str, Callable[[TrialData], Any]]
_SL = "synthetic_likelihood"


def _version() -> str:
    from .. import __version__

    return __version__


# ------------------------------------------------------------------ tasks
_PLANS: dict[str, Plan] = {}
_LOCK = threading.Lock()


def _plan(payload_json: str) -> Plan:
    with _LOCK:
        plan = _PLANS.get(payload_json)
        if plan is None:
            p = json.loads(payload_json)
            space = parse_space(p["spec"], base_dir=p["base_dir"],
                                base=parse_design(p["base"]))
            plan = _PLANS[payload_json] = Plan(space)
        return plan


def _urine_z(td: TrialData) -> float:
    """Wald z of the highest-dose arm vs the comparator in a logistic GEE of a BE-free
    urine over the treatment urines given (independence working correlation, robust SE);
    positive favours baclofen."""
    top = int(np.argmax(td.arm_dose_mg_day))
    keep = (td.arm == 0) | (td.arm == top)
    u = td.urine[keep]
    obs = ~np.isnan(u)
    pid = np.repeat(np.arange(u.shape[0]), u.shape[1]).reshape(u.shape)[obs]
    y = 1.0 - u[obs]
    t = (td.arm[keep] == top).astype(float)[pid]
    beta, se = gee_logistic_independence(y, np.column_stack([np.ones_like(t), t]), pid)
    return float(beta[1] / se[1]) if np.isfinite(se[1]) and se[1] > 0 else 0.0


def _decide(rule: str, fn: Callable[[TrialData], Any] | None, td: TrialData,
            alpha: float) -> tuple[int, bool]:
    if fn is None:
        ev = evidence(rule, td)
        return (-1, False) if ev is None else decide(ev, td.mechanisms, alpha)
    try:
        result = fn(td)
    except Exception as exc:  # noqa: BLE001 - a user rule's own failure, named
        raise DesignSpaceError(f"Rule {rule!r} failed on a trial: {type(exc).__name__}: "
                               f"{exc}") from None
    return normalise_decision(rule, result, td.labels)


def run_task(payload_json: str, user_rules: UserRules, h: int, lo: int, hi: int
             ) -> dict[str, Any]:
    """Replicates ``lo .. hi - 1`` of hypothesis ``h`` of every design of the space.

    Returns, per design: decisions and strength of each rule but the model-based one
    (``(replicates, n grid, rules)``, -1 where a rule does not apply), the model-based
    rule's summaries per grid size, the urine z and the screened candidates.
    """
    plan = _plan(payload_json)
    space = plan.space
    rules = [*space.rules, *user_rules]
    fns: dict[str, Callable[[TrialData], Any] | None] = {}
    for r in rules:
        fns[r] = user_rules[r] if r in user_rules else (
            None if r in BUILTIN_RULES else load_rule(r, space.base_dir))
    alpha = space.spec.alpha
    out: dict[int, dict[str, Any]] = {}
    patients = days = 0
    for r in range(lo, hi):
        trials, screened, (n_pat, n_days) = plan.simulate(h, r)
        patients += n_pat
        days += n_days
        for d, td in trials.items():
            grid = n_grid(space, space.designs[d])
            o = out.setdefault(d, {
                "dec": np.full((hi - lo, len(grid), len(rules)), -1, dtype=np.int64),
                "strong": np.zeros((hi - lo, len(grid), len(rules)), dtype=bool),
                "summ": [[] for _ in grid], "z": np.zeros((hi - lo, len(grid))),
                "screened": np.zeros((hi - lo, len(grid)))})
            for j, n in enumerate(grid):
                t = td if n == space.designs[d].n_per_arm else td.subset(n)
                for k, rule in enumerate(rules):
                    if rule != _SL:
                        o["dec"][r - lo, j, k], o["strong"][r - lo, j, k] = _decide(
                            rule, fns[rule], t, alpha)
                o["summ"][j].append(summaries(t))
                o["z"][r - lo, j] = _urine_z(t)
                o["screened"][r - lo, j] = screened[d][n - 1]
    for o in out.values():
        o["summ"] = [np.array(s) for s in o["summ"]]
    return {"h": h, "lo": lo, "hi": hi, "designs": out, "patients": patients,
            "patient_days": days}


# ------------------------------------------------------------------ result
@dataclass
class DiscriminationResult:
    """The answer for a design space (tables as pandas DataFrames; see ``docs/design.md``).

    Attributes
    ----------
    designs : one row per design (levels, patients, planned and screening cost, power)
    performance : one row per design and rule at the design's size (correct
        classification, misleading evidence, per hypothesis, with Monte Carlo SEs)
    confusion : design, rule, truth, named, count, share
    curves : per design, rule and patients per arm: correct classification (and the
        urine power, rule ``urine power``) with Monte Carlo SEs
    power : per design, truth and patients per arm: the urine analysis's power
    ranking : designs by their best rule's gain over chance per unit cost, with limits
    manifest : what was run (space, seeds, efficacy draws, timing)
    """

    space: DesignSpace
    designs: pd.DataFrame
    performance: pd.DataFrame
    confusion: pd.DataFrame
    curves: pd.DataFrame
    power: pd.DataFrame
    ranking: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    def write(self, out: str | Path) -> Path:
        """Write the tables, ``report.html`` and ``manifest.json`` (last) into ``out``."""
        from ..io._atomic import atomic_write_json, atomic_write_text, make_folder
        from ..report._design import discriminate_html

        root = Path(out)
        if root.exists() and not root.is_dir():
            raise DesignSpaceError(f"--out {str(root)!r} exists and is not a folder.")
        html = discriminate_html(self)  # before the folder: a failure leaves nothing
        make_folder(root, what="output folder")
        for name in ("ranking", "designs", "performance", "confusion", "curves", "power"):
            atomic_write_text(root / f"{name}.csv", getattr(self, name).to_csv(index=False),
                              what=f"{name} table")
        atomic_write_text(root / "report.html", html, what="report")
        atomic_write_json(root / "manifest.json", self.manifest, what="manifest")
        return root


def _tasks(space: DesignSpace, chunk: int) -> list[tuple[int, int, int]]:
    R = space.spec.replicates
    return [(h, lo, min(R, lo + chunk)) for h in range(len(space.hypotheses))
            for lo in range(0, R, chunk)]


def discriminate(
    space: DesignSpace,
    out: str | Path | None = None,
    *,
    rules: UserRules | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    n_threads: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    chunk: int = 10,
    progress: Progress | None = None,
) -> DiscriminationResult:
    """Rank the designs of ``space`` by how often their analysis names the true mechanism.

    Parameters
    ----------
    space
        A validated design space (:func:`rewardsim.design.load_space`).
    out
        Folder to write the answer into (tables as CSV, ``report.html``,
        ``manifest.json``); ``None`` writes nothing.
    rules
        User rules by name, added to the space's: functions of a
        :class:`~rewardsim.design.TrialData` returning a hypothesis label (or
        ``(label, strong)``).
    replicates, seed
        Override the space's number of replicates per hypothesis and its seed.
    n_threads
        Threads on this machine (default: all cores); ignored with a cluster.
    scheduler, client
        Run the tasks on the Dask cluster at this address, or through this
        ``distributed.Client``.
    chunk
        Replicates per task.
    progress
        Called as ``progress(replicates_done, replicates_total)``.

    Returns
    -------
    DiscriminationResult

    Raises
    ------
    DesignSpaceError
        A bad option, a rule that fails or returns no decision (nothing is written).
    """
    started = time.perf_counter()
    if replicates is not None:
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 4:
            raise DesignSpaceError(f"replicates must be an integer >= 4. Got {replicates!r} "
                                   "instead.")
        space = space.with_replicates(replicates)
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
            raise DesignSpaceError(f"seed must be an integer in [0, 2**63). Got {seed!r} "
                                   "instead.")
        space = space.with_replicates(seed=seed)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise DesignSpaceError(f"chunk must be a positive integer. Got {chunk!r} instead.")
    if n_threads is not None and (isinstance(n_threads, bool) or not isinstance(n_threads, int)
                                  or n_threads < 1):
        raise DesignSpaceError(f"n_threads must be a positive integer. Got {n_threads!r} "
                               "instead.")
    user = dict(rules or {})
    for name, fn in user.items():
        if name in space.rules or not callable(fn):
            raise DesignSpaceError(f"rules: {name!r} must be a new name and a function of a "
                                   "TrialData.")
    payload_json = json.dumps(space.payload(), sort_keys=True)
    tasks = _tasks(space, chunk)
    R = space.spec.replicates
    total = R * len(space.hypotheses)
    results: dict[tuple[int, int], dict[str, Any]] = {}
    done = 0

    def store(res: dict[str, Any]) -> None:
        nonlocal done
        results[(res["h"], res["lo"])] = res
        done += res["hi"] - res["lo"]
        if progress is not None:
            progress(done, total)

    own = scheduler is not None and client is None
    if own:
        from ..errors import PopulationError
        from ..population._run import connect

        try:
            client = connect(scheduler)
        except PopulationError as exc:
            raise DesignSpaceError(str(exc)) from None
    try:
        if client is not None:
            from distributed import as_completed

            futures = [client.submit(run_task, payload_json, user, h, lo, hi, pure=False)
                       for h, lo, hi in tasks]
            for fut in as_completed(futures, loop=client.loop):
                store(fut.result())
            runner = "dask"
        else:
            threads = max(1, n_threads or os.cpu_count() or 1)
            _plan(payload_json)  # build (compile, load tables) before the threads start
            with ThreadPoolExecutor(max_workers=threads) as pool:
                pending: set[Any] = set()
                queue = list(tasks)
                while queue or pending:
                    while queue and len(pending) < 2 * threads:
                        pending.add(pool.submit(run_task, payload_json, user, *queue.pop(0)))
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        try:
                            store(fut.result())
                        except BaseException:
                            for f in pending:
                                f.cancel()
                            raise
            runner = f"threads ({threads})"
    finally:
        if own:
            client.close()
    simulated = time.perf_counter() - started
    result = assemble(space, [*space.rules, *user], tasks, results, _version())
    seconds = time.perf_counter() - started
    patients = sum(r["patients"] for r in results.values())
    result.manifest.update({
        "runner": runner, "seconds": round(seconds, 2),
        "seconds_tasks": round(simulated, 2), "patients_simulated": patients,
        "patient_days_simulated": sum(r["patient_days"] for r in results.values()),
        "ms_per_simulated_patient": round(1e3 * seconds / max(1, patients), 4),
    })  # fmt: skip
    if out is not None:
        result.write(out)
    return result
