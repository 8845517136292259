"""Benchmark: a year of 1.7 million people under 4 scenarios, and 1 -> 2 Dask workers.

    python benchmarks/population.py                  # full run + scaling (about 15 min)
    python benchmarks/population.py --size 200000    # smaller full run
    python benchmarks/population.py --skip-full      # scaling only

Full run: ``examples/population-scenarios.toml`` (status quo, baclofen for outpatients,
residential admission within 24 h, travel for treatment) in a child process on threads, all
cores; wall time, peak RSS of the child (``getrusage`` RUSAGE_CHILDREN: it sees numba's
allocations), person-days simulated (people a scenario does not touch are simulated once)
and the cost per simulated person-day. Scaling: the same tasks on a
``dask.distributed.LocalCluster`` of 1 and then 2 single-threaded worker processes, side by
side in this script on ``--scaling-size`` people; the ratio of wall times is the speed-up
(kernel load in the workers excluded by a warm-up task). Writes ``results/population.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "population-scenarios.toml"

_CHILD = """
import json, sys, time
from rewardsim.population import load_scenarios, run_population
spec = load_scenarios(sys.argv[1]).with_size(int(sys.argv[2]))
t = time.perf_counter()
run_population(spec, sys.argv[3], chunk_size=int(sys.argv[4]))
wall = time.perf_counter() - t
m = json.load(open(sys.argv[3] + "/manifest.json"))
print(json.dumps({"wall_s": wall, "person_days": m["person_days_simulated"]}))
"""


def full_run(size: int, chunk: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="rs-pop-"))
    try:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(EXAMPLE), str(size),
                               str(out / "run"), str(chunk)],
                              capture_output=True, text=True, check=True)
        total = time.perf_counter() - t
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
        return {"people": size, "scenarios": 4, "days": 365, "chunk_size": chunk,
                "wall_s": res["wall_s"], "process_s": total, "peak_rss_mib": peak,
                "person_days_simulated": res["person_days"],
                "ns_per_person_day": 1e9 * res["wall_s"] / res["person_days"],
                "core_ns_per_person_day": 1e9 * res["wall_s"] * (os.cpu_count() or 1)
                / res["person_days"]}  # fmt: skip
    finally:
        shutil.rmtree(out, ignore_errors=True)


def scaling(size: int, chunk: int) -> dict:
    from distributed import Client, LocalCluster

    from rewardsim.population import load_scenarios, run_population, simulate_chunk

    spec = load_scenarios(EXAMPLE).with_size(size)
    spec_json = json.dumps(spec.model_dump(mode="json"))
    rows: dict[int, list[float]] = {1: [], 2: []}
    for workers in (1, 2, 2, 1):  # interleaved, best of two: the machine is shared
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.gather([client.submit(simulate_chunk, spec_json, 0, 1, pure=False,
                                         workers=[w]) for w in client.scheduler_info()
                           ["workers"]])  # load the kernel in every worker
            out = Path(tempfile.mkdtemp(prefix="rs-pop-scale-"))
            t = time.perf_counter()
            run_population(spec, out / "run", chunk_size=chunk, client=client)
            rows[workers].append(time.perf_counter() - t)
            shutil.rmtree(out, ignore_errors=True)
    return {"people": size, "chunk_size": chunk, "wall_s_1_worker": rows[1],
            "wall_s_2_workers": rows[2], "speedup": min(rows[1]) / min(rows[2])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_700_000)
    ap.add_argument("--chunk-size", type=int, default=50_000)
    ap.add_argument("--scaling-size", type=int, default=100_000)
    ap.add_argument("--scaling-chunk", type=int, default=10_000)
    ap.add_argument("--skip-full", action="store_true")
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "population.json"))
    a = ap.parse_args()
    rec: dict = {"benchmark": "benchmarks/population.py",
                 "machine": f"{platform.machine()}, {os.cpu_count()} CPU, Python "
                            f"{platform.python_version()}, load average "
                            f"{os.getloadavg()[0]:.1f} at start",
                 "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                          capture_output=True, text=True).stdout.strip()}
    if not a.skip_full:
        rec["full"] = full_run(a.size, a.chunk_size)
        print(json.dumps(rec["full"], indent=1), flush=True)
    if not a.skip_scaling:
        rec["scaling"] = scaling(a.scaling_size, a.scaling_chunk)
        print(json.dumps(rec["scaling"], indent=1), flush=True)
    rec["load_average_end"] = os.getloadavg()[0]
    Path(a.out).write_text(json.dumps(rec, indent=2))


if __name__ == "__main__":
    main()
