"""How a model is declared: compartments, parameters, covariates, derived
quantities, differential equations and outputs.

A model reads like mrgsolve's blocks (``$PARAM``, ``$CMT``, ``$MAIN``, ``$ODE``,
``$CAPTURE``) written as Python declarations, with one field mrgsolve lacks: the
source of every parameter value.  The right-hand side is a short block of
Python arithmetic in which compartments, parameters, covariates and derived
quantities are plain names, and ``dxdt_<CMT>`` is assigned for each
compartment, exactly as in mrgsolve's ``$ODE``::

    class OneCmt(Model):
        name = "pk1cmt"
        compartments = (Compartment("DEPOT", "mg", "Absorption site"),
                        Compartment("CENT", "mg", "Central compartment"))
        params = (Param("CL", 1.0, "L/h", "Clearance", source="..."), ...)
        ode = '''
        dxdt_DEPOT = -KA * DEPOT
        dxdt_CENT  =  KA * DEPOT - CL / V * CENT
        '''
        outputs = (Output("CP", "CENT / V", "mg/L", "Plasma concentration"),)

Every dosable compartment ``n`` (1-based) gets a bioavailability ``Fn``
(default 1) and a lag time ``ALAGn`` (default 0 h) as ordinary parameters, so
they can carry variability and be given per subject, as in NONMEM.
"""

from __future__ import annotations

import dataclasses
import keyword
import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import ModelSpecError
from ..io._dataset import interval

