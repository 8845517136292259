"""Render a :class:`~rewardsim.analysis.TrialAnalysis` as one self-contained HTML file.

The page is laid out by jinja2 templates (``templates/report.html.j2`` with its
``report.css`` and ``report.js``, all inlined): this module only prepares the
values, formatted, with human labels and units, and draws the figures (base64 PNG).
Nothing is loaded from elsewhere; DOIs are plain links. The inline script records
any page error into ``data-errors`` on ``<body>`` and lists the sections and the
figures it found (``data-sections``, ``data-figures``): what the browser test reads.
To restyle the report, copy the templates to a folder and pass it as
``template_dir``; files there take precedence over the shipped ones.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from ..analysis import CITATIONS, ENDPOINTS, TrialAnalysis
from ..analysis._trial import RATING_SCALES
from ..analysis._words import SYMBOLS
from . import _plots
from ._format import (
    cell,
    ci_text,
    endpoint_label,
    is_missing,
    make_figure,
    make_table,
    num,
    p_text,
    pct,
)

__all__ = ["SECTIONS", "render_html"]

#: Section ids, in page order, with their headings.
SECTIONS: dict[str, str] = {
    "design": "Design",
    "flow": "Participant flow (CONSORT)",
    "urine": "Urine results by arm and week",
    "gee": "Primary analysis: GEE of urine results",
    "sensitivity": "Sensitivity analyses",
    "subgroups": "Subgroups by baseline use",
    "endpoints": "Published endpoints",
    "retention": "Retention (Kaplan-Meier)",
    "ratings": "Craving and anxiety",
    "power": "Power across replicate trials",
    "methods": "Methods, conventions and references",
}

_TEMPLATES = Path(__file__).parent / "templates"


# ----------------------------------------------------------------------- sections
def _design(a: TrialAnalysis) -> dict[str, Any]:
    d = a.run.design
    rows = [[cell(x.get("name", "")), cell(x.get("medication", "")),
             cell(num(x.get("dose_mg")), True), cell(x.get("regimen", "")),
             cell(x.get("cotreatment", "")), cell(x.get("setting", "")),
             cell(num(x.get("n")), True)] for x in d.get("arms", [])]  # fmt: skip
    arms = make_table(["Arm", "Medication", "Dose (mg)", "Regimen", "Co-treatment", "Setting",
                   "Patients randomised per trial"], rows)  # fmt: skip
    facts = [
        ("Substance", a.substance),
        ("Treatment weeks", d.get("weeks")),
        ("Baseline (screening) weeks", d.get("baseline_weeks")),
        ("Urine cutoff (ng/mL benzoylecgonine)", d.get("urine_cutoff_ng_ml")),
        ("Replicate trials in the run", a.run.manifest.get("replicates", len(a.run.replicates))),
        ("Replicate shown as the trial (all sections but power)", a.replicate),
    ]
    return {"arms": arms, "facts": make_table(["Item", "Value"],
                                          [[cell(k), cell(num(v), True)] for k, v in facts])}


def _flow(a: TrialAnalysis) -> dict[str, Any]:
    f = a.flow
    arms = [{"arm": r["arm"], "randomised": r["randomised"],
             "attended": r["attended a treatment visit"], "completed": r["completed"],
             "dropped": r["dropped out"], "median_day": num(r["median dropout day"]),
             "analysed": r["analysed (intention to treat)"]} for r in f.to_dict("records")]
    rows = [[cell(r["arm"]), cell(r["randomised"], True),
             cell(r["attended a treatment visit"], True), cell(r["dropped out"], True),
             cell(num(r["median dropout day"]), True), cell(r["completed"], True),
             cell(r["analysed (intention to treat)"], True)] for r in f.to_dict("records")]
    table = make_table(["Arm", "Randomised", "Attended a treatment visit", "Dropped out",
                    "Median dropout day", "Completed", "Analysed (ITT)"], rows)  # fmt: skip
    return {"screening": a.screening, "randomised": int(f["randomised"].sum()), "arms": arms,
            "table": table}


def _urine(a: TrialAnalysis) -> dict[str, Any]:
    u = a.urine_by_week
    rows = [[cell(r["arm"]), cell(int(r["week"]), True), cell(int(r["scheduled"]), True),
             cell(int(r["provided"]), True), cell(int(r["negative"]), True),
             cell(pct(r["negative_missing_positive"]), True),
             cell(ci_text(r["nmp_low"], r["nmp_high"], pct), True),
             cell(pct(r["negative_of_provided"]), True)] for r in u.to_dict("records")]
    table = make_table(["Arm", "Week", "Urines scheduled", "Urines provided", "Negative urines",
                    "Negative, % of scheduled", "95% CI (%)", "Negative, % of provided"],
                   rows)  # fmt: skip
    caption = ("Solid lines: negative urines as a share of scheduled urines (a missed urine "
               "counts as positive, the primary convention); shaded bands: 95% Wilson "
               "confidence intervals of that share (urines treated as independent). Dashed: "
               "negative urines as a share of urines provided.")
    fig = make_figure(_plots.urine_figure(u, a.arms), "Urines negative by arm and week", caption)
    return {"figure": fig, "table": table}


def _gee(a: TrialAnalysis) -> dict[str, Any]:
    if a.gee is None:
        reason = "; ".join(n for n in a.notes if n.startswith("GEE")) or "no estimate"
        return {"available": False,
                "message": f"The GEE model could not be estimated for this trial ({reason})."}
    t = a.gee.table
    rows = [[cell(r["term"]), cell(num(r["estimate"]), True), cell(num(r["std_error"]), True),
             cell(num(math.exp(r["estimate"])), True),
             cell(ci_text(math.exp(r["ci_low"]), math.exp(r["ci_high"])), True),
             cell(p_text(r["p_value"]), True)] for r in t.to_dict("records")]
    note = ("Logistic GEE of each scheduled treatment-phase urine on arm, week (centred on the "
            "mean treatment week) and arm × week, exchangeable working correlation, robust "
            "(sandwich) standard errors; a missed urine counts as positive. Estimates are log "
            "odds of a positive urine: an odds ratio below 1 favours the treatment arm. "
            "Intervals are 95% Wald intervals.")
    return {"available": True, "method": a.gee.method, "note": note,
            "table": make_table(["Term", "Log odds ratio", "Standard error", "Odds ratio",
                             "95% CI (odds ratio)", "p"], rows),
            "warnings": "; ".join(a.gee.notes) or "none"}  # fmt: skip


def _favours(a: TrialAnalysis) -> tuple[str, str]:
    return (f"favours {a.arms[1]}", f"favours {a.arms[0]}")


def _unavailable(a: TrialAnalysis, what: str) -> dict[str, Any]:
    reason = "; ".join(n for n in a.notes if n.startswith("GEE")) or "no estimate"
    return {"available": False, "message": f"The {what} could not be estimated for this "
            f"trial ({reason})."}


def _sensitivity(a: TrialAnalysis) -> dict[str, Any]:
    s = a.gee_sensitivity
    if s is None:
        return _unavailable(a, "sensitivity analyses")
    fig = _plots.forest_figure(s["analysis"], s["odds_ratio"], s["ci_low"], s["ci_high"],
                               xlabel=f"Odds ratio of a positive urine, {a.arms[1]} vs "
                               f"{a.arms[0]}, at mid-treatment (log scale)", ref=1.0,
                               log=True, favours=_favours(a))  # fmt: skip
    rows = [[cell(r["analysis"]), cell(num(r["odds_ratio"]), True),
             cell(ci_text(r["ci_low"], r["ci_high"]), True), cell(p_text(r["p_value"]), True),
             cell(num(int(r["n_obs"])), True)] for r in s.to_dict("records")]
    caption = ("Arm effect under the primary analysis and the sensitivity analyses: missing "
               "urines counted positive with an AR(1) working correlation, missing urines "
               "ignored, and multiple imputation pooled by Rubin's rules. Squares: odds ratios; "
               "bars: 95% confidence intervals.")
    return {"available": True,
            "figure": make_figure(fig, "Forest plot of the sensitivity analyses", caption),
            "table": make_table(["Analysis", "Odds ratio", "95% CI", "p", "Urines analysed"], rows)}


def _subgroups(a: TrialAnalysis) -> dict[str, Any]:
    s = a.subgroups
    if s is None:
        return _unavailable(a, "subgroup analyses")
    fig = _plots.forest_figure(s["subgroup"], s["odds_ratio"], s["ci_low"], s["ci_high"],
                               xlabel="Odds ratio of a positive urine (log scale); the last "
                               "row is a ratio of odds ratios", ref=1.0, log=True,
                               favours=_favours(a))  # fmt: skip
    rows = [[cell(r["subgroup"]), cell(num(int(r["n"])), True),
             cell(num(r["odds_ratio"]), True), cell(ci_text(r["ci_low"], r["ci_high"]), True),
             cell(p_text(r["p_value"]), True), cell(r["note"] or "")]
            for r in s.to_dict("records")]  # fmt: skip
    caption = ("Primary GEE within heavier and lighter baseline users, and the arm × subgroup "
               "interaction in the whole sample. Squares: odds ratios; bars: 95% confidence "
               "intervals.")
    return {"available": True,
            "figure": make_figure(fig, "Forest plot of the subgroup analyses", caption),
            "table": make_table(["Subgroup", "Patients", "Odds ratio", "95% CI", "p", "Note"],
                                rows)}


# measure key -> (title, x label, transform of (est, lo, hi), reference, log scale)
_FOREST_GROUPS = {
    ("risk difference", "logical"): ("Yes/no endpoints", "Difference in % of patients",
                                     lambda x: 100 * x, 0.0, False),
    ("mean difference", "ratio"): ("Proportion endpoints", "Difference in mean (percentage "
                                   "points)", lambda x: 100 * x, 0.0, False),
    ("mean difference", "count"): ("Count endpoints", "Difference in mean count (weeks)",
                                   lambda x: x, 0.0, False),
    ("mean difference", "score"): ("Score endpoints", "Difference in mean score (index "
                                   "points, 0-120)", lambda x: x, 0.0, False),
    ("log hazard ratio", "survival"): ("Time-to-event endpoints", "Hazard ratio (log scale)",
                                       np.exp, 1.0, True),
}  # fmt: skip


def _endpoints(a: TrialAnalysis) -> dict[str, Any]:
    s = a.endpoint_summary
    t_arm, r_arm = a.arms[1], a.arms[0]
    figures = []
    for (measure, kind), (title, xlabel, f, ref, log) in _FOREST_GROUPS.items():
        d = s[(s["measure"] == measure) & (s["kind"] == kind) & ~s["constant"]]
        if d.empty:
            continue
        png = _plots.forest_figure([endpoint_label(n) for n in d["endpoint"]], f(d["estimate"]),
                                   f(d["ci_low"]), f(d["ci_high"]),
                                   xlabel=f"{xlabel}, {t_arm} vs {r_arm}", ref=ref, log=log)
        caption = (f"{title}: {xlabel.lower()}, {t_arm} minus {r_arm} (hazard ratio: {t_arm} "
                   f"over {r_arm}). Squares: estimates; bars: 95% confidence intervals (Wald "
                   "for proportions, Welch t for means, Peto for hazard ratios).")
        figures.append(make_figure(png, f"Forest plot: {title.lower()}", caption))
    rows, muted = [], []
    for r in s.to_dict("records"):
        e = ENDPOINTS[r["endpoint"]]
        scale = 100 if e.kind in ("logical", "ratio") else 1
        est = (lambda x: num(math.exp(x))) if e.kind == "survival" else (
            lambda x, k=scale: num(k * x))
        effect = {"logical": "Difference in % of patients", "ratio": "Difference in mean, "
                  "percentage points", "count": "Difference in mean count (weeks)",
                  "score": "Difference in mean score", "survival": "Hazard ratio"}[e.kind]
        better = ("longer time" if e.kind == "survival" else
                  "higher" if e.higher_is_better else "lower")  # fmt: skip
        doi = r["doi"] if isinstance(r["doi"], str) else None
        rows.append([cell(r["endpoint"]), cell(r["definition"]), cell(r["missing"]),
                     *[cell(r[arm]) for arm in a.arms[:2]], cell(effect),
                     cell(est(r["estimate"]), True),
                     cell(ci_text(r["ci_low"], r["ci_high"], est), True),
                     cell(p_text(r["p_value"]), True), cell(r["test"]), cell(better),
                     cell(r["citation"], href=f"https://doi.org/{doi}" if doi else None)])
        muted.append(bool(r["constant"]))
    hidden = len(ENDPOINTS) - len(s)
    note = (f"Endpoints computed on each patient's weekly use-pattern word "
            f"({', '.join(f'{k} {v}' for k, v in SYMBOLS.items())}). Shown: {len(s)} endpoints")
    if hidden and set(s["substance"]) == {a.substance}:
        note += (f", those defined in {a.substance} trials; the {hidden} others of the library "
                 "(CTNote's, defined in opioid trials) appear with `rewardsim report "
                 "--endpoints all`")
    note += (". p values are not adjusted for the number of endpoints. Grey rows are constant "
             "in this trial (usually because the endpoint's window lies beyond the treatment "
             "period) and are left out of the forest plots.")
    table = make_table(["Endpoint", "Definition", "Missing urines", *[f"{x} (mean or %)" for x in
                    a.arms[:2]], "Effect measure", "Estimate", "95% CI", "p", "Test",
                    "Better", "Source"], rows, muted=muted)  # fmt: skip
    return {"note": note, "figures": figures, "table": table}


def _retention(a: TrialAnalysis) -> dict[str, Any]:
    r = a.retention
    png = _plots.retention_figure(r.curves, r.censored, r.at_risk, a.arms)
    caption = ("Kaplan-Meier estimate of the share of patients still on study; shaded bands: "
               "pointwise 95% confidence intervals (Greenwood variance, log(-log) transform); "
               "ticks: censoring (patients who completed treatment); below: number at risk "
               "every 4 weeks.")
    rows = [[cell(x["arm"]), cell(x["n"], True), cell(x["dropouts"], True),
             cell(pct(x["retained_at_end"], 1), True), cell(num(x["median_days"]), True)]
            for x in r.summary.to_dict("records")]  # fmt: skip
    days = sorted(r.at_risk["day"].unique())
    risk_rows = [[cell(arm)] + [cell(int(n), True) for n in
                 r.at_risk[r.at_risk["arm"] == arm].sort_values("day")["n"]]
                 for arm in a.arms if (r.at_risk["arm"] == arm).any()]  # fmt: skip
    return {"figure": make_figure(png, "Kaplan-Meier retention by arm", caption),
            "table": make_table(["Arm", "Randomised", "Dropped out", "Retained at end (%)",
                             "Median days on study"], rows),
            "at_risk": make_table(["Number at risk, by study day"]
                                  + [f"day {int(d)}" for d in days], risk_rows),
            "logrank": f"Log-rank test across arms: χ² = {r.chi2:.3g}, p = {p_text(r.p_value)}."}


def _ratings(a: TrialAnalysis) -> dict[str, Any]:
    frames = {k: v[0] for k, v in a.ratings.items()}
    png = _plots.ratings_figure(frames, a.arms, RATING_SCALES)
    rows = []
    for name, (_, model) in a.ratings.items():
        if model is None:
            continue
        t = model.term()
        label, (lo, hi) = RATING_SCALES.get(name, (name, (None, None)))
        rows.append([cell(f"{label} ({lo}-{hi})"), cell(num(t["estimate"]), True),
                     cell(ci_text(t["ci_low"], t["ci_high"]), True),
                     cell(p_text(t["p_value"]), True), cell(model.n_subjects, True)])
    caption = ("Mean rating by arm and week; bars: 95% confidence intervals of the weekly "
               "mean (t distribution). Each rating on its own scale: craving, Brief Substance "
               "Craving Scale (BSCS, 0-12); anxiety, Hamilton Anxiety Rating Scale (HAM-A, "
               "0-56).")
    note = ("Linear mixed model with a random intercept per patient: rating on arm, centred "
            f"week and arm × week; the difference ({a.arms[1]} minus {a.arms[0]}, scale "
            "points) is at mid-treatment, with its 95% Wald interval.")
    return {"figure": make_figure(png, "Craving and anxiety by week", caption), "note": note,
            "table": make_table(["Rating (scale range)", "Difference at mid-treatment (points)",
                             "95% CI", "p", "Patients"], rows)}


def _mean_effect(name: str, value: float) -> list[dict[str, Any]]:
    """A power-table estimate on the scale of its endpoint, and that scale's name."""
    e = ENDPOINTS.get(name)
    if e is None:  # the primary GEE: log odds ratio of a positive urine
        return [cell(num(math.exp(value)) if not is_missing(value) else "–", True),
                cell("Odds ratio, positive urine")]
    if e.kind == "survival":
        return [cell(num(math.exp(value)) if not is_missing(value) else "–", True),
                cell("Hazard ratio")]
    if e.kind in ("logical", "ratio"):
        return [cell(num(100 * value), True), cell("Difference, percentage points")]
    return [cell(num(value), True), cell("Difference in mean")]


