"""Speed of ``rewardsim.lab``: 1,000 simulated rat 3-hour self-administration sessions.

Usage::

    python benchmarks/lab_sessions.py                 # 1,000 sessions, 2 threads
    python benchmarks/lab_sessions.py --n 5000 --threads 1

Workload: the "1 mg/kg" condition of ``examples/lab/fr1-unit-doses.toml`` (FR1, 5-s
infusions, 20-s time-out, 3 h, 1-s steps, between-rat spread of the satiety threshold):
every second the rat's cocaine and baclofen PK (exact steps), the reward circuit (Runge-
Kutta) and the decision rule.

Baseline, side by side: the engine's adaptive solver (Dormand-Prince, the default
tolerances) on the same rat, the parts composed with :func:`rewardsim.engine.compose`
(rat cocaine PK + rat baclofen PK + the reward circuit with the rat's values), given the
infusions the lab's rats chose, replayed as dose records (the engine cannot decide; it
only integrates). Its rate is per session on the first ``--n-baseline`` sessions. The same
comparison at rtol 1e-9 gives the agreement of accumbens dopamine (largest difference,
% of the peak) on a 1-min grid.

Timing: best of ``--repeats`` runs after a warm-up run (kernel load from numba's cache or
compilation), reported apart. Record the hardware with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = ROOT / "examples" / "lab" / "fr1-unit-doses.toml"


def _rat_person():
    from rewardsim.engine import compose
    from rewardsim.models.person import LINKS
    from rewardsim.models.rat_baclofen_pk import RatBaclofenPK
    from rewardsim.models.rat_cocaine_pk import RatCocainePK
    from rewardsim.models.reward_circuit import RewardCircuit
    from rewardsim.models.species import SPECIES

    circuit = RewardCircuit().with_params(**{s.name: s.value for s in SPECIES["rat"]})
    return compose("rat-person", {"COC": RatCocainePK(), "BAC": RatBaclofenPK(),
                                  "": circuit}, LINKS)()


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--n-baseline", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results"
                    / "lab_sessions.json")
    args = ap.parse_args()

    import numba
    import numpy as np
    import pandas as pd

    import rewardsim as rs
    from rewardsim.lab import load_protocol
    from rewardsim.lab._run import _tables
    from rewardsim.lab._session import run_condition

    numba.set_num_threads(args.threads)
    lp = load_protocol(PROTOCOL)
    name, proto = next((n, p) for n, p in lp.conditions if n == "1 mg/kg")
    t0 = time.perf_counter()
    run_condition(name, proto, n_subjects=10, record_subjects=0)
    warm = time.perf_counter() - t0
    best = np.inf
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        run = run_condition(name, proto, n_subjects=args.n, record_subjects=0)
        best = min(best, time.perf_counter() - t0)
    infusions = float(run.res[:, 0].mean())

    # Baseline: the engine on the same rats' infusions, replayed.
    nb = args.n_baseline
    run = run_condition(name, proto, n_subjects=nb, record_subjects=nb)
    tabs = _tables(run)
    ev, traj = tabs["events"], tabs["trajectory"]
    unit = proto.schedule.unit_dose * rs.models.cocaine_pk.BASE_PER_HCL
    rate = unit / (proto.schedule.infusion_s / 3600.0)
    data = pd.DataFrame({"ID": ev["subject"], "TIME": ev["time_min"] / 60.0, "AMT": unit,
                         "RATE": rate, "CMT": 3})
    grid = np.arange(0.0, proto.session.duration_min + 1e-9, 1.0) / 60.0
    model = _rat_person()
    rs.simulate(model, data[data["ID"] == 1], times=grid, omega=False)  # compile / load
    t0 = time.perf_counter()
    rs.simulate(model, data, times=grid, omega=False)
    engine = time.perf_counter() - t0
    tight = rs.simulate(model, data, times=grid, omega=False, rtol=1e-9, atol=1e-12)
    diffs = []
    for i in range(nb):
        lab_da = traj[traj["subject"] == i + 1].set_index("time_min")["dopamine_nM"]
        lab_da = lab_da.reindex(np.round(grid * 60.0, 6)).to_numpy()
        ref = tight["DA"][i]
        diffs.append(np.nanmax(np.abs(lab_da - ref)) / ref.max())
    result = {
        "machine": {"cpu": _cpu(), "load_average_1min": os.getloadavg()[0],
                    "cores": os.cpu_count(), "python": platform.python_version(),
                    "numba": numba.__version__, "threads": args.threads},
        "sessions": args.n, "session_h": proto.session.duration_min / 60.0,
        "mean_infusions": infusions, "warm_up_s": warm, "lab_s": best,
        "lab_sessions_per_s": args.n / best,
        "engine_sessions_per_s": nb / engine,
        "speedup_vs_engine": (args.n / best) / (nb / engine),
        "dopamine_max_diff_pct_of_peak": 100.0 * float(np.max(diffs)),
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
