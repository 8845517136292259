"""Laboratory protocol files: TOML validated field by field (pydantic).

A protocol names its species and kind, the sources of its design, the session (length,
step, subjects, seed), the subject (circuit state, baclofen hypothesis), experimenter doses
(``[[dose]]``), and what the kind needs: dialysis bins (``[dialysis]``), an operant schedule
(``[schedule]``, rat self-administration), a medication taken for days before the session
(``[maintenance]``) or choice trials (``[choice]``, human). ``[[condition]]`` tables are the
arms of the experiment: each changes fields of the protocol (tables merge, a ``dose`` list
adds doses), so one file holds a dose-response curve or a pretreatment comparison.

Every field is documented in ``docs/lab.md``. An unknown field, a wrong type or a value out
of range is refused with a :class:`~rewardsim.errors.ProtocolError` naming the field
(``condition[2].schedule.unit_dose``), the value and what is allowed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ProtocolError
from ..io._read import read_toml
from ..models.reward_circuit import HYPOTHESES, RewardCircuit

__all__ = ["KINDS", "ROUTES", "LabProtocol", "Protocol", "load_protocol", "parse_protocol"]

KINDS = ("microdialysis", "self_administration", "doses", "choice")
#: Routes by species and drug.
ROUTES: dict[str, dict[str, tuple[str, ...]]] = {
    "rat": {"cocaine": ("ip", "sc", "iv"), "baclofen": ("ip", "sc", "iv")},
    "human": {"cocaine": ("smoked", "intranasal", "iv"), "baclofen": ("oral",)},
}
_CIRCUIT = {p.name for p in RewardCircuit.params} - {"CP_COC", "CB_BAC"}
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Info(_Strict):
    name: str = Field(min_length=1, max_length=80)
    species: Literal["rat", "human"]
    kind: Literal[KINDS]  # type: ignore[valid-type]
    description: str = ""
    sources: list[Annotated[str, Field(min_length=5)]] = Field(min_length=1)


class Session(_Strict):
    duration_min: float = Field(gt=0.0, le=24.0 * 60.0)
    start_min: float = Field(default=0.0, le=0.0, ge=-7.0 * 24.0 * 60.0)
    step_s: float = Field(default=1.0, ge=0.25, le=10.0)
    n_subjects: int = Field(default=1, ge=1, le=1_000_000)
    seed: int = Field(default=1, ge=0, lt=2**62)
    record_every_s: float = Field(default=60.0, gt=0.0)
    record_subjects: int = Field(default=1, ge=0, le=1000)


class Subject(_Strict):
    hypothesis: Literal[tuple(HYPOTHESES)] = "both"  # type: ignore[valid-type]
    A_DA: Fraction | None = None
    A_ST: Fraction = 0.0
    A_GLU: Fraction = 0.0
    A_PFC: Fraction = 0.0
    cue: Fraction = 0.0
    crcl_ml_min: float = Field(default=100.0, gt=0.0, le=300.0)
    circuit: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names(self) -> Subject:
        bad = sorted(set(self.circuit) - _CIRCUIT)
        if bad:
            raise ValueError(f"unknown circuit parameter(s) {bad} in subject.circuit; "
                             "valid: the RewardCircuit parameters (rewardsim models "
                             "reward-circuit-alone), except the inputs CP_COC and CB_BAC")
        return self


class Dose(_Strict):
    drug: Literal["cocaine", "baclofen"]
    route: str
    amount: float = Field(ge=0.0, le=1e4)
    unit: Literal["mg/kg", "mg"]
    salt: Literal["hcl", "base"] | None = None
    time_min: float
    every_min: float | None = Field(default=None, gt=0.0)
    n: int = Field(default=1, ge=1, le=10_000)


class Dialysis(_Strict):
    bin_min: float = Field(gt=0.0, le=240.0)
    recovery: float = Field(gt=0.0, le=1.0)
    recovery_source: str = Field(min_length=5)
    start_min: float
    n_bins: int = Field(ge=1, le=10_000)
    baseline_bins: int = Field(default=0, ge=0)


class Schedule(_Strict):
    type: Literal["FR", "PR", "DT"]
    unit_dose: float = Field(ge=0.0, le=100.0)
    salt: Literal["hcl", "base"]
    ratio: int = Field(default=1, ge=1, le=10_000)
    infusion_s: float = Field(default=5.0, gt=0.0, le=600.0)
    timeout_s: float = Field(default=20.0, ge=0.0, le=3600.0)
    end_after_min: float | None = Field(default=None, gt=0.0)
    trial_every_min: float | None = Field(default=None, gt=0.0)
    trial_length_min: float | None = Field(default=None, gt=0.0)
    priming: bool = True
    max_infusions: int = Field(default=1000, ge=1, le=100_000)

    @model_validator(mode="after")
    def _kind(self) -> Schedule:
        if self.type == "DT" and (self.trial_every_min is None or self.trial_length_min is None):
            raise ValueError("a discrete-trials schedule (type = 'DT') needs trial_every_min "
                             "and trial_length_min")
        if self.type != "DT" and (self.trial_every_min or self.trial_length_min):
            raise ValueError("trial_every_min and trial_length_min belong to type = 'DT'")
        if self.type == "DT" and self.trial_length_min > self.trial_every_min:  # type: ignore[operator]
            raise ValueError("trial_length_min must not exceed trial_every_min")
        if self.type == "PR" and self.ratio != 1:
            raise ValueError("ratio belongs to FR and DT schedules; a progressive ratio "
                             "follows Richardson & Roberts 1996")
        return self


class Rule(_Strict):
    ST: float | None = Field(default=None, gt=1.0, le=1000.0)
    PT_FRACTION: Fraction | None = None
    RESP: float | None = Field(default=None, ge=0.0, le=100.0)
    OPER: float | None = Field(default=None, ge=0.0, le=100.0)
    ST_CV: float | None = Field(default=None, ge=0.0, le=5.0)
    B0: float | None = Field(default=None, ge=-50.0, le=50.0)
    B_HIGH: float | None = Field(default=None, ge=-50.0, le=50.0)
    B_ALT: float | None = Field(default=None, ge=-50.0, le=50.0)

    def values(self, names: tuple[str, ...]) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if v is not None and k in names}


class Maintenance(_Strict):
    drug: Literal["baclofen"]
    route: Literal["oral"] = "oral"
    dose_mg: float = Field(ge=0.0, le=1000.0)
    every_h: float = Field(gt=0.0, le=48.0)
    days: float = Field(ge=0.0, le=365.0)
    last_dose_min: float = Field(le=0.0, ge=-48.0 * 60.0)


class Choice(_Strict):
    route: str
    dose: float = Field(ge=0.0, le=1e4)
    unit: Literal["mg/kg", "mg"]
    salt: Literal["hcl", "base"]
    trials_min: list[float] = Field(min_length=2)
    alternative: list[float]

    @model_validator(mode="after")
    def _lengths(self) -> Choice:
        if len(self.alternative) != len(self.trials_min) - 1:
            raise ValueError(
                f"alternative needs one value per choice trial after the sample "
                f"({len(self.trials_min) - 1}); got {len(self.alternative)}")
        if any(b <= a for a, b in zip(self.trials_min, self.trials_min[1:], strict=False)):
            raise ValueError("trials_min must increase")
        return self


class Protocol(_Strict):
    protocol: Info
    session: Session
    subject: Subject = Field(default_factory=Subject)
    dose: list[Dose] = Field(default_factory=list)
    dialysis: Dialysis | None = None
    schedule: Schedule | None = None
    rule: Rule = Field(default_factory=Rule)
    maintenance: Maintenance | None = None
    choice: Choice | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Protocol:
        info, ses = self.protocol, self.session
        need = {"microdialysis": "dialysis", "self_administration": "schedule",
                "choice": "choice"}.get(info.kind)
        if need and getattr(self, need) is None:
            raise ValueError(f"a {info.kind!r} protocol needs a [{need}] table")
        if info.kind == "self_administration" and info.species != "rat":
            raise ValueError("self_administration protocols are rat protocols; a human "
                             "protocol uses kind = 'choice'")
        if info.kind == "choice" and info.species != "human":
            raise ValueError("choice protocols are human protocols")
        if info.kind != "self_administration" and self.schedule is not None:
            raise ValueError("[schedule] belongs to kind = 'self_administration'")
        if info.kind != "choice" and self.choice is not None:
            raise ValueError("[choice] belongs to kind = 'choice'")
        if info.species == "rat" and self.maintenance is not None:
            raise ValueError("[maintenance] (days of oral dosing) is a human table; give a "
                             "rat pretreatment as a [[dose]]")
        routes = ROUTES[info.species]
        for i, d in enumerate(self.dose):
            _check_dose(f"dose[{i}]", info.species, d.drug, d.route, d.unit, d.salt, routes)
            for t in _dose_times(d):
                _time_on_grid(f"dose[{i}].time_min", t, ses)
        if self.choice is not None:
            c = self.choice
            _check_dose("choice", info.species, "cocaine", c.route, c.unit, c.salt, routes)
            for t in c.trials_min:
                _time_on_grid("choice.trials_min", t, ses)
        if self.schedule is not None:
            s = self.schedule
            for field in ("infusion_s", "timeout_s"):
                _on_grid(f"schedule.{field}", getattr(s, field) / 60.0, ses, zero_ok=True)
            for field in ("trial_every_min", "trial_length_min", "end_after_min"):
                if getattr(s, field) is not None:
                    _on_grid(f"schedule.{field}", getattr(s, field), ses)
        if self.dialysis is not None:
            dl = self.dialysis
            _on_grid("dialysis.bin_min", dl.bin_min, ses)
            _time_on_grid("dialysis.start_min", dl.start_min, ses)
            end = dl.start_min + dl.n_bins * dl.bin_min
            if dl.start_min < ses.start_min or end > ses.duration_min + 1e-9:
                raise ValueError(
                    f"dialysis bins run from {dl.start_min:g} to {end:g} min, outside the "
                    f"simulated span {ses.start_min:g} to {ses.duration_min:g} min "
                    "(session.start_min, session.duration_min)")
            if dl.baseline_bins > dl.n_bins:
                raise ValueError("dialysis.baseline_bins exceeds dialysis.n_bins")
        if self.maintenance is not None:
            _on_grid("maintenance.every_h", self.maintenance.every_h * 60.0, ses)
            _on_grid("maintenance.last_dose_min", self.maintenance.last_dose_min
                     - ses.start_min, ses, zero_ok=True)
        _on_grid("session.record_every_s", ses.record_every_s / 60.0, ses)
        _on_grid("session.start_min", ses.start_min, ses, zero_ok=True)
        _on_grid("session.duration_min", ses.duration_min - ses.start_min, ses)
        return self


def _dose_times(d: Dose) -> list[float]:
    return [d.time_min + k * (d.every_min or 0.0) for k in range(d.n)]


def _check_dose(where: str, species: str, drug: str, route: str, unit: str,
                salt: str | None, routes: dict[str, tuple[str, ...]]) -> None:
    if route not in routes[drug]:
        raise ValueError(f"{where}.route {route!r} is not a {species} {drug} route; valid: "
                         f"{', '.join(routes[drug])}")
    if species == "rat" and unit != "mg/kg":
        raise ValueError(f"{where}.unit: rat doses are given in mg/kg")
    if drug == "cocaine" and salt is None:
        raise ValueError(f"{where}.salt is required for cocaine: 'hcl' (most injected doses) "
                         "or 'base' (smoked)")
    if drug == "baclofen" and salt is not None:
        raise ValueError(f"{where}.salt belongs to cocaine doses (baclofen is the racemate)")


def _on_grid(where: str, minutes: float, ses: Session, zero_ok: bool = False) -> None:
    """A length (min) must be a whole number of steps (positive unless ``zero_ok``)."""
    steps = minutes * 60.0 / ses.step_s
    if abs(steps - round(steps)) > 1e-6 or (not zero_ok and round(steps) <= 0):
        what = "whole" if zero_ok else "positive whole"
        raise ValueError(f"{where} = {minutes:g} min is not a {what} number of "
                         f"session.step_s ({ses.step_s:g} s)")


def _time_on_grid(where: str, t_min: float, ses: Session) -> None:
    """A time (min) must fall on the step grid inside the simulated span."""
    if not ses.start_min - 1e-9 <= t_min <= ses.duration_min + 1e-9:
        raise ValueError(f"{where} = {t_min:g} min is outside the simulated span "
                         f"{ses.start_min:g} to {ses.duration_min:g} min (session.start_min, "
                         "session.duration_min)")
    _on_grid(where, t_min - ses.start_min, ses, zero_ok=True)


class LabProtocol:
    """A validated protocol: its conditions, each a complete :class:`Protocol`.

    Attributes
    ----------
    data : dict
        The protocol as read (TOML tables).
    conditions : list of (name, Protocol)
        One entry per ``[[condition]]`` (or the protocol itself when it has none).
    """

    def __init__(self, data: dict[str, Any], conditions: list[tuple[str, Protocol]]) -> None:
        self.data = data
        self.conditions = conditions

    @property
    def info(self) -> Info:
        return self.conditions[0][1].protocol

    def __repr__(self) -> str:
        return (f"LabProtocol({self.info.name!r}, {self.info.species}, {self.info.kind}, "
                f"{len(self.conditions)} condition(s))")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key == "dose" and isinstance(value, list):
            out["dose"] = list(out.get("dose", [])) + copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _in(data: Any, loc: tuple[Any, ...]) -> bool:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False
    return True


def _refuse(exc: ValidationError, cond: dict[str, Any] | None, i: int | None) -> ProtocolError:
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    prefix = ""
    if cond is not None and loc and _in(cond, loc):
        prefix = f"condition[{i}]."
    where = prefix + _loc(loc)
    got = err.get("input")
    if err["type"] == "extra_forbidden":
        return ProtocolError(f"Unknown protocol field {where!r}; see docs/lab.md for the "
                             "fields of each table.")
    if err["type"] == "missing":
        return ProtocolError(f"Protocol field {where!r} is required and missing.")
    msg = err["msg"].removeprefix("Value error, ")
    head = f"Protocol field {where!r}: " if where else "Protocol: "
    if cond is not None and not prefix:
        head = (f"Condition {i} ({cond.get('name', '?')!r}): " + head)
    tail = "" if err["type"] == "value_error" else f" Got {got!r} instead."
    return ProtocolError(f"{head}{msg}.{tail}".replace("..", "."))


def parse_protocol(data: dict[str, Any]) -> LabProtocol:
    """Validate a protocol given as a dictionary (e.g. parsed TOML).

    Raises
    ------
    ProtocolError
        Naming the first invalid field, its value and what is allowed.
    """
    if not isinstance(data, dict):
        raise ProtocolError(f"A protocol must be a table of fields. Got {type(data).__name__}.")
    base = {k: v for k, v in data.items() if k != "condition"}
    conds = data.get("condition", [])
    if not isinstance(conds, list) or not all(isinstance(c, dict) for c in conds):
        raise ProtocolError("Protocol field 'condition' must be an array of tables "
                            "([[condition]]).")
    out: list[tuple[str, Protocol]] = []
    names: set[str] = set()
    for i, cond in enumerate(conds or [None]):
        over = {} if cond is None else {k: v for k, v in cond.items() if k != "name"}
        if cond is not None:
            name = cond.get("name")
            if not isinstance(name, str) or not name.strip():
                raise ProtocolError(f"Protocol field 'condition[{i}].name' is required: a "
                                    "label for the condition.")
            if name in names:
                raise ProtocolError(f"Protocol field 'condition[{i}].name': {name!r} is used "
                                    "twice; condition names must differ.")
            bad = sorted(set(over) - set(Protocol.model_fields) - {"protocol"})
            if "protocol" in over or bad:
                raise ProtocolError(
                    f"Unknown protocol field 'condition[{i}].{(bad or ['protocol'])[0]}'; a "
                    "condition may change: " + ", ".join(sorted(set(Protocol.model_fields)
                                                                - {"protocol"})) + ".")
            names.add(name)
        try:
            proto = Protocol.model_validate(_merge(base, over))
        except ValidationError as exc:
            raise _refuse(exc, over if cond is not None else None, i) from None
        out.append((cond["name"] if cond is not None else proto.protocol.name, proto))
    return LabProtocol(data, out)


def load_protocol(path: str | Path) -> LabProtocol:
    """Read and validate a TOML protocol file.

    Examples
    --------
    >>> p = load_protocol("examples/lab/fr1-unit-doses.toml")  # doctest: +SKIP
    >>> [name for name, _ in p.conditions]  # doctest: +SKIP
    ['saline', '0.25 mg/kg', '0.5 mg/kg', '1 mg/kg']
    """
    p = Path(path)
    data = read_toml(p, ProtocolError, "Protocol file")
    return parse_protocol(data)

