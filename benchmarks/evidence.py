"""The evidence table of the baclofen hypotheses against Shoptaw et al. 2003.

    python benchmarks/evidence.py            # after benchmarks/fit_trial.py (~5 min)

For each fitted hypothesis: 500 replicates of the published design, each with efficacy
and population drawn from the shipped posterior (posterior predictive check), compared with
every published statistic and with the fit's acceptance figures. Relative support: ABC
rejection model choice (Pritchard JK et al. 1999, Mol Biol Evol 16:1791-1798; Grelaud A
et al. 2009, Bayesian Anal 4:317-336): equal prior probabilities over none, anti_craving,
anti_anxiety and both, ``--prior-draws`` draws per hypothesis from its prior, simulated
with the same replicate seeds (paired), a fixed L1 distance on the fitting scale (a test
statistic, on the z scale, in units of its sampling SD, 1; a count of BE-free urines over
1.4826 times its median absolute deviation across all draws); the posterior
probability of a hypothesis is its share of the draws accepted at a common tolerance (the
``--quantile`` quantile of all distances), with its binomial standard error. The ceiling
of each hypothesis (efficacy 1, the prior's upper end, at the posterior median of B_MU)
shows what the model can produce at most. Writes ``benchmarks/results/evidence.md`` and
``.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rewardsim.inference import PRIORS, TrialSimulator, load_targets
from rewardsim.inference._check import (
    criteria_rows,
    evidence_markdown,
    evidence_rows,
    posterior_check,
)
from rewardsim.inference._fit import observed, transform
from rewardsim.inference._posterior import load_posterior, particles, posterior_summary
from rewardsim.trial._efficacy import EFFICACY

ROOT = Path(__file__).resolve().parents[1]


def model_choice(targets, sim, n: int, quantile: float, seed: int) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)
    obs = observed(targets)
    names = list(obs)
    rows = []
    for k in range(n):
        u = rng.random(3)
        for h, eff in EFFICACY.items():
            draw = {p: PRIORS[p][0] + u[i] * (PRIORS[p][1] - PRIORS[p][0])
                    for i, p in enumerate(("e_craving", "e_anxiety", "B_MU"))
                    if p in (*eff, "B_MU")}
            s = sim.simulate(draw, 2_000_000 + k)
            x = transform(targets, s, np.random.default_rng([seed, k]))
            rows.append({"hypothesis": h, **{m: x[m] for m in names}})
    df = pd.DataFrame(rows)
    x = df[names].to_numpy()
    mad = 1.4826 * np.median(np.abs(x - np.median(x, axis=0)), axis=0)
    counts = np.array([t.scale == "urines" for t in targets.targets])
    scale = np.where(counts, mad, 1.0)
    d = np.sum(np.abs(x - np.array([obs[m] for m in names])) / scale, axis=1)
    eps = float(np.quantile(d, quantile))
    acc = df.assign(accepted=d <= eps).groupby("hypothesis", sort=False)["accepted"].sum()
    probs = (acc / acc.sum()).to_dict()
    se = {h: float(np.sqrt(probs[h] * (1 - probs[h]) / acc.sum())) for h in EFFICACY}
    return ({h: float(probs[h]) for h in EFFICACY},
            {"epsilon": eps, "accepted": {h: int(acc[h]) for h in EFFICACY},
             "standard_errors": se,
             "draws_per_hypothesis": n, "quantile": quantile,
             "scales": dict(zip(names, scale.tolist(), strict=True))})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default=str(ROOT / "examples" / "shoptaw-2003-targets.toml"))
    ap.add_argument("--replicates", type=int, default=500)
    ap.add_argument("--prior-draws", type=int, default=1000)
    ap.add_argument("--quantile", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=2003)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "evidence"))
    a = ap.parse_args()
    targets = load_targets(a.targets)
    sim = TrialSimulator(targets.design)
    evid, crit, summaries, figures = [], [], {}, {}
    for h in ("anti_craving", "anti_anxiety", "both"):
        rec = load_posterior(h)
        df = particles(rec)
        w = df["weight"].to_numpy()
        idx = np.random.default_rng(a.seed).choice(w.size, size=a.replicates, p=w / w.sum())
        draws = df.iloc[idx].drop(columns="weight").reset_index(drop=True)
        start = time.perf_counter()
        reps = posterior_check(targets, draws, simulator=sim)
        figures[h] = {"check_s": round(time.perf_counter() - start, 1),
                      "fit_wall_s": rec["wall_s"], "fit_simulations": rec["simulations"]}
        evid.append(evidence_rows(targets, reps, h, seed=a.seed))
        crit.append(criteria_rows(reps, h))
        summaries[h] = posterior_summary(rec)
        b_mu = float(summaries[h].set_index("parameter").loc["B_MU", "median"])
        top = pd.DataFrame([{**dict.fromkeys(EFFICACY[h], 1.0), "B_MU": b_mu}]
                           * a.replicates)
        ceil = posterior_check(targets, top, simulator=sim, first_replicate=3_000_000)
        figures[h]["ceiling"] = {
            "efficacy": dict.fromkeys(EFFICACY[h], 1.0), "B_MU": b_mu,
            "difference_urines": round(float(ceil["difference"].mean()), 2),
            "gee_significant_share": round(float(np.mean(ceil["gee_arm"] > 1.959964)), 3),
            "gee_arm_chi2_median": round(float(np.median(np.sign(ceil["gee_arm"])
                                                         * ceil["gee_arm"] ** 2)), 2),
            "baseline_gradient_baclofen_z_mean": round(
                float(ceil["gee_baseline_medication"].mean()), 2)}
    start = time.perf_counter()
    probs, choice = model_choice(targets, sim, a.prior_draws, a.quantile, a.seed)
    choice["wall_s"] = round(time.perf_counter() - start, 1)
    ev, cr = pd.concat(evid), pd.concat(crit)
    md = evidence_markdown(ev, cr, probs, summaries)
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(md)
    out.with_suffix(".json").write_text(json.dumps({
        "evidence": ev.to_dict(orient="records"), "criteria": cr.to_dict(orient="records"),
        "model_probabilities": probs, "model_choice": choice, "figures": figures,
        "posteriors": {h: s.to_dict(orient="records") for h, s in summaries.items()}},
        indent=1))
    print(md)
    print(json.dumps({"model_choice": choice, "figures": figures}, indent=1))


if __name__ == "__main__":
    main()
