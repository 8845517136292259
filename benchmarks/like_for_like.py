"""W1/W2 like for like: rewardsim against R peers (mrgsolve, deSolve), closed form against
closed form and ODE against ODE at the same rtol and atol, medians of wall and CPU time.

Workloads as in ``pk_population.py`` (1,000 subjects, 20 mg every 8 h for 16 weeks into the
depot, times F1, CP hourly from 0 to 2688 h, 2,689 points a subject; the same individual
parameters for every tool, taken from rewardsim's ``sol.params``):

* **W1 closed form** (``pk1cmt``): rewardsim's exact solution (matrix exponential) against
  mrgsolve's ``$PKMODEL`` (analytic one-compartment model) and, where mrgsolve is missing,
  the one-compartment closed form advanced from record to record in base R, vectorised
  over subjects (``desolve_w1w2.R``; deSolve itself has no closed form);
* **W1 ODE**: rewardsim ``method="dp5-rodas"`` against mrgsolve ``$ODE`` and deSolve
  ``lsoda`` on a compiled C model (``desolve_w1w2.c``);
* **W2 ODE** (``pk2cmt_mm``, Michaelis-Menten): rewardsim ``auto`` (Dormand-Prince 5(4),
  four lanes, switching to Rodas4 when stiff) against mrgsolve ``$ODE`` and deSolve
  ``lsoda`` on a compiled C model.

mrgsolve's and deSolve's ODE solver is ODEPACK's LSODA (Adams, switching to BDF when
stiff). Every ODE row runs every tool at the same rtol and atol (atol in mg), for each
pair of ``--tolerances`` (default 1e-8/1e-8, mrgsolve's defaults, and 1e-6/1e-6). Equal
tolerances do not give equal errors, so the ODE cases also get ratios at equal accuracy:
each peer run against rewardsim's time interpolated (log against log) at the peer's
error, within the errors rewardsim reached over the tolerances run (``equal_error``).
rewardsim runs on each of ``--threads`` (default 1 and 2); the peers have one thread.
Each tool runs the whole population ``--repeats`` (rewardsim) or ``--peer-repeats`` times
after one untimed warm-up (compiling or loading the model); the tables give medians, never
bests, of wall time and of CPU time (user + system, all threads). A peer may run fewer
subjects (``--n-peer``); rates and ratios are per subject. Agreement: largest relative
difference of CP over the first 50 subjects, where CP > 1e-6 of its maximum, against
rewardsim's Rodas4 at rtol 1e-12, atol 1e-14 mg.

The peers need R (``Rscript``): deSolve from ``apt-get install r-cran-desolve`` (Debian,
Ubuntu) or ``install.packages("deSolve")``; mrgsolve from ``install.packages("mrgsolve")``
where CRAN is reachable, else from its source with Debian's packages for its dependencies
(``benchmarks/README.md``; it compiles its models, so R needs a C++ toolchain). A peer
that is not installed is left out and the record says so. Run from the repository root::

    python benchmarks/like_for_like.py                 # about 5 minutes on 2 cores
    python benchmarks/like_for_like.py --cases "W2 ODE" --tolerances 1e-6:1e-6 --n-peer 200
    python benchmarks/like_for_like.py --cases "W1 ODE,W2 ODE" --peers mrgsolve \
        --tolerances 1e-5:1e-5,1e-6:1e-6,1e-7:1e-7,1e-8:1e-8,1e-9:1e-9 \
        --out benchmarks/results/like_for_like_work_precision.json   # equal accuracy
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
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pk_population as pp  # noqa: E402

import rewardsim as rs  # noqa: E402

CASES = {  # name: (workload, rewardsim method, peer model, kind)
    "W1 closed form": ("W1", "exact", "w1_closed", "closed"),
    "W1 ODE": ("W1", "dp5-rodas", "w1_ode", "ode"),
    "W2 ODE": ("W2", "auto", "w2_ode", "ode"),
}
PEERS = {  # name: (R script, R package, {case kind: what the peer runs})
    "mrgsolve": ("mrgsolve_w1w2.R", "mrgsolve",
                 {"closed": "mrgsolve $PKMODEL (closed form)", "ode": "mrgsolve $ODE, LSODA"}),
    "deSolve": ("desolve_w1w2.R", "deSolve",
                {"closed": "closed form in base R, record to record, vectorised over "
                           "subjects (deSolve has no closed form)",
                 "ode": "deSolve lsoda, compiled C model, doses as events, hmax = Inf"}),
}
REFERENCE = "rewardsim Rodas4 at rtol 1e-12, atol 1e-14 mg"


def timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], list[float], object]:
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


def r_package(pkg: str) -> str | None:
    """Version of an installed R package, or None."""
    if shutil.which("Rscript") is None:
        return None
    r = subprocess.run(["Rscript", "-e", f"cat(as.character(packageVersion('{pkg}')))"],
                       capture_output=True, text=True, check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def git_dirty() -> bool | None:
    try:
        out = subprocess.run(["git", "status", "--porcelain"], cwd=HERE, capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return bool(out.strip())


def summary(walls: list[float], cpus: list[float], n: int) -> dict[str, object]:
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return {"subjects": n, "wall_s": walls, "cpu_s": cpus, "median_wall_s": wall,
            "median_cpu_s": cpu, "subjects_per_s": n / wall, "cpu_s_per_subject": cpu / n}


def run_peer(peer: str, model: str, params: object, rtol: float, atol: float,
             repeats: int, tmp: Path, tag: str) -> tuple[dict[str, object], np.ndarray]:
    script, _, _ = PEERS[peer]
    csv = tmp / f"{tag}.csv"
    params.to_csv(csv, index=False)  # type: ignore[attr-defined]
    prefix = tmp / f"{tag}-out"
    subprocess.run(["Rscript", str(HERE / script), model, str(csv), repr(rtol), repr(atol),
                    str(repeats), str(prefix)], check=True)
    m = json.loads(prefix.with_suffix(".json").read_text())
    cp = np.loadtxt(prefix.with_suffix(".csv"), delimiter=",", ndmin=2)
    return m, cp


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="rewardsim subjects")
    ap.add_argument("--n-peer", type=int, default=1000, help="subjects for the R peers")
    ap.add_argument("--tolerances", default="1e-8:1e-8,1e-6:1e-6",
                    help="rtol:atol pairs (atol in mg) for the ODE rows")
    ap.add_argument("--threads", default="1,2", help="rewardsim thread counts")
    ap.add_argument("--repeats", type=int, default=5, help="timed rewardsim runs (median)")
    ap.add_argument("--peer-repeats", type=int, default=3, help="timed peer runs (median)")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--out", type=Path, default=HERE / "results" / "like_for_like.json")
    args = ap.parse_args()
    tols = [tuple(float(x) for x in pair.split(":")) for pair in args.tolerances.split(",")]
    threads = [int(t) for t in args.threads.split(",")]
    r_version = None
    if shutil.which("Rscript"):
        r_version = subprocess.run(["Rscript", "-e", "cat(R.version.string)"],
                                   capture_output=True, text=True, check=False).stdout.strip()
    peers = {p: r_package(PEERS[p][1]) for p in args.peers.split(",") if p}
    res: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"), "uptime_start": uptime(),
        "load_start": pp.load(), "hardware": pp.hardware(), "worktree_dirty": git_dirty(),
        "R": r_version, "peers": peers, "reference": REFERENCE,
        "settings": {"n": args.n, "n_peer": args.n_peer, "tolerances": tols,
                     "threads": threads, "repeats": args.repeats,
                     "peer_repeats": args.peer_repeats},
        "cases": {}}
    print(res["uptime_start"], "| peers:", peers, flush=True)
    data = pp.dosing(args.n)
    refs: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for name in args.cases.split(","):
            wname, method, pmodel, kind = CASES[name]
            w = pp.WORKLOADS[wname]()
            if wname not in refs:
                refs[wname] = rs.simulate(w.model, pp.dosing(50), times=pp.TIMES,
                                          omega=w.omega, seed=1, method="rodas", rtol=1e-12,
                                          atol=1e-14)["CP"]
            ref = refs[wname]
            for rtol, atol in (tols[:1] if kind == "closed" else tols):
                key = name if kind == "closed" else f"{name}, rtol {rtol:g}, atol {atol:g}"
                row: dict[str, object] = {"case": name, "kind": kind, "workload": wname,
                                          "rewardsim_method": method,
                                          "rtol": None if kind == "closed" else rtol,
                                          "atol": None if kind == "closed" else atol}
                sol = None
                for nt in threads:
                    def sim(nt: int = nt, rtol: float = rtol, atol: float = atol,
                            w: pp.Workload = w, method: str = method) -> rs.Solution:
                        return rs.simulate(w.model, data, times=pp.TIMES, omega=w.omega,
                                           seed=1, method=method, rtol=rtol, atol=atol,
                                           n_threads=nt)

                    walls, cpus, sol = timed(sim, args.repeats)
                    row[f"rewardsim_{nt}_thread"] = summary(walls, cpus, args.n)
                assert isinstance(sol, rs.Solution) and not np.any(sol.status != 0)
                row["rewardsim_mean_steps"] = float(np.mean(sol.n_steps))
                cp = sol["CP"][:50]
                row["rewardsim_rel_err"] = rel_err(cp, ref[:len(cp)])
                params = sol.params[["ID", *w.params]].iloc[:args.n_peer]
                del sol
                for peer, version in peers.items():
                    if not version:
                        continue
                    m, pcp = run_peer(peer, pmodel, params, rtol, atol, args.peer_repeats,
                                      tmp, f"{peer}-{pmodel}")
                    p = summary(m["wall_s"], m["cpu_s"], len(params))
                    p.update(version=version, method=PEERS[peer][2][kind],
                             rel_err=rel_err(pcp, ref[:len(pcp)]),
                             rel_diff_from_rewardsim=rel_err(pcp, cp[:len(pcp)]))
                    for nt in threads:
                        r = row[f"rewardsim_{nt}_thread"]
                        assert isinstance(r, dict)
                        # peer time per subject over rewardsim's: > 1 is rewardsim faster
                        p[f"rewardsim_{nt}_thread_ratio_wall"] = (
                            r["subjects_per_s"] / p["subjects_per_s"])
                        p[f"rewardsim_{nt}_thread_ratio_cpu"] = (
                            p["cpu_s_per_subject"] / r["cpu_s_per_subject"])
                    row[peer] = p
                row["load_after"] = pp.load()
                res["cases"][key] = row  # type: ignore[index]
                print(key, json.dumps(brief(row)), flush=True)
    res["equal_error"] = equal_error(res, threads)
    res["load_end"] = pp.load()
    res["uptime_end"] = uptime()
    print(table(res))
    print(equal_error_table(res))
    print(res["uptime_end"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.out.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(res, indent=1) + "\n")
    tmp_out.replace(args.out)
    print("wrote", os.path.relpath(args.out))


def equal_error(res: dict[str, object], threads: list[int]) -> list[dict[str, object]]:
    """Ratios at equal accuracy: each peer run against rewardsim's time at the peer's error.

    rewardsim's median wall time (and CPU time) per subject is interpolated, log against
    log, in its error between the two tolerances whose errors bracket the peer's; a peer
    error outside rewardsim's measured range gets no ratio (no extrapolation). Needs an
    ODE case run at two or more ``--tolerances``.
    """
    out: list[dict[str, object]] = []
    by_case: dict[str, list[dict[str, object]]] = {}
    for row in res["cases"].values():  # type: ignore[union-attr]
        if row["kind"] == "ode":
            by_case.setdefault(row["case"], []).append(row)
    for case, rows in by_case.items():
        if len(rows) < 2:
            continue
        pts = sorted(rows, key=lambda r: r["rewardsim_rel_err"])
        errs = np.log([r["rewardsim_rel_err"] for r in pts])
        for row in rows:
            for peer in PEERS:
                if not isinstance(row.get(peer), dict):
                    continue
                p = row[peer]
                e = float(np.log(p["rel_err"]))
                rec: dict[str, object] = {"case": case, "peer": peer, "peer_rtol": row["rtol"],
                                          "peer_rel_err": p["rel_err"]}
                for nt in threads:
                    for what, key in (("wall", "median_wall_s"), ("cpu", "median_cpu_s")):
                        ratio = None
                        if errs[0] <= e <= errs[-1]:
                            per = np.log([r[f"rewardsim_{nt}_thread"][key]
                                          / r[f"rewardsim_{nt}_thread"]["subjects"]
                                          for r in pts])
                            t_rs = float(np.exp(np.interp(e, errs, per)))
                            ratio = p[key] / p["subjects"] / t_rs
                        rec[f"rewardsim_{nt}_thread_ratio_{what}"] = ratio
                out.append(rec)
    return out


def equal_error_table(res: dict[str, object]) -> str:
    recs = res.get("equal_error") or []
    if not recs:
        return ""
    threads = res["settings"]["threads"]  # type: ignore[index]
    lines = ["| case | peer, rtol = atol | peer's max rel. error | "
             + "".join(f"peer/rewardsim at that error, {nt} thread(s) (wall, CPU) | "
                       for nt in threads),
             "|---|---|---:|" + "---:|" * len(threads)]

    def fmt(x: object) -> str:
        return "outside range" if x is None else f"{x:,.1f}"

    for r in recs:  # type: ignore[union-attr]
        cells = "".join(f"{fmt(r[f'rewardsim_{nt}_thread_ratio_wall'])}, "
                        f"{fmt(r[f'rewardsim_{nt}_thread_ratio_cpu'])} | " for nt in threads)
        lines.append(f"| {r['case']} | {r['peer']}, {r['peer_rtol']:g} | "
                     f"{r['peer_rel_err']:.1e} | {cells}")
    return "\n".join(lines)


def brief(row: dict[str, object]) -> dict[str, object]:
    return {k: ({kk: vv for kk, vv in v.items() if not isinstance(vv, list)}
                if isinstance(v, dict) else v) for k, v in row.items()}


def table(res: dict[str, object]) -> str:
    """Markdown table: one line per case and tolerance, one column group per tool."""
    threads = res["settings"]["threads"]  # type: ignore[index]
    lines = ["| case | rtol / atol | tool | subjects | subjects/s | median wall s | "
             "median CPU s | "
             + "".join(f"peer/rewardsim {nt} thread(s) (wall, CPU) | " for nt in threads)
             + "max rel. diff vs reference |",
             "|---|---|---|---:|---:|---:|---:|" + "---:|" * (len(threads) + 1)]
    for row in res["cases"].values():  # type: ignore[union-attr]
        tol = "n/a" if row["rtol"] is None else f"{row['rtol']:g} / {row['atol']:g}"
        for k, v in row.items():
            if not isinstance(v, dict):
                continue
            if k.startswith("rewardsim_"):
                tool, err = k.replace("_", " "), f"{row['rewardsim_rel_err']:.1e}"
                lines.append(f"| {row['case']} | {tol} | {tool} | {v['subjects']} | "
                             f"{v['subjects_per_s']:,.1f} | {v['median_wall_s']:.3f} | "
                             f"{v['median_cpu_s']:.3f} | " + "| " * len(threads)
                             + f"{err} |")
                continue
            cells = "".join(f"{v[f'rewardsim_{nt}_thread_ratio_wall']:,.1f}, "
                            f"{v[f'rewardsim_{nt}_thread_ratio_cpu']:,.1f} | "
                            for nt in threads)
            lines.append(f"| {row['case']} | {tol} | {k} {v['version']} | {v['subjects']} | "
                         f"{v['subjects_per_s']:,.1f} | {v['median_wall_s']:.3f} | "
                         f"{v['median_cpu_s']:.3f} | {cells}{v['rel_err']:.1e} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
