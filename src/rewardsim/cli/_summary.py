"""The table ``rewardsim simulate`` prints: each output's peak and last-24 h mean.

Both are computed per subject from the solution at its output times, then summarised
over subjects: the value itself for one subject, otherwise the median and the 5th-95th
percentile range. The peak is the largest value *at the output times* (a coarse grid
misses the true Cmax); the last-24 h mean is the time average of the linear interpolant
over the last 24 h of the output grid (trapezoidal rule), given only on a shared grid
(``--times``, or the default hourly grid) that spans at least 24 h with at least two
times in the window: sparse observation rows would make the interpolant meaningless.
"""

from __future__ import annotations

import numpy as np
from rich.table import Table

from ..engine import Solution

__all__ = ["Summary", "per_subject", "summary_table"]

WINDOW_H = 24.0


def _window_mean(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Trapezoidal mean of ``y`` (subjects x times) over ``[t[-1] - 24, t[-1]]``; NaN if short."""
    n = y.shape[0]
    if t.size < 2 or t[-1] - t[0] < WINDOW_H or np.count_nonzero(t >= t[-1] - WINDOW_H) < 2:
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
    """Per subject: the largest value at the output times and the last-24 h mean (NaN
    without a shared grid spanning 24 h)."""
    arr = sol.outputs[name]
    if sol.grid:
        return np.nanmax(arr, axis=1), _window_mean(sol.times, arr)
    ids = sol.row_ids if sol.row_ids is not None else np.zeros(arr.shape[0])
    peak = [np.nanmax(arr[ids == sid]) if np.any(ids == sid) else np.nan for sid in sol.ids]
    return np.array(peak), np.full(len(peak), np.nan)


def _fmt(x: np.ndarray, why: str = "") -> str:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return f"n/a{why}"
    if x.size == 1:
        return f"{x[0]:.4g}"
    q = np.percentile(x, [50, 5, 95])
    return f"{q[0]:.4g} [{q[1]:.4g} to {q[2]:.4g}]"


class Summary:
    """Per-subject peaks and last-24 h means of each output, gathered chunk by chunk (a
    streamed simulation never holds every subject at once)."""

    def __init__(self) -> None:
        self.peak: dict[str, list[np.ndarray]] = {}
        self.mean: dict[str, list[np.ndarray]] = {}
        self.units: dict[str, str] = {}
        self.failed: dict[int, str] = {}
        self.subjects = 0
        self.model = ""
        self.grid = True

    def add(self, sol: Solution) -> Summary:
        self.model = sol.model
        self.grid = sol.grid
        self.subjects += sol.ids.shape[0]
        self.failed.update(sol.failed)
        self.units.update(sol.units)
        for name in sol.outputs:
            peak, mean = per_subject(sol, name)
            self.peak.setdefault(name, []).append(peak)
            self.mean.setdefault(name, []).append(mean)
        return self

    def table(self, n_failed: int | None = None) -> Table:
        """The rich table printed after a simulation (``n_failed`` defaults to the
        subjects the solutions mark as failed)."""
        n = self.subjects
        n_failed = len(self.failed) if n_failed is None else n_failed
        what = "" if n == 1 else "; median [5th to 95th percentile] over subjects"
        title = (f"{self.model}: {n} subject{'s' if n != 1 else ''}"
                 + (f", {n_failed} failed" if n_failed else "") + what)
        table = Table(title=title, caption="Both are read off the output times (--times): "
                      "the peak is the largest value there, the mean the trapezoidal rule over "
                      "them; a finer grid gives a closer Cmax and mean.")
        for col in ("output", "unit", "peak at output times", "mean over the last 24 h"):
            table.add_column(col)
        why = (" (output times span < 24 h)" if self.grid
               else " (observation rows; give --times for a grid)")
        for name in self.peak:
            table.add_row(name, self.units.get(name, ""), _fmt(np.concatenate(self.peak[name])),
                          _fmt(np.concatenate(self.mean[name]), why))
        return table


def summary_table(sol: Solution, n_failed: int | None = None) -> Table:
    """The rich table printed after a simulation of ``sol`` (one chunk or all subjects)."""
    return Summary().add(sol).table(n_failed)
