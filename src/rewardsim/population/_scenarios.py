"""Scenario files: a population, the status quo of care, and scenarios as differences.

A scenario file is TOML::

    name = "US adults with cocaine use disorder"
    seed = 1
    days = 365

    [population]
    size = 1_700_000

    [status_quo.residential]          # optional: change the default care
    admission_delay_hours = 336

    [scenarios.admission_24h.residential]
    admission_delay_hours = 24

Each ``[scenarios.NAME]`` table holds only what differs from the status quo; it is merged
into the status quo and validated as a whole. Every field is documented in
``docs/population.md``. An unknown key, a wrong type, a value out of range or shares that do
not sum to 1 are refused with a :class:`~rewardsim.errors.PopulationError` naming the field
(``scenarios.fast.residential.admission_delay_hours``), the value and what is allowed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import PopulationError
from ..models.circuit_daily import TRIAL_HYPOTHESES
from ..trial._design import REGIMENS
from ._tables import ATTRIBUTES

__all__ = ["Care", "ScenarioFile", "load_scenarios", "parse_scenarios", "scenario_hash"]

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
EVERY_DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_SHARE_TOL = 1e-6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outpatient(_Strict):
    """Outpatient drug counselling (an episode of ``weeks`` from the person's start day)."""

    weeks: int = Field(default=12, ge=1, le=52)
    counselling_days: list[Weekday] = Field(default_factory=lambda: ["Mon", "Thu"])
    twelve_step_days: list[Weekday] = Field(default_factory=list)
    psychotherapy_days: list[Weekday] = Field(default_factory=list)
    attendance: Probability = 0.8
    baclofen_dose_mg: float = Field(default=0.0, ge=0.0, le=100.0)
    baclofen_regimen: Literal[tuple(REGIMENS)] = "three times daily"  # type: ignore[valid-type]
    baclofen_adherence: Probability = 0.8


class TwelveStep(_Strict):
    """Self-help (12-step) meetings only."""

    weeks: int = Field(default=26, ge=1, le=52)
    meeting_days: list[Weekday] = Field(default_factory=lambda: ["Tue", "Sat"])
    attendance: Probability = 0.6


class Psychotherapy(_Strict):
    """Individual psychotherapy without specialty addiction treatment."""

    weeks: int = Field(default=16, ge=1, le=52)
    session_days: list[Weekday] = Field(default_factory=lambda: ["Wed"])
    attendance: Probability = 0.8


class Residential(_Strict):
    """A residential stay: request, admission delay, no-shows, stay, after discharge."""

    admission_delay_hours: float = Field(default=336.0, ge=0.0, le=24.0 * 365)
    show_up: Probability | None = None
    stay_days: int = Field(default=28, ge=1, le=365)
    completion: Probability = 0.597
    counselling_days: list[Weekday] = Field(default_factory=lambda: list(EVERY_DAY))
    attendance: Probability = 0.95
    travel_days_after_discharge: int = Field(default=0, ge=0, le=365)
    return_cue: float = Field(default=1.0, ge=0.0, le=10.0)
    return_cue_days: int = Field(default=14, ge=0, le=365)
    aftercare_share: Probability = 0.5
    aftercare_weeks: int = Field(default=12, ge=1, le=52)
    aftercare_days: list[Weekday] = Field(default_factory=lambda: ["Mon", "Thu"])


class Care(_Strict):
    """Care in each setting over the year (the status quo, or a scenario)."""

    outpatient: Outpatient = Field(default_factory=Outpatient)
    twelve_step: TwelveStep = Field(default_factory=TwelveStep)
    psychotherapy: Psychotherapy = Field(default_factory=Psychotherapy)
    residential: Residential = Field(default_factory=Residential)


_MARGIN_KEYS = {k: v for k, v in ATTRIBUTES.items() if k != "anxiety"}


class PopulationSpec(_Strict):
    size: int = Field(default=1_700_000, ge=1, le=100_000_000)
    route: dict[str, float] | None = None
    sex: dict[str, float] | None = None
    age: dict[str, float] | None = None
    frequency: dict[str, float] | None = None
    setting: dict[str, float] | None = None
    anxiety: Probability | None = None

    @model_validator(mode="after")
    def _shares(self) -> PopulationSpec:
        for key, levels in _MARGIN_KEYS.items():
            shares = getattr(self, key)
            if shares is None:
                continue
            unknown = sorted(set(shares) - set(levels))
            if unknown:
                raise ValueError(f"population.{key}: unknown level(s) {', '.join(unknown)}; "
                                 f"valid: {', '.join(levels)}")
            bad = {k: v for k, v in shares.items() if not 0.0 <= v <= 1.0}
            if bad:
                raise ValueError(f"population.{key}: shares must be in [0, 1]. Got {bad}")
            total = sum(shares.values())
            if abs(total - 1.0) > _SHARE_TOL:
                raise ValueError(f"population.{key}: shares sum to {total:g}; they must sum "
                                 f"to 1 (levels: {', '.join(levels)})")
        return self

    def margins(self) -> dict[str, list[float]]:
        """One-way margins given in the file (levels in :data:`ATTRIBUTES` order)."""
        out: dict[str, list[float]] = {}
        for key, levels in _MARGIN_KEYS.items():
            shares = getattr(self, key)
            if shares is not None:
                out[key] = [float(shares.get(level, 0.0)) for level in levels]
        if self.anxiety is not None:
            out["anxiety"] = [1.0 - self.anxiety, self.anxiety]
        return out


class ScenarioFile(_Strict):
    """A validated scenario file: population, status quo and scenarios."""

    name: str = Field(default="population", min_length=1, max_length=200)
    seed: int = Field(default=0, ge=0, lt=2**63)
    days: int = Field(default=365, ge=28, le=3650)
    hypothesis: str = "anti_craving"
    population: PopulationSpec = Field(default_factory=PopulationSpec)
    status_quo: Care = Field(default_factory=Care)
    scenarios: dict[str, Care] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ScenarioFile:
        if self.hypothesis not in TRIAL_HYPOTHESES:
            raise ValueError(f"hypothesis: unknown {self.hypothesis!r}; valid: "
                             f"{', '.join(TRIAL_HYPOTHESES)}")
        if "status_quo" in self.scenarios:
            raise ValueError("scenarios.status_quo: the status quo is the [status_quo] table; "
                             "give the scenario another name")
        return self

    @property
    def names(self) -> list[str]:
        """Scenario names, the status quo first."""
        return ["status_quo", *self.scenarios]

    def care(self, name: str) -> Care:
        return self.status_quo if name == "status_quo" else self.scenarios[name]

    def with_size(self, size: int) -> ScenarioFile:
        data = self.model_dump(mode="python")
        data["population"]["size"] = size
        return parse_scenarios(data, merged=True)


def _merge(base: dict[str, Any], diff: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in diff.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not str(p).startswith(("function-", "literal["))]
    return ".".join(parts) or "file"


def _error(exc: ValidationError) -> PopulationError:
    e = exc.errors()[0]
    where = _where(tuple(e["loc"]))
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "extra_forbidden":
        return PopulationError(f"{where}: unknown key; see docs/population.md for the fields")
    if e["type"] == "value_error" and msg.split(":")[0].count(".") > 0:
        return PopulationError(msg)
    return PopulationError(f"{where}: {msg}. Got {e.get('input')!r}")


def parse_scenarios(data: dict[str, Any], *, merged: bool = False) -> ScenarioFile:
    """Validate a scenario mapping (as read from TOML); scenarios are merged into the status
    quo unless ``merged`` (a dump of a :class:`ScenarioFile`)."""
    if not isinstance(data, dict):
        raise PopulationError(f"A scenario file is a table. Got {type(data).__name__}")
    data = copy.deepcopy(data)
    if not merged:
        sq = data.get("status_quo", {})
        scen = data.get("scenarios", {})
        if not isinstance(sq, dict) or not isinstance(scen, dict):
            raise PopulationError("status_quo and scenarios must be tables")
        try:
            base = Care.model_validate(sq).model_dump(mode="python")
        except ValidationError as exc:
            raise _prefixed(exc, "status_quo") from None
        full = {}
        for name, diff in scen.items():
            if not isinstance(diff, dict):
                raise PopulationError(f"scenarios.{name}: a scenario is a table of changes. "
                                      f"Got {diff!r}")
            try:
                Care.model_validate(_merge(base, diff))
            except ValidationError as exc:
                raise _prefixed(exc, f"scenarios.{name}") from None
            full[name] = _merge(base, diff)
        data["scenarios"] = full
    try:
        return ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise _error(exc) from None


def _prefixed(exc: ValidationError, prefix: str) -> PopulationError:
    e = exc.errors()[0]
    where = prefix + "." + _where(tuple(e["loc"]))
    if e["type"] == "extra_forbidden":
        return PopulationError(f"{where}: unknown key; see docs/population.md for the fields")
    msg = e["msg"].removeprefix("Value error, ")
    return PopulationError(f"{where}: {msg}. Got {e.get('input')!r}")


def load_scenarios(path: str | Path) -> ScenarioFile:
    """Read and validate a scenario file (TOML)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PopulationError(f"Cannot read scenario file {str(p)!r}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PopulationError(f"{p.name}: not valid TOML ({exc})") from None
    return parse_scenarios(data)


def scenario_hash(spec: ScenarioFile, version: str) -> str:
    """Hash of everything that determines a run's results (and the rewardsim version)."""
    text = json.dumps({"spec": spec.model_dump(mode="json"), "version": version},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
