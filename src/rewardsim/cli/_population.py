"""``rewardsim population``: run a scenario file over the synthetic population."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ..errors import RewardsimError
from ._main import app, fail

console = Console(stderr=True)


@app.command("population")
def population_cmd(
    scenarios: Annotated[Path, typer.Argument(help="Scenario file (TOML).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder to write.")],
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run the tasks on the Dask cluster at this "
                     "address (tcp://HOST:PORT); default: threads on this machine."),
    ] = None,
    per_person: Annotated[
        bool, typer.Option("--per-person", help="Also write per_person.parquet.")
    ] = False,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="People per task.")
    ] = 50_000,
    threads: Annotated[
        int | None, typer.Option("--threads", help="Tasks at once on this machine.")
    ] = None,
    size: Annotated[
        int | None, typer.Option("--size", help="Override population.size.")
    ] = None,
    scheduler_timeout: Annotated[
        float, typer.Option("--scheduler-timeout", help="Seconds to wait for the scheduler.")
    ] = 10.0,
) -> None:
    """Simulate every scenario of SCENARIOS over its population into the folder OUT.

    Writes summary.parquet/summary.csv (scenario x subgroup x output, differences from the
    status quo with 95 % Monte Carlo intervals), margins.csv, report.html and
    manifest.json; a killed run started again with the same arguments resumes.
    """
    from ..errors import PopulationError
    from ..population import load_scenarios, run_population

    try:
        spec = load_scenarios(scenarios)
        if size is not None:
            if size < 1:
                raise PopulationError(f"--size must be a positive integer. Got {size}")
            spec = spec.with_size(size)
        if chunk_size < 1:
            raise PopulationError(f"--chunk-size must be a positive integer. Got {chunk_size}")
        if threads is not None and threads < 1:
            raise PopulationError(f"--threads must be a positive integer. Got {threads}")
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task("people", total=spec.population.size)
            run_population(spec, out, chunk_size=chunk_size, n_threads=threads,
                           scheduler=scheduler, scheduler_timeout=scheduler_timeout,
                           per_person=per_person,
                           progress=lambda done, _: bar.update(task, completed=done))
    except RewardsimError as exc:
        fail(exc)
        return
    typer.echo(f"Wrote {out}: {spec.population.size:,} people, {len(spec.names)} scenarios "
               f"({', '.join(spec.names)}), {spec.days} days.")
