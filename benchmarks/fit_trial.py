"""Fit baclofen's efficacy under each hypothesis to Shoptaw et al. 2003 and time it.

    python benchmarks/fit_trial.py                          # the shipped fits (~30 min)
    python benchmarks/fit_trial.py --hypotheses anti_craving --population 100

Writes each hypothesis's posterior into ``src/rewardsim/inference/data/`` (the shipped
files, unless ``--out`` names another folder), the model-selection run over all four
hypotheses (``shoptaw2003_all.json``), and the wall time and simulations of every fit to
``benchmarks/results/fit_trial.json``. The evidence table is made from these files by
``benchmarks/evidence.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from rewardsim.inference import fit_trial, load_targets
from rewardsim.inference._posterior import write_posterior

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default=str(ROOT / "examples" / "shoptaw-2003-targets.toml"))
    ap.add_argument("--hypotheses", default="anti_craving,anti_anxiety,both,all")
    ap.add_argument("--population", type=int, default=300)
    ap.add_argument("--generations", type=int, default=8)
    ap.add_argument("--max-simulations", type=int, default=12_000)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2003)
    ap.add_argument("--out", default=str(ROOT / "src" / "rewardsim" / "inference" / "data"))
    ap.add_argument("--record", default=str(ROOT / "benchmarks" / "results" / "fit_trial.json"))
    a = ap.parse_args()
    targets = load_targets(a.targets)
    rec_path = Path(a.record)
    record = json.loads(rec_path.read_text()) if rec_path.is_file() else {}
    record["machine"] = {"cpu_count": os.cpu_count(), "platform": platform.platform(),
                         "python": platform.python_version(),
                         "load_average_at_start": os.getloadavg()}
    for h in a.hypotheses.split(","):
        start = time.perf_counter()
        res = fit_trial(targets, h, population_size=a.population,
                        max_generations=a.generations, max_simulations=a.max_simulations,
                        n_procs=a.procs, seed=a.seed)
        wall = time.perf_counter() - start
        write_posterior(res, targets, Path(a.out) / f"shoptaw2003_{h}.json")
        record.setdefault("fits", {})[h] = {
            "wall_s": round(wall, 1), "simulations": res.simulations,
            "ms_per_simulation": round(1000 * wall / max(res.simulations, 1), 1),
            "generations": len(res.generations),
            "final_epsilon": float(res.generations["epsilon"].iloc[-1]),
            "population": a.population, "procs": a.procs,
            "model_probabilities": res.model_probabilities,
            "load_average_after": os.getloadavg(),
        }
        print(h, record["fits"][h], flush=True)
        if res.parameters:
            print(res.summary().round(3).to_string(), flush=True)
        rec_path.parent.mkdir(parents=True, exist_ok=True)
        rec_path.write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
