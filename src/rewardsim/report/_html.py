"""Render a :class:`~rewardsim.analysis.TrialAnalysis` as one self-contained HTML file.

Everything is inline: CSS, figures (base64 PNG) and a few lines of script that
record any page error into ``data-errors`` on ``<body>`` and list the sections
found in ``data-sections`` (what the browser test reads). Nothing is loaded
from elsewhere; DOIs are plain links.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..analysis import CITATIONS, TrialAnalysis
from ..analysis._words import SYMBOLS
from . import _plots

__all__ = ["SECTIONS", "render_html"]

#: Section ids, in page order, with their headings.
SECTIONS: dict[str, str] = {
    "design": "Design",
    "flow": "Participant flow (CONSORT-style)",
    "urine": "Urine results by arm and week",
    "gee": "GEE analysis of urine results",
    "endpoints": "Published endpoints",
    "retention": "Retention",
    "ratings": "Craving and anxiety",
    "power": "Power across replicates",
    "methods": "Methods, conventions and references",
}

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#1f2933}
main{max-width:1100px;margin:auto;padding:1rem 2rem 4rem}
header{background:#1b3a57;color:#fff;padding:1.2rem 2rem}
header h1{margin:0 0 .3rem;font-size:1.5rem} header p{margin:.2rem 0;opacity:.9}
nav{background:#eef2f6;padding:.5rem 2rem;font-size:.9rem} nav a{margin-right:1rem;color:#1b3a57}
section{border-top:1px solid #d9e2ec;padding-top:.5rem;margin-top:1.5rem}
h2{font-size:1.2rem;color:#1b3a57} h3{font-size:1rem}
table{border-collapse:collapse;font-size:.82rem;margin:.5rem 0 1rem}
th,td{border-bottom:1px solid #d9e2ec;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f7fa} td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.muted td{color:#9aa5b1}
.note{font-size:.85rem;color:#52606d} .flow{display:flex;gap:1.5rem;flex-wrap:wrap}
.box{border:1px solid #9fb3c8;border-radius:6px;padding:.4rem .7rem;margin:.3rem 0;
  background:#f8fafc}
.arrow{text-align:center;color:#9aa5b1} img{max-width:100%}
"""

_SCRIPT = """
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  var original = console.error;
  console.error = function () {
    errors.push(Array.prototype.join.call(arguments, " "));
    original.apply(console, arguments);
  };
  document.addEventListener("DOMContentLoaded", function () {
    var ids = %s;
    var found = ids.filter(function (id) { return document.getElementById(id) !== null; });
    document.body.setAttribute("data-sections", found.join(" "));
    document.body.setAttribute("data-errors", JSON.stringify(errors));
  });
})();
"""


def _e(x: object) -> str:
    return html.escape(str(x))


class _Raw(str):
    """Markup built (and escaped) by this module, inserted into a table cell as is."""


def _num(x: object, digits: int = 3) -> str:
    if x is None or (isinstance(x, float | np.floating) and math.isnan(float(x))):
        return "–"
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, float | np.floating):
        return f"{float(x):.{digits}g}" if abs(float(x)) < 1e4 else f"{float(x):.0f}"
    return _e(x)


def _p(p: object) -> str:
    if p is None or (isinstance(p, float | np.floating) and math.isnan(float(p))):
        return "–"
    return "&lt;0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def _table(df: pd.DataFrame, pcols: Iterable[str] = ("p_value",), muted: pd.Series | None = None):
    pcols = set(pcols)
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = []
    for i, (_, r) in enumerate(df.iterrows()):
        cls = ' class="muted"' if muted is not None and bool(muted.iloc[i]) else ""
        cells = []
        for c in df.columns:
            v = r[c]
            if c in pcols:
                cells.append(f'<td class="num">{_p(v)}</td>')
            elif isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
                cells.append(f'<td class="num">{_num(v)}</td>')
            elif isinstance(v, _Raw):
                cells.append(f"<td>{v}</td>")
            else:
                cells.append(f"<td>{_num(v)}</td>")
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _img(b64: str, alt: str) -> str:
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{b64}">'


def _section(key: str, body: str) -> str:
    return f'<section id="{key}"><h2>{_e(SECTIONS[key])}</h2>{body}</section>'


