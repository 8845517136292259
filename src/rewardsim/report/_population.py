"""The population report: one self-contained HTML page from a population run folder.

Reads ``summary.parquet``, ``margins.csv`` and ``manifest.json`` and renders them with the
``population.html.j2`` template (the trial report's stylesheet); never simulates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._plots import _colour, _png

__all__ = ["population_report"]

_TEMPLATES = Path(__file__).with_name("templates")
_LABELS = {
    "use_days": "Use days in the year", "abstinent_12m": "Abstinent at 12 months (no use "
    "in the last 30 days)", "be_positive_weeks": "BE-positive weekly screens",
    "treatment_episodes": "Treatment episodes", "treatment_days": "Treatment days",
    "residential_days": "Residential days", "residential_use_days": "Use days in residence",
    "waiting_days": "Days waiting for admission", "no_show": "No-shows at admission",
    "sessions": "Sessions attended", "baclofen_doses": "Baclofen doses taken",
    "screens": "Weekly screens",
}  # fmt: skip
_HEADLINE = ("use_days", "abstinent_12m", "be_positive_weeks", "treatment_episodes",
             "treatment_days", "residential_days", "no_show", "baclofen_doses")


def _num(x: float, digits: int = 0) -> str:
    return "n/a" if not np.isfinite(x) else f"{x:,.{digits}f}"


def _diff_figure(summary: pd.DataFrame, output: str, group: str) -> str:
    """Difference from the status quo per scenario (and level of ``group``), 95 % MC."""
    d = summary[(summary["output"] == output) & (summary["group"] == group)
                & (summary["scenario"] != "status_quo")]
    scenarios = list(dict.fromkeys(d["scenario"]))
    levels = list(dict.fromkeys(d["level"]))
    fig = Figure(figsize=(7.0, 0.6 + 0.45 * max(1, len(levels) * len(scenarios))))
    ax = fig.add_subplot(1, 1, 1)
    y = 0
    ticks, names = [], []
    for j, level in enumerate(levels):
        for i, scen in enumerate(scenarios):
            r = d[(d["scenario"] == scen) & (d["level"] == level)].iloc[0]
            ax.errorbar(r["diff_total"], y, xerr=[[r["diff_total"] - r["diff_low"]],
                                                  [r["diff_high"] - r["diff_total"]]],
                        fmt="o", color=_colour(i), capsize=3)
            ticks.append(y)
            names.append(scen if group == "all" else f"{level}: {scen}")
            y -= 1
        y -= 0.5 if j < len(levels) - 1 else 0
    ax.axvline(0.0, color="#888", lw=0.8)
    ax.set_yticks(ticks, names, fontsize=8)
    ax.set_xlabel(f"{_LABELS.get(output, output)}: difference from the status quo "
                  "(population total, 95 % Monte Carlo interval)")
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _margins_figure(margins: pd.DataFrame) -> str:
    fig = Figure(figsize=(7.0, 3.2))
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(margins))
    ax.bar(x - 0.2, 100 * margins["target"], 0.4, label="table", color=_colour(0))
    ax.bar(x + 0.2, 100 * margins["simulated"], 0.4, label="synthetic population",
           color=_colour(2))
    ax.set_xticks(x, [f"{a}: {lv}" for a, lv in zip(margins["attribute"], margins["level"],
                                                     strict=True)],
                  rotation=75, fontsize=6)
    ax.set_ylabel("Share (%)")
    ax.legend(fontsize=7)
    return _png(fig)


def _rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    d = summary[summary["group"] == "all"]
    rows = []
    for _, r in d[d["output"].isin(_HEADLINE)].iterrows():
        prop = r["output"] in ("abstinent_12m", "no_show")
        rows.append({
            "scenario": r["scenario"], "output": _LABELS[r["output"]],
            "total": f"{_num(r['total'])} ({_num(r['total_low'])} to {_num(r['total_high'])})",
            "mean": _num(100 * r["mean"], 1) + " %" if prop else _num(r["mean"], 2),
            "diff": "" if r["scenario"] == "status_quo" else
            f"{_num(r['diff_total'])} ({_num(r['diff_low'])} to {_num(r['diff_high'])})",
        })  # fmt: skip
    return rows


def _subgroups(summary: pd.DataFrame) -> list[dict[str, Any]]:
    d = summary[(summary["output"] == "use_days") & (summary["group"] != "all")]
    rows = []
    for _, r in d.iterrows():
        rows.append({"scenario": r["scenario"], "subgroup": f"{r['group']}: {r['level']}",
                     "n": f"{r['n']:,}", "mean": _num(r["mean"], 1),
                     "diff": "" if r["scenario"] == "status_quo" else
                     f"{_num(r['diff_total'])} ({_num(r['diff_low'])} to "
                     f"{_num(r['diff_high'])})"})  # fmt: skip
    return rows


def population_report(run: str | Path, out: str | Path | None = None) -> Path:
    """Render the population run folder ``run`` to ``out`` (default ``run/report.html``)."""
    root = Path(run)
    summary = pd.read_parquet(root / "summary.parquet")
    margins = pd.read_csv(root / "margins.csv")
    manifest = json.loads((root / "manifest.json").read_text())
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    figures = {
        "use_all": _diff_figure(summary, "use_days", "all"),
        "use_setting": _diff_figure(summary, "use_days", "setting"),
        "abstinent_setting": _diff_figure(summary, "abstinent_12m", "setting"),
        "margins": _margins_figure(margins),
    }
    scen = manifest["scenario_file"]
    changes = []
    for name, care in scen["scenarios"].items():
        diff = [f"{setting}.{k} = {v}" for setting, block in care.items()
                for k, v in block.items() if scen["status_quo"][setting][k] != v]
        changes.append({"scenario": name, "changes": "; ".join(diff) or "none"})
    html = env.get_template("population.html.j2").render(
        title=manifest["name"], manifest=manifest, headline=_rows(summary),
        subgroups=_subgroups(summary), margins=margins.to_dict("records"),
        changes=changes, figures=figures)
    path = Path(out) if out is not None else root / "report.html"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
