"""Speed of ``rewardsim trial``: the flagship design with many virtual patients per arm.

Usage::

    python benchmarks/trial.py                  # 100,000 per arm: simulation, then full run
    python benchmarks/trial.py --n 25000        # smaller, to see that memory does not grow
    python benchmarks/trial.py --baseline aa02164   # and the simulation of an earlier
                                                    # commit, side by side in this run

Each measurement runs in a fresh process (so peak RSS is its own) after a warm-up run
that compiles the kernel. "simulation" is the screening, randomisation and daily kernel
for every patient (what the 60 s target is about); "full run" adds building the tables and
writing them (the run folder's Parquet datasets). Patient-days count every simulated
day: burn-in, baseline (with screening repeats) and treatment. Record the hardware with
every number (``--json`` prints machine-readable results).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "examples" / "baclofen-cocaine.toml"


def _measure(mode: str, n: int, chunk: int) -> dict:
    import numpy as np

    from rewardsim.trial import load_design, run_trial
    from rewardsim.trial._cohort import kernel_inputs
    from rewardsim.trial._run import _allocation, simulate_patients

    # n_per_arm (the flagship is 1:1): an override an earlier commit (--baseline) has too
    design = load_design(DESIGN).with_overrides(n_per_arm=n // 2)
    warm = load_design(DESIGN).with_overrides(n_per_arm=50)
    with tempfile.TemporaryDirectory() as tmp:
        run_trial(warm, Path(tmp) / "warm")  # compile and load the cached kernel
    t0 = time.perf_counter()
    if mode == "sim":
        inp = kernel_inputs(design)
        arm, attempt = _allocation(design, inp, 0, chunk, None)
        total = design.allocation.n
        for lo in range(0, total, chunk):
            ids = np.arange(lo + 1, min(total, lo + chunk) + 1, dtype=np.int64)
            simulate_patients(design, inp, 0, ids, arm[lo : lo + ids.size],
                              attempt[lo : lo + ids.size])
        screens = int(attempt.sum()) + total
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run_trial(design, Path(tmp) / "run", chunk_size=chunk)
            import pyarrow.parquet as pq

            # The dataset folder (or, for a baseline before issue 14, one file).
            subjects = Path(tmp) / "run" / "subjects"
            if not subjects.is_dir():
                subjects = subjects.with_suffix(".parquet")
            screens = int(pq.read_table(subjects, columns=["screened"])["screened"]
                          .to_numpy().sum())
    seconds = time.perf_counter() - t0
    total = design.allocation.n
    inp = kernel_inputs(design)
    screen_days = inp.burn + 7 * design.baseline_weeks
    # screening (pass 1, every attempt) + the full trajectory of each patient (pass 2)
    patient_days = screens * screen_days + total * (inp.burn + inp.n_days)
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "patients": total, "seconds": seconds,
            "patients_per_s": total / seconds, "patient_days": patient_days,
            "ns_per_patient_day": 1e9 * seconds / patient_days,
            "peak_rss_mib": rss_kib / 1024.0, "chunk_size": chunk}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000,
                    help="patients randomised in total, both arms (as rewardsim trial --n)")
    ap.add_argument("--chunk", type=int, default=20_000, help="patients per chunk")
    ap.add_argument("--mode", choices=("sim", "full"), default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--baseline", metavar="REV", default=None,
                    help="also measure the simulation of this git revision (its own tree, "
                         "exported to a temporary folder), alternating with this one")
    ap.add_argument("--repeat", type=int, default=1, help="measurements of each")
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(_measure(args.mode, args.n, args.chunk)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"this": ROOT / "src"}
        if args.baseline:
            tree = Path(tmp) / "baseline"
            tree.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            trees[f"baseline {args.baseline}"] = tree / "src"
        for _ in range(args.repeat):
            for label, src in trees.items():
                for mode in ("sim", "full"):
                    env = {**os.environ, "PYTHONPATH": str(src)}
                    out = subprocess.run(
                        [sys.executable, __file__, "--mode", mode, "--n", str(args.n),
                         "--chunk", str(args.chunk)], check=True, capture_output=True,
                        text=True, env=env)
                    rows.append({"code": label, **json.loads(out.stdout.strip()
                                                             .splitlines()[-1])})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    for label in trees:
        sims = sorted(r["seconds"] for r in rows if r["code"] == label and r["mode"] == "sim")
        fulls = sorted(r["seconds"] for r in rows if r["code"] == label and r["mode"] == "full")
        if sims and fulls:
            sim, full = sims[len(sims) // 2], fulls[len(fulls) // 2]
            print(f"{label}: share of the full run in simulation {sim / full:.0%} "
                  f"(median simulation {sim:.1f} s, median full run {full:.1f} s)")
    for r in rows:
        print(f"{r['code']:>18} {r['mode']:>4}: {r['patients']:,} patients in "
              f"{r['seconds']:.1f} s "
              f"({r['patients_per_s']:,.0f} patients/s; {r['patient_days'] / 1e6:.1f} M "
              f"patient-days, {r['ns_per_patient_day']:.0f} ns each); peak RSS "
              f"{r['peak_rss_mib']:.0f} MiB (chunk {r['chunk_size']:,})")


if __name__ == "__main__":
    main()