def _design(a: TrialAnalysis) -> str:
    d = a.run.design
    arms = pd.DataFrame(d.get("arms", []))
    facts = [
        ("Treatment weeks", d.get("weeks")),
        ("Baseline weeks", d.get("baseline_weeks")),
        ("Urine cutoff (ng/mL benzoylecgonine)", d.get("urine_cutoff_ng_ml")),
        ("Replicate trials in the run", a.run.manifest.get("replicates", len(a.run.replicates))),
        ("Replicate shown in sections 2-7", a.replicate),
    ]
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_num(v)}</td></tr>" for k, v in facts)
    return f"{_table(arms)}<table>{rows}</table>"


def _flow(a: TrialAnalysis) -> str:
    boxes = []
    for r in a.flow.to_dict("records"):
        boxes.append(
            "<div>"
            f'<div class="box"><b>{_e(r["arm"])}</b>: randomised {r["randomised"]}</div>'
            '<div class="arrow">&darr;</div>'
            f'<div class="box">attended a treatment visit {r["attended a treatment visit"]}</div>'
            '<div class="arrow">&darr;</div>'
            f'<div class="box">completed {r["completed"]}; dropped out {r["dropped out"]} '
            f"(median day {_num(r['median dropout day'])})</div>"
            '<div class="arrow">&darr;</div>'
            f'<div class="box">analysed (intention to treat) '
            f"{r['analysed (intention to treat)']}</div></div>"
        )
    return f'<div class="flow">{"".join(boxes)}</div>{_table(a.flow)}'


def _urine(a: TrialAnalysis) -> str:
    cols = ["arm", "week", "scheduled", "provided", "negative", "negative_missing_positive",
            "negative_of_provided"]  # fmt: skip
    return (
        _img(_plots.urine_figure(a.urine_by_week, a.arms), "Urine-negative proportion by week")
        + '<p class="note">Solid: negative urines over scheduled urines (a missed urine counts '
        "as positive, the primary convention). Dashed: negative over urines provided.</p>"
        + _table(a.urine_by_week[cols])
    )


def _or_table(t: pd.DataFrame) -> pd.DataFrame:
    out = t.copy()
    out["odds ratio"] = np.exp(out["estimate"])
    out["OR 95% CI"] = [
        f"{np.exp(lo):.3g} to {np.exp(hi):.3g}"
        for lo, hi in zip(out["ci_low"], out["ci_high"], strict=True)
    ]
    return out[["term", "estimate", "std_error", "odds ratio", "OR 95% CI", "p_value"]]


def _gee(a: TrialAnalysis) -> str:
    if a.gee is None or a.gee_sensitivity is None or a.subgroups is None:
        reason = "; ".join(n for n in a.notes if n.startswith("GEE")) or "no estimate"
        return f"<p>The GEE model could not be estimated for this trial ({_e(reason)}).</p>"
    sens = a.gee_sensitivity[["analysis", "odds_ratio", "ci_low", "ci_high", "p_value", "n_obs"]]
    notes = "".join(f"<li>{_e(n)}</li>" for n in a.gee.notes) or "<li>none</li>"
    return (
        f"<h3>Primary: {_e(a.gee.method)}</h3>"
        '<p class="note">Logistic GEE of each scheduled urine on arm, week (centred on the mean '
        "treatment week) and arm &times; week, robust standard errors. Estimates are log odds "
        "of a <i>positive</i> urine: an odds ratio below 1 favours the treatment arm.</p>"
        f"{_table(_or_table(a.gee.table))}<p class='note'>Fit warnings: </p><ul>{notes}</ul>"
        "<h3>Sensitivity analyses (arm odds ratio at mid-treatment)</h3>"
        f"{_table(sens)}<h3>Subgroups by baseline use</h3>{_table(a.subgroups)}"
    )


def _endpoints(a: TrialAnalysis) -> str:
    s = a.endpoint_summary.copy()
    links = [
        _Raw(f'<a href="https://doi.org/{_e(doi)}">{_e(c)}</a>' if isinstance(doi, str) else _e(c))
        for c, doi in zip(s["citation"], s["doi"], strict=True)
    ]
    s["citation"] = pd.Series(links, index=s.index, dtype=object)  # keep the _Raw type
    arms = a.arms[:2]
    cols = ["endpoint", "group", "kind", "definition", "missing", *arms, "estimate", "p_value",
            "test", "citation"]  # fmt: skip
    return (
        f'<p class="note">Endpoints computed on each participant\'s weekly use-pattern word '
        f"({_e(', '.join(f'{k} {v}' for k, v in SYMBOLS.items()))}). Estimates are "
        f"{_e(arms[1])} minus {_e(arms[0])} (difference in proportion or mean; log hazard ratio "
        "for time-to-event endpoints). Grey rows are constant in this trial, usually because "
        "the endpoint's window lies beyond the treatment period.</p>"
        + _table(s[cols], muted=s["constant"])
    )


