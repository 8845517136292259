"""Posterior predictive checks and the evidence table: how each fitted hypothesis
reproduces each published statistic, and their relative support.

For a hypothesis, :func:`posterior_check` simulates replicates of the published design,
each with its parameters drawn from the posterior (efficacy and population together).
:func:`evidence_rows` compares every target with its replicates: a published value (``=``)
is *reproduced* when it lies inside the central 90 % of the replicates (the reporting noise
of its uncertainty added); a reported (non-)significance when at least half the replicates
agree with it. :func:`criteria_rows` checks the acceptance figures of the fit (placebo-arm
BE-free urines, the difference between arms, the share of replicates with a significant
GEE, the benefit in heavier users, craving not significant).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ._simulator import TrialSimulator
from ._targets import STATISTICS, Targets

__all__ = ["criteria_rows", "evidence_markdown", "evidence_rows", "posterior_check"]

_Z05 = float(special.ndtri(0.975))


def posterior_check(targets: Targets, draws: pd.DataFrame, *, simulator: TrialSimulator
                    | None = None, first_replicate: int = 1_000_000) -> pd.DataFrame:
    """One simulated replicate per row of ``draws`` (parameter columns): its tests (signed
    z, columns named after :data:`._statistics.TESTS`), BE-free urines per arm, their
    difference and the benefit in heavier and lighter users."""
    sim = simulator or TrialSimulator(targets.design)
    rows = []
    for k, pars in enumerate(draws.to_dict(orient="records")):
        s = sim.simulate({p: float(v) for p, v in pars.items()}, first_replicate + k)
        rows.append({**s.z, "be_free_medication": s.be_free_medication,
                     "be_free_control": s.be_free_control, "difference": s.difference,
                     "benefit_heavier": s.benefit_heavier, "benefit_lighter": s.benefit_lighter})
    return pd.DataFrame(rows)


def evidence_rows(targets: Targets, reps: pd.DataFrame, hypothesis: str,
                  seed: int = 0) -> pd.DataFrame:
    """Per target: the published value, the replicates' median and 90 % interval (or the
    share agreeing with a reported significance) and whether the fit reproduces it."""
    rng = np.random.default_rng(seed)
    out = []
    for t in targets.targets:
        x = reps[t.test].to_numpy(dtype=float)
        if t.scale == "chi2":
            x = np.sign(x) * x**2
        elif t.scale == "p":
            x = 2.0 * special.ndtr(-np.abs(x))
        if t.relation == "=":
            noisy = x + t.uncertainty * rng.standard_normal(x.size)
            lo, med, hi = np.percentile(noisy, [5, 50, 95])
            share = float(np.mean(noisy >= t.value))
            ok = bool(lo <= t.value <= hi)
            shown = f"{med:.2f} [{lo:.2f}, {hi:.2f}]"
            agree = f"{100 * share:.0f} % at or above"
        else:
            agrees = x >= t.value if t.relation == ">=" else x < t.value
            share = float(np.mean(agrees))
            ok = share >= 0.5
            shown = f"median p {np.median(x):.3f}"
            agree = f"{100 * share:.0f} % {'not ' if t.relation == '>=' else ''}significant"
        published = (f"{t.value:g}" if t.relation == "=" else f"p {t.relation} {t.value:g}")
        out.append({"hypothesis": hypothesis, "statistic": t.name,
                    "meaning": STATISTICS[t.name][2], "published": published,
                    "replicates": shown, "agreement": agree, "share": share,
                    "reproduced": ok})
    return pd.DataFrame(out)


def criteria_rows(reps: pd.DataFrame, hypothesis: str) -> pd.DataFrame:
    """The fit's acceptance figures over the replicates, each with its range."""
    plc = float(reps["be_free_control"].mean())
    diff = float(reps["difference"].mean())
    sig = float(np.mean(reps["gee_arm"] > _Z05))
    heavy, light = float(reps["benefit_heavier"].mean()), float(reps["benefit_lighter"].mean())
    crave = float(np.mean(np.abs(reps["craving"]) < _Z05))
    rows = [
        ("placebo-arm BE-free urines (of 48)", f"{plc:.1f}", "9.0 +/- 3", 6.0 <= plc <= 12.0),
        ("baclofen - placebo BE-free urines", f"{diff:.2f}", "1.5 to 6", 1.5 <= diff <= 6.0),
        ("replicates with GEE p < .05 for baclofen", f"{100 * sig:.0f} %", "30 % to 80 %",
         0.3 <= sig <= 0.8),
        ("benefit, heavier vs lighter users (urines)", f"{heavy:.2f} vs {light:.2f}",
         "heavier > lighter", heavy > light),
        ("replicates with craving not significant", f"{100 * crave:.0f} %", ">= 60 %",
         crave >= 0.6),
    ]
    return pd.DataFrame([{"hypothesis": hypothesis, "criterion": c, "replicates": v,
                          "wanted": w, "met": bool(m)} for c, v, w, m in rows])


def evidence_markdown(evidence: pd.DataFrame, criteria: pd.DataFrame,
                      probabilities: dict[str, float], summaries: dict[str, pd.DataFrame]
                      ) -> str:
    """The evidence table, the acceptance figures and the posteriors as Markdown."""
    hyps = list(dict.fromkeys(evidence["hypothesis"]))
    lines = ["| statistic | published | " + " | ".join(hyps) + " |",
             "| --- | --- | " + " | ".join("---" for _ in hyps) + " |"]
    for stat in dict.fromkeys(evidence["statistic"]):
        sub = evidence[evidence["statistic"] == stat].set_index("hypothesis")
        cells = []
        for h in hyps:
            r = sub.loc[h]
            mark = "yes" if r["reproduced"] else "**no**"
            cells.append(f"{r['replicates']}; {r['agreement']}; {mark}")
        lines.append(f"| `{stat}` | {sub.iloc[0]['published']} | " + " | ".join(cells) + " |")
    if probabilities:
        lines += ["", "| hypothesis | posterior probability |", "| --- | --- |"]
        lines += [f"| {h} | {p:.3f} |" for h, p in probabilities.items()]
    lines += ["", "| hypothesis | criterion | replicates | wanted | met |",
              "| --- | --- | --- | --- | --- |"]
    for r in criteria.itertuples():
        lines.append(f"| {r.hypothesis} | {r.criterion} | {r.replicates} | {r.wanted} | "
                     f"{'yes' if r.met else '**no**'} |")
    lines += ["", "| hypothesis | parameter | mean | sd | 5 % | median | 95 % | prior |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for h, s in summaries.items():
        for r in s.itertuples():
            lines.append(f"| {h} | `{r.parameter}` | {r.mean:.3f} | {r.sd:.3f} | {r.q05:.3f} | "
                         f"{r.median:.3f} | {r.q95:.3f} | U({r.prior_low:.2f}, "
                         f"{r.prior_high:.2f}) |")
    return "\n".join(lines) + "\n"
