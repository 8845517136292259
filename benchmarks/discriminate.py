"""Benchmark: the example design space, 12 designs x 4 hypotheses x 200 replicates.

    python benchmarks/discriminate.py                         # full run (threads), baseline
    python benchmarks/discriminate.py --runner dask           # on a 2-worker LocalCluster
    python benchmarks/discriminate.py --replicates 20 --baseline-replicates 4

Full run: ``examples/discriminate-baclofen.toml`` (12 designs of 70-300 patients, the four
hypotheses with efficacy from the fitted posteriors, 200 replicates each) on threads (all
cores) or on a ``dask.distributed.LocalCluster`` of single-threaded worker processes (one
per core); wall time, patients and patient-days simulated, and the cost per simulated
patient (wall time, simulation and analysis, over patients simulated). The answer (ranking,
designs, performance, confusion matrices, curves, power, report, manifest) is written to
``results/discriminate-baclofen/``.

Baseline, side by side: every design simulated as a space of its own (no patients shared
between designs) against the shared run, both on ``--baseline-replicates`` replicates;
the ratio of wall times is what sharing saves. Writes ``results/discriminate.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rewardsim.design import discriminate, load_space, parse_space  # noqa: E402

EXAMPLE = ROOT / "examples" / "discriminate-baclofen.toml"
RESULTS = ROOT / "benchmarks" / "results"


def _run(space, runner: str, workers: int):
    if runner == "dask":
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            t = time.perf_counter()
            res = discriminate(space, client=client)
            return res, time.perf_counter() - t
    t = time.perf_counter()
    res = discriminate(space, n_threads=workers)
    return res, time.perf_counter() - t


def _alone(space, i: int):
    """Design ``i`` of ``space`` as a space of its own."""
    data = space.spec.model_dump(mode="python")
    d = space.designs[i]
    data["designs"] = [{"name": d.name, **d.levels}]
    data["factors"] = None
    return parse_space(data, base_dir=space.base_dir)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--baseline-replicates", type=int, default=10)
    ap.add_argument("--runner", choices=("threads", "dask"), default="threads")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=RESULTS / "discriminate.json")
    args = ap.parse_args()
    space = load_space(EXAMPLE)
    load = os.getloadavg()
    # Warm-up: kernel load from numba's cache, efficacy tables, first allocations.
    discriminate(space.with_replicates(4), n_threads=args.workers)
    # Baseline side by side: each design alone vs the shared run.
    small = space.with_replicates(args.baseline_replicates)
    t = time.perf_counter()
    for i in range(len(small.designs)):
        discriminate(_alone(small, i), n_threads=args.workers)
    alone_s = time.perf_counter() - t
    shared, shared_s = _run(small, "threads", args.workers)
    # Full run.
    full = space.with_replicates(args.replicates)
    res, wall = _run(full, args.runner, args.workers)
    out_dir = RESULTS / "discriminate-baclofen"
    shutil.rmtree(out_dir, ignore_errors=True)
    res.write(out_dir)
    m = res.manifest
    record = {
        "benchmark": "benchmarks/discriminate.py",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                   f"{platform.python_version()}",
        "load_average_at_start": [round(x, 2) for x in load],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "space": "examples/discriminate-baclofen.toml",
        "designs": len(full.designs), "hypotheses": len(full.hypotheses),
        "replicates": args.replicates,
        "patients_per_trial": sorted({d.n_total for d in full.designs}),
        "runner": m["runner"], "wall_s": round(wall, 1),
        "tasks_s": m["seconds_tasks"], "assembly_s": round(m["seconds"] - m["seconds_tasks"], 1),
        "trials_analysed": len(full.designs) * len(full.hypotheses) * args.replicates,
        "patients_simulated": m["patients_simulated"],
        "patient_days_simulated": m["patient_days_simulated"],
        "ms_per_simulated_patient": round(1e3 * wall / m["patients_simulated"], 3),
        "core_ms_per_simulated_patient": round(1e3 * wall * args.workers
                                               / m["patients_simulated"], 3),
        "baseline": {
            "replicates": args.baseline_replicates,
            "each_design_alone_s": round(alone_s, 1),
            "shared_s": round(shared_s, 1),
            "sharing_speedup": round(alone_s / shared_s, 2),
            "patients_shared_run": shared.manifest["patients_simulated"],
        },
        "best": res.ranking.iloc[0][["design", "name", "rule", "p_correct", "se_correct",
                                     "cost"]].to_dict(),
    }
    args.out.write_text(json.dumps(record, indent=2, default=float) + "\n")
    print(json.dumps(record, indent=2, default=float))


if __name__ == "__main__":
    main()