__all__ = ["Compartment", "Covariate", "Derived", "Model", "Output", "Param"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SOURCE_KINDS = ("calibrated", "assumed", "derived", "default")


@dataclass(frozen=True)
class Compartment:
    """A state of the model: an amount (or a level) that the ODE advances."""

    name: str
    unit: str
    doc: str = ""
    dosable: bool = True
    init: float = 0.0


@dataclass(frozen=True)
class Param:
    """A parameter: typical value, unit, meaning and where the value comes from.

    ``source`` is a citation (author year, journal, table or doi) or starts with
    ``calibrated:`` (to what data), ``assumed:`` (why) or ``derived:`` (from which
    rows).  ``cv`` is the published between-subject coefficient of variation of a
    log-normal ETA (``None`` when no IIV is known).
    """

    name: str
    value: float
    unit: str
    doc: str
    source: str
    cv: float | None = None
    cv_source: str = ""
    lower: float = 0.0
    upper: float = float("inf")


@dataclass(frozen=True)
class Covariate:
    """A subject characteristic (weight, creatinine clearance) with a reference value.

    ``lower`` and ``upper`` bound the values a subject may have (both included); the
    default, ``[0, inf)``, fits physical quantities such as weight or clearance.
    """

    name: str
    value: float
    unit: str
    doc: str
    source: str = ""
    lower: float = 0.0
    upper: float = float("inf")


@dataclass(frozen=True)
class Derived:
    """A quantity computed once per subject from parameters and covariates ($MAIN)."""

    name: str
    expr: str
    unit: str
    doc: str = ""


@dataclass(frozen=True)
class Output:
    """A quantity reported at each output time ($CAPTURE)."""

    name: str
    expr: str
    unit: str
    doc: str = ""


@dataclass(frozen=True)
class ParamRow:
    """One row of a model's parameter table (see :meth:`Model.param_table`)."""

    name: str
    value: float
    unit: str
    doc: str
    source: str
    cv: float | None


class Model:
    """Base class of all rewardsim models.

    Subclasses declare the class attributes below.  An instance holds the
    current typical parameter values, which :meth:`with_params` changes without
    touching the declaration.

    Parameters
    ----------
    **values
        Typical values overriding the declared ones, by parameter name.
    """

    name: str = ""
    description: str = ""
    references: tuple[str, ...] = ()
    compartments: tuple[Compartment, ...] = ()
    params: tuple[Param, ...] = ()
    covariates: tuple[Covariate, ...] = ()
    derived: tuple[Derived, ...] = ()
    ode: str = ""
    outputs: tuple[Output, ...] = ()
    #: True when dx/dt = A(params) x for a constant matrix A: solved exactly.
    linear: bool = False
    #: 1-based compartment receiving doses when a record gives no CMT.
    default_dose_cmt: int = 1

    def __init__(self, **values: float) -> None:
        self._check_declaration()
        self._all_params = self._declared_params() + self._dosing_params()
        self._values = {p.name: float(p.value) for p in self._all_params}
        self._cvs = {p.name: p.cv for p in self._all_params}
        if values:
            self._set_values(values)

    # ------------------------------------------------------------------ names
    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self._all_params)

    @property
    def covariate_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.covariates)

    @property
    def compartment_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.compartments)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.outputs)

    @property
    def all_params(self) -> tuple[Param, ...]:
        """Declared parameters followed by the automatic ``Fn``/``ALAGn``."""
        return self._all_params

    @property
    def values(self) -> dict[str, float]:
        """Current typical value of every parameter, by name."""
        return dict(self._values)

    @property
    def cvs(self) -> dict[str, float | None]:
        """Published between-subject CV of each parameter (None where unknown)."""
        return dict(self._cvs)

    def with_params(self, **values: float) -> Model:
        """Return a copy of the model with some typical values changed.

        >>> from rewardsim.models import pk1cmt
        >>> pk1cmt().with_params(CL=10.0).values["CL"]
        10.0
        """
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._values = dict(self._values)
        new._cvs = dict(self._cvs)
        new._set_values(values)
        return new

    def with_cv(self, **cvs: float | None) -> Model:
        """Return a copy with the between-subject CV of some parameters changed."""
        new = self.with_params()
        for key, cv in cvs.items():
            self._check_name(key)
            if cv is not None and not (0.0 <= float(cv) < 10.0):
                raise ModelSpecError(
                    f"The CV of parameter {key!r} of {self.name} must be in [0, 10). "
                    f"Got {cv!r} instead."
                )
            new._cvs[key] = None if cv is None else float(cv)
        return new

    def param_table(self) -> list[ParamRow]:
        """Rows (name, value, unit, meaning, source, CV) for every parameter."""
        return [
            ParamRow(p.name, self._values[p.name], p.unit, p.doc, p.source, self._cvs[p.name])
            for p in self._all_params
        ]

    def __repr__(self) -> str:
        changed = {
            k: v for k, v in self._values.items() if v != self._declared_value(k)
        }
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------- internals
    def _declared_value(self, name: str) -> float:
        return next(p.value for p in self._all_params if p.name == name)

    def _check_name(self, key: str) -> None:
        if key not in self._values:
            raise ModelSpecError(
                f"Unknown parameter {key!r} for {self.name}; valid: "
                + ", ".join(self.param_names)
            )

    def _set_values(self, values: Mapping[str, float]) -> None:
        spec = {p.name: p for p in self._all_params}
        for key, value in values.items():
            self._check_name(key)
            p = spec[key]
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise ModelSpecError(
                    f"The {key!r} parameter of {self.name} must be a number [{p.unit}]. "
                    f"Got {value!r} instead."
                ) from None
            if not (math.isfinite(v) and p.lower <= v <= p.upper):
                raise ModelSpecError(
                    f"The {key!r} parameter of {self.name} must be a finite number in "
                    f"{interval(p.lower, p.upper)} [{p.unit}]. Got {value!r} instead."
                )
            self._values[key] = v

    def _declared_params(self) -> tuple[Param, ...]:
        return tuple(self.params)

    def _dosing_params(self) -> tuple[Param, ...]:
        declared = {p.name for p in self.params}
        extra: list[Param] = []
        for i, c in enumerate(self.compartments, start=1):
            if not c.dosable:
                continue
            if f"F{i}" not in declared:
                extra.append(
                    Param(f"F{i}", 1.0, "1", f"Bioavailability of doses into {c.name}",
                          source="default: complete bioavailability (NONMEM convention)",
                          upper=1e6)
                )
            if f"ALAG{i}" not in declared:
                extra.append(
                    Param(f"ALAG{i}", 0.0, "h", f"Lag time of doses into {c.name}",
                          source="default: no lag (NONMEM convention)")
                )
        return tuple(extra)

    @classmethod
    def _check_declaration(cls) -> None:
        names: list[str] = []
        groups: Iterable = (cls.compartments, cls.params, cls.covariates, cls.derived)
        for group in groups:
            names += [x.name for x in group]
        for n in names:
            if not _NAME.match(n) or keyword.iskeyword(n):
                raise ModelSpecError(f"Model {cls.name!r}: {n!r} is not a valid name.")
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ModelSpecError(f"Model {cls.name!r}: names declared twice: {sorted(dup)}")
        if not cls.compartments:
            raise ModelSpecError(f"Model {cls.name!r} declares no compartments.")
        for p in cls.params:
            if not p.unit or not p.source:
                raise ModelSpecError(
                    f"Model {cls.name!r}: parameter {p.name!r} needs a unit and a source."
                )
        for cov in cls.covariates:
            if not (math.isfinite(cov.value) and cov.lower <= cov.value <= cov.upper):
                raise ModelSpecError(
                    f"Model {cls.name!r}: covariate {cov.name!r} has reference value "
                    f"{cov.value!r} outside its range {interval(cov.lower, cov.upper)}."
                )
        for c in cls.compartments:
            if f"dxdt_{c.name}" not in cls.ode:
                raise ModelSpecError(
                    f"Model {cls.name!r}: the ode block never assigns dxdt_{c.name}."
                )

    def ode_source(self) -> str:
        """The ODE block, dedented."""
        return textwrap.dedent(self.ode).strip("\n")


def replace_param(p: Param, **changes: object) -> Param:
    """A copy of a :class:`Param` with fields changed (for model variants)."""
    return dataclasses.replace(p, **changes)  # type: ignore[arg-type]