def _retention(a: TrialAnalysis) -> str:
    r = a.retention
    return (
        _img(_plots.retention_figure(r.curves, a.arms), "Kaplan-Meier retention")
        + _table(r.summary)
        + f"<p>Log-rank test across arms: &chi;&sup2; = {r.chi2:.3g}, p = {_p(r.p_value)}.</p>"
    )


def _ratings(a: TrialAnalysis) -> str:
    frames = {k: v[0] for k, v in a.ratings.items()}
    rows = []
    for name, (_, model) in a.ratings.items():
        if model is None:
            continue
        t = model.term()
        rows.append({"rating": name, "term": t["term"], "difference": t["estimate"],
                     "ci_low": t["ci_low"], "ci_high": t["ci_high"], "p_value": t["p_value"],
                     "participants": model.n_subjects})  # fmt: skip
    return (
        _img(_plots.ratings_figure(frames, a.arms), "Craving and anxiety by week")
        + '<p class="note">Linear mixed model with a random intercept per participant: rating '
        "on arm, centred week and arm &times; week; the difference is at mid-treatment.</p>"
        + _table(pd.DataFrame(rows))
    )


def _power(a: TrialAnalysis) -> str:
    if a.power is None:
        return "<p>The run has a single replicate trial, so power cannot be estimated.</p>"
    p = a.power
    s = p.summary[["endpoint", "replicates", "power", "mean_estimate", "share_favouring", "test",
                   "detects"]]  # fmt: skip
    return (
        f'<p class="note">{int(s["replicates"].max())} replicate trials; power = share of '
        f"replicates with p &lt; {p.alpha:g}. An endpoint <b>detects</b> the effect when its power "
        f"is at least {p.target:.0%} and most replicates favour the treatment arm.</p>"
        + _img(_plots.power_figure(p.summary, p.target), "Power per endpoint")
        + _table(s)
    )


def _methods(a: TrialAnalysis) -> str:
    refs = ["odom_2023", "ling_1997", "carroll_2014", "donovan_2012"]
    items = "".join(f"<li>{_e(CITATIONS[k])}</li>" for k in refs)
    notes = "".join(f"<li>{_e(n)}</li>" for n in a.notes)
    m = a.run.manifest
    return (
        "<p>Use-pattern words: one symbol per treatment week; '*' marks a week with both "
        "positive and negative urines, 'o' a week with a urine due but none provided, '_' a week "
        "with no urine visit scheduled. Each endpoint recodes these as its source paper did "
        "(see the 'missing' column). Statistics: GEE (Liang &amp; Zeger 1986), multiple "
        "imputation pooled by Rubin's rules (Rubin 1987), Kaplan-Meier and log-rank, linear "
        "mixed models (Laird &amp; Ware 1982), via statsmodels.</p>"
        f"<ul>{items}</ul>"
        + (f"<h3>Notes</h3><ul>{notes}</ul>" if notes else "")
        + f"<p class='note'>rewardsim {_e(m.get('rewardsim_version', '?'))}, design hash "
        f"{_e(m.get('design_hash', '?'))}, seed {_e(m.get('seed', '?'))}.</p>"
    )


def render_html(a: TrialAnalysis) -> str:
    """The complete report page for ``a``."""
    m = a.run.manifest
    name = a.run.design.get("name", "Trial")
    builders = {"design": _design, "flow": _flow, "urine": _urine, "gee": _gee,
                "endpoints": _endpoints, "retention": _retention, "ratings": _ratings,
                "power": _power, "methods": _methods}  # fmt: skip
    body = "".join(_section(k, builders[k](a)) for k in SECTIONS)
    nav = "".join(f'<a href="#{k}">{_e(v)}</a>' for k, v in SECTIONS.items())
    ids = "[" + ",".join(f'"{k}"' for k in SECTIONS) + "]"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(name)} - rewardsim report</title><style>{_CSS}</style>"
        f"<script>{_SCRIPT % ids}</script></head><body>"
        f"<header><h1>{_e(name)}</h1><p>{_e(m.get('hypothesis', ''))}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>"
    )
