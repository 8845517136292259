"""W1/W2 like for like: rewardsim against mrgsolve, closed form against closed form and ODE
against ODE at the same rtol and atol, medians of wall and CPU time.

Workloads as in ``pk_population.py`` (1,000 subjects, 20 mg every 8 h for 16 weeks, CP
hourly, 2,689 points a subject; the same individual parameters for every tool, taken from
rewardsim's ``sol.params``):

* **W1 closed form**: rewardsim's exact solution (matrix exponential) against mrgsolve's
  ``$PKMODEL`` (analytic one-compartment model);
* **W1 ODE**: rewardsim ``method="dp5-rodas"`` against mrgsolve ``$ODE`` (LSODA);
* **W2 ODE** (``pk2cmt_mm``, Michaelis-Menten): rewardsim ``auto`` (Dormand-Prince 5(4),
  four lanes, switching to Rodas4 when stiff) against mrgsolve ``$ODE`` (LSODA).

Both tools at ``--rtol``/``--atol`` (default 1e-8 and 1e-8, mrgsolve's defaults; atol in
mg). rewardsim runs on one thread (mrgsolve has one) and on all cores. Each tool runs
``--repeats`` times after a warm-up (compiling or loading the model); the tables give
medians, never bests. Agreement: largest relative difference of CP over the first 50
subjects, where CP > 1e-6 of its maximum, against rewardsim's Rodas4 at rtol 1e-12 (W2,
W1 ODE) or the exact solution (W1).

mrgsolve needs R with mrgsolve installed (see benchmarks/README.md); without ``Rscript``
or mrgsolve the script reports rewardsim alone. Run from the repository root::

    python benchmarks/like_for_like.py
    python benchmarks/like_for_like.py --rtol 1e-6 --atol 1e-6 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pk_population as pp  # noqa: E402

import rewardsim as rs  # noqa: E402

CASES = {  # name: (workload, rewardsim method, mrgsolve model, kind)
    "W1 closed form": ("W1", "exact", "w1_closed", "closed"),
    "W1 ODE": ("W1", "dp5-rodas", "w1_ode", "ode"),
    "W2 ODE": ("W2", "auto", "w2_ode", "ode"),
}


def timed(fn, repeats: int) -> tuple[list[float], list[float], object]:
    fn()  # warm-up: kernel load or compile, first touch of the output memory
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        out = None
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, out


def rel_err(cp: np.ndarray, ref: np.ndarray) -> float:
    mask = ref > 1e-6 * ref.max()
    return float(np.max(np.abs(cp[mask] / ref[mask] - 1.0)))


def have_mrgsolve() -> str | None:
    if shutil.which("Rscript") is None:
        return None
    r = subprocess.run(["Rscript", "-e", "cat(as.character(packageVersion('mrgsolve')))"],
                       capture_output=True, text=True, check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--atol", type=float, default=1e-8)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--out", type=Path, default=HERE / "results" / "like_for_like.json")
    args = ap.parse_args()
    version = have_mrgsolve()
    res: dict[str, object] = {"load_start": list(os.getloadavg()), "hardware": pp.hardware(),
                              "mrgsolve": version, "rtol": args.rtol, "atol": args.atol,
                              "subjects": args.n, "cases": {}}
    data = pp.dosing(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases.split(","):
            wname, method, mmodel, kind = CASES[name]
            w = pp.WORKLOADS[wname]()
            row: dict[str, object] = {"kind": kind}

            def sim(threads: int | None, w=w, method=method) -> rs.Solution:
                return rs.simulate(w.model, data, times=pp.TIMES, omega=w.omega, seed=1,
                                   method=method, rtol=args.rtol, atol=args.atol,
                                   n_threads=threads)

            for label, threads in (("rewardsim_1_thread", 1), ("rewardsim_all_cores", None)):
                walls, cpus, sol = timed(lambda t=threads: sim(t), args.repeats)
                row[label] = {"wall_s": walls, "cpu_s": cpus,
                              "median_wall_s": statistics.median(walls),
                              "median_cpu_s": statistics.median(cpus)}
            assert isinstance(sol, rs.Solution) and not np.any(sol.status != 0)
            row["rewardsim_mean_steps"] = float(np.mean(sol.n_steps))
            cp = sol["CP"][:50]
            params = sol.params
            if kind == "closed":
                ref = cp
            else:
                ref = rs.simulate(w.model, pp.dosing(50), times=pp.TIMES, omega=w.omega,
                                  seed=1, method="rodas", rtol=1e-12, atol=1e-14)["CP"]
            row["rewardsim_rel_err"] = rel_err(cp, ref)
            if version:
                csv = Path(tmp) / f"{mmodel}.csv"
                params[["ID", *w.params]].to_csv(csv, index=False)
                prefix = Path(tmp) / f"{mmodel}-out"
                subprocess.run(["Rscript", str(HERE / "mrgsolve_w1w2.R"), mmodel, str(csv),
                                repr(args.rtol), repr(args.atol), str(args.repeats),
                                str(prefix)], check=True)
                m = json.loads(prefix.with_suffix(".json").read_text())
                m["median_wall_s"] = statistics.median(m["wall_s"])
                m["median_cpu_s"] = statistics.median(m["cpu_s"])
                mcp = np.loadtxt(prefix.with_suffix(".csv"), delimiter=",", ndmin=2)
                m["rel_err"] = rel_err(mcp, ref)
                m["rel_diff_from_rewardsim"] = rel_err(mcp, cp)
                row["mrgsolve"] = m
                for label in ("rewardsim_1_thread", "rewardsim_all_cores"):
                    r = row[label]
                    r["ratio_wall"] = m["median_wall_s"] / r["median_wall_s"]
                    r["ratio_cpu"] = m["median_cpu_s"] / r["median_cpu_s"]
            res["cases"][name] = row  # type: ignore[index]
            print(name, json.dumps({k: (v if not isinstance(v, dict) else
                                        {kk: vv for kk, vv in v.items()
                                         if not isinstance(vv, list)})
                                    for k, v in row.items()}), flush=True)
    res["load_end"] = list(os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=1))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