def _power(a: TrialAnalysis) -> dict[str, Any] | None:
    if a.power is None:
        return None
    p = a.power
    s = p.summary
    labels = {n: endpoint_label(n, 45) for n in s["endpoint"]}
    n_rep = int(s["replicates"].max())
    rows = [[cell(r["endpoint"]), cell(int(r["replicates"]), True),
             cell(pct(r["power"]), True), cell(ci_text(r["power_low"], r["power_high"], pct),
                                                  True),
             *_mean_effect(r["endpoint"], r["mean_estimate"]),
             cell(pct(r["share_favouring"]), True), cell(r["test"]),
             cell("yes" if r["detects"] else "no")] for r in s.to_dict("records")]  # fmt: skip
    note = (f"{n_rep} replicate trials; power = share of replicates with p < {p.alpha:g}, with "
            "its 95% Monte Carlo interval (Wilson). An endpoint <detects> the effect when "
            f"its power is at least {p.target:.0%} and most replicates favour the treatment "
            "arm.").replace("<detects>", "detects")
    fig = make_figure(_plots.power_figure(s, p.target, labels), "Power per endpoint",
                  "Bars: power at the run's sample size; whiskers: 95% Monte Carlo intervals "
                  f"(Wilson, {n_rep} replicates); dashed line: the {p.target:.0%} target; "
                  "coloured bars detect the effect.")
    out: dict[str, Any] = {
        "note": note, "figure": fig,
        "table": make_table(["Endpoint", "Replicates", "Power (%)", "95% MC interval (%)",
                         "Mean effect over replicates", "Effect measure",
                         "Replicates favouring treatment (%)", "Test", "Detects"], rows),
        "curve": None,
    }  # fmt: skip
    c = a.power_curve
    if c is not None and not c.empty:
        run_n = int(a.flow["randomised"].min())
        trials = int(c["trials"].iloc[0])
        png = _plots.power_curve_figure(c, p.target, run_n, labels)
        caption = (f"Power of each endpoint against patients per arm: trials of each size "
                   f"drawn {trials} times from the patients of all {n_rep} replicates "
                   "(without replacement, arm by arm); bands: 95% Monte Carlo intervals "
                   "(Wilson). The primary GEE is not resampled (its power at this run's size "
                   "is in the table above).")
        sizes = sorted(c["n_per_arm"].unique())
        rows = []
        for name, d in c.groupby("endpoint", sort=False):
            d = d.set_index("n_per_arm")
            cells = []
            for n in sizes:
                ci = ci_text(d.loc[n, "power_low"], d.loc[n, "power_high"], pct)
                cells.append(cell(f"{pct(d.loc[n, 'power'])} ({ci})", True))
            rows.append([cell(name), *cells])
        out["curve"] = {"figure": make_figure(png, "Power against sample size", caption),
                        "table": make_table(["Endpoint"] + [f"{n} per arm" for n in sizes], rows,
                                        caption="Power, % (95% Monte Carlo interval)")}
    return out


