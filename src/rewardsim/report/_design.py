"""The design-space report: which design names the mechanism, at what cost.

Renders a :class:`rewardsim.design.DiscriminationResult` (tables already computed) with
the ``discriminate.html.j2`` template and the trial report's stylesheet and script into
one self-contained HTML page: the ranking table, the confusion matrices as heat maps,
correct classification and urine power against sample size with 95 % Monte Carlo bands,
and the cost frontier. Nothing is simulated here.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from matplotlib.figure import Figure

from ._plots import _colour, _png, plain_text

__all__ = ["DESIGN_SECTIONS", "discriminate_html"]

_TEMPLATES = Path(__file__).with_name("templates")
#: Sections of the report, in order (ids and headings).
DESIGN_SECTIONS: dict[str, str] = {
    "answer": "The answer: designs ranked",
    "hypotheses": "Hypotheses",
    "designs": "Designs and costs",
    "rules": "Decision rules",
    "confusion": "Confusion matrices",
    "curves": "Against sample size",
    "frontier": "Cost frontier",
    "performance": "Every design and rule",
    "methods": "Methods",
}
_Z = 1.959963984540054


def _pct(p: float, se: float | None = None) -> str:
    if not math.isfinite(p):
        return "n/a"
    return f"{100 * p:.1f} %" if se is None else f"{100 * p:.1f} ± {100 * se:.1f} %"


def _money(x: float, unit: str) -> str:
    return f"{x:,.0f} {unit}"


@plain_text
def _confusion_figure(res: Any, pairs: list[tuple[str, str]]) -> str:
    labels = res.space.labels
    n = len(pairs)
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(2.3 * cols + 0.8, 2.3 * rows + 0.4))
    names = dict(zip(res.designs["id"], res.designs["name"], strict=True))
    for i, (d, rule) in enumerate(pairs):
        ax = fig.add_subplot(rows, cols, i + 1)
        c = res.confusion[(res.confusion["design"] == d) & (res.confusion["rule"] == rule)]
        m = c.pivot(index="truth", columns="named", values="share").loc[labels, labels]
        ax.imshow(m.to_numpy(), vmin=0.0, vmax=1.0, cmap="Blues")
        for (a, b), v in np.ndenumerate(m.to_numpy()):
            ax.text(b, a, f"{100 * v:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if v > 0.6 else "black")
        short = [x[:8] for x in labels]
        ax.set_xticks(range(len(labels)), short, rotation=60, fontsize=6)
        ax.set_yticks(range(len(labels)), short, fontsize=6)
        ax.set_title(f"{d}: {rule}\n{names[d][:34]}", fontsize=6.5)
        if i % cols == 0:
            ax.set_ylabel("true", fontsize=7)
        ax.set_xlabel("named", fontsize=7)
    fig.tight_layout()
    return _png(fig)


@plain_text
def _curves_figure(res: Any, best: dict[str, str]) -> str:
    ids = list(res.designs["id"])
    cols = min(4, len(ids))
    rows = math.ceil(len(ids) / cols)
    fig = Figure(figsize=(2.6 * cols + 0.6, 2.2 * rows + 0.6))
    chance = 1.0 / len(res.space.labels)
    for i, d in enumerate(ids):
        ax = fig.add_subplot(rows, cols, i + 1)
        for k, rule in enumerate([best[d], "urine power"]):
            c = res.curves[(res.curves["design"] == d) & (res.curves["rule"] == rule)]
            x, p, se = c["n_per_arm"], 100 * c["p"], 100 * c["se"]
            col = _colour(0 if k == 0 else 1)
            ax.fill_between(x, p - _Z * se, p + _Z * se, color=col, alpha=0.2, lw=0)
            ax.plot(x, p, "-o" if k == 0 else "--s", color=col, ms=3,
                    label="correct classification" if k == 0 else "urine power")
        ax.axhline(100 * chance, color="#888", lw=0.8, ls=":")
        ax.set_ylim(0, 100)
        ax.set_title(f"{d} ({best[d]})", fontsize=7)
        ax.tick_params(labelsize=6)
        if i % cols == 0:
            ax.set_ylabel("%", fontsize=7)
        if i >= len(ids) - cols:
            ax.set_xlabel("patients per arm", fontsize=7)
        if i == 0:
            ax.legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    return _png(fig)


@plain_text
def _frontier_figure(res: Any) -> str:
    r = res.ranking
    unit = res.manifest.get("cost_unit", "")
    fig = Figure(figsize=(7.0, 4.0))
    ax = fig.add_subplot(1, 1, 1)
    ax.errorbar(r["cost"], 100 * r["p_correct"], yerr=_Z * 100 * r["se_correct"], fmt="o",
                color=_colour(0), ms=4, capsize=2, lw=0.8)
    f = r[r["frontier"]].sort_values("cost")
    ax.step(f["cost"], 100 * f["p_correct"], where="post", color=_colour(1),
            label="cost frontier")
    for _, row in r.iterrows():
        ax.annotate(row["design"], (row["cost"], 100 * row["p_correct"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.axhline(100 * r["chance"].iloc[0], color="#888", lw=0.8, ls=":", label="chance")
    ax.set_xlabel(f"Cost of the trial ({unit})")
    ax.set_ylabel("Names the true hypothesis (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return _png(fig)


def _table(columns: list[str], rows: list[list[Any]], num: set[int] | None = None,
           caption: str = "") -> dict[str, Any]:
    num = num or set()
    return {"columns": columns, "caption": caption,
            "rows": [{"cells": [{"text": str(v), "num": j in num} for j, v in enumerate(r)]}
                     for r in rows]}


def _context(res: Any) -> dict[str, Any]:
    space, man = res.space, res.manifest
    unit = man.get("cost_unit", "")
    labels = space.labels
    rank = res.ranking
    designs = res.designs.set_index("id")
    answer = _table(
        ["Rank", "Design", "Best rule", "Names the truth", "Chance", "Misleading evidence",
         "Urine power", "Cost", "Gain over chance per 1M", "Frontier", "What limits it"],
        [[int(r["rank"]), f"{r['design']}: {r['name']}", r["rule"],
          _pct(r["p_correct"], r["se_correct"]), _pct(r["chance"]), _pct(r["p_misleading"]),
          _pct(designs.loc[r["design"], "power_urine"]), _money(r["cost"], unit),
          "n/a" if not math.isfinite(r["gain_per_million"]) else f"{r['gain_per_million']:.3f}",
          "yes" if r["frontier"] else "", r["limits"]] for _, r in rank.iterrows()],
        num={0, 3, 4, 5, 6, 7, 8},
        caption="Names the truth: the chance that the design's best rule names the true "
                "hypothesis, averaged over the hypotheses (± Monte Carlo SE).")
    hyps = _table(["Label", "Mechanism", "Efficacy", "e_craving (mean ± SD)",
                   "e_anxiety (mean ± SD)", "Overrides"],
                  [[h["label"], h["mechanism"], h["efficacy"],
                    f"{h['e_craving']['mean']:.3f} ± {h['e_craving']['sd']:.3f}",
                    f"{h['e_anxiety']['mean']:.3f} ± {h['e_anxiety']['sd']:.3f}",
                    ", ".join(f"{k} = {v:g}" for k, v in h["overrides"].items()) or "none"]
                   for h in man["hypotheses"]])
    dtab = _table(["Design", "Arms", "Per arm", "Weeks", "Enrichment", "Scales",
                   "Screened per trial", "Planned cost", "Screening cost", "Cost"],
                  [[f"{d}: {r['name']}", r["arms"], r["n_per_arm"], r["weeks"],
                    r["enrichment"], r["scales"], f"{r['screened_per_trial']:.0f}",
                    _money(r["planned_cost"], unit), _money(r["screening_cost"], unit),
                    _money(r["cost"], unit)] for d, r in designs.iterrows()],
                  num={2, 3, 6, 7, 8, 9})
    from ..design._rules import RULE_DOCS

    rules = _table(["Rule", "What it tests"],
                   [[r, RULE_DOCS.get(r, "user rule")] for r in man["rules"]])
    perf_cols = ["Design", "Rule", "Names the truth", "Misleading"] + [
        f"{lab}: correct" for lab in labels]
    perf = _table(perf_cols, [[r["design"], r["rule"], _pct(r["p_correct"], r["se_correct"]),
                               _pct(r["p_misleading"], r["se_misleading"])]
                              + [_pct(r[f"p_correct[{lab}]"]) for lab in labels]
                              for _, r in res.performance.iterrows()],
                  num=set(range(2, 4 + len(labels))))
    best = dict(zip(rank["design"], rank["rule"], strict=True))
    order = list(rank["design"])
    figures = {
        "confusion": {"png": _confusion_figure(res, [(d, best[d]) for d in order]),
                      "alt": "Confusion matrices",
                      "caption": "Confusion matrix of each design's best rule, in ranking "
                                 "order: the share (%) of trials under each true hypothesis "
                                 "(rows) in which the rule names each hypothesis (columns)."},
        "curves": {"png": _curves_figure(res, best), "alt": "Curves against sample size",
                   "caption": "Correct classification by the design's best rule (solid) and "
                              "power of the urine analysis (dashed, mean over hypotheses) "
                              "against patients per arm, for nested trials of the same "
                              "patients; bands: 95 % Monte Carlo intervals; dotted: chance."},
        "frontier": {"png": _frontier_figure(res), "alt": "Cost frontier",
                     "caption": "Correct classification against the trial's cost, with 95 % "
                                "Monte Carlo intervals; the step line joins the designs no "
                                "cheaper design beats."},
    }
    top = rank.iloc[0]
    headline = (f"Best per unit cost: {top['design']} ({top['name']}), rule {top['rule']}: "
                f"names the true hypothesis in {_pct(top['p_correct'], top['se_correct'])} "
                f"of trials (chance {_pct(top['chance'])}) for {_money(top['cost'], unit)}.")
    return {"title": man["name"], "manifest": man, "sections": DESIGN_SECTIONS,
            "section_ids": list(DESIGN_SECTIONS), "answer": answer, "hypotheses": hyps,
            "designs": dtab, "rules": rules, "performance": perf, "figures": figures,
            "headline": headline, "labels": labels}


def discriminate_html(result: Any, template_dir: str | Path | None = None) -> str:
    """The report of a :class:`rewardsim.design.DiscriminationResult` as HTML text."""
    paths = [str(template_dir)] if template_dir is not None else []
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([*paths, str(_TEMPLATES)]),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    return env.get_template("discriminate.html.j2").render(**_context(result))
