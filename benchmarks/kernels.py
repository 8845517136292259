"""Compile time and speed of the engine's kernels against a previous version, side by side.

Runs each measurement in a fresh child process, alternating between this checkout and a
baseline checkout of rewardsim (``--baseline-src``: the ``src`` folder of an earlier
commit, e.g. ``git worktree add /tmp/base <commit>``), and reports medians:

* **cold compile** of each model's kernel: the first ``simulate`` of one subject in a
  process whose kernel cache holds nothing of that model (``REWARDSIM_CACHE_DIR``
  empty). The engine's shared code (the solver here, ``engine/_kernels.py`` in both) is
  compiled once per machine and stays in numba's cache (``NUMBA_CACHE_DIR``, warmed
  first); its own first compile is reported apart (``solver``).
* **W1/W2** (the workloads of ``pk_population.py``): subjects per second on
  ``--threads`` threads, wall and CPU time, after a warm-up run in the same process.

Run from the repository root::

    git worktree add /tmp/rewardsim-base <commit>
    python benchmarks/kernels.py --baseline-src /tmp/rewardsim-base/src
    python benchmarks/kernels.py --baseline-src ... --skip-speed --models pk1cmt,person
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

# A user's model of 8 states: a chain of transit compartments with saturable elimination.
EIGHT = '''
import rewardsim as rs
from rewardsim import Compartment, Model, Output, Param


class Transit8(Model):
    name = "transit8"
    compartments = tuple(Compartment(f"A{i}", "mg", "") for i in range(1, 9))
    params = (Param("KTR", 2.0, "1/h", "transit", source="assumed: benchmark"),
              Param("VMAX", 10.0, "mg/h", "", source="assumed: benchmark"),
              Param("KM", 2.0, "mg/L", "", source="assumed: benchmark"),
              Param("V", 30.0, "L", "", source="assumed: benchmark"))
    ode = "\\n".join(["dxdt_A1 = -KTR * A1"]
                    + [f"dxdt_A{i} = KTR * A{i - 1} - KTR * A{i}" for i in range(2, 8)]
                    + ["dxdt_A8 = KTR * A7 - VMAX * A8 / V / (KM + A8 / V)"])
    outputs = (Output("CP", "A8 / V", "mg/L", ""),)
'''

CHILD = r'''
import json, os, sys, time
t0 = time.perf_counter()
import numpy as np
import rewardsim as rs
job = json.loads(sys.argv[1])
models = {
    "pk1cmt": lambda: (rs.models.pk1cmt(), "auto"),
    "pk2cmt_mm": lambda: (rs.models.pk2cmt_mm(), "auto"),
    "pk2cmt_mm_rodas": lambda: (rs.models.pk2cmt_mm(), "rodas"),
    "cocaine": lambda: (rs.models.get_model("cocaine"), "auto"),
    "baclofen": lambda: (rs.models.get_model("baclofen"), "auto"),
    "person": lambda: (rs.models.person(), "auto"),
}
if job["kind"] == "compile":
    if job["model"] == "transit8":
        exec(job["eight"])
        model, method = Transit8(), "auto"
    else:
        model, method = models[job["model"]]()
    data = rs.regimen(10.0, every=12.0, n_doses=2, cmt=1, n=1)
    c0, t1 = time.process_time(), time.perf_counter()
    rs.simulate(model, data, times=[0.0, 1.0, 24.0], omega=False, method=method)
    print(json.dumps({"wall_s": time.perf_counter() - t1, "cpu_s": time.process_time() - c0,
                      "import_s": t1 - t0}))
else:
    sys.path.insert(0, job["bench"])
    import pk_population as pp
    w = pp.WORKLOADS[job["workload"]]()
    data = pp.dosing(job["n"])
    run = lambda: pp.simulate(w, job["n"], job["rtol"], job["atol"], job["threads"], data)
    run()
    walls, cpus = [], []
    for _ in range(job["repeats"]):
        c0, t1 = time.process_time(), time.perf_counter()
        sol = run()
        walls.append(time.perf_counter() - t1)
        cpus.append(time.process_time() - c0)
    print(json.dumps({"wall_s": walls, "cpu_s": cpus,
                      "steps": float(np.mean(sol.n_steps))}))
'''


def child(src: Path, job: dict[str, object], env: dict[str, str]) -> dict[str, object]:
    e = {**os.environ, **env, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(job)], env=e,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child failed ({job}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline-src", type=Path, required=True)
    ap.add_argument("--models", default="pk1cmt,pk2cmt_mm,transit8,cocaine,baclofen,person")
    ap.add_argument("--compile-repeats", type=int, default=3)
    ap.add_argument("--skip-compile", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per child")
    ap.add_argument("--rounds", type=int, default=3, help="child processes per version")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-6)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "kernels.json")
    args = ap.parse_args()
    versions = {"new": SRC, "baseline": args.baseline_src.resolve()}
    res: dict[str, object] = {"load_start": load(), "cores": os.cpu_count(), "compile": {},
                              "speed": {}}
    with tempfile.TemporaryDirectory() as tmp:
        numba_dirs = {v: str(Path(tmp) / f"numba-{v}") for v in versions}
        if not args.skip_compile:
            # The shared code, compiled once per machine: first compile, then kept.
            for v, src in versions.items():
                env = {"NUMBA_CACHE_DIR": numba_dirs[v],
                       "REWARDSIM_CACHE_DIR": tempfile.mkdtemp(dir=tmp)}
                r = child(src, {"kind": "compile", "model": "pk1cmt"}, env)
                res["compile"].setdefault("first model on a machine", {})[v] = r  # type: ignore[union-attr]
                print("first model on a machine", v, r, flush=True)
            for m in args.models.split(","):
                rows: dict[str, list[dict[str, object]]] = {v: [] for v in versions}
                for _ in range(args.compile_repeats):
                    for v, src in versions.items():  # alternate
                        env = {"NUMBA_CACHE_DIR": numba_dirs[v],
                               "REWARDSIM_CACHE_DIR": tempfile.mkdtemp(dir=tmp)}
                        rows[v].append(child(src, {"kind": "compile", "model": m,
                                                   "eight": EIGHT}, env))
                summary = {v: {"median_wall_s": statistics.median(r["wall_s"] for r in rs_),
                               "median_cpu_s": statistics.median(r["cpu_s"] for r in rs_),
                               "runs": rs_} for v, rs_ in rows.items()}
                summary["load"] = load()  # type: ignore[assignment]
                res["compile"][m] = summary  # type: ignore[index]
                print(m, {v: (round(s["median_wall_s"], 2), round(s["median_cpu_s"], 2))
                          for v, s in summary.items() if v in versions}, load(), flush=True)
        if not args.skip_speed:
            for w in ("W1", "W2"):
                rows = {v: [] for v in versions}
                for _ in range(args.rounds):
                    for v, src in versions.items():
                        env = {"NUMBA_CACHE_DIR": numba_dirs[v],
                               "REWARDSIM_CACHE_DIR": str(Path(tmp) / f"rs-{v}")}
                        rows[v].append(child(src, {"kind": "speed", "workload": w, "n": args.n,
                                                   "threads": args.threads, "rtol": args.rtol,
                                                   "atol": args.atol, "repeats": args.repeats,
                                                   "bench": str(HERE)}, env))
                summary = {}
                for v, rs_ in rows.items():
                    walls = [x for r in rs_ for x in r["wall_s"]]
                    cpus = [x for r in rs_ for x in r["cpu_s"]]
                    summary[v] = {"median_wall_s": statistics.median(walls),
                                  "median_cpu_s": statistics.median(cpus),
                                  "subjects_per_s": args.n / statistics.median(walls),
                                  "steps": rs_[0]["steps"], "walls": walls, "cpus": cpus}
                summary["ratio_new_over_baseline"] = {  # type: ignore[assignment]
                    "wall": summary["baseline"]["median_wall_s"] / summary["new"]["median_wall_s"],
                    "cpu": summary["baseline"]["median_cpu_s"] / summary["new"]["median_cpu_s"]}
                summary["load"] = load()  # type: ignore[assignment]
                res["speed"][w] = summary  # type: ignore[index]
                print(w, {v: round(summary[v]["subjects_per_s"]) for v in versions},
                      summary["ratio_new_over_baseline"], load(), flush=True)
    res["load_end"] = load()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=1))
    print("wrote", args.out)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"{time.perf_counter() - start:.0f} s")
