"""``rewardsim simulate`` and ``rewardsim models``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from ..engine import simulate
from ..errors import EventTableError, RewardsimError
from ..io import parse_regimen, read_dataset, regimen, validate_dataset, write_dataset
from ..models import MODELS, get_model
from ._main import app, fail
from ._summary import summary_table

console = Console()


def parse_times(text: str) -> np.ndarray:
    """``START:STOP:STEP`` (STOP included) or a comma-separated list of hours."""
    try:
        if ":" in text:
            start, stop, step = (float(x) for x in text.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            return start + step * np.arange(int(np.floor((stop - start) / step + 1e-9)) + 1)
        return np.array([float(x) for x in text.split(",")])
    except ValueError:
        raise EventTableError(
            f"--times must be START:STOP:STEP with STEP > 0 and STOP >= START, or a list "
            f"like 0,1,2. Got {text!r} instead."
        ) from None


def _pairs(flag: str, items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise EventTableError(
                f"{flag} takes NAME=NUMBER items. Got {item!r} instead.") from None
    return out


def _default_grid(df) -> np.ndarray:
    """Hourly from 0 to the end of the last dosing interval (24 h after a single dose)."""
    dose = df["EVID"].isin([1, 4])
    if not dose.any():
        return np.arange(0.0, 24.0 + 1e-9, 1.0)
    end = df["TIME"] + df["ADDL"] * df["II"] + np.where(df["II"] > 0, df["II"], 24.0)
    return np.arange(0.0, float(end[dose].max()) + 1e-9, 1.0)


@app.command("simulate")
def simulate_cmd(
    model: str = typer.Argument(..., help="Model name (see `rewardsim models`)."),
    data: Path | None = typer.Option(None, "--data", help="NONMEM-style CSV or Parquet."),
    dose: str | None = typer.Option(
        None, "--dose", help='Regimen, e.g. "20 mg every 8 h for 16 weeks".'),
    n: int = typer.Option(1, "--n", help="Subjects in total for --dose (IDs 1..N)."),
    cmt: str | None = typer.Option(None, "--cmt", help="Dose compartment for --dose."),
    out: Path = typer.Option(..., "--out", help="Output file (.csv or .parquet)."),
    times: str | None = typer.Option(None, "--times", help="Output grid START:STOP:STEP (h)."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    rtol: float = typer.Option(1e-8, "--rtol", help="Relative tolerance (adaptive solver)."),
    atol: float = typer.Option(1e-12, "--atol", help="Absolute tolerance (adaptive solver)."),
    method: str = typer.Option("auto", "--method", help="auto, exact, rodas or dp5-rodas."),
    no_iiv: bool = typer.Option(False, "--no-iiv", help="Switch between-subject variability off."),
    param: list[str] = typer.Option(
        [], "--param", help="Typical value NAME=VALUE (repeatable)."),
    omega: str | None = typer.Option(
        None, "--omega", help="Diagonal OMEGA (log-scale variances), e.g. CL=0.09,V=0.04."),
) -> None:
    """Simulate MODEL for the subjects of a data set or a regimen; write long-format output."""
    try:
        m = get_model(model)
        if param:
            m = m.with_params(**_pairs("--param", param))
        om: object = None
        if no_iiv:
            om = False
        elif omega:
            om = _pairs("--omega", omega.split(","))
        if (data is None) == (dose is None):
            raise EventTableError("Give exactly one of --data FILE or --dose REGIMEN.")
        if out.suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise EventTableError(
                f"--out must end in .csv or .parquet. Got {str(out)!r} instead.")
        if not out.parent.exists():
            raise EventTableError(f"--out folder {str(out.parent)!r} does not exist.")
        if n < 1:
            raise EventTableError(f"--n must be a positive integer. Got {n} instead.")
        if data is not None:
            df = read_dataset(data)
        else:
            spec = parse_regimen(dose or "")
            df = regimen(spec["amt"], every=spec["every"], n_doses=spec["n_doses"],
                         rate=spec["rate"], n=n, cmt=cmt, model=m)
        df = validate_dataset(df, m)
        has_obs = df["EVID"].isin([0, 2]).any()
        grid = parse_times(times) if times else (None if has_obs else _default_grid(df))
        n_subj = df["ID"].nunique()
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=True, disable=n_subj < 1000) as bar:
            task = bar.add_task(f"simulating {m.name}", total=n_subj)
            sol = simulate(
                m, df, times=grid, omega=om, seed=seed, method=method,
                rtol=rtol, atol=atol, chunk_size=max(1000, n_subj // 20),
                progress=lambda done, total: bar.update(task, completed=done),
            )
        write_dataset(sol.to_frame(), out)
    except RewardsimError as exc:
        fail(exc)
        return
    failed = sol.failed
    console.print(summary_table(sol, len(failed)))
    for sid, msg in list(failed.items())[:5]:
        console.print(f"subject {sid} failed: {msg}")
    console.print(f"wrote {out}")


@app.command("models")
def models_cmd(
    name: str | None = typer.Argument(None, help="Model to describe; all models if omitted."),
) -> None:
    """List the models, or print one model's parameter table with units and sources."""
    if name is None:
        table = Table(title="rewardsim models")
        table.add_column("name")
        table.add_column("description")
        for key in sorted(MODELS):
            table.add_row(key, MODELS[key].description)
        console.print(table)
        return
    try:
        m = get_model(name)
    except RewardsimError as exc:
        fail(exc)
        return
    console.print(f"[bold]{m.name}[/bold]: {m.description}")
    for ref in m.references:
        console.print(f"  reference: {ref}")
    table = Table(title="parameters", show_lines=False)
    for col in ("name", "value", "unit", "description", "source", "IIV CV"):
        table.add_column(col, overflow="fold")
    for row in m.param_table():
        table.add_row(row.name, f"{row.value:.6g}", row.unit, row.doc, row.source,
                      "" if row.cv is None else f"{row.cv:.0%}")
    console.print(table)
    console.print("compartments: " + ", ".join(
        f"{i}={c.name} ({c.unit})" for i, c in enumerate(m.compartments, start=1)))
    for title, items in (("covariates", m.covariates), ("outputs", m.outputs)):
        if items:
            console.print(f"{title}: " + ", ".join(f"{x.name} ({x.unit})" for x in items))
