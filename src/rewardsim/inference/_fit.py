"""Fit baclofen's efficacy under a hypothesis to a trial's published statistics by
approximate Bayesian computation (ABC-SMC, pyabc).

Methods
-------
Each simulation is one replicate of the published design (:class:`TrialSimulator`) with
parameters drawn by ABC-SMC (Toni T et al. 2009, J R Soc Interface 6:187-202,
doi:10.1098/rsif.2008.0172; Beaumont MA et al. 2009, Biometrika 96:983-990,
doi:10.1093/biomet/asp052) as implemented by pyabc (Schälte Y et al. 2022, J Open Source
Softw 7:4304, doi:10.21105/joss.04304). Each statistic enters the distance on a scale on
which a 70-patient trial's sampling spread is roughly constant: a chi-square as its signed
root ``z``, a p value as ``|z|``, BE-free urines as urines. A p value reported only as
(not) significant enters as the shortfall of the simulated ``|z|`` from the 1.96 boundary
(0 when the simulated test agrees with the report). A target's stated uncertainty is
added to the simulated statistic as Gaussian noise (noisy ABC: Wilkinson RD 2013, Stat
Appl Genet Mol Biol 12:129-141, doi:10.1515/sagmb-2013-0010), so that a press figure of
medium confidence binds less than a published test.

The distance is pyabc's adaptive L1 distance with the scale ``mad_or_cmad``: each
statistic's weight is refitted every generation from the median absolute deviation of the
simulated values and their deviation from the observed one, which keeps a statistic that
no parameter value reproduces from swamping the others (Schälte Y, Alamoudi E, Hasenauer J
2022, Bioinformatics 38:i306, doi:10.1093/bioinformatics/btac223, "robust adaptive
distance functions"). The evidence table then says, statistic by statistic, which ones the
fit cannot reproduce. Several hypotheses fitted together (``hypothesis="all"``) give
posterior model probabilities by ABC-SMC model selection (Toni & Stumpf 2010,
Bioinformatics 26:104-110, doi:10.1093/bioinformatics/btp619), with equal prior
probabilities.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ..errors import TargetsError
from ..models.behaviour import behaviour_values
from ..trial._efficacy import EFFICACY
from ._simulator import TrialSimulator
from ._statistics import TrialSummary
from ._targets import Target, Targets

__all__ = ["FIT_HYPOTHESES", "FitResult", "PRIORS", "fit_trial", "observed", "transform"]

logger = logging.getLogger("rewardsim")

#: Hypotheses a fit can name (``all``: the model-selection run over these four).
FIT_HYPOTHESES = ("none", "anti_craving", "anti_anxiety", "both")
_B_MU = behaviour_values()["B_MU"]
#: Uniform priors (low, high) of the fitted parameters, with their meaning.
PRIORS: dict[str, tuple[float, float, str]] = {
    "e_craving": (0.0, 1.0, "anti-craving efficacy: EMAX_BAC_VTA (EMAX_BAC_TONIC = 0.05 x); "
                  "1 is the circuit's assumed anti-craving value, the largest a fraction of "
                  "the burst drive can be"),
    "e_anxiety": (0.0, 1.0, "anti-anxiety efficacy: EMAX_BAC_ANX, the fraction of the stress "
                  "system's expression that GABA-B activation calms"),
    "B_MU": (_B_MU - 2.0, _B_MU + 2.0, "the trial population's mean baseline propensity "
             f"(log-odds of use a day); CTN-0094's calibrated value {_B_MU:.2f} +/- 2"),
}


def _parameters(hypothesis: str) -> tuple[str, ...]:
    return (*EFFICACY[hypothesis], "B_MU")


def _z_of(t: Target, s: TrialSummary) -> float:
    if t.scale == "urines":
        return s.be_free_medication if t.test == "be_free_medication" else s.be_free_control
    return s.z[t.test]


def _obs_and_noise(t: Target) -> tuple[float, float]:
    """The observed value on the fitting scale and the SD of its reporting noise."""
    if t.scale == "urines":
        return t.value, t.uncertainty
    if t.scale == "chi2":
        z = math.copysign(math.sqrt(abs(t.value)), t.value)
        sd = t.uncertainty / (2.0 * abs(z)) if z else math.sqrt(t.uncertainty)
        return z, sd
    z = float(special.ndtri(1.0 - t.value / 2.0))
    if t.relation != "=":
        return 0.0, 0.0
    return z, t.uncertainty / (2.0 * math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi))


def observed(targets: Targets) -> dict[str, float]:
    """The targets on the fitting scale (a reported (non-)significance as 0 shortfall)."""
    return {t.name: _obs_and_noise(t)[0] for t in targets.targets}


def transform(targets: Targets, s: TrialSummary, rng: np.random.Generator | None = None
              ) -> dict[str, float]:
    """A replicate's statistics on the fitting scale; with ``rng``, plus reporting noise."""
    out = {}
    for t in targets.targets:
        x = _z_of(t, s)
        obs, sd = _obs_and_noise(t)
        if t.scale == "p":
            x = abs(x)
            if t.relation == ">=":  # reported not significant at t.value
                x = max(0.0, x - float(special.ndtri(1.0 - t.value / 2.0)))
            elif t.relation == "<":  # reported significant at t.value
                x = max(0.0, float(special.ndtri(1.0 - t.value / 2.0)) - x)
        if rng is not None and sd > 0.0:
            x += sd * rng.standard_normal()
        out[t.name] = float(x)
    return out


