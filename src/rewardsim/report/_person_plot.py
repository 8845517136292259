"""Figure of one virtual person's time course: cocaine -> plasma -> dopamine -> craving, anxiety.

Takes simulated solutions (one per baclofen scenario) and draws them; it never simulates.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..engine import Solution
from ..io._atomic import atomic_path
from ._plots import plain_text

__all__ = ["plot_person", "person_figure"]

# Colour, line style, width and marker: scenarios that coincide (anti-anxiety leaves DA
# unchanged, anti-craving leaves anxiety unchanged) stay visible: the widest line is drawn
# first, and each scenario carries its own markers at staggered positions.
_STYLES = {"no baclofen": ("black", "-", 2.4, "o"), "anti_craving": ("tab:blue", "--", 1.6, "s"),
           "anti_anxiety": ("tab:orange", ":", 1.8, "^"), "both": ("tab:green", "-", 0.9, "D")}
_MARKS = 10  # markers per curve
_PANELS = (
    ("DA_PCT", "NAc dopamine\n(% baseline)"),
    ("CRAVING", "craving drive"),
    ("ANXIETY", "anxiety /\nwithdrawal drive"),
)


@plain_text
def plot_person(
    solutions: Mapping[str, Solution],
    dose_times: Mapping[str, np.ndarray],
    path: str | Path,
    *,
    title: str = "",
) -> Path:
    """Draw stacked panels and save them as PNG or SVG (by the suffix of ``path``).

    Parameters
    ----------
    solutions
        Label -> solution of one subject on a time grid in h (e.g. ``"no baclofen"``,
        ``"anti_craving"``); each must have ``COC_CP``, ``BAC_CSF_UM``, ``DA_PCT``,
        ``CRAVING`` and ``ANXIETY``.
    dose_times
        ``"cocaine"`` and optionally ``"baclofen"`` -> dose times in h (marked on the top
        panel).
    path
        Output file, ``.png`` or ``.svg``.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"The figure must be .png or .svg; got {str(path)!r}.")
    fig = person_figure(solutions, dose_times, title=title)
    with atomic_path(path, what="figure") as tmp:
        fig.savefig(tmp, format=fmt, dpi=120)
    return path


@plain_text
def person_figure(
    solutions: Mapping[str, Solution], dose_times: Mapping[str, np.ndarray], *, title: str = ""
) -> Figure:
    """The figure :func:`plot_person` saves (arguments as there)."""
    fig = Figure(figsize=(10, 9.5), constrained_layout=True)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(_PANELS) + 1, 1, sharex=True)
    first = next(iter(solutions.values()))
    days = first.times / 24.0
    ax = axes[0]
    ax.plot(days, first["COC_CP"][0], color="firebrick", lw=0.8, label="plasma cocaine")
    ax.set_ylabel("plasma cocaine\n(ng/mL)")
    top = max(float(first["COC_CP"][0].max()), 1.0)
    coc = np.asarray(dose_times.get("cocaine", []), dtype=float) / 24.0
    if coc.size:
        ax.plot(coc, np.full(coc.size, 1.05 * top), "v", color="firebrick", ms=4,
                label="cocaine dose")
    ax.set_ylim(0.0, 1.5 * top)  # headroom for the legend
    handles, labels = ax.get_legend_handles_labels()
    bac_sol = next((s for k, s in solutions.items() if k != "no baclofen"), None)
    if bac_sol is not None:
        twin = ax.twinx()
        csf = bac_sol["BAC_CSF_UM"][0]
        twin.plot(days, csf, color="dimgrey", lw=0.8, label="CSF baclofen")
        bac = np.asarray(dose_times.get("baclofen", []), dtype=float) / 24.0
        high = max(float(csf.max()), 1e-12)
        if bac.size:
            # Baclofen doses as ticks along the foot of the panel, on the baclofen axis.
            twin.plot(bac, np.full(bac.size, 0.03 * high), "|", color="dimgrey", ms=7,
                      mew=1.0, label="baclofen dose")
        twin.set_ylim(0.0, 1.5 * high)
        twin.set_ylabel("CSF baclofen (µM)", color="dimgrey")
        more = twin.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    # One legend for both axes, so the CSF baclofen line is listed with the others.
    ax.legend(handles, labels, loc="upper left", fontsize=8, ncol=2)
    order = sorted(solutions, key=lambda k: -_STYLES.get(k, (None, "-", 1.0, None))[2])
    for ax, (name, label) in zip(axes[1:], _PANELS, strict=True):
        for i, key in enumerate(order):
            sol = solutions[key]
            colour, style, width, marker = _STYLES.get(key, (None, "-", 1.0, None))
            n = days.size
            every = (i * max(1, n // (_MARKS * len(order))), max(1, n // _MARKS))
            ax.plot(days, sol[name][0], color=colour, ls=style, lw=width, marker=marker,
                    ms=4, markevery=every, zorder=2 + i,
                    label=key if key == "no baclofen" else f"baclofen, {key}")
        ax.set_ylabel(label)
    axes[1].axhline(100.0, color="grey", lw=0.5, ls=":")
    axes[1].legend(loc="upper right", fontsize=8, title="curves that coincide overlap; "
                   "markers show each", title_fontsize=7)
    axes[-1].set_xlabel("time (days)")
    if title:
        fig.suptitle(title)
    return fig
