"""``rewardsim calibrate``, ``rewardsim plot`` and ``rewardsim person-doses``: the reward circuit.

``rewardsim simulate reward-circuit --data doses.csv`` simulates a person from a data set
that ``person-doses`` writes; ``--param EMAX_BAC_VTA=0 ...`` picks a baclofen hypothesis.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from ..errors import EventTableError, ModelSpecError, RewardsimError
from ..io import write_dataset
from ..io._atomic import check_output_path
from ..models import HYPOTHESES
from ..models._calibrate import calibrate, write_calibration
from ..models.person import person_doses, scenarios
from ._main import app, fail

console = Console()


@app.command("calibrate")
def calibrate_cmd(
    out: Path = typer.Option(
        Path("reward_circuit_calibration.json"), "--out",
        help="JSON file for the fitted values, their data and residuals."),
) -> None:
    """Refit the reward circuit's calibrated parameters and write them with their data."""
    try:
        if not out.parent.exists():
            raise EventTableError(f"--out folder {str(out.parent)!r} does not exist.")
        check_output_path(out, what="calibration record")
        record = calibrate()
        write_calibration(record, out)
    except RewardsimError as exc:
        fail(exc)
        return
    table = Table(title="reward-circuit calibration")
    for col in ("parameter", "value", "unit", "target", "simulated", "data source"):
        table.add_column(col, overflow="fold")
    for name, row in record["parameters"].items():
        table.add_row(name, f"{row['value']:.6g}", row["unit"], _figure(row["target"]),
                      _figure(row["simulated"]), row["source"])
    console.print(table)
    check = record["checks"]["baclofen_clinical_vta"]
    console.print(
        f"check: VTA GABA-B activation at CSF {check['csf_um']:.3f} µM = "
        f"{check['vta_gabab_in_vivo']:.3f} (band {check['band'][0]}-{check['band'][1]}, "
        f"{'within' if check['within_band'] else 'OUTSIDE'})")
    console.print(f"wrote {out}")


def _figure(x: object) -> str:
    """A target or simulated figure: a number, several by label, or none (a curve fit)."""
    if isinstance(x, dict):
        return "; ".join(f"{k} {v:.4g}" for k, v in x.items())
    return "curve" if x is None else f"{x:.4g}"


def _hypotheses(text: str) -> tuple[str, ...]:
    if text == "all":
        return tuple(HYPOTHESES)
    names = tuple(h.strip() for h in text.split(",") if h.strip())
    bad = [h for h in names if h not in HYPOTHESES]
    if bad or not names:
        raise ModelSpecError(
            f"--hypothesis must be 'all' or one or more of {', '.join(HYPOTHESES)}. "
            f"Got {text!r} instead.")
    return names


@app.command("plot")
def plot_cmd(
    out: Path = typer.Option(..., "--out", help="Figure file, .png or .svg."),
    days: float = typer.Option(28.0, "--days", help="Simulated period (days)."),
    hypothesis: str = typer.Option(
        "all", "--hypothesis", help="Baclofen hypothesis: all, anti_craving, anti_anxiety, "
        "both (comma-separated list allowed)."),
    cocaine: str = typer.Option("100 mg daily", "--cocaine",
                                help='Cocaine regimen in mg base, e.g. "100 mg daily".'),
    route: str = typer.Option("intranasal", "--route", help="smoked, intranasal or iv."),
    baclofen: str = typer.Option("20 mg tid", "--baclofen",
                                 help='Baclofen regimen, e.g. "20 mg tid", or "none".'),
    step: float = typer.Option(0.05, "--step", help="Output step (h)."),
) -> None:
    """Draw one person's time course with and without baclofen under each hypothesis."""
    try:
        if out.suffix.lower() not in (".png", ".svg"):
            raise EventTableError(f"--out must end in .png or .svg. Got {str(out)!r} instead.")
        if not out.parent.exists():
            raise EventTableError(f"--out folder {str(out.parent)!r} does not exist.")
        check_output_path(out, what="figure")
        sols, doses = scenarios(days, cocaine=cocaine, route=route, baclofen=baclofen,
                                hypotheses=_hypotheses(hypothesis), step=step)
        from ..report._person_plot import plot_person

        plot_person(sols, doses, out, title=f"cocaine {cocaine} ({route}); baclofen {baclofen}")
    except RewardsimError as exc:
        fail(exc)
        return
    console.print(f"wrote {out}")


@app.command("person-doses")
def person_doses_cmd(
    out: Path = typer.Option(..., "--out", help="Data set file (.csv or .parquet)."),
    cocaine: str = typer.Option("100 mg daily for 28 days", "--cocaine",
                                help='Cocaine regimen (mg base), or "none".'),
    route: str = typer.Option("intranasal", "--route", help="smoked, intranasal or iv."),
    baclofen: str = typer.Option("20 mg tid for 28 days", "--baclofen",
                                 help='Baclofen regimen, or "none".'),
    n: int = typer.Option(1, "--n", help="Subjects (IDs 1..n)."),
) -> None:
    """Write cocaine and baclofen dose records for `rewardsim simulate reward-circuit`."""
    try:
        if n < 1:
            raise EventTableError(f"--n must be a positive integer. Got {n} instead.")
        none = ("", "none")
        df = person_doses(None if cocaine.strip().lower() in none else cocaine, route=route,
                          baclofen=None if baclofen.strip().lower() in none else baclofen,
                          ids=range(1, n + 1))
        write_dataset(df, out)
    except RewardsimError as exc:
        fail(exc)
        return
    console.print(f"wrote {out} ({len(df)} dose records)")
