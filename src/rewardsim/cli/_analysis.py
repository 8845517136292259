"""Analysis commands: words, endpoints, report, query, ctn0094.

Each command is a thin wrapper over :mod:`rewardsim.analysis` and
:mod:`rewardsim.report`; library errors are printed as ``ErrorType: message``
and exit with code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import AnalysisInputError, RewardsimError
from ..io._atomic import atomic_open, check_output_path, make_folder
from ._main import app, fail


def _write_csv(table, out: Path, what: str) -> None:
    """Write a table as CSV, atomically (nothing partial on a full disk)."""
    with atomic_open(out, "w", what=what) as fh:
        table.to_csv(fh, index=False)


def _run_words(run: Path, by: str = "week"):
    from ..analysis import load_run, use_pattern_words

    data = load_run(run)
    return use_pattern_words(data.visits, by=by, weeks=data.weeks), data.weeks


@app.command()
def words(
    run: Annotated[Path, typer.Argument(help="Run folder (manifest.json, visits/).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Words table to write (CSV).")],
    by: Annotated[
        str, typer.Option("--by", help="'week' (one symbol per treatment week) or 'visit'.")
    ] = "week",
) -> None:
    """Use-pattern words of every patient in a run folder (columns replicate, id, arm,
    usePatternUDS), ready for `rewardsim endpoints`."""
    try:
        make_folder(out.parent)
        check_output_path(out, what="words table")
        table, weeks = _run_words(run, by)
        _write_csv(table, out, "words table")
    except RewardsimError as exc:
        fail(exc)
        return
    unit = f"one symbol per week, {weeks} weeks" if by == "week" else "one symbol per urine visit"
    typer.echo(f"Wrote {len(table)} words ({unit}) to {out}")


@app.command()
def endpoints(
    source: Annotated[
        Path,
        typer.Argument(help="Words CSV (usePatternUDS and who, or id as `rewardsim words` "
                       "writes it), or a run folder."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Endpoint table to write (CSV).")],
    only: Annotated[
        str, typer.Option("--endpoints", help="Comma-separated endpoint names (default: all).")
    ] = "",
) -> None:
    """Compute every published endpoint for each participant's use-pattern word.

    The table keeps the words' identifying columns (who, or replicate, id and arm) first.
    """
    from ..analysis import compute_endpoints, read_words_csv

    try:
        make_folder(out.parent)
        check_output_path(out, what="endpoint table")
        words = _run_words(source)[0] if source.is_dir() else read_words_csv(source)
        names = [n.strip() for n in only.split(",") if n.strip()] or None
        table = compute_endpoints(words, endpoints=names)
        _write_csv(table, out, "endpoint table")
    except RewardsimError as exc:
        fail(exc)
        return
    n_end = table.shape[1] - (words.shape[1] - 1)
    typer.echo(f"Wrote {len(table)} participants x {n_end} endpoint columns to {out}")


@app.command()
def report(
    run: Annotated[Path, typer.Argument(help="Run folder (manifest.json, *.parquet).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    replicate: Annotated[
        int | None, typer.Option(help="Replicate shown as the trial (default: first).")
    ] = None,
    power_replicates: Annotated[
        int, typer.Option(help="At most this many replicates for power.")
    ] = 200,
    seed: Annotated[
        int, typer.Option(help="Seed for the multiple imputation and power resampling.")
    ] = 0,
    endpoints: Annotated[
        str, typer.Option("--endpoints", help="'substance' (those defined in trials of the "
                          "run's substance), 'all', or comma-separated names.")
    ] = "substance",
    template_dir: Annotated[
        Path | None, typer.Option("--template-dir", help="Folder of templates replacing the "
                                  "shipped report.html.j2 / report.css.")
    ] = None,
) -> None:
    """Write a self-contained HTML report of a trial run."""
    from ..report import build_report

    choice = endpoints if endpoints in ("substance", "all") else [
        n.strip() for n in endpoints.split(",") if n.strip()]
    try:
        if power_replicates < 1:
            raise AnalysisInputError(
                f"--power-replicates must be a positive integer. Got {power_replicates} "
                f"instead.")
        if not 0 <= seed < 2**64:
            raise AnalysisInputError(
                f"--seed must be a whole number in 0..2**64-1. Got {seed} instead.")
        path = build_report(
            run, out, replicate=replicate, power_replicates=power_replicates, seed=seed,
            endpoints=choice, template_dir=template_dir,
        )
    except RewardsimError as exc:
        fail(exc)
        return
    typer.echo(f"Wrote {path}")


@app.command()
def query(
    run: Annotated[Path, typer.Argument(help="Run folder with .parquet tables.")],
    sql: Annotated[str, typer.Argument(help="SQL over the tables subjects, visits, ...")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write CSV here instead of stdout.")
    ] = None,
) -> None:
    """Answer SQL over the run's Parquet tables (DuckDB); prints CSV."""
    from ..analysis import query_run

    try:
        if out is not None:
            check_output_path(out, what="query result")
        table = query_run(run, sql)
        if out is not None:
            _write_csv(table, out, "query result")
    except RewardsimError as exc:
        fail(exc)
        return
    if out is None:
        typer.echo(table.to_csv(index=False), nl=False)
    else:
        typer.echo(f"Wrote {len(table)} rows to {out}")


@app.command()
def ctn0094(
    data_dir: Annotated[
        Path | None,
        typer.Argument(help="Folder with the CTN-0094 CSV files (default: the shipped copy)."),
    ] = None,
    substance: Annotated[str, typer.Option(help="uds.csv substance, or 'opioid'.")] = "Cocaine",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the words (CSV).")
    ] = None,
) -> None:
    """Derive weekly use-pattern words from the real CTN-0094 tables and summarise them."""
    from ..analysis import ctn0094_words, summarise_words

    try:
        if out is not None:
            check_output_path(out, what="words table")
        words = ctn0094_words(data_dir, substance)
        if out is not None:
            _write_csv(words, out, "words table")
    except RewardsimError as exc:
        fail(exc)
        return
    all_s = summarise_words(words)
    rand_s = summarise_words(words[words["randomized"]])
    typer.echo(f"{substance} words for {all_s['participants']} CTN-0094 participants")
    typer.echo(f"ever positive (any '+' or '*' week): {all_s['ever_positive']:.1%} of all, "
               f"{rand_s['ever_positive']:.1%} of {rand_s['participants']} randomised")  # fmt: skip
    typer.echo(f"weekly positive rate: {all_s['weekly_positive_rate']:.1%} of "
               f"{all_s['weeks_with_result']} weeks with a urine result")  # fmt: skip
    if out is not None:
        typer.echo(f"Wrote {len(words)} words to {out}")
