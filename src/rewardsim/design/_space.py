"""Design-space files: a base trial design, the factors to vary, the hypotheses to tell
apart, the decision rules and the costs.

A design-space file is TOML (every field in ``docs/design.md``)::

    name = "Which trial tells anti-craving from anti-anxiety?"
    base = "baclofen-cocaine.toml"        # a trial design file, relative to this file
    replicates = 200
    hypotheses = ["anti_craving", "anti_anxiety", "both", "none"]

    [arms."baclofen 80"]                  # arms besides the base design's, by name
    medication = "baclofen"
    dose_mg = 20
    regimen = "four times daily"

    [measures.urine]                      # what a design records (treatment phase)
    scales = []

    [factors]                             # the full factorial of these levels
    arms = [["placebo", "baclofen"], ["placebo", "baclofen 80"]]
    n_per_arm = [35, 150]
    measures = ["urine", "base"]

    [cost]
    per_patient_week = 150.0

or, instead of ``[factors]``, a listed subset ``[[designs]]`` (one table of levels each).
Each design point becomes a trial :class:`~rewardsim.trial.Design` (validated by the trial
layer, so a value the trial layer refuses is refused here, naming the factor). An unknown
field, factor, arm, measure set or enrichment, an empty space, or a bad hypothesis or rule
is refused with a :class:`~rewardsim.errors.DesignSpaceError` naming it, before anything is
simulated or written.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import DesignSpaceError, TrialDesignError
from ..io._read import read_toml
from ..trial import Design, load_design, parse_design
from ..trial._design import WEEKDAYS, Arm
from ._hypotheses import HypothesisSpec, resolve_hypotheses
from ._rules import resolve_rules
from ._schema import Cost, Enrichment, Factors, Measures, SpaceFile

__all__ = ["FACTORS", "SCALES", "DesignPoint", "DesignSpace", "load_space", "parse_space"]

#: Factors a space can vary.
FACTORS = ("arms", "n_per_arm", "weeks", "enrichment", "measures")
#: Rating scales a design can record: BSCS (craving) and HAM-A (anxiety).
SCALES = ("craving", "anxiety")

@dataclass(frozen=True)
class DesignPoint:
    """One candidate design of a space.

    ``trial`` is the trial-layer design it stands for (run it with ``rewardsim trial``);
    ``planned_cost`` is the cost of everything but screening, which the simulation counts.
    """

    index: int
    id: str
    name: str
    arms: tuple[str, ...]
    n_per_arm: int
    weeks: int
    enrichment: str
    measures: str
    trial: Design
    planned_cost: float
    levels: dict[str, Any] = field(default_factory=dict)

    @property
    def n_total(self) -> int:
        return self.n_per_arm * len(self.arms)


@dataclass
class DesignSpace:
    """A validated design space: the base design, its design points, hypotheses and rules.

    Build it with :func:`load_space` or :func:`parse_space`; run it with
    :func:`rewardsim.design.discriminate`.
    """

    spec: SpaceFile
    base: Design
    base_dir: Path
    arm_library: dict[str, dict[str, Any]]
    enrichments: dict[str, Enrichment]
    measure_sets: dict[str, Measures]
    designs: list[DesignPoint]
    hypotheses: list[HypothesisSpec]
    rules: list[str]

    @property
    def seed(self) -> int:
        return self.base.seed if self.spec.seed is None else self.spec.seed

    @property
    def labels(self) -> list[str]:
        """Hypothesis labels, in file order (the confusion matrices' rows and columns)."""
        return [h.label for h in self.hypotheses]

    def payload(self) -> dict[str, Any]:
        """Everything a worker needs to rebuild this space (JSON-serialisable)."""
        return {"spec": self.spec.model_dump(mode="json"),
                "base": self.base.model_dump(mode="json"), "base_dir": str(self.base_dir)}

    def space_hash(self, version: str) -> str:
        text = json.dumps(self.payload(), sort_keys=True) + "|" + version
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_replicates(self, replicates: int | None = None, seed: int | None = None
                        ) -> DesignSpace:
        """A copy with another number of replicates and/or seed (validated)."""
        data = self.spec.model_dump(mode="python")
        if replicates is not None:
            data["replicates"] = replicates
        if seed is not None:
            data["seed"] = seed
        return parse_space(data, base_dir=self.base_dir, base=self.base)


# ------------------------------------------------------------------ errors
def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and not part.startswith(("function-", "literal[")) and \
                part not in ("list[str]", "dict[str,dict[str,any]]"):
            out += ("." if out else "") + part
    return out


def _refuse(exc: ValidationError) -> DesignSpaceError:
    err = exc.errors()[0]
    loc = _loc(err["loc"])
    if err["type"] == "extra_forbidden":
        parts = [p for p in err["loc"] if isinstance(p, str)]
        if parts[:1] == ["factors"]:
            return DesignSpaceError(f"Unknown factor {parts[-1]!r}; valid factors: "
                                    f"{', '.join(FACTORS)}.")
        return DesignSpaceError(f"Unknown design-space field {loc!r}; see docs/design.md "
                                "for the fields.")
    if err["type"] == "missing":
        return DesignSpaceError(f"Design-space field {loc!r} is required and missing.")
    msg = err["msg"].removeprefix("Value error, ")
    return DesignSpaceError(f"Design-space field {loc!r}: {msg}. Got {err.get('input')!r} "
                            "instead.")


# ------------------------------------------------------------------ building
def _weekday_days(weekdays: list[str], lo: int, hi: int) -> list[int]:
    wd = {WEEKDAYS.index(x) for x in weekdays}
    return [d for d in range(lo, hi + 1) if (d - 1) % 7 in wd]


def _arm_key(arm: dict[str, Any]) -> str:
    """Content of an arm without its name: two arms with the same key are one treatment."""
    return json.dumps({k: v for k, v in arm.items() if k != "name"}, sort_keys=True)


def _arm_library(spec: SpaceFile, base: Design) -> dict[str, dict[str, Any]]:
    lib = {a.name: a.model_dump(mode="json") for a in base.arms}
    for name, table in spec.arms.items():
        if name in lib:
            raise DesignSpaceError(f"arms.{name}: the base design already has an arm {name!r}; "
                                   "give the new arm another name.")
        try:
            arm = Arm.model_validate({**table, "name": name})
        except ValidationError as exc:
            e = exc.errors()[0]
            where = _loc(e["loc"]) or "arm"
            msg = e["msg"].removeprefix("Value error, ")
            raise DesignSpaceError(f"arms.{name}.{where}: {msg} (the trial layer refuses "
                                   f"it). Got {e.get('input')!r}.") from None
        lib[name] = arm.model_dump(mode="json")
    return lib


def _check_arms(where: str, arms: list[str], lib: dict[str, dict[str, Any]]) -> None:
    if not arms:
        raise DesignSpaceError(f"{where}: an arm set needs arms. Got [].")
    unknown = [a for a in arms if a not in lib]
    if unknown:
        raise DesignSpaceError(f"{where}: unknown arm {unknown[0]!r}; valid arms: "
                               f"{', '.join(lib)} (the base design's and [arms]).")
    meds = [lib[a]["medication"] for a in arms]
    if meds[0] == "baclofen":
        raise DesignSpaceError(f"{where}: the first arm is the comparator and must be placebo "
                               f"or no medication; got {arms[0]!r} (baclofen).")
    if "baclofen" not in meds:
        raise DesignSpaceError(f"{where}: {arms} has no baclofen arm to compare.")
    keys = [_arm_key(lib[a]) for a in arms]
    for i, k in enumerate(keys):
        if k in keys[:i]:
            raise DesignSpaceError(f"{where}: arms {arms[keys.index(k)]!r} and {arms[i]!r} are "
                                   "the same treatment; a design needs distinct arms.")


@dataclass(frozen=True)
class _Levels:
    arms: tuple[str, ...]
    n_per_arm: int
    weeks: int
    enrichment: str
    measures: str


def _materialize(space_name: str, label: str, base: Design, lib: dict[str, dict[str, Any]],
                 lv: _Levels, enrich: Enrichment, meas: Measures) -> Design:
    """The trial design of one design point (validated by the trial layer)."""
    data = base.model_dump(mode="python")
    data["name"] = f"{space_name}: {label}"[:200]
    data["arms"] = [dict(lib[a], name=a) for a in lv.arms]
    data["allocation"] = {**data["allocation"], "n": lv.n_per_arm * len(lv.arms),
                          "ratio": None, "block_size": None}
    data["weeks"] = lv.weeks
    baseline_urine = sorted(d for d, k in base.schedule().items() if d <= 0 and "urine" in k)
    last = 7 * lv.weeks
    urine = baseline_urine + _weekday_days(meas.urine_days, 1, last)
    rating: list[int] = []
    if meas.scales:
        first = base.first_day if meas.baseline_ratings else 1
        rating = _weekday_days(meas.rating_days, first, last)
    data["visits"] = {**data["visits"], "urine_study_days": urine, "rating_study_days": rating}
    pop = dict(data["population"])
    for k in ("min_positive_baseline_urines", "min_use_days_per_month"):
        if getattr(enrich, k) is not None:
            pop[k] = getattr(enrich, k)
    data["population"] = pop
    return parse_design(data)


def _planned_cost(cost: Cost, d: Design, meas: Measures) -> float:
    sched = d.schedule()
    urines = sum(1 for k in sched.values() if "urine" in k)
    ratings = sum(1 for k in sched.values() if "rating" in k)
    per_rating = sum(cost.per_rating.get(s, 0.0) for s in meas.scales)
    per_patient = (cost.per_patient + cost.per_patient_week * (d.baseline_weeks + d.weeks)
                   + cost.per_urine * urines + per_rating * ratings)
    return d.allocation.n * per_patient


def _levels_from(entry: dict[str, Any], defaults: dict[str, Any]) -> _Levels:
    v = {**defaults, **{k: x for k, x in entry.items() if x is not None and k != "name"}}
    return _Levels(tuple(v["arms"]), v["n_per_arm"], v["weeks"], v["enrichment"],
                   v["measures"])


def _label(lv: _Levels, varied: set[str]) -> str:
    parts = []
    if "arms" in varied or not varied:
        parts.append(" + ".join(lv.arms))
    parts.append(f"{lv.n_per_arm}/arm")
    if "weeks" in varied:
        parts.append(f"{lv.weeks} wk")
    if "enrichment" in varied:
        parts.append(lv.enrichment)
    if "measures" in varied:
        parts.append(lv.measures)
    return ", ".join(parts)


def parse_space(data: dict[str, Any], *, base_dir: str | Path = ".",
                base: Design | None = None) -> DesignSpace:
    """Validate a design space given as a dictionary (e.g. parsed TOML).

    ``base_dir`` is the folder relative paths (``base``, posterior files, rule files) are
    read from; ``base`` replaces reading the base design file (a design already loaded).

    Raises
    ------
    DesignSpaceError
        Naming the first invalid field, factor, level, arm, hypothesis or rule.
    """
    if not isinstance(data, dict):
        raise DesignSpaceError(f"A design space is a table of fields. Got {type(data).__name__}.")
    try:
        spec = SpaceFile.model_validate(data)
    except ValidationError as exc:
        raise _refuse(exc) from None
    root = Path(base_dir)
    if base is None:
        path = root / spec.base
        try:
            base = load_design(path)
        except TrialDesignError as exc:
            raise DesignSpaceError(f"base = {spec.base!r}: {exc}") from None
    if spec.factors is not None and spec.designs is not None:
        raise DesignSpaceError("Give [factors] (the full factorial) or [[designs]] (a listed "
                               "subset), not both.")
    lib = _arm_library(spec, base)
    enrich = {"all": Enrichment(), **spec.enrichment}
    base_rating_days = sorted({WEEKDAYS[(d - 1) % 7] for d, k in base.schedule().items()
                               if "rating" in k}, key=WEEKDAYS.index)
    base_urine_days = sorted({WEEKDAYS[(d - 1) % 7] for d, k in base.schedule().items()
                              if "urine" in k and d >= 1}, key=WEEKDAYS.index)
    has_baseline_rating = any(d <= 0 and "rating" in k for d, k in base.schedule().items())
    meas = {"base": Measures(urine_days=base_urine_days, rating_days=base_rating_days or ["Mon"],
                             scales=list(SCALES) if base_rating_days else [],
                             baseline_ratings=has_baseline_rating),
            **spec.measures}  # fmt: skip
    for name, e in enrich.items():
        if e.min_baseline_hama is not None and not has_baseline_rating:
            raise DesignSpaceError(
                f"enrichment.{name}.min_baseline_hama needs baseline anxiety ratings, and the "
                "base design has no rating visit in its baseline weeks.")
    for name, m in meas.items():
        if len(set(m.scales)) != len(m.scales):
            raise DesignSpaceError(f"measures.{name}.scales repeats a scale: {m.scales}.")
        if not m.urine_days:
            raise DesignSpaceError(f"measures.{name}.urine_days is empty; every design records "
                                   "urine (the primary outcome).")
    n_base = base.arm_sizes()
    defaults = {"arms": [a.name for a in base.arms], "n_per_arm": min(n_base),
                "weeks": base.weeks, "enrichment": "all", "measures": "base"}
    # One level of each factor at a time, applied to the base: a refused value is named.
    if spec.designs is not None:
        if not spec.designs:
            raise DesignSpaceError("The design space is empty: [[designs]] lists no design.")
        entries = [(f"designs[{i}]", e.model_dump(mode="python"))
                   for i, e in enumerate(spec.designs)]
        varied = {f for f in FACTORS if len({json.dumps(e.get(f)) for _, e in entries}) > 1}
        names = [e.get("name") for _, e in entries]
    else:
        fac = (spec.factors or Factors()).model_dump(mode="python")
        for f, levels in fac.items():
            if levels is not None and not levels:
                raise DesignSpaceError(f"The design space is empty: factors.{f} has no level.")
        entries = []
        grid = [[(f, x) for x in (fac[f] or [defaults[f]])] for f in FACTORS]
        for combo in itertools.product(*grid):
            entries.append((", ".join(f"{f}={x}" for f, x in combo), dict(combo)))
        varied = {f for f in FACTORS if fac[f] is not None and len(fac[f]) > 1}
        names = [None] * len(entries)
        for f, levels in fac.items():
            for j, x in enumerate(levels or []):
                _check_level(f"factors.{f}[{j}]", f, x, spec, base, lib, enrich, meas, defaults)
    for where, e in entries:
        for f in FACTORS:
            if e.get(f) is not None:
                _check_level(f"{where}.{f}", f, e[f], spec, base, lib, enrich, meas, defaults)
    points: list[DesignPoint] = []
    seen: set[str] = set()
    for i, ((where, e), name) in enumerate(zip(entries, names, strict=True)):
        lv = _levels_from(e, defaults)
        label = name or _label(lv, varied)
        if label in seen:
            label = f"{label} ({i + 1})"
        seen.add(label)
        try:
            trial = _materialize(spec.name, label, base, lib, lv, enrich[lv.enrichment],
                                 meas[lv.measures])
        except TrialDesignError as exc:
            raise DesignSpaceError(f"{where}: the trial layer refuses this design: {exc}") \
                from None
        points.append(DesignPoint(
            index=i, id=f"D{i + 1:02d}", name=label, arms=lv.arms, n_per_arm=lv.n_per_arm,
            weeks=lv.weeks, enrichment=lv.enrichment, measures=lv.measures, trial=trial,
            planned_cost=_planned_cost(spec.cost, trial, meas[lv.measures]),
            levels={"arms": list(lv.arms), "n_per_arm": lv.n_per_arm, "weeks": lv.weeks,
                    "enrichment": lv.enrichment, "measures": lv.measures}))  # fmt: skip
    if spec.curve_n_per_arm is not None:
        bad = [n for n in spec.curve_n_per_arm if isinstance(n, bool) or n < 2]
        if bad or not spec.curve_n_per_arm:
            raise DesignSpaceError(f"curve_n_per_arm must list integers >= 2. Got "
                                   f"{spec.curve_n_per_arm!r} instead.")
    hyps = resolve_hypotheses(spec.hypotheses, root)
    rules = resolve_rules(spec.rules, root)
    return DesignSpace(spec=spec, base=base, base_dir=root, arm_library=lib,
                       enrichments=enrich, measure_sets=meas, designs=points,
                       hypotheses=hyps, rules=rules)


def _check_level(where: str, factor: str, x: Any, spec: SpaceFile, base: Design,
                 lib: dict[str, dict[str, Any]], enrich: dict[str, Enrichment],
                 meas: dict[str, Measures], defaults: dict[str, Any]) -> None:
    """Refuse one factor level (applied to the base design alone), naming it."""
    if factor == "arms":
        _check_arms(where, list(x), lib)
    elif factor == "n_per_arm":
        if isinstance(x, bool) or not isinstance(x, int) or x < 2:
            raise DesignSpaceError(f"{where}: patients per arm must be an integer >= 2 (the "
                                   f"analyses compare arms). Got {x!r} instead.")
    elif factor == "enrichment" and x not in enrich:
        raise DesignSpaceError(f"{where}: unknown enrichment {x!r}; valid: "
                               f"{', '.join(enrich)} (define it under [enrichment.{x}]).")
    elif factor == "measures" and x not in meas:
        raise DesignSpaceError(f"{where}: unknown measure set {x!r}; valid: "
                               f"{', '.join(meas)} (define it under [measures.{x}]).")
    lv = _levels_from({factor: x}, defaults)
    try:
        _materialize(spec.name, where, base, lib, lv, enrich[lv.enrichment],
                     meas[lv.measures])
    except TrialDesignError as exc:
        raise DesignSpaceError(f"{where} = {x!r}: the trial layer refuses it: {exc}") from None


def load_space(path: str | Path) -> DesignSpace:
    """Read and validate a design-space file (TOML).

    Examples
    --------
    >>> space = load_space("examples/discriminate-baclofen.toml")  # doctest: +SKIP
    >>> len(space.designs), space.labels  # doctest: +SKIP
    (12, ['anti_craving', 'anti_anxiety', 'both', 'none'])
    """
    p = Path(path)
    data = read_toml(p, DesignSpaceError, "Design-space file")
    return parse_space(data, base_dir=p.parent)


def n_grid(space: DesignSpace, d: DesignPoint) -> list[int]:
    """Patients per arm at which ``d``'s curves are computed (nested subsets of ``d``)."""
    if space.spec.curve_n_per_arm is not None:
        grid = {n for n in space.spec.curve_n_per_arm if n <= d.n_per_arm}
    else:
        grid = {max(2, math.ceil(d.n_per_arm * k / 4)) for k in (1, 2, 3)}
        grid |= {x.n_per_arm for x in space.designs if x.n_per_arm <= d.n_per_arm}
    grid.add(d.n_per_arm)
    return sorted(grid)
