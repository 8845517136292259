"""``rewardsim lab`` and ``rewardsim lab-calibrate``: laboratory sessions on the circuit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..errors import ProtocolError, RewardsimError
from ._main import app, fail

console = Console()


@app.command("lab")
def lab_cmd(
    protocol: Annotated[Path, typer.Argument(help="Laboratory protocol file (TOML).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the result tables.")],
    n: Annotated[int | None, typer.Option("--n", help="Subjects per condition (overrides "
                                          "session.n_subjects).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override session.seed.")] = None,
) -> None:
    """Run the sessions of PROTOCOL (every condition) and write their tables into OUT.

    Writes sessions, events, dialysis, choices, trajectory and summary CSV tables (those
    the protocol produces), the protocol and manifest.json.
    """
    from ..lab import load_protocol, run_protocol, write_results

    try:
        if out.exists() and not out.is_dir():
            raise ProtocolError(f"--out {str(out)!r} exists and is not a folder.")
        lp = load_protocol(protocol)
        result = run_protocol(lp, n_subjects=n, seed=seed)
    except RewardsimError as exc:
        fail(exc)
        return
    write_results(result, out, source=protocol)
    s = result["summary"]
    table = Table(title=f"{lp.info.name} ({lp.info.species}, {lp.info.kind})")
    cols = [c for c in ("condition", "subjects", "infusions", "intake_mg_kg", "breakpoint",
                        "mean_interval_min", "peak_pct_baseline", "choice_rate",
                        "peak_dopamine_nM", "peak_high")
            if c in s.columns and s[c].notna().any()]
    for c in cols:
        table.add_column(c)
    for _, row in s.iterrows():
        table.add_row(*[str(row[c]) if isinstance(row[c], str) else f"{row[c]:.4g}"
                        for c in cols])
    console.print(table)
    console.print(f"wrote {out}")


@app.command("lab-calibrate")
def lab_calibrate_cmd(
    out: Annotated[Path, typer.Option("--out", help="JSON file for the fitted values.")] =
    Path("rat_calibration.json"),
) -> None:
    """Refit the rat laboratory's calibrated values (rat cocaine PK, rat KP_COC, satiety
    threshold) and write them with their data, residuals and out-of-sample checks."""
    from ..lab import calibrate_rat, write_rat_calibration

    try:
        if not out.parent.exists():
            raise ProtocolError(f"--out folder {str(out.parent)!r} does not exist.")
        record = calibrate_rat()
    except RewardsimError as exc:
        fail(exc)
        return
    write_rat_calibration(record, out)
    table = Table(title="rat laboratory calibration")
    for col in ("parameter", "value", "unit", "data source"):
        table.add_column(col, overflow="fold")
    for name, row in record["parameters"].items():
        table.add_row(name, f"{row['value']:.6g}", row["unit"], row["source"])
    console.print(table)
    console.print(f"wrote {out}")
