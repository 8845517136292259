"""The table ``rewardsim simulate`` prints: each output's peak and last-24 h mean.

Both are computed per subject from the solution at its output times, then summarised
over subjects: the value itself for one subject, otherwise the median and the 5th-95th
percentile range. The peak is the largest value *at the output times* (a coarse grid
misses the true Cmax); the last-24 h mean is the time average of the linear interpolant
over the last 24 h of each subject's output times (trapezoidal rule), and is given only
when those times span at least 24 h.
"""

from __future__ import annotations

import numpy as np
from rich.table import Table

from ..engine import Solution

__all__ = ["per_subject", "summary_table"]

WINDOW_H = 24.0


def _window_mean(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Trapezoidal mean of ``y`` (subjects x times) over ``[t[-1] - 24, t[-1]]``; NaN if short."""
    n = y.shape[0]
    if t.size < 2 or t[-1] - t[0] < WINDOW_H:
        return np.full(n, np.nan)
    w0 = t[-1] - WINDOW_H
    k = int(np.searchsorted(t, w0, side="right"))  # first time strictly inside the window
    frac = (w0 - t[k - 1]) / (t[k] - t[k - 1])
    y0 = y[:, k - 1] + frac * (y[:, k] - y[:, k - 1])
    tt = np.concatenate([[w0], t[k:]])
    yy = np.concatenate([y0[:, None], y[:, k:]], axis=1)
    area = (0.5 * (yy[:, 1:] + yy[:, :-1]) * np.diff(tt)[None, :]).sum(axis=1)
    return area / WINDOW_H


def per_subject(sol: Solution, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Per subject: the largest value at the output times and the last-24 h mean."""
    arr = sol.outputs[name]
    if sol.grid:
        return np.nanmax(arr, axis=1), _window_mean(sol.times, arr)
    ids = sol.row_ids if sol.row_ids is not None else np.zeros(arr.shape[0])
    peak, mean = [], []
    for sid in sol.ids:
        sel = ids == sid
        t, y = sol.times[sel], arr[sel]
        peak.append(np.nanmax(y) if y.size else np.nan)
        mean.append(_window_mean(t, y[None, :])[0] if y.size else np.nan)
    return np.array(peak), np.array(mean)


def _fmt(x: np.ndarray) -> str:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return "n/a (output times span < 24 h)"
    if x.size == 1:
        return f"{x[0]:.4g}"
    q = np.percentile(x, [50, 5, 95])
    return f"{q[0]:.4g} [{q[1]:.4g} to {q[2]:.4g}]"


def summary_table(sol: Solution, n_failed: int) -> Table:
    """The rich table printed after a simulation."""
    n = sol.ids.shape[0]
    what = "" if n == 1 else "; median [5th to 95th percentile] over subjects"
    title = (f"{sol.model}: {n} subject{'s' if n != 1 else ''}"
             + (f", {n_failed} failed" if n_failed else "") + what)
    table = Table(title=title, caption="Peak: the largest value at the output times "
                  "(--times); a finer grid gives a closer Cmax.")
    for col in ("output", "unit", "peak at output times", "mean over the last 24 h"):
        table.add_column(col)
    for name in sol.outputs:
        peak, mean = per_subject(sol, name)
        table.add_row(name, sol.units.get(name, ""), _fmt(peak), _fmt(mean))
    return table
