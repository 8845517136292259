"""Entry point of the ``rewardsim`` command.

Each group of commands lives in its own module and registers itself on ``app``.
Errors from the library (:class:`rewardsim.errors.RewardsimError`) are printed as
``ErrorType: message`` and exit with code 2 (bad input) or 1 (solver failure),
never with a traceback.
"""

from __future__ import annotations

import logging
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


class _StderrLines(logging.Handler):
    """Library log lines (e.g. "compiling model X (first run only)") on stderr, one per line.

    ``sys.stderr`` is looked up at each message, so the lines go where a progress bar
    or a test runner has redirected it.
    """

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record) + "\n")
        sys.stderr.flush()


def _log_to_stderr() -> None:
    logger = logging.getLogger("rewardsim")
    if not any(isinstance(h, _StderrLines) for h in logger.handlers):
        logger.addHandler(_StderrLines())
    logger.setLevel(logging.INFO)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"rewardsim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True,
        help="Print the rewardsim version and exit.",
    ),
) -> None:
    """In-silico trials of addiction medicines."""
    _log_to_stderr()


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
