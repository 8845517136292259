"""``rewardsim compile``: compile the solver and the shipped kernels now, not on first use.

The engine's solver is compiled once per machine and each model's own functions once per
model (both kept in the kernel cache); the reward circuit's daily form and the trial kernel
likewise. A first run pays for what it uses; this command pays for all of it at once, after
installing (about two minutes on two cores), so that later first runs start at once.
"""

from __future__ import annotations

import time

import numpy as np
import typer

from ._main import app

__all__ = ["compile_all"]


def compile_all(trial: bool = True) -> list[tuple[str, float]]:
    """Compile (or load from the cache) the solver for each method, every shipped model
    and, with ``trial``, the reward circuit's daily form and the trial kernel; returns
    (what, seconds) for each."""
    from .. import engine
    from ..io import regimen
    from ..models import MODELS

    done = []

    def timed(what: str, fn) -> None:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        fn()
        done.append((what, time.perf_counter() - t0))

    data = regimen(1.0, cmt=1, n=1)
    times = np.array([0.0, 1.0])
    for name in sorted(MODELS):
        model = MODELS[name]()
        methods = ("exact", "rodas", "dp5-rodas") if model.linear else ("rodas", "dp5-rodas")
        for method in methods:
            timed(f"model {name} ({method})",
                  lambda m=model, k=method: engine.simulate(m, data.assign(CMT=m.default_dose_cmt),
                                                            times=times, omega=False, method=k))
    if trial:
        from ..trial import parse_design, simulate_trial

        design = parse_design({  # the smallest design that runs every step of a day
            "name": "compile", "weeks": 1, "baseline_weeks": 1,
            "allocation": {"n": 2, "ratio": [1, 1]},
            "arms": [{"name": "placebo", "medication": "placebo"},
                     {"name": "baclofen", "medication": "baclofen", "dose_mg": 20,
                      "regimen": "three times daily"}]})
        timed("the trial model", lambda: simulate_trial(design))
    return done


@app.command("compile")
def compile_command(
    trial: bool = typer.Option(True, "--trial/--no-trial",
                               help="Also the reward circuit's daily form and the trial kernel."),
) -> None:
    """Compile the solver and the shipped kernels now (once per machine), so that first
    runs start at once."""
    for what, seconds in compile_all(trial):
        typer.echo(f"{what}: {seconds:.1f} s")
