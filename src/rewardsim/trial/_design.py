"""Trial design files: a TOML file validated field by field (pydantic), and its hash.

Study days: day 1 is the first treatment day (randomisation) and a Monday; treatment week
``w`` holds days ``7(w-1)+1 .. 7w``; baseline weeks are ``0, -1, ...`` (week 0 holds days
``-6 .. 0``). Every field is documented in ``docs/trial.md``; an unknown field, a wrong type
or a value out of range is refused with a :class:`~rewardsim.errors.TrialDesignError`
naming the field (``arms[1].regimen``), the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import TrialDesignError
from ..io._read import read_toml
from ..models.behaviour import ROUTES
from ..models.care import CARE_KINDS
from ..models.circuit_daily import TRIAL_HYPOTHESES as HYPOTHESES

__all__ = ["Design", "WEEKDAYS", "REGIMENS", "design_hash", "load_design", "parse_design"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Regimen -> clock hours of the doses.
REGIMENS: dict[str, tuple[int, ...]] = {
    "once daily": (8,),
    "twice daily": (8, 20),
    "three times daily": (8, 14, 20),
    "four times daily": (8, 12, 16, 20),
}
MEDICATIONS = ("baclofen", "placebo", "none")
STRATIFIERS = ("route", "baseline_use", "use_days")

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    # Strict: TOML has types, so "2" for a number or true for an integer is a mistake to
    # refuse, not to coerce (an integer for a float field is still accepted). Every float
    # must be finite.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class CoTreatment(_Strict):
    kind: Literal[CARE_KINDS]  # type: ignore[valid-type]
    days: list[Weekday] = Field(default_factory=lambda: ["Mon"], min_length=1)
    attendance: Probability = 0.8
    effect_log_odds: float | None = Field(default=None, ge=0.0, le=10.0)
    sessions_50: float | None = Field(default=None, gt=0.0)


class Setting(_Strict):
    kind: Literal["outpatient", "residential"] = "outpatient"
    admission_delay_days: int = Field(default=0, ge=0)
    stay_days: int | None = Field(default=None, ge=1)
    travel: list[Annotated[list[int], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list)


class Arm(_Strict):
    name: str = Field(min_length=1, max_length=60)
    medication: Literal["baclofen", "placebo", "none"]
    dose_mg: float = Field(default=0.0, ge=0.0, le=1000.0)
    regimen: Literal[tuple(REGIMENS)] | None = None  # type: ignore[valid-type]
    cotreatment: list[CoTreatment] = Field(default_factory=list)
    setting: Setting = Field(default_factory=Setting)
    adherence: Probability | None = None

    @field_validator("setting", mode="before")
    @classmethod
    def _setting_word(cls, v: Any) -> Any:
        return {"kind": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _regimen(self) -> Arm:
        if self.medication != "none" and self.regimen is None:
            raise ValueError(
                f"arm {self.name!r} gives medication {self.medication!r} but no regimen; "
                f"set regimen to one of {list(REGIMENS)} (or medication = 'none')"
            )
        if self.medication == "baclofen" and self.dose_mg <= 0.0:
            raise ValueError(f"arm {self.name!r}: baclofen needs dose_mg > 0")
        return self


class Allocation(_Strict):
    n: int = Field(ge=1, le=10_000_000)
    ratio: list[Annotated[int, Field(ge=1, le=100)]] | None = None
    stratify_by: list[Literal[STRATIFIERS]] = Field(default_factory=list)  # type: ignore[valid-type]
    block_size: int | None = Field(default=None, ge=1)


class Visits(_Strict):
    urine_days: list[Weekday] = Field(default_factory=lambda: ["Mon", "Wed", "Fri"])
    rating_days: list[Weekday] = Field(default_factory=lambda: ["Mon"])
    urine_study_days: list[int] | None = None
    rating_study_days: list[int] | None = None
    attendance: Probability = 0.85


class Adherence(_Strict):
    p_dose: Probability = 0.8
    between_patient_sd: float = Field(default=0.0, ge=0.0, le=10.0)


class Dropout(_Strict):
    weekly_hazard: float = Field(default=0.006, ge=0.0, lt=1.0)
    use_log_hr: float = Field(default=0.7, ge=0.0, le=10.0)
    withdrawal_log_hr: float = Field(default=math.log(5.0), ge=0.0, le=10.0)


class Population(_Strict):
    route_shares: dict[Literal[ROUTES], Annotated[float, Field(ge=0.0)]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: {"smoked": 0.7, "intranasal": 0.3}
    )
    min_use_days_per_month: float = Field(default=0.0, ge=0.0, lt=30.0)
    min_positive_baseline_urines: int = Field(default=0, ge=0)
    creatinine_clearance_ml_min: float = Field(default=100.0, gt=0.0, le=300.0)

    @field_validator("route_shares")
    @classmethod
    def _shares(cls, v: dict[str, float]) -> dict[str, float]:
        total = math.fsum(v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                f"route shares must sum to 1; {', '.join(f'{k} {x:g}' for k, x in v.items())}"
                f" sum to {total:g}")
        return v


class Output(_Strict):
    daily_use: bool = True
    doses: bool = True


class Design(_Strict):
    """A validated trial design (see ``docs/trial.md`` for every field)."""

    name: str = Field(min_length=1, max_length=200)
    seed: int = Field(ge=0, lt=2**64)
    hypothesis: str = "anti_craving"
    weeks: int = Field(ge=1, le=520)
    baseline_weeks: int = Field(default=2, ge=0, le=52)
    urine_cutoff_ng_ml: float = Field(default=300.0, gt=0.0, le=100_000.0)
    arms: list[Arm] = Field(min_length=1, max_length=20)
    allocation: Allocation
    visits: Visits = Field(default_factory=Visits)
    adherence: Adherence = Field(default_factory=Adherence)
    dropout: Dropout = Field(default_factory=Dropout)
    population: Population = Field(default_factory=Population)
    output: Output = Field(default_factory=Output)

    @field_validator("hypothesis")
    @classmethod
    def _hypothesis(cls, v: str) -> str:
        if v not in HYPOTHESES:
            raise ValueError(f"unknown hypothesis {v!r}; allowed: {', '.join(HYPOTHESES)}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Design:
        _check_consistency(self)
        return self

    # --------------------------------------------------------------- derived
    @property
    def first_day(self) -> int:
        """First recorded study day (first baseline day)."""
        return 1 - 7 * self.baseline_weeks

    @property
    def last_day(self) -> int:
        return 7 * self.weeks

    @property
    def ratio(self) -> list[int]:
        return list(self.allocation.ratio or [1] * len(self.arms))

    def arm_sizes(self) -> list[int]:
        """Patients per arm: ``n`` split by ``ratio``, largest remainders first."""
        r = self.ratio
        exact = [self.allocation.n * x / sum(r) for x in r]
        sizes = [int(math.floor(e)) for e in exact]
        order = sorted(range(len(r)), key=lambda k: (sizes[k] - exact[k], k))
        for k in order[: self.allocation.n - sum(sizes)]:
            sizes[k] += 1
        return sizes

    def schedule(self) -> dict[int, str]:
        """Visit kind (``urine``, ``rating``, ``urine+rating``) by study day."""
        urine = _days(self.visits.urine_study_days, self.visits.urine_days, self)
        rating = _days(self.visits.rating_study_days, self.visits.rating_days, self)
        out = {}
        for d in sorted(urine | rating):
            out[d] = "urine+rating" if d in urine and d in rating else (
                "urine" if d in urine else "rating")
        return out

    def with_overrides(
        self, *, n: int | None = None, n_per_arm: int | None = None, seed: int | None = None,
        hypothesis: str | None = None,
    ) -> Design:
        """A copy with the command-line overrides applied (and validated).

        ``n`` is the number of patients randomised in total, all arms together, as
        ``allocation.n`` in a design file (and ``rewardsim trial --n``); ``n_per_arm``
        instead sets the size of the smallest arm and scales the others by the ratio.
        """
        data = self.model_dump(mode="python")
        if n is not None and n_per_arm is not None:
            raise TrialDesignError("Give n (patients in total) or n_per_arm, not both.")
        if n is not None:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise TrialDesignError(
                    f"The --n override must be a positive integer (patients randomised in "
                    f"total, all arms together). Got {n!r} instead.")
            data["allocation"]["n"] = n
        if n_per_arm is not None:
            if not isinstance(n_per_arm, int) or n_per_arm < 1:
                raise TrialDesignError(
                    f"The --n override must be a positive integer (patients per arm). "
                    f"Got {n_per_arm!r} instead.")
            r, m = self.ratio, min(self.ratio)
            if any((n_per_arm * x) % m for x in r):
                raise TrialDesignError(
                    f"The --n override ({n_per_arm} in the smallest arm) does not split by "
                    f"allocation.ratio {r}; give a multiple of {m}.")
            data["allocation"]["n"] = sum(n_per_arm * x // m for x in r)
        if seed is not None:
            data["seed"] = seed
        if hypothesis is not None:
            data["hypothesis"] = hypothesis
        return parse_design(data)


def _days(explicit: list[int] | None, weekdays: list[str], d: Design) -> set[int]:
    if explicit is not None:
        return set(explicit)
    wd = {WEEKDAYS.index(x) for x in weekdays}
    return {day for day in range(d.first_day, d.last_day + 1) if (day - 1) % 7 in wd}


def _check_consistency(d: Design) -> None:
    names = [a.name for a in d.arms]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"arm names must be unique; repeated: {dup}")
    if d.allocation.ratio is not None and len(d.allocation.ratio) != len(d.arms):
        raise ValueError(
            f"allocation.ratio needs one entry per arm ({len(d.arms)}); got "
            f"{d.allocation.ratio}")
    if min(d.arm_sizes()) < 1:
        raise ValueError(
            f"allocation.n = {d.allocation.n} leaves an arm empty with ratio {d.ratio}")
    bs = d.allocation.block_size
    if bs is not None and bs % sum(d.ratio):
        raise ValueError(
            f"allocation.block_size must be a multiple of the ratio sum {sum(d.ratio)}; "
            f"got {bs}")
    for field in ("urine_study_days", "rating_study_days"):
        days = getattr(d.visits, field)
        if days is None:
            continue
        bad = [x for x in days if not d.first_day <= x <= d.last_day]
        if bad:
            raise ValueError(
                f"visits.{field} has days {bad} outside the trial; allowed: study days "
                f"{d.first_day} to {d.last_day} (baseline from {d.first_day}, treatment "
                f"1 to {d.last_day})")
        if len(set(days)) != len(days):
            raise ValueError(f"visits.{field} repeats a day: {days}")
    n_baseline_urines = sum(1 for day, k in d.schedule().items() if day <= 0 and "urine" in k)
    if d.population.min_positive_baseline_urines > n_baseline_urines:
        raise ValueError(
            f"population.min_positive_baseline_urines = "
            f"{d.population.min_positive_baseline_urines} exceeds the {n_baseline_urines} "
            f"baseline urine visits of the schedule")
    for i, arm in enumerate(d.arms):
        s = arm.setting
        where = f"arms[{i}].setting"
        if s.admission_delay_days >= d.last_day:
            raise ValueError(
                f"{where}.admission_delay_days = {s.admission_delay_days} is not inside the "
                f"{d.last_day}-day treatment period")
        if s.kind == "outpatient" and (s.stay_days is not None or s.admission_delay_days):
            raise ValueError(f"{where}: stay_days and admission_delay_days need kind "
                             f"'residential'")
        for a, b in s.travel:
            if not 1 <= a <= b <= d.last_day:
                raise ValueError(
                    f"{where}.travel period [{a}, {b}] is outside the treatment days 1 to "
                    f"{d.last_day} (or ends before it starts)")


# ------------------------------------------------------------------ errors
def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and not part.startswith(("function-", "literal[")):
            out += ("." if out else "") + part
    return out


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Design
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if info is None:
            return []
        ann = info.annotation
        for cand in (ann, *getattr(ann, "__args__", ())):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                model = cand
                break
            inner = getattr(cand, "__args__", ())
            sub = [c for c in inner if isinstance(c, type) and issubclass(c, BaseModel)]
            if sub:
                model = sub[0]
                break
    return list(getattr(model, "model_fields", {}))


def _refuse(exc: ValidationError) -> TrialDesignError:
    err = exc.errors()[0]
    loc = _loc(err["loc"])
    if err["type"] == "extra_forbidden":
        valid = _fields_at(err["loc"])
        return TrialDesignError(
            f"Unknown design field {loc!r}; valid fields here: {', '.join(valid)}.")
    if err["type"] == "missing":
        return TrialDesignError(f"Design field {loc!r} is required and missing.")
    msg = err["msg"].removeprefix("Value error, ")
    where = f"Design field {loc!r}: " if loc else "Design: "
    got = err.get("input")
    tail = "" if err["type"] == "value_error" else f" Got {got!r} instead."
    return TrialDesignError(f"{where}{msg}.{tail}".replace("..", "."))


def parse_design(data: dict[str, Any]) -> Design:
    """Validate a design given as a dictionary (e.g. parsed TOML).

    Raises
    ------
    TrialDesignError
        Naming the first invalid field, its value and what is allowed.
    """
    if not isinstance(data, dict):
        raise TrialDesignError(f"A design must be a table of fields. Got {type(data).__name__}.")
    try:
        return Design.model_validate(data)
    except ValidationError as exc:
        raise _refuse(exc) from None


def load_design(path: str | Path) -> Design:
    """Read and validate a TOML design file.

    Examples
    --------
    >>> load_design("examples/baclofen-cocaine.toml").arm_sizes()  # doctest: +SKIP
    [35, 35]
    """
    p = Path(path)
    data = read_toml(p, TrialDesignError, "Design file")
    return parse_design(data)


def design_hash(design: Design, version: str) -> str:
    """First 16 hex digits of SHA-256 over the design's canonical JSON and the version."""
    text = json.dumps(design.model_dump(mode="json"), sort_keys=True) + "|" + version
    return hashlib.sha256(text.encode()).hexdigest()[:16]
