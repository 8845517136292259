"""Peak memory of `rewardsim simulate --out FILE.parquet`: streamed against in memory.

Workload: pk1cmt (W1 of ``pk_population.py``: KA 1.2 /h, CL 25 L/h, V 50 L, 30 % CV on
each), 20 mg every 8 h for 16 weeks into the depot, CP every hour from 0 to 2688 h (2,689
points a subject), written to Parquet.

* **streamed**: the command line as it is (``rewardsim simulate ... --out x.parquet``):
  chunks of subjects, each written and dropped before the next one is simulated.
* **in memory** (the baseline, the command line before issue 15): ``simulate`` for the
  whole population, ``Solution.to_frame()``, ``write_dataset``.

Each runs in a fresh child process, which reports its peak resident memory
(``getrusage(RUSAGE_SELF).ru_maxrss``; it sees numba's and Arrow's allocations). The
baseline runs at ``--baseline-n`` subjects (default 20,000; it peaked at 12.3 GiB at
100,000, more than a shared machine should be asked for) and its peak is reported per
byte of output, beside the streamed run's. Target: the streamed run at 100,000 subjects
peaks below 3 GiB.

    python benchmarks/simulate_stream.py                    # 100,000 streamed, 20,000 baseline
    python benchmarks/simulate_stream.py --n 20000 --baseline-n 20000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOSE = "20 mg every 8 h for 16 weeks"
TIMES = "0:2688:1"
PARAMS = ["--param", "KA=1.2", "--param", "CL=25", "--param", "V=50"]
OMEGA = "CL=0.0862,V=0.0862,KA=0.0862"  # log(1 + 0.3**2): 30 % CV
N_TIMES = 2689


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(mode: str, n: int, out: Path) -> None:
    """Run one path in this (fresh) process; print its figures as JSON."""
    import rewardsim as rs
    from rewardsim.cli import _simulate as cli

    args = ["simulate", "pk1cmt", "--dose", DOSE, "--n", str(n), "--cmt", "DEPOT",
            "--times", TIMES, "--omega", OMEGA, *PARAMS, "--out", str(out)]  # fmt: skip
    # Load the kernel (from numba's cache) before measuring.
    model = rs.models.pk1cmt().with_params(KA=1.2, CL=25.0, V=50.0)
    rs.simulate(model, rs.regimen(20.0, cmt=1), times=[0.0, 1.0])
    before = _peak()
    t0 = time.perf_counter()
    if mode == "streamed":
        from typer.testing import CliRunner

        res = CliRunner().invoke(cli.app, args)
        if res.exit_code != 0:
            raise SystemExit(res.output)
    else:
        spec = rs.io.parse_regimen(DOSE)
        data = rs.regimen(spec["amt"], every=spec["every"], n_doses=spec["n_doses"], n=n,
                          cmt=1)
        omega = dict(item.split("=") for item in OMEGA.split(","))
        sol = rs.simulate(model, data, times=cli.parse_times(TIMES),
                          omega={k: float(v) for k, v in omega.items()}, chunk_size=20_000)
        rs.write_dataset(sol.to_frame(), out)
    wall = time.perf_counter() - t0
    print(json.dumps({
        "mode": mode, "subjects": n, "rows": n * N_TIMES, "seconds": wall,
        "output_array_bytes": n * N_TIMES * 8, "parquet_bytes": out.stat().st_size,
        "rss_before_bytes": before, "peak_rss_bytes": _peak(),
    }))


def run_child(mode: str, n: int, folder: Path) -> dict[str, float]:
    out = folder / f"{mode}.parquet"
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", mode,
                           "--n", str(n), "--out", str(out)], capture_output=True, text=True,
                          env=env, check=True)  # fmt: skip
    r = json.loads(done.stdout.strip().splitlines()[-1])
    r["peak_gib"] = r["peak_rss_bytes"] / 2**30
    r["peak_over_output"] = r["peak_rss_bytes"] / r["output_array_bytes"]
    out.unlink()
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="subjects of the streamed run")
    ap.add_argument("--baseline-n", type=int, default=20_000,
                    help="subjects of the in-memory baseline (0: skip it)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "simulate_stream.json")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.n, args.out)
        return
    sys.path.insert(0, str(HERE))
    from pk_population import hardware, load

    results: dict[str, object] = {"hardware": hardware(), "load_before": load()}
    with tempfile.TemporaryDirectory() as tmp:
        results["streamed"] = run_child("streamed", args.n, Path(tmp))
        if args.baseline_n:
            results["in_memory"] = run_child("in_memory", args.baseline_n, Path(tmp))
    results["load_after"] = load()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    for key in ("streamed", "in_memory"):
        r = results.get(key)
        if isinstance(r, dict):
            print(f"{key}: {r['subjects']:,} subjects x {N_TIMES} times, {r['seconds']:.1f} s, "
                  f"peak RSS {r['peak_gib']:.2f} GiB = {r['peak_over_output']:.2f} x the "
                  f"{r['output_array_bytes'] / 2**30:.2f} GiB output array; Parquet "
                  f"{r['parquet_bytes'] / 2**30:.2f} GiB")
    streamed = results["streamed"]
    assert isinstance(streamed, dict)
    print(f"target: streamed peak below 3 GiB: {'met' if streamed['peak_gib'] < 3 else 'MISSED'}")


if __name__ == "__main__":
    main()
