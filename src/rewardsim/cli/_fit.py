"""``rewardsim fit-trial``: fit baclofen's efficacy to a trial's published statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import RewardsimError
from ._main import app, fail


@app.command("fit-trial")
def fit_trial_cmd(
    targets: Annotated[Path, typer.Argument(help="Targets file (TOML): published statistics "
                                            "and the design they come from.")],
    hypothesis: Annotated[str, typer.Option(
        "--hypothesis", help="anti_craving, anti_anxiety, both, none, or all (model "
        "selection over the four).")] = "anti_craving",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Posterior file to write (JSON); default fit-HYPOTHESIS.json.")
    ] = None,
    population: Annotated[int, typer.Option(help="ABC-SMC particles per generation.")] = 300,
    generations: Annotated[int, typer.Option(help="Most ABC-SMC generations.")] = 10,
    max_simulations: Annotated[int, typer.Option(help="Most simulated trials.")] = 30_000,
    procs: Annotated[int, typer.Option(help="Processes simulating in parallel.")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed (reproducible with --procs 1).")] = 0,
) -> None:
    """Fit baclofen's efficacy under HYPOTHESIS to the statistics of TARGETS by ABC-SMC.

    Writes the posterior particles with their data source; prints the posterior summary.
    A bad targets file is refused before anything is simulated or written.
    """
    from ..inference import fit_trial, load_targets
    from ..inference._posterior import write_posterior

    try:
        t = load_targets(targets)
        res = fit_trial(t, hypothesis, population_size=population, max_generations=generations,
                        max_simulations=max_simulations, n_procs=procs, seed=seed)
        path = write_posterior(res, t, out or Path(f"fit-{hypothesis}.json"))
    except RewardsimError as exc:
        fail(exc)
        return
    typer.echo(f"Wrote {path}: {res.simulations} simulated trials, {len(res.generations)} "
               f"generations, {res.wall_s:.0f} s.")
    if res.parameters:
        s = res.summary()
        for r in s.itertuples():
            typer.echo(f"{r.parameter}: mean {r.mean:.3f}, 90 % interval [{r.q05:.3f}, "
                       f"{r.q95:.3f}] (prior U({r.prior_low:.2f}, {r.prior_high:.2f}))")
    for h, p in res.model_probabilities.items():
        if len(res.model_probabilities) > 1:
            typer.echo(f"P({h}) = {p:.3f}")
