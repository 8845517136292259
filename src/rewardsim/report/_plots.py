"""Figures for the trial report, returned as base64 PNG strings.

Figures are drawn on :class:`matplotlib.figure.Figure` with the Agg canvas
directly, so the report never touches pyplot's global state or opens a window.
Every interval drawn is a 95 % interval; each figure's caption in the report says
which kind.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["urine_figure", "retention_figure", "ratings_figure", "power_figure",
           "power_curve_figure", "forest_figure"]  # fmt: skip

_COLOURS = ["#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6c4f9c", "#444444"]
_P = ParamSpec("_P")
_R = TypeVar("_R")


def plain_text(draw: Callable[_P, _R]) -> Callable[_P, _R]:
    """Draw with every text shown as written: arm and design names come from users, and
    matplotlib would read ``$...$`` in them as mathtext (and fail on ``$\\frac{a$``)."""

    @functools.wraps(draw)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with mpl.rc_context({"text.parse_math": False, "text.usetex": False}):
            return draw(*args, **kwargs)

    return wrapped


def _png(fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _colour(i: int) -> str:
    return _COLOURS[i % len(_COLOURS)]


@plain_text
def urine_figure(by_week: pd.DataFrame, arms: list[str]) -> str:
    """Urines negative (%) by arm and week, with 95 % Wilson bands."""
    fig = Figure(figsize=(7.0, 3.6))
    ax = fig.add_subplot(1, 1, 1)
    for i, arm in enumerate(arms):
        d = by_week[by_week["arm"] == arm]
        if d.empty:
            continue
        c = _colour(i)
        ax.fill_between(d["week"], 100 * d["nmp_low"], 100 * d["nmp_high"], color=c, alpha=0.18,
                        lw=0)  # fmt: skip
        ax.plot(d["week"], 100 * d["negative_missing_positive"], "-o", color=c, ms=3,
                label=f"{arm}: of urines scheduled (missed = positive)")  # fmt: skip
        ax.plot(d["week"], 100 * d["negative_of_provided"], "--", color=c, alpha=0.8,
                label=f"{arm}: of urines provided")  # fmt: skip
    ax.set_xlabel("Treatment week")
    ax.set_ylabel("Urines negative (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    return _png(fig)


@plain_text
def retention_figure(
    curves: pd.DataFrame, censored: pd.DataFrame, at_risk: pd.DataFrame, arms: list[str]
) -> str:
    """Kaplan-Meier retention with 95 % bands, censoring ticks and numbers at risk."""
    fig = Figure(figsize=(7.0, 4.3))
    grid = fig.add_gridspec(2, 1, height_ratios=(4, 1), hspace=0.45)
    ax = fig.add_subplot(grid[0])
    table = fig.add_subplot(grid[1], sharex=ax)
    present = [a for a in arms if (curves["arm"] == a).any()]
    for i, arm in enumerate(present):
        c = _colour(i)
        d = curves[curves["arm"] == arm]
        ax.fill_between(d["day"], 100 * d["lo"], 100 * d["hi"], step="post", color=c,
                        alpha=0.18, lw=0)  # fmt: skip
        ax.step(d["day"], 100 * d["surv"], where="post", color=c, label=arm)
        cz = censored[censored["arm"] == arm]
        ax.plot(cz["day"], 100 * cz["surv"], "|", color=c, ms=9, mew=1.5)
        r = at_risk[at_risk["arm"] == arm]
        y = len(present) - 1 - i
        for day, n in zip(r["day"], r["n"], strict=True):
            table.text(day, y, str(int(n)), ha="center", va="center", fontsize=8, color=c)
    ax.plot([], [], "|", color="grey", ms=9, mew=1.5, label="censored (completed)")
    ax.set_ylabel("Patients on study (%)")
    ax.set_ylim(0, 102)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.tick_params(labelbottom=True)
    ax.set_xlabel("Study day")
    table.set_ylim(-0.6, len(present) - 0.4)
    table.set_yticks(range(len(present)), labels=list(reversed(present)), fontsize=8)
    table.set_title("Number at risk", fontsize=8, loc="left")
    table.tick_params(axis="x", labelbottom=False, length=0)
    for side in ("top", "right", "bottom", "left"):
        table.spines[side].set_visible(False)
    return _png(fig)


@plain_text
def ratings_figure(
    ratings: dict[str, pd.DataFrame], arms: list[str], scales: dict[str, tuple[str, tuple]]
) -> str:
    """Mean rating by arm and week with 95 % t intervals, one panel (and scale) per rating."""
    names = list(ratings)
    fig = Figure(figsize=(7.0, 3.3))
    fig.subplots_adjust(wspace=0.35)
    for k, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), k + 1)
        d_all = ratings[name]
        label, (lo, hi) = scales.get(name, (name.capitalize(), (None, None)))
        for i, arm in enumerate(arms):
            d = d_all[d_all["arm"] == arm]
            if d.empty:
                continue
            err = np.vstack([d["mean"] - d["ci_low"], d["ci_high"] - d["mean"]])
            ax.errorbar(d["week"] + 0.12 * (i - 0.5), d["mean"], yerr=np.nan_to_num(err),
                        fmt="-o", ms=3, capsize=2, color=_colour(i), label=arm)  # fmt: skip
        ax.axvline(0.5, color="grey", lw=0.8, ls=":")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("Week (<= 0: baseline)")
        ax.set_ylabel(f"{label} score (scale {lo}-{hi})")
        ax.grid(alpha=0.3)
        if k == 0:
            ax.legend(fontsize=7)
    return _png(fig)


@plain_text
def forest_figure(
    labels: Sequence[str], est: Sequence[float], lo: Sequence[float], hi: Sequence[float],
    *, xlabel: str, ref: float, log: bool = False, favours: tuple[str, str] | None = None,
) -> str:
    """Forest plot: one row per label, point estimate and 95 % interval, reference line.

    ``favours`` labels the two sides of the reference line (left, right).
    """
    n = len(labels)
    fig = Figure(figsize=(7.0, 0.32 * n + 1.1))
    ax = fig.add_subplot(1, 1, 1)
    y = np.arange(n)[::-1]
    est, lo, hi = (np.asarray(v, dtype=float) for v in (est, lo, hi))
    ok = np.isfinite(est)
    ax.errorbar(est[ok], y[ok], xerr=np.vstack([est[ok] - lo[ok], hi[ok] - est[ok]]), fmt="s",
                color=_colour(0), ms=4, capsize=2, lw=1.2)  # fmt: skip
    ax.axvline(ref, color="grey", lw=0.9, ls="--")
    ax.set_yticks(y, labels=list(labels), fontsize=7)
    ax.set_ylim(-0.7, n - 0.3)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel, fontsize=8)
    ax.grid(alpha=0.3, axis="x")
    if favours:
        ax.text(0.0, 1.01, f"< {favours[0]}", transform=ax.transAxes, fontsize=7, ha="left",
                va="bottom", color="#52606d")  # fmt: skip
        ax.text(1.0, 1.01, f"{favours[1]} >", transform=ax.transAxes, fontsize=7, ha="right",
                va="bottom", color="#52606d")  # fmt: skip
    return _png(fig)


@plain_text
def power_figure(summary: pd.DataFrame, target: float, labels: dict[str, str]) -> str:
    """Power per endpoint at the run's size, with 95 % Monte Carlo (Wilson) intervals."""
    d = summary.sort_values("power")
    fig = Figure(figsize=(7.0, max(2.2, 0.28 * len(d) + 0.9)))
    ax = fig.add_subplot(1, 1, 1)
    colours = [_colour(0) if det else "#9aa5b1" for det in d["detects"]]
    y = np.arange(len(d))
    ax.barh(y, 100 * d["power"], color=colours)
    err = np.clip(100 * np.vstack([d["power"] - d["power_low"], d["power_high"] - d["power"]]),
                  0.0, None)
    ax.errorbar(100 * d["power"], y, xerr=err, fmt="none", color="black", capsize=2, lw=0.8)
    ax.set_yticks(y, labels=[labels.get(e, e) for e in d["endpoint"]], fontsize=7)
    ax.axvline(100 * target, color="#d1495b", ls="--", lw=1)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Power (% of replicate trials with p < alpha)")
    ax.grid(alpha=0.3, axis="x")
    return _png(fig)


@plain_text
def power_curve_figure(
    curve: pd.DataFrame, target: float, run_n: int, labels: dict[str, str]
) -> str:
    """Power against patients per arm, with 95 % Monte Carlo (Wilson) bands."""
    fig = Figure(figsize=(7.0, 3.8))
    ax = fig.add_subplot(1, 1, 1)
    for i, (name, d) in enumerate(curve.groupby("endpoint", sort=False)):
        c = _colour(i)
        ax.fill_between(d["n_per_arm"], 100 * d["power_low"], 100 * d["power_high"], color=c,
                        alpha=0.15, lw=0)  # fmt: skip
        ax.plot(d["n_per_arm"], 100 * d["power"], "-o", color=c, ms=3, label=labels.get(name, name))
    ax.axhline(100 * target, color="#d1495b", ls="--", lw=1)
    ax.axvline(run_n, color="grey", ls=":", lw=1)
    ax.text(run_n, 2, " this run", fontsize=7, color="grey")
    ax.set_xlabel("Patients per arm")
    ax.set_ylabel("Power (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    # Below the axes: low and high power curves both stay visible.
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return _png(fig)
