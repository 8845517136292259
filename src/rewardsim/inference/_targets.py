"""Targets files: a trial's published statistics, each with its value, uncertainty and
source, and the design that produced them.

```toml
name = "Shoptaw et al. 2003"
design = "shoptaw-2003.toml"          # relative to this file
source = "Shoptaw S et al. 2003, J Clin Psychiatry 64(12):1440-1448"

[statistics.gee_arm_chi2]
value = 5.34                          # chi-square, signed: + favours baclofen
uncertainty = 0.005                   # SD of the reported value (here: its rounding)
source = "abstract: chi2 = 5.34, df = 1, p = .021"

[statistics.craving_p]
value = 0.05
relation = ">="                       # reported only as not significant
uncertainty = 0.0
source = "abstract: no significant difference in cocaine craving"
```

:data:`STATISTICS` lists the statistics a targets file can name. A file with an unknown
statistic, a missing value or uncertainty, or a statistic its design cannot produce is
refused with a :class:`~rewardsim.errors.TargetsError` naming it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RewardsimError, TargetsError
from ..io._read import read_toml
from ..trial import Design, load_design

__all__ = ["STATISTICS", "Target", "Targets", "load_targets", "parse_targets"]

# name -> (test or figure, scale, meaning). Scales: "chi2" signed chi-square (z**2 with the
# sign of z), "p" two-sided p value, "urines" mean BE-free urines per patient.
STATISTICS: dict[str, tuple[str, str, str]] = {
    "gee_arm_chi2": ("gee_arm", "chi2",
                     "GEE of BE-free urines on arm: Wald chi-square, + favours baclofen"),
    "gee_arm_p": ("gee_arm", "p", "GEE of BE-free urines on arm: p value"),
    "gee_baseline_baclofen_chi2": (
        "gee_baseline_medication", "chi2", "baclofen arm: GEE of BE-free urines on "
        "baseline BE-positive urines, Wald chi-square, + rising with baseline use"),
    "gee_baseline_baclofen_p": ("gee_baseline_medication", "p",
                                "baclofen arm: baseline-use gradient, p value"),
    "gee_baseline_placebo_chi2": ("gee_baseline_control", "chi2",
                                  "placebo arm: baseline-use gradient, signed chi-square"),
    "gee_baseline_placebo_p": ("gee_baseline_control", "p",
                               "placebo arm: baseline-use gradient, p value"),
    "be_free_urines_p": ("be_free_urines", "p",
                         "Welch t test of BE-free urines per patient: p value"),
    "retention_p": ("retention", "p", "log-rank test of time in study: p value"),
    "craving_p": ("craving", "p", "Welch t test of mean craving (BSCS) per patient: p value"),
    "adverse_events_p": ("adverse_events", "p",
                         "chi-square test of patients reporting drowsiness: p value"),
    "be_free_urines_baclofen": ("be_free_medication", "urines",
                                "mean BE-free urines per patient, baclofen arm"),
    "be_free_urines_placebo": ("be_free_control", "urines",
                               "mean BE-free urines per patient, placebo arm"),
}
RELATIONS = ("=", ">=", "<")
_FIELDS = ("value", "uncertainty", "relation", "source")


@dataclass(frozen=True)
class Target:
    """One published statistic: ``value`` (with ``relation``: ``=``, or ``>=``/``<`` for
    a p value reported only as (not) significant), its ``uncertainty`` (SD on the
    statistic's scale) and ``source``."""

    name: str
    value: float
    uncertainty: float
    relation: str
    source: str

    @property
    def test(self) -> str:
        return STATISTICS[self.name][0]

    @property
    def scale(self) -> str:
        return STATISTICS[self.name][1]


@dataclass(frozen=True)
class Targets:
    """A validated targets file: its statistics and the design they come from."""

    name: str
    source: str
    design: Design
    design_path: Path
    targets: tuple[Target, ...]

    def names(self) -> list[str]:
        return [t.name for t in self.targets]


def _needs(design: Design, name: str) -> str | None:
    """Why ``design`` cannot produce statistic ``name`` (None if it can)."""
    meds = [a.medication for a in design.arms]
    if meds.count("baclofen") != 1 or meds.count("placebo") != 1 or len(meds) != 2:
        return ("it needs a design with one baclofen arm and one placebo arm; the design "
                f"has arms {[(a.name, a.medication) for a in design.arms]}")
    sched = design.schedule()
    test = STATISTICS[name][0]
    if not any(d >= 1 and "urine" in k for d, k in sched.items()):
        return "it needs urine visits in the treatment weeks; the design has none"
    if test.startswith("gee_baseline") and not any(
            d <= 0 and "urine" in k for d, k in sched.items()):
        return ("it needs urine visits in the baseline weeks; the design has none "
                f"(baseline_weeks = {design.baseline_weeks})")
    if test in ("craving", "adverse_events") and not any(
            d >= 1 and "rating" in k for d, k in sched.items()):
        return "it needs rating visits in the treatment weeks; the design has none"
    return None


def _number(where: str, field: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise TargetsError(f"{where}: {field} must be a finite number. Got {v!r} instead.")
    return float(v)


def parse_targets(data: dict[str, Any], base: Path) -> Targets:
    """Validate a targets file given as a dictionary (``base``: its folder).

    Raises
    ------
    TargetsError
        Naming the statistic or field that is wrong, what was given and what is allowed.
    """
    unknown = sorted(set(data) - {"name", "design", "source", "statistics"})
    if unknown:
        raise TargetsError(f"Unknown targets field {unknown[0]!r}; valid fields: name, design, "
                           "source, statistics.")
    for key in ("name", "design", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise TargetsError(f"Targets field {key!r} is required (text). Got "
                               f"{data.get(key)!r} instead.")
    stats_in = data.get("statistics")
    if not isinstance(stats_in, dict) or not stats_in:
        raise TargetsError("Targets field 'statistics' is required: one table per statistic, "
                           f"e.g. [statistics.gee_arm_chi2]; valid names: {', '.join(STATISTICS)}.")
    design_path = (base / data["design"]).resolve()
    try:
        design = load_design(design_path)
    except RewardsimError as exc:
        raise TargetsError(f"Targets field 'design' = {data['design']!r}: {exc}") from None
    out = []
    for name, spec in stats_in.items():
        where = f"Statistic {name!r}"
        if name not in STATISTICS:
            raise TargetsError(f"Unknown statistic {name!r}; valid: {', '.join(STATISTICS)}.")
        if not isinstance(spec, dict):
            raise TargetsError(f"{where} must be a table with value, uncertainty and source.")
        extra = sorted(set(spec) - set(_FIELDS))
        if extra:
            raise TargetsError(f"{where}: unknown field {extra[0]!r}; valid: "
                               f"{', '.join(_FIELDS)}.")
        for field in ("value", "uncertainty", "source"):
            if field not in spec:
                raise TargetsError(f"{where} has no {field}; give value, uncertainty and source.")
        value = _number(where, "value", spec["value"])
        unc = _number(where, "uncertainty", spec["uncertainty"])
        if unc < 0:
            raise TargetsError(f"{where}: uncertainty must be >= 0. Got {unc!r} instead.")
        rel = spec.get("relation", "=")
        scale = STATISTICS[name][1]
        if rel not in RELATIONS or (rel != "=" and scale != "p"):
            allowed = "'=', '>=' or '<'" if scale == "p" else "'=' (>= and < are for p values)"
            raise TargetsError(f"{where}: relation must be {allowed}. Got {rel!r} instead.")
        if scale == "p" and not 0.0 < value <= 1.0:
            raise TargetsError(f"{where}: a p value must be in (0, 1]. Got {value!r} instead.")
        if not isinstance(spec["source"], str) or not spec["source"].strip():
            raise TargetsError(f"{where}: source must be text naming where the value is "
                               "published.")
        why = _needs(design, name)
        if why is not None:
            raise TargetsError(f"{where} cannot be produced by the design "
                               f"{data['design']!r}: {why}.")
        out.append(Target(name, value, unc, rel, spec["source"].strip()))
    tests = [t.test for t in out]
    dup = sorted({t.name for t in out if tests.count(t.test) > 1})
    if dup:
        raise TargetsError(f"Statistics {dup} state the same test twice; keep one of them.")
    return Targets(data["name"], data["source"], design, design_path, tuple(out))


def load_targets(path: str | Path) -> Targets:
    """Read and validate a targets file (TOML); its design is read relative to it."""
    p = Path(path)
    data = read_toml(p, TargetsError, "Targets file")
    return parse_targets(data, p.parent)
