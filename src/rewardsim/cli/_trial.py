"""``rewardsim trial``: run a trial design file into a run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ..errors import RewardsimError, TrialDesignError
from ._main import app, fail

console = Console(stderr=True)


@app.command("trial")
def trial_cmd(
    design: Annotated[Path, typer.Argument(help="Trial design file (TOML).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder to write.")],
    replicates: Annotated[
        int, typer.Option("--replicates", help="Independent trials in the folder.")
    ] = 1,
    n: Annotated[
        int | None,
        typer.Option("--n", help="Patients randomised in total, all arms together (as "
                     "allocation.n in the design file; split by allocation.ratio)."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override the design seed.")] = None,
    hypothesis: Annotated[
        str | None, typer.Option("--hypothesis", help="Override the baclofen hypothesis.")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Patients simulated and written together.")
    ] = 20_000,
    uncertainty: Annotated[
        str, typer.Option("--uncertainty", help="none: the hypothesis's efficacy values; "
                          "posterior: each replicate draws them from the hypothesis's "
                          "fitted posterior (shipped fit to Shoptaw 2003).")
    ] = "none",
) -> None:
    """Simulate DESIGN (virtual patients, visits, urine results) into the folder OUT.

    Writes subjects, visits, daily_use and doses Parquet tables and manifest.json; a
    killed run started again with the same arguments resumes where it stopped.
    """
    from ..trial import load_design, run_trial

    try:
        if replicates < 1:
            raise TrialDesignError(
                f"--replicates must be a positive integer. Got {replicates} instead.")
        if chunk_size < 1:
            raise TrialDesignError(
                f"--chunk-size must be a positive integer. Got {chunk_size} instead.")
        d = load_design(design)
        if n is not None or seed is not None or hypothesis is not None:
            d = d.with_overrides(n=n, seed=seed, hypothesis=hypothesis)
        efficacy, source = _efficacy_draws(uncertainty, d.hypothesis, replicates, d.seed)
        total = d.allocation.n * replicates
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task("patients", total=total)
            run_trial(d, out, replicates=replicates, chunk_size=chunk_size,
                      progress=lambda done, _: bar.update(task, completed=done),
                      efficacy=efficacy, efficacy_source=source)
    except RewardsimError as exc:
        fail(exc)
        return
    sizes = ", ".join(f"{a.name} {k}" for a, k in zip(d.arms, d.arm_sizes(), strict=True))
    typer.echo(f"Wrote {out}: {replicates} trial(s) of {d.weeks} weeks; {sizes} per trial.")


def _efficacy_draws(uncertainty: str, hypothesis: str, replicates: int, seed: int
                    ) -> tuple[list[dict[str, float]] | None, str]:
    """Per-replicate efficacy drawn from the shipped posterior (``--uncertainty posterior``)."""
    if uncertainty == "none":
        return None, ""
    if uncertainty != "posterior":
        raise TrialDesignError(f"--uncertainty must be 'none' or 'posterior'. Got "
                               f"{uncertainty!r} instead.")
    from ..inference._posterior import SHIPPED, load_posterior, posterior_draws

    if hypothesis not in SHIPPED:
        raise TrialDesignError(f"--uncertainty posterior: no fitted posterior for hypothesis "
                               f"{hypothesis!r}; fitted: {', '.join(SHIPPED)}.")
    draws = posterior_draws(hypothesis, replicates, seed)
    src = load_posterior(hypothesis)["data_source"]["name"]
    return draws.to_dict(orient="records"), f"posterior of {hypothesis} fitted to {src}"
