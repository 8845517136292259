"""Entry point of the ``rewardsim`` command.

Each group of commands lives in its own module and registers itself on ``app``.
Errors from the library (:class:`rewardsim.errors.RewardsimError`) are printed as
``ErrorType: message`` and exit with code 2 (bad input) or 1 (solver failure),
never with a traceback.
"""

from __future__ import annotations

import sys

import typer

from ..errors import RewardsimError, SolverError

app = typer.Typer(
    name="rewardsim",
    help="In-silico trials of addiction medicines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(exc: RewardsimError) -> None:
    """Print a library error on one line and exit (2 for bad input, 1 otherwise)."""
    typer.echo(f"{type(exc).__name__}: {exc}", err=True)
    raise typer.Exit(code=1 if isinstance(exc, SolverError) else 2)


def main() -> None:
    """Run the command line (the ``rewardsim`` console script)."""
    try:
        app()
    except RewardsimError as exc:  # pragma: no cover - commands catch their own
        typer.echo(f"{type(exc).__name__}: {exc}", err=True)
        sys.exit(2)
