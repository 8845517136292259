"""``rewardsim discriminate``: rank a design space by how often each design's analysis
names the true mechanism."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ..errors import RewardsimError
from ._main import app, fail

console = Console(stderr=True)


@app.command("discriminate")
def discriminate_cmd(
    space: Annotated[Path, typer.Argument(help="Design-space file (TOML).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the answer into.")],
    replicates: Annotated[
        int | None, typer.Option("--replicates", help="Override replicates per hypothesis.")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override the space's seed.")
                    ] = None,
    threads: Annotated[
        int | None, typer.Option("--threads", help="Threads on this machine (default: all).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run the tasks on the Dask cluster at this address "
                     "(tcp://HOST:PORT); default: threads on this machine."),
    ] = None,
    chunk: Annotated[int, typer.Option("--chunk", help="Replicates per task.")] = 10,
) -> None:
    """Simulate every design of SPACE under every hypothesis, apply the decision rules and
    write the ranking (ranking.csv, designs.csv, performance.csv, confusion.csv,
    curves.csv, power.csv, report.html, manifest.json) into OUT.
    """
    from ..design import discriminate, load_space
    from ..errors import DesignSpaceError

    try:
        spec = load_space(space)
        if replicates is not None and replicates < 4:
            raise DesignSpaceError(f"--replicates must be an integer >= 4. Got {replicates}")
        if threads is not None and threads < 1:
            raise DesignSpaceError(f"--threads must be a positive integer. Got {threads}")
        if chunk < 1:
            raise DesignSpaceError(f"--chunk must be a positive integer. Got {chunk}")
        if out.exists() and not out.is_dir():
            raise DesignSpaceError(f"--out {str(out)!r} exists and is not a folder.")
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task("replicates", total=None)
            res = discriminate(spec, out, replicates=replicates, seed=seed, n_threads=threads,
                               scheduler=scheduler, chunk=chunk,
                               progress=lambda done, total: bar.update(
                                   task, completed=done, total=total))
    except RewardsimError as exc:
        fail(exc)
        return
    top = res.ranking.iloc[0]
    typer.echo(f"Wrote {out}: {len(res.designs)} designs x {len(res.space.labels)} hypotheses "
               f"x {res.manifest['replicates']} replicates.")
    typer.echo(f"Best per unit cost: {top['design']} ({top['name']}), rule {top['rule']}: "
               f"names the true hypothesis in {100 * top['p_correct']:.1f} % of trials "
               f"(SE {100 * top['se_correct']:.1f}, chance {100 * top['chance']:.1f} %).")
