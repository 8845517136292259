"""``rewardsim simulate`` and ``rewardsim models``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from .._memory import check_budget, default_budget, parse_size
from ..engine import Solution, simulate_chunks
from ..engine._plan import check_events, check_seed
from ..errors import EventTableError, RewardsimError
from ..io import parse_regimen, read_dataset, regimen, validate_dataset
from ..io._atomic import atomic_path, check_output_path
from ..models import MODELS, get_model
from ._main import app, fail
from ._summary import Summary

console = Console()


def _grid_points(start: float, stop: float, step: float) -> float:
    """Points of START:STOP:STEP (STOP included), as a float: it may be astronomical."""
    return float(np.floor((stop - start) / step + 1e-9)) + 1.0


def _check_grid(points: float, n_outputs: int, budget: int, what: str) -> None:
    # The grid itself plus one subject's ID, TIME and outputs must fit.
    check_budget(points * 8.0 * (3 + n_outputs), budget, f"{what} of {points:,.0f} points",
                 "Shrink it: a shorter or coarser grid (--times START:STOP:STEP).")


def parse_times(text: str, budget: int | None = None, n_outputs: int = 1) -> np.ndarray:
    """``START:STOP:STEP`` (STOP included) or a comma-separated list of hours.

    With a ``budget`` (bytes), a grid too large for it is refused before it is built.
    """
    bad = EventTableError(
        f"--times must be START:STOP:STEP with STEP > 0 and STOP >= START (finite), or a "
        f"sorted list like 0,1,2. Got {text!r} instead.")
    try:
        if ":" not in text:
            grid = np.array([float(x) for x in text.split(",")])
            if not np.all(np.isfinite(grid)) or np.any(np.diff(grid) < 0):
                raise bad
            return grid
        start, stop, step = (float(x) for x in text.split(":"))
    except ValueError:
        raise bad from None
    if not (step > 0 and np.isfinite(start) and np.isfinite(stop) and stop >= start):
        raise bad
    points = _grid_points(start, stop, step)
    if not np.isfinite(points):
        raise bad
    if budget is not None:
        _check_grid(points, n_outputs, budget, "The output grid --times")
    return start + step * np.arange(int(points))


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


def _default_grid(df, budget: int, n_outputs: int) -> np.ndarray:
    """Hourly from 0 to the end of the last dosing interval (24 h after a single dose)."""
    dose = df["EVID"].isin([1, 4])
    if not dose.any():
        return np.arange(0.0, 24.0 + 1e-9, 1.0)
    end = df["TIME"] + df["ADDL"] * df["II"] + np.where(df["II"] > 0, df["II"], 24.0)
    stop = float(end[dose].max())
    points = _grid_points(0.0, stop, 1.0)
    _check_grid(points, n_outputs, budget, "The default hourly output grid (to the end of "
                                           "dosing)")
    return np.arange(0.0, stop + 1e-9, 1.0)


def _arrow(sol: Solution) -> pa.Table:
    """Long format (ID, TIME, outputs) as an Arrow table; the outputs are not copied."""
    if sol.grid:
        nt = sol.times.shape[0]
        cols = {"ID": np.repeat(sol.ids, nt), "TIME": np.tile(sol.times, sol.ids.shape[0])}
        cols.update({k: v.reshape(-1) for k, v in sol.outputs.items()})
    else:
        cols = {"ID": sol.row_ids, "TIME": sol.times, **sol.outputs}
    return pa.table({k: pa.array(v) for k, v in cols.items()})


def _stream(chunks: Iterator[Solution], out: Path, summary: Summary) -> None:
    """Write the chunks one after the other into ``out`` (atomically: whole or nothing)."""
    csv = out.suffix.lower() == ".csv"
    with atomic_path(out, what="simulation output") as tmp:
        writer: pq.ParquetWriter | None = None
        try:
            with open(tmp, "w", newline="", encoding="utf-8") if csv else nullcontext() as fh:
                for i, sol in enumerate(chunks):
                    summary.add(sol)
                    if csv:
                        sol.to_frame().to_csv(fh, index=False, header=i == 0)
                        continue
                    table = _arrow(sol)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table)
                    del table, sol
        finally:
            if writer is not None:
                writer.close()


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
    seed: int = typer.Option(0, "--seed", help="Random seed, 0..2**64-1."),
    rtol: float = typer.Option(1e-8, "--rtol", help="Relative tolerance (adaptive solver)."),
    atol: float = typer.Option(1e-12, "--atol", help="Absolute tolerance (adaptive solver)."),
    method: str = typer.Option("auto", "--method", help="auto, exact, rodas or dp5-rodas."),
    no_iiv: bool = typer.Option(False, "--no-iiv", help="Switch between-subject variability off."),
    param: list[str] = typer.Option(
        [], "--param", help="Typical value NAME=VALUE (repeatable)."),
    omega: str | None = typer.Option(
        None, "--omega", help="Diagonal OMEGA (log-scale variances), e.g. CL=0.09,V=0.04."),
    max_memory: str | None = typer.Option(
        None, "--max-memory",
        help="Memory budget, e.g. 4G (default: half of the available memory)."),
) -> None:
    """Simulate MODEL for the subjects of a data set or a regimen; write long-format output.

    The output is written chunk by chunk of subjects, so memory is bounded by one chunk
    (sized to the budget), not by the population.
    """
    summary = Summary()
    try:
        budget = default_budget() if max_memory is None else parse_size(max_memory)
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
        check_output_path(out, what="simulation output")
        if n < 1:
            raise EventTableError(f"--n must be a positive integer. Got {n} instead.")
        check_seed(seed, "simulate (--seed)")
        n_outputs = len(m.outputs)
        grid = parse_times(times, budget, n_outputs) if times is not None else None
        if data is not None:
            df = read_dataset(data)
        else:
            spec = parse_regimen(dose or "")
            # The records, their validated copy and the per-subject inputs: about 4 copies
            # of 9 columns of 8 bytes a subject.
            check_budget(n * 9 * 8 * 4.0, budget, f"A data set of {n:,} subjects (--n)",
                         "Shrink it: fewer subjects (--n).")
            df = regimen(spec["amt"], every=spec["every"], n_doses=spec["n_doses"],
                         rate=spec["rate"], n=n, cmt=cmt, model=m)
        df = validate_dataset(df, m)
        check_events(df, budget)
        has_obs = df["EVID"].isin([0, 2]).any()
        if grid is None and not has_obs:
            grid = _default_grid(df, budget, n_outputs)
        n_subj = df["ID"].nunique()
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=True, disable=n_subj < 1000) as bar:
            task = bar.add_task(f"simulating {m.name}", total=n_subj)
            chunks = simulate_chunks(
                m, df, times=grid, omega=om, seed=seed, method=method, rtol=rtol, atol=atol,
                max_memory=budget,
                progress=lambda done, total: bar.update(task, completed=done),
            )
            del df
            _stream(chunks, out, summary)
    except RewardsimError as exc:
        fail(exc)
        return
    console.print(summary.table())
    for sid, msg in list(summary.failed.items())[:5]:
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
