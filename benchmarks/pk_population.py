"""Population PK benchmark: rewardsim's throughput, output and memory, with SciPy (LSODA)
and libRoadRunner as independent checks of the numbers.

Workloads (the same individual parameters for every tool, taken from ``sol.params``):

* **W1** ``pk1cmt``, oral: KA 1.2 /h, CL 25 L/h, V 50 L, F1 0.8 (fixed); 30 % CV
  log-normal IIV on KA, CL and V; 20 mg every 8 h for 16 weeks (336 doses); CP every
  hour, t = 0..2688 h (2,689 points a subject).  rewardsim solves it exactly
  (matrix exponential).
* **W2** the same regimen with ``pk2cmt_mm``: VMAX 10 mg/h, KM 2 mg/L, Q 10 L/h,
  V2 30 L, V3 60 L, KA 1 /h, F1 1; 30 % CV IIV on KA, VMAX and V2.  Adaptive solvers
  at rtol 1e-6 and atol 1e-6 mg for every tool.
* **write**: ``Solution.to_frame()`` of W1, then Parquet through pyarrow.
* **memory**: W1 at 100,000 subjects in a child process; peak resident memory
  (``ru_maxrss``, which sees numba's allocations) against the output array.

The checks integrate one subject at a time: SciPy ``solve_ivp(LSODA)`` between doses
(right-hand side in Python), each bolus a jump in state; libRoadRunner (CVODE, Adams) on
an SBML model with a dosing event, one ``simulate`` call a subject.  They run on the
first ``--n-baseline`` subjects; their agreement with rewardsim is the point, and their
rates (per subject) are recorded but are not a like-for-like speed comparison (W1 is
rewardsim's closed form against their ODE solvers; their right-hand sides are Python or
SBML): ``like_for_like.py`` gives the speed ratios.  rewardsim runs on all cores; its
one-thread rate is reported too.  Agreement is the largest relative difference in CP
from rewardsim over the points where CP > 1e-6 of its maximum.  Times are medians of
``--repeats`` runs (wall and CPU); the first (warm-up) run, which loads or compiles the
kernel and first touches the output memory, is reported apart.

Run from the repository root::

    python benchmarks/pk_population.py                   # everything, ~3 min
    python benchmarks/pk_population.py --workloads W2 --n 2000 --tools rewardsim
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

import rewardsim as rs
from rewardsim.engine import Omega

HERE = Path(__file__).resolve().parent
TIMES = np.arange(0.0, 2689.0)  # hourly, 0..2688 h
N_DOSES, DOSE, II = 336, 20.0, 8.0
TOOLS = ("rewardsim", "scipy", "roadrunner")


# ----------------------------------------------------------------- workloads
@dataclass
class Workload:
    name: str
    model: rs.Model
    omega: Omega
    method: str
    # Right-hand side for SciPy, given one subject's parameters (a dict).
    rhs: Callable[[dict[str, float]], Callable[[float, list[float]], list[float]]]
    states: tuple[str, ...]
    odes: dict[str, str]  # rate rules for the SBML model
    cp: str  # CP as an expression of states and parameters
    params: tuple[str, ...]  # parameters passed to the baselines
    notes: list[str] = field(default_factory=list)


def _w1() -> Workload:
    def rhs(p: dict[str, float]) -> Callable[[float, list[float]], list[float]]:
        ka, k = p["KA"], p["CL"] / p["V"]

        def f(t: float, y: list[float]) -> list[float]:
            return [-ka * y[0], ka * y[0] - k * y[1]]

        return f

    return Workload(
        "W1", rs.models.pk1cmt(KA=1.2, CL=25.0, V=50.0, F1=0.8),
        Omega.from_cv({"KA": 0.3, "CL": 0.3, "V": 0.3}), "auto", rhs, ("DEPOT", "CENT"),
        {"DEPOT": "-KA * DEPOT", "CENT": "KA * DEPOT - CL / V * CENT"}, "CENT / V",
        ("KA", "CL", "V", "F1"),
        ["rewardsim: exact solution (matrix exponential), tolerances do not apply"],
    )


def _w2() -> Workload:
    def rhs(p: dict[str, float]) -> Callable[[float, list[float]], list[float]]:
        ka, vmax, km, v2 = p["KA"], p["VMAX"], p["KM"], p["V2"]
        k23, k32 = p["Q"] / v2, p["Q"] / p["V3"]

        def f(t: float, y: list[float]) -> list[float]:
            cp = y[1] / v2
            return [-ka * y[0], ka * y[0] - vmax * cp / (km + cp) - k23 * y[1] + k32 * y[2],
                    k23 * y[1] - k32 * y[2]]

        return f

    return Workload(
        "W2", rs.models.pk2cmt_mm(VMAX=10.0, KM=2.0, Q=10.0, V2=30.0, V3=60.0, KA=1.0, F1=1.0),
        Omega.from_cv({"KA": 0.3, "VMAX": 0.3, "V2": 0.3}), "auto", rhs,
        ("DEPOT", "CENT", "PERIPH"),
        {"DEPOT": "-KA * DEPOT",
         "CENT": "KA * DEPOT - VMAX * (CENT / V2) / (KM + CENT / V2) - Q / V2 * CENT"
                 " + Q / V3 * PERIPH",
         "PERIPH": "Q / V2 * CENT - Q / V3 * PERIPH"},
        "CENT / V2", ("KA", "VMAX", "KM", "V2", "Q", "V3", "F1"),
        ["rewardsim: Dormand-Prince 5(4) with a stiffness switch to Rodas4 (method auto)"],
    )


WORKLOADS = {"W1": _w1, "W2": _w2}


def dosing(n: int) -> object:
    return rs.regimen(DOSE, every=II, n_doses=N_DOSES, cmt=1, n=n)


# ----------------------------------------------------------------- rewardsim
def simulate(w: Workload, n: int, rtol: float, atol: float, threads: int | None,
             data: object = None) -> rs.Solution:
    return rs.simulate(w.model, dosing(n) if data is None else data, times=TIMES,
                       omega=w.omega, seed=1, method=w.method, rtol=rtol, atol=atol,
                       n_threads=threads)


def median_of(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """(median wall time, median process CPU time, last result) of ``repeats`` runs."""
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        out = None  # free the previous result before the next run allocates its own
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        t1, c1 = time.perf_counter(), time.process_time()
        walls.append(t1 - t0)
        cpus.append(c1 - c0)
    return statistics.median(walls), statistics.median(cpus), out


# ----------------------------------------------------------------- SciPy
def scipy_subjects(w: Workload, params: list[dict[str, float]], rtol: float,
                   atol: float) -> np.ndarray:
    """CP (n, 2689): LSODA between doses, each dose a jump in DEPOT."""
    from scipy.integrate import solve_ivp

    cp_index = w.states.index("CENT")
    vname = "V" if "V" in w.params else "V2"
    out = np.empty((len(params), TIMES.size))
    for i, p in enumerate(params):
        f = w.rhs(p)
        y = np.zeros(len(w.states))
        for k in range(N_DOSES):
            t0 = II * k
            y[0] += p["F1"] * DOSE
            s = solve_ivp(f, (t0, t0 + II), y, method="LSODA", rtol=rtol, atol=atol,
                          t_eval=t0 + np.arange(9.0))
            out[i, 8 * k:8 * k + 8] = s.y[cp_index, :8] / p[vname]
            y = s.y[:, -1].copy()
        out[i, -1] = y[cp_index] / p[vname]
    return out


# ----------------------------------------------------------------- libRoadRunner
def _mathml(expr: str) -> str:
    """Infix arithmetic (+ - * /, comparisons, and) as MathML for SBML."""
    ops = {ast.Add: "plus", ast.Sub: "minus", ast.Mult: "times", ast.Div: "divide",
           ast.GtE: "geq", ast.Lt: "lt"}

    def conv(n: ast.AST) -> str:
        if isinstance(n, ast.BinOp):
            return f"<apply><{ops[type(n.op)]}/>{conv(n.left)}{conv(n.right)}</apply>"
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return f"<apply><minus/>{conv(n.operand)}</apply>"
        if isinstance(n, ast.Compare):
            return f"<apply><{ops[type(n.ops[0])]}/>{conv(n.left)}{conv(n.comparators[0])}</apply>"
        if isinstance(n, ast.BoolOp):
            return "<apply><and/>" + "".join(conv(v) for v in n.values) + "</apply>"
        if isinstance(n, ast.Name) and n.id == "time":
            return ("<csymbol encoding='text' definitionURL="
                    "'http://www.sbml.org/sbml/symbols/time'>time</csymbol>")
        if isinstance(n, ast.Name):
            return f"<ci>{n.id}</ci>"
        if isinstance(n, ast.Constant):
            return f"<cn>{float(n.value)!r}</cn>"
        raise ValueError(f"unsupported expression {ast.dump(n)}")

    body = conv(ast.parse(expr, mode="eval").body)
    return f"<math xmlns='http://www.w3.org/1998/Math/MathML'>{body}</math>"


def sbml(w: Workload) -> str:
    """SBML L3V2: states as parameters with rate rules, CP an assignment rule, and a
    dosing event (DEPOT += F1 AMT at t = 0, 8, ..., 2680 h)."""
    consts = {k: w.model.values[k] for k in w.params} | {"AMT": DOSE, "II": II,
                                                         "TEND": II * (N_DOSES - 0.5)}
    pars = "".join(f"<parameter id='{k}' value='{v!r}' constant='true'/>"
                   for k, v in consts.items())
    pars += "".join(f"<parameter id='{k}' value='0' constant='false'/>"
                    for k in (*w.states, "CP", "TNEXT"))
    rules = "".join(f"<rateRule variable='{k}'>{_mathml(e)}</rateRule>" for k, e in w.odes.items())
    rules += f"<assignmentRule variable='CP'>{_mathml(w.cp)}</assignmentRule>"
    event = (
        "<event id='dose' useValuesFromTriggerTime='true'>"
        "<trigger initialValue='false' persistent='true'>"
        f"{_mathml('time >= TNEXT and TNEXT < TEND')}</trigger><listOfEventAssignments>"
        f"<eventAssignment variable='DEPOT'>{_mathml('DEPOT + F1 * AMT')}</eventAssignment>"
        f"<eventAssignment variable='TNEXT'>{_mathml('TNEXT + II')}</eventAssignment>"
        "</listOfEventAssignments></event>"
    )
    return ("<?xml version='1.0' encoding='UTF-8'?>"
            "<sbml xmlns='http://www.sbml.org/sbml/level3/version2/core' level='3' version='2'>"
            f"<model id='{w.model.name}'><listOfCompartments><compartment id='c' size='1' "
            "constant='true'/></listOfCompartments>"
            f"<listOfParameters>{pars}</listOfParameters><listOfRules>{rules}</listOfRules>"
            f"<listOfEvents>{event}</listOfEvents></model></sbml>")


def roadrunner_model(w: Workload, rtol: float, atol: float) -> object:
    import roadrunner

    rr = roadrunner.RoadRunner(sbml(w))
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.integrator.maximum_num_steps = 100_000
    # Adams (non-stiff) is faster and more accurate here than CVODE's default BDF
    # (W1: 51 vs 42 subjects/s, 1e-4 vs 1e-3 from rewardsim), so the baseline uses it.
    rr.integrator.stiff = False
    rr.timeCourseSelections = ["time", "CP"]
    return rr


def roadrunner_subjects(rr: object, w: Workload, params: list[dict[str, float]]) -> np.ndarray:
    out = np.empty((len(params), TIMES.size))
    for i, p in enumerate(params):
        rr.resetAll()  # type: ignore[attr-defined]
        for k in w.params:
            rr[k] = p[k]  # type: ignore[index]
        res = rr.simulate(float(TIMES[0]), float(TIMES[-1]), TIMES.size)  # type: ignore[attr-defined]
        out[i] = res[:, 1]
    return out


# ----------------------------------------------------------------- helpers
def max_rel_err(cp: np.ndarray, ref: np.ndarray) -> float:
    mask = ref > 1e-6 * ref.max()
    return float(np.max(np.abs(cp[mask] / ref[mask] - 1.0)))


def hardware() -> dict[str, object]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    versions = {}
    for pkg in ("rewardsim", "numba", "llvmlite", "numpy", "scipy", "pandas", "pyarrow",
                "libroadrunner"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb,
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "versions": versions,
            "rewardsim_commit": commit}


def load() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# ----------------------------------------------------------------- benchmarks
def bench_workload(name: str, args: argparse.Namespace) -> dict[str, object]:
    w = WORKLOADS[name]()
    rtol, atol = args.rtol, args.atol
    res: dict[str, object] = {"workload": name, "model": w.model.name, "rtol": rtol,
                              "atol_mg": atol, "notes": w.notes, "tools": {}}
    tools: dict[str, dict[str, object]] = res["tools"]  # type: ignore[assignment]
    data = dosing(args.n)

    # rewardsim: a full-size warm-up (kernel load or compile, and the first touch of
    # memory for the output, which the allocator then reuses), then the timed runs.
    t0 = time.perf_counter()
    simulate(w, args.n, rtol, atol, args.threads, data)
    warm = time.perf_counter() - t0
    wall, cpu, sol = median_of(lambda: simulate(w, args.n, rtol, atol, args.threads, data),
                               args.repeats)
    wall1, cpu1, _ = median_of(lambda: simulate(w, args.n, rtol, atol, 1, data), args.repeats)
    assert isinstance(sol, rs.Solution)
    if np.any(sol.status != 0):
        raise SystemExit(f"{name}: rewardsim failed for {sol.failed}")
    steps = float(np.mean(sol.n_steps))
    tools["rewardsim"] = {
        "subjects": args.n, "threads": args.threads or os.cpu_count(),
        "warmup_s": warm, "median_wall_s": wall, "median_cpu_s": cpu,
        "subjects_per_s": args.n / wall, "one_thread_median_wall_s": wall1,
        "one_thread_median_cpu_s": cpu1, "one_thread_subjects_per_s": args.n / wall1,
        "mean_steps_per_subject": steps,
    }
    nb = min(args.n_baseline, args.n)
    ref = sol["CP"][:nb]
    params = sol.params.iloc[:nb].to_dict("records")
    del sol

    if name == "W2":  # accuracy of every tool against a tight rewardsim solution
        tight = rs.simulate(w.model, dosing(nb), times=TIMES, omega=w.omega, seed=1,
                            method="rodas", rtol=1e-10, atol=1e-12)
        exact = tight["CP"]
        tools["rewardsim"]["max_rel_err_vs_reference"] = max_rel_err(ref, exact)
        res["reference"] = "rewardsim Rodas4 at rtol 1e-10, atol 1e-12"
    else:
        exact = ref
        res["reference"] = "rewardsim exact solution"

    if "scipy" in args.tools:
        t0 = time.perf_counter()
        scipy_subjects(w, params[:1], rtol, atol)
        warm = time.perf_counter() - t0
        wall, cpu, cp = median_of(lambda: scipy_subjects(w, params, rtol, atol),
                                  args.baseline_repeats)
        tools["scipy"] = {"subjects": nb, "warmup_s": warm, "median_wall_s": wall,
                          "median_cpu_s": cpu,
                          "subjects_per_s": nb / wall,
                          "max_rel_err_vs_rewardsim": max_rel_err(cp, ref),  # type: ignore[arg-type]
                          "max_rel_err_vs_reference": max_rel_err(cp, exact),  # type: ignore[arg-type]
                          "method": "solve_ivp LSODA between doses"}
    if "roadrunner" in args.tools:
        t0 = time.perf_counter()
        rr = roadrunner_model(w, rtol, atol)
        roadrunner_subjects(rr, w, params[:1])
        warm = time.perf_counter() - t0
        wall, cpu, cp = median_of(lambda: roadrunner_subjects(rr, w, params),
                                  args.baseline_repeats)
        tools["roadrunner"] = {"subjects": nb, "warmup_s": warm, "median_wall_s": wall,
                               "median_cpu_s": cpu,
                               "subjects_per_s": nb / wall,
                               "max_rel_err_vs_rewardsim": max_rel_err(cp, ref),  # type: ignore[arg-type]
                               "max_rel_err_vs_reference": max_rel_err(cp, exact),  # type: ignore[arg-type]
                               "method": "CVODE Adams (stiff=False), SBML dosing event"}
    return res


def bench_write(args: argparse.Namespace) -> dict[str, object]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    w = WORKLOADS["W1"]()
    sol = simulate(w, args.n, args.rtol, args.atol, args.threads)
    t_frame, _, frame = median_of(sol.to_frame, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w1.parquet"

        def write() -> None:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)

        t_write, _, _ = median_of(write, args.repeats)
        size = path.stat().st_size
    rows = len(frame)  # type: ignore[arg-type]
    return {"subjects": args.n, "rows": rows, "to_frame_s": t_frame, "parquet_write_s": t_write,
            "parquet_mb": size / 1e6, "rows_per_s_to_frame": rows / t_frame,
            "rows_per_s_parquet": rows / t_write, "compression": "snappy (pyarrow default)"}


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return -1


def memory_child(n: int, threads: int | None) -> None:
    """Run in a fresh process: W1 at n subjects; print peak memory as JSON."""
    w = WORKLOADS["W1"]()
    simulate(w, 10, 1e-6, 1e-6, threads)  # load the kernel before measuring
    data = dosing(n)
    before = _rss_kb("VmRSS")
    t0 = time.perf_counter()
    sol = simulate(w, n, 1e-6, 1e-6, threads, data)
    wall = time.perf_counter() - t0
    out_bytes = sum(v.nbytes for v in sol.outputs.values())
    print(json.dumps({
        "subjects": n, "seconds": wall, "subjects_per_s": n / wall,
        "output_bytes": out_bytes, "rss_before_bytes": before * 1024,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "vmhwm_bytes": _rss_kb("VmHWM") * 1024,
    }))


def bench_memory(args: argparse.Namespace) -> dict[str, object]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(args.n_memory)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    r["peak_over_output"] = r["peak_rss_bytes"] / r["output_bytes"]
    r["growth_over_output"] = (r["peak_rss_bytes"] - r["rss_before_bytes"]) / r["output_bytes"]
    return r


def bench_compile(args: argparse.Namespace) -> dict[str, float]:
    """Cold compile time of each model kernel, in a child process with an empty kernel
    cache (the shared building blocks of ``rewardsim.engine._kernels`` stay cached)."""
    code = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "import pk_population as b\n"
        "for name in ('W1', 'W2'):\n"
        "    w = b.WORKLOADS[name]()\n"
        "    t0 = time.perf_counter(); b.simulate(w, 2, 1e-6, 1e-6, 1)\n"
        "    print(name, time.perf_counter() - t0)\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, REWARDSIM_CACHE_DIR=tmp)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env=env)
    return {line.split()[0]: float(line.split()[1]) for line in done.stdout.splitlines()}


# ----------------------------------------------------------------- report
def table(results: dict[str, object]) -> str:
    rows = [("workload", "tool", "subjects", "subj/s", "1 thread subj/s",
             "max rel err vs rewardsim", "vs reference", "warm-up s")]
    for name in ("W1", "W2"):
        r = results.get(name)
        if not isinstance(r, dict):
            continue
        for tool, t in r["tools"].items():
            rows.append((
                name, tool, str(t["subjects"]), f"{t['subjects_per_s']:,.1f}",
                f"{t['one_thread_subjects_per_s']:,.1f}" if tool == "rewardsim" else "",
                f"{t['max_rel_err_vs_rewardsim']:.1e}" if "max_rel_err_vs_rewardsim" in t else "",
                f"{t['max_rel_err_vs_reference']:.1e}" if "max_rel_err_vs_reference" in t else "",
                f"{t['warmup_s']:.2f}",
            ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(wd) if i > 1 else c.ljust(wd) for i, (c, wd) in
                       enumerate(zip(r, widths, strict=True))) for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default="W1,W2,write,memory",
                    help="comma-separated subset of W1, W2, write, memory, compile "
                         "(default: W1,W2,write,memory)")
    ap.add_argument("--tools", default=",".join(TOOLS),
                    help="comma-separated subset of rewardsim, scipy, roadrunner")
    ap.add_argument("--n", type=int, default=1000, help="rewardsim subjects (default 1000)")
    ap.add_argument("--n-baseline", type=int, default=50,
                    help="subjects for SciPy and libRoadRunner (default 50)")
    ap.add_argument("--n-memory", type=int, default=100_000,
                    help="subjects of the memory run (default 100000)")
    ap.add_argument("--repeats", type=int, default=3, help="timed rewardsim runs (median)")
    ap.add_argument("--baseline-repeats", type=int, default=3,
                    help="timed baseline runs (median)")
    ap.add_argument("--threads", type=int, default=None,
                    help="rewardsim threads (default: all cores)")
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-6, help="absolute tolerance, mg")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "pk_population.json",
                    help="JSON results file")
    ap.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child is not None:
        memory_child(args.memory_child, args.threads)
        return
    args.tools = [t for t in args.tools.split(",") if t]
    todo = [x for x in args.workloads.split(",") if x]

    results: dict[str, object] = {"date": time.strftime("%Y-%m-%d %H:%M:%S"),
                                  "hardware": hardware(), "load_before": load(),
                                  "settings": {k: v for k, v in vars(args).items()
                                               if k not in ("out", "memory_child")}}
    hw = results["hardware"]
    print(f"{hw['cpu']}, {hw['cores']} cores, {hw['memory_gb']} GB; "  # type: ignore[index]
          f"load average {results['load_before']}")
    for name in ("W1", "W2"):
        if name in todo:
            results[name] = bench_workload(name, args)
    if "write" in todo:
        results["write"] = bench_write(args)
    if "memory" in todo:
        results["memory"] = bench_memory(args)
    if "compile" in todo:
        results["compile_s"] = bench_compile(args)
    results["load_after"] = load()

    print(table(results))
    print("Checks run one subject at a time on one thread, on the first "
          f"{args.n_baseline} subjects; rates are per subject and medians. Not a "
          "like-for-like speed comparison: see like_for_like.py.")
    if "write" in results:
        r = results["write"]
        print(f"write: to_frame {r['to_frame_s']:.3f} s, Parquet {r['parquet_write_s']:.3f} s "  # type: ignore[index]
              f"for {r['rows']:,} rows ({r['parquet_mb']:.1f} MB)")  # type: ignore[index]
    if "memory" in results:
        r = results["memory"]
        print(f"memory: W1 x {r['subjects']:,}: peak RSS {r['peak_rss_bytes'] / 1e9:.2f} GB = "  # type: ignore[index]
              f"{r['peak_over_output']:.2f} x the output array ({r['output_bytes'] / 1e9:.2f} GB); "  # type: ignore[index]
              f"growth {r['growth_over_output']:.2f} x; {r['subjects_per_s']:,.0f} subjects/s")  # type: ignore[index]
    if "compile_s" in results:
        print("cold compile (s): " + ", ".join(f"{k} {v:.1f}" for k, v in
                                             results["compile_s"].items()))  # type: ignore[union-attr]
    print(f"load average before {results['load_before']}, after {results['load_after']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"results written to {os.path.relpath(args.out)}")


if __name__ == "__main__":
    main()
