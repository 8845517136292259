"""The hypotheses a design space tells apart, and each replicate's efficacy under them.

A hypothesis has a label (a confusion matrix's row), a mechanism (``anti_craving``,
``anti_anxiety``, ``both``, ``none``: which of baclofen's efficacy scales it has) and where
its efficacy comes from:

* ``efficacy = "posterior"`` (the default): each replicate draws its efficacy from the
  mechanism's posterior fitted to Shoptaw et al. 2003 (``docs/inference.md``), or from the
  posterior file ``posterior = "fit.json"``;
* ``efficacy = "assumed"``: the reward circuit's assumed values (1 for each scale the
  mechanism has);
* stated values or priors: ``e_craving = 0.8`` or ``e_anxiety = {uniform = [0.5, 1.0]}``.

``overrides`` replace trial-kernel parameters by name (``WW = 0.0``), for controlled setups
such as the known-answer tests (a hypothesis whose mechanism cannot reach drug use).

Every replicate of a hypothesis is keyed by its label (:func:`replicate_key`), so the
replicates of two hypotheses are independent trials, and the same label gives the same
trials in every design (common random numbers across designs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DesignSpaceError, TargetsError
from ..models.circuit_efficacy import EFFICACY
from ..trial import _kernel as K

__all__ = ["MECHANISMS", "HypothesisSpec", "key32", "replicate_key", "resolve_hypotheses"]

#: Mechanisms, as the pattern (craving effect, anxiety effect) a decision rule looks for.
MECHANISMS: dict[str, tuple[int, int]] = {
    "anti_craving": (1, 0), "anti_anxiety": (0, 1), "both": (1, 1), "none": (0, 0),
}
_FIELDS = ("mechanism", "efficacy", "posterior", "e_craving", "e_anxiety", "overrides")


def key32(text: str) -> int:
    """A stable 32-bit number of ``text`` (a random-number key part)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def replicate_key(label: str, replicate: int) -> int:
    """The trial kernel's replicate key of replicate ``replicate`` of hypothesis ``label``."""
    return (key32("hypothesis:" + label) << 24) | replicate