def _methods(a: TrialAnalysis) -> dict[str, Any]:
    refs = ["odom_2023", "ling_1997", "carroll_2014", "donovan_2012"]
    m = a.run.manifest
    text = ("Use-pattern words: one symbol per treatment week; '*' marks a week with both "
            "positive and negative urines, 'o' a week with a urine due but none provided, '_' "
            "a week with no urine visit scheduled. Each endpoint recodes these as its source "
            "paper did (see the 'Missing urines' column). Statistics: GEE (Liang & Zeger "
            "1986), multiple imputation pooled by Rubin's rules (Rubin 1987), Kaplan-Meier "
            "with Greenwood intervals and the log-rank test, linear mixed models (Laird & Ware "
            "1982), via statsmodels; Wilson intervals for proportions and for Monte Carlo "
            "power. All intervals are 95%.")
    return {"text": text, "references": [str(CITATIONS[k]) for k in refs], "notes": a.notes,
            "provenance": f"rewardsim {m.get('rewardsim_version', '?')}, design hash "
                          f"{m.get('design_hash', '?')}, seed {m.get('seed', '?')}."}


def _environment(template_dir: str | Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(_TEMPLATES))]
    if template_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(str(template_dir)))
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render_html(a: TrialAnalysis, *, template_dir: str | Path | None = None) -> str:
    """The complete report page for ``a`` (templates from ``template_dir`` first, if given)."""
    context = {
        "title": a.run.design.get("name", "Trial"),
        "hypothesis": a.run.manifest.get("hypothesis", ""),
        "sections": SECTIONS, "section_ids": list(SECTIONS),
        "design": _design(a), "flow": _flow(a), "urine": _urine(a), "gee": _gee(a),
        "sensitivity": _sensitivity(a), "subgroups": _subgroups(a),
        "endpoints": _endpoints(a), "retention": _retention(a), "ratings": _ratings(a),
        "power": _power(a), "methods": _methods(a),
    }  # fmt: skip
    return _environment(template_dir).get_template("report.html.j2").render(**context)