@dataclass
class FitResult:
    """Posterior particles of one hypothesis (or model probabilities of several).

    ``particles``: DataFrame of parameter values with a ``weight`` column (weights sum to
    1); ``model_probabilities``: hypothesis -> posterior probability (``all`` runs);
    ``generations``: epsilon, simulations and acceptance rate per ABC-SMC generation.
    """

    hypothesis: str
    parameters: tuple[str, ...]
    particles: pd.DataFrame
    generations: pd.DataFrame
    simulations: int
    wall_s: float
    settings: dict[str, Any]
    model_probabilities: dict[str, float] = field(default_factory=dict)
    per_model: dict[str, pd.DataFrame] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Weighted mean, SD and 5/50/95 % quantiles of each parameter."""
        return summarise_particles(self.particles, self.parameters)

    def draws(self, n: int, seed: int | np.random.Generator | None = 0) -> pd.DataFrame:
        """``n`` equally weighted draws (resampled by weight)."""
        rng = np.random.default_rng(seed)
        w = self.particles["weight"].to_numpy()
        idx = rng.choice(w.size, size=n, p=w / w.sum())
        return self.particles.iloc[idx][list(self.parameters)].reset_index(drop=True)


def summarise_particles(particles: pd.DataFrame, parameters: tuple[str, ...]) -> pd.DataFrame:
    w = particles["weight"].to_numpy()
    w = w / w.sum()
    rows = []
    for p in parameters:
        x = particles[p].to_numpy()
        order = np.argsort(x)
        cw = np.cumsum(w[order])
        q = [float(x[order][min(np.searchsorted(cw, a), x.size - 1)]) for a in (0.05, 0.5, 0.95)]
        mean = float(np.sum(w * x))
        rows.append({"parameter": p, "mean": mean,
                     "sd": float(np.sqrt(np.sum(w * (x - mean) ** 2))),
                     "q05": q[0], "median": q[1], "q95": q[2],
                     "prior_low": PRIORS[p][0], "prior_high": PRIORS[p][1]})
    return pd.DataFrame(rows)


def fit_trial(
    targets: Targets,
    hypothesis: str,
    *,
    population_size: int = 300,
    max_generations: int = 10,
    max_simulations: int = 30_000,
    min_acceptance_rate: float = 0.02,
    n_procs: int = 1,
    seed: int = 0,
    simulator: TrialSimulator | Callable[[dict[str, float], int], TrialSummary] | None = None,
    priors: dict[str, tuple[float, float, str]] | None = None,
) -> FitResult:
    """Fit ``hypothesis`` (or ``"all"``: model selection over :data:`FIT_HYPOTHESES`).

    Parameters
    ----------
    targets
        A validated targets file (:func:`load_targets`).
    hypothesis
        ``anti_craving``, ``anti_anxiety``, ``both``, ``none`` or ``all``.
    population_size, max_generations, max_simulations, min_acceptance_rate
        ABC-SMC settings: particles per generation and the stopping rules.
    n_procs
        Processes simulating in parallel (1: reproducible for a given ``seed``).
    simulator
        Replaces the trial simulator (tests): ``simulator(params, replicate)`` returns a
        :class:`TrialSummary`.
    """
    import pyabc

    names = ("all", *FIT_HYPOTHESES)
    if hypothesis not in names:
        raise TargetsError(f"Unknown hypothesis {hypothesis!r}; valid: {', '.join(names)}.")
    for key, v in (("population_size", population_size), ("max_generations", max_generations),
                   ("max_simulations", max_simulations), ("n_procs", n_procs)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise TargetsError(f"{key} must be a positive integer. Got {v!r} instead.")
    hyps = list(FIT_HYPOTHESES) if hypothesis == "all" else [hypothesis]
    prior_table = {**PRIORS, **(priors or {})}
    sim = simulator or TrialSimulator(targets.design)
    run = sim.simulate if isinstance(sim, TrialSimulator) else sim

    def make_model(h: str) -> Callable[[dict[str, float]], dict[str, float]]:
        def model(pars: dict[str, float]) -> dict[str, float]:
            rep = int(np.random.randint(0, 2**31 - 1))
            rng = np.random.default_rng([seed, rep, 0xAB6])
            return transform(targets, run({k: float(v) for k, v in pars.items()}, rep), rng)
        model.__name__ = h
        return model

    models = [make_model(h) for h in hyps]
    prior_list = [pyabc.Distribution(**{p: pyabc.RV("uniform", prior_table[p][0],
                                                    prior_table[p][1] - prior_table[p][0])
                                        for p in _parameters(h)}) for h in hyps]
    distance = pyabc.AdaptivePNormDistance(p=1, scale_function=pyabc.distance.mad_or_cmad)
    sampler = (pyabc.sampler.SingleCoreSampler() if n_procs == 1
               else pyabc.sampler.MulticoreEvalParallelSampler(n_procs=n_procs))
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Distance").setLevel(logging.ERROR)
    abc = pyabc.ABCSMC(models, prior_list, distance, population_size=population_size,
                       sampler=sampler, eps=pyabc.QuantileEpsilon(alpha=0.5))
    np.random.seed(seed % 2**32)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        abc.new("sqlite:///" + os.path.join(tmp, "abc.db"), observed(targets))
        history = abc.run(max_nr_populations=max_generations,
                          max_total_nr_simulations=max_simulations,
                          min_acceptance_rate=min_acceptance_rate)
        wall = time.perf_counter() - start
        pops = history.get_all_populations()
        gens = pd.DataFrame({"generation": pops["t"], "epsilon": pops["epsilon"],
                             "simulations": pops["samples"],
                             "particles": pops["particles"]})
        gens = gens[gens["generation"] >= 0].reset_index(drop=True)
        gens["acceptance_rate"] = gens["particles"] / gens["simulations"]
        probs = history.get_model_probabilities().iloc[-1]
        per_model: dict[str, pd.DataFrame] = {}
        for m, h in enumerate(hyps):
            if probs.get(m, 0.0) > 0.0:
                df, w = history.get_distribution(m=m)
                per_model[h] = df.reset_index(drop=True).assign(weight=w / w.sum())
        total = int(history.total_nr_simulations)
    first = per_model.get(hyps[0], pd.DataFrame())
    settings = {"population_size": population_size, "max_generations": max_generations,
                "max_simulations": max_simulations, "min_acceptance_rate": min_acceptance_rate,
                "n_procs": n_procs, "seed": seed,
                "priors": {p: list(prior_table[p][:2]) for h in hyps for p in _parameters(h)}}
    result = FitResult(
        hypothesis=hypothesis, parameters=_parameters(hyps[0]) if len(hyps) == 1 else (),
        particles=first, generations=gens, simulations=total, wall_s=wall, settings=settings,
        model_probabilities={h: float(probs.get(m, 0.0)) for m, h in enumerate(hyps)},
        per_model=per_model)
    return result
