"""Figures for the trial report, returned as base64 PNG strings.

Figures are drawn on :class:`matplotlib.figure.Figure` with the Agg canvas
directly, so the report never touches pyplot's global state or opens a window.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["urine_figure", "retention_figure", "ratings_figure", "power_figure"]

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
    """Proportion of urines negative by arm and week (missing counted positive, and observed)."""
    fig = Figure(figsize=(7.0, 3.6))
    ax = fig.add_subplot(1, 1, 1)
    for i, arm in enumerate(arms):
        d = by_week[by_week["arm"] == arm]
        if d.empty:
            continue
        ax.plot(d["week"], d["negative_missing_positive"], "-o", color=_colour(i), ms=3,
                label=f"{arm} (missed = positive)")  # fmt: skip
        ax.plot(d["week"], d["negative_of_provided"], "--", color=_colour(i), alpha=0.7,
                label=f"{arm} (of urines provided)")  # fmt: skip
    ax.set_xlabel("Treatment week")
    ax.set_ylabel("Proportion of urines negative")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    return _png(fig)


@plain_text
def retention_figure(curves: pd.DataFrame, arms: list[str]) -> str:
    """Kaplan-Meier retention curves by arm (days on study)."""
    fig = Figure(figsize=(7.0, 3.4))
    ax = fig.add_subplot(1, 1, 1)
    for i, arm in enumerate(arms):
        d = curves[curves["arm"] == arm]
        if not d.empty:
            ax.step(d["day"], d["surv"], where="post", color=_colour(i), label=arm)
    ax.set_xlabel("Study day")
    ax.set_ylabel("Proportion retained")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


@plain_text
def ratings_figure(ratings: dict[str, pd.DataFrame], arms: list[str]) -> str:
    """Mean rating (with 1 SE) by arm and week, one panel per rating."""
    names = list(ratings)
    fig = Figure(figsize=(7.0, 3.2))
    for k, name in enumerate(names):
        ax = fig.add_subplot(1, len(names), k + 1)
        d_all = ratings[name]
        for i, arm in enumerate(arms):
            d = d_all[d_all["arm"] == arm]
            if d.empty:
                continue
            ax.errorbar(d["week"], d["mean"], yerr=np.nan_to_num(d["se"].to_numpy()), fmt="-o",
                        ms=3, capsize=2, color=_colour(i), label=arm)  # fmt: skip
        ax.axvline(0.5, color="grey", lw=0.8, ls=":")
        ax.set_title(name.capitalize(), fontsize=10)
        ax.set_xlabel("Week (<= 0: baseline)")
        ax.grid(alpha=0.3)
        if k == 0:
            ax.set_ylabel("Mean rating (0-10)")
            ax.legend(fontsize=7)
    return _png(fig)


@plain_text
def power_figure(summary: pd.DataFrame, target: float) -> str:
    """Power per endpoint (horizontal bars) with the target power marked."""
    d = summary.sort_values("power")
    fig = Figure(figsize=(7.0, max(2.5, 0.16 * len(d) + 0.8)))
    ax = fig.add_subplot(1, 1, 1)
    colours = [_colour(0) if det else "#9aa5b1" for det in d["detects"]]
    ax.barh(np.arange(len(d)), d["power"], color=colours)
    ax.set_yticks(np.arange(len(d)))
    ax.set_yticklabels(d["endpoint"], fontsize=6)
    ax.axvline(target, color="#d1495b", ls="--", lw=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Power (share of replicates with p < alpha)")
    ax.grid(alpha=0.3, axis="x")
    return _png(fig)