@dataclass(frozen=True)
class HypothesisSpec:
    """One hypothesis of a space (see the module docstring)."""

    label: str
    mechanism: str
    source: str = "posterior"
    posterior: str | None = None
    fixed: dict[str, float] = field(default_factory=dict)
    uniform: dict[str, tuple[float, float]] = field(default_factory=dict)
    overrides: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: where the efficacy comes from."""
        if self.mechanism == "none":
            return "no efficacy (baclofen without a behavioural effect)"
        if self.source == "posterior":
            where = self.posterior or f"shipped fit to Shoptaw 2003 ({self.mechanism})"
            return f"efficacy drawn per replicate from the posterior: {where}"
        if self.source == "assumed":
            return "efficacy 1 (the reward circuit's assumed values)"
        parts = [f"{k} = {v:g}" for k, v in self.fixed.items()]
        parts += [f"{k} ~ U({a:g}, {b:g})" for k, (a, b) in self.uniform.items()]
        return "stated: " + ", ".join(parts)

    def draws(self, replicates: int, seed: int) -> np.ndarray:
        """Efficacy of each replicate, ``(replicates, 2)``: ``e_craving``, ``e_anxiety``."""
        out = np.zeros((replicates, 2))
        names = EFFICACY[self.mechanism]
        rng = np.random.default_rng([seed, key32("efficacy:" + self.label)])
        if not names:
            return out
        if self.source == "posterior":
            from ..inference._posterior import posterior_draws

            try:
                df = posterior_draws(self.mechanism, replicates, rng, source=self.posterior)
            except TargetsError as exc:
                raise DesignSpaceError(f"hypotheses.{self.label}.posterior: {exc}") from None
            for j, k in enumerate(("e_craving", "e_anxiety")):
                if k in df.columns:
                    out[:, j] = df[k].to_numpy()
            return out
        for j, k in enumerate(("e_craving", "e_anxiety")):
            if k in self.uniform:
                lo, hi = self.uniform[k]
                out[:, j] = rng.uniform(lo, hi, replicates)
            elif k in self.fixed:
                out[:, j] = self.fixed[k]
            elif k in names:  # "assumed"
                out[:, j] = 1.0
        return out


def _efficacy_value(where: str, v: Any) -> tuple[str, Any]:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if not 0.0 <= float(v) <= 1.0:
            raise DesignSpaceError(f"{where} must be in [0, 1] (a fraction of the GABA-B "
                                   f"mediated drive). Got {v!r} instead.")
        return "fixed", float(v)
    if isinstance(v, dict) and set(v) == {"uniform"}:
        u = v["uniform"]
        if (isinstance(u, list) and len(u) == 2
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in u)
                and 0.0 <= u[0] < u[1] <= 1.0):
            return "uniform", (float(u[0]), float(u[1]))
    raise DesignSpaceError(f"{where} must be a number in [0, 1] or {{uniform = [lo, hi]}} with "
                           f"0 <= lo < hi <= 1. Got {v!r} instead.")


def _one(label: str, table: dict[str, Any], root: Path) -> HypothesisSpec:
    where = f"hypotheses.{label}"
    if not isinstance(table, dict):
        raise DesignSpaceError(f"{where} must be a table. Got {table!r} instead.")
    unknown = sorted(set(table) - set(_FIELDS))
    if unknown:
        raise DesignSpaceError(f"Unknown field {where}.{unknown[0]}; valid: {', '.join(_FIELDS)}.")
    mech = table.get("mechanism", label)
    if mech not in MECHANISMS:
        raise DesignSpaceError(f"{where}.mechanism: unknown mechanism {mech!r}; valid: "
                               f"{', '.join(MECHANISMS)} (a label other than these needs a "
                               "mechanism field).")
    allowed = EFFICACY[mech]
    stated = {k: table[k] for k in ("e_craving", "e_anxiety") if k in table}
    for k in stated:
        if k not in allowed:
            raise DesignSpaceError(
                f"{where}.{k}: the {mech} mechanism has no such efficacy; it has "
                f"{', '.join(allowed) or 'none'}.")
    source = table.get("efficacy")
    if source is not None and source not in ("posterior", "assumed"):
        raise DesignSpaceError(f"{where}.efficacy must be 'posterior' or 'assumed'. Got "
                               f"{source!r} instead.")
    if stated and (source is not None or "posterior" in table):
        raise DesignSpaceError(f"{where}: give stated efficacy values or efficacy = "
                               f"{source or 'posterior'!r}, not both.")
    posterior = table.get("posterior")
    if posterior is not None:
        if not isinstance(posterior, str) or source == "assumed":
            raise DesignSpaceError(f"{where}.posterior must be the path of a posterior file "
                                   f"(with efficacy = 'posterior'). Got {posterior!r} instead.")
        posterior = str(root / posterior)
    fixed: dict[str, float] = {}
    uniform: dict[str, tuple[float, float]] = {}
    for k, v in stated.items():
        kind, value = _efficacy_value(f"{where}.{k}", v)
        (fixed if kind == "fixed" else uniform)[k] = value
    if stated:
        missing = [k for k in allowed if k not in stated]
        if missing:
            raise DesignSpaceError(f"{where}: the {mech} mechanism needs {missing[0]} too "
                                   "(stated values or priors for every efficacy it has).")
        source = "stated"
    overrides = table.get("overrides", {})
    if not isinstance(overrides, dict):
        raise DesignSpaceError(f"{where}.overrides must be a table of trial-kernel parameter "
                               f"values. Got {overrides!r} instead.")
    for k, v in overrides.items():
        if k not in K.NAMES:
            raise DesignSpaceError(f"{where}.overrides: unknown parameter {k!r}; valid: the "
                                   f"trial kernel's {', '.join(K.NAMES)}.")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
            raise DesignSpaceError(f"{where}.overrides.{k} must be a finite number. Got "
                                   f"{v!r} instead.")
    h = HypothesisSpec(label=label, mechanism=mech, source=source or (
        "posterior" if allowed else "none"), posterior=posterior, fixed=fixed,
        uniform=uniform, overrides={k: float(v) for k, v in overrides.items()})
    if h.source == "posterior" and allowed:
        h.draws(4, 0)  # the posterior file can be read and has this mechanism
    return h


def resolve_hypotheses(spec: list[str] | dict[str, dict[str, Any]], root: Path
                       ) -> list[HypothesisSpec]:
    """The hypotheses of a space file (a list of mechanism names, or tables by label)."""
    tables = {name: {} for name in spec} if isinstance(spec, list) else dict(spec)
    if isinstance(spec, list) and len(set(spec)) != len(spec):
        raise DesignSpaceError(f"hypotheses repeats a name: {spec}; give tables with "
                               "distinct labels to compare a mechanism with itself.")
    if len(tables) < 2:
        raise DesignSpaceError(f"hypotheses: a design tells hypotheses apart, so it needs at "
                               f"least two. Got {list(tables)}.")
    for label in tables:
        if not label or len(label) > 40:
            raise DesignSpaceError(f"hypotheses: label {label!r} must have 1-40 characters.")
    return [_one(label, t, root) for label, t in tables.items()]
