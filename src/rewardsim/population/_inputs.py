"""Everything the population kernel needs besides the people: built once per process.

The person model is the trial's: the same parameter vector (behaviour, measurement, care;
:func:`rewardsim.trial._cohort.parameter_vector`), the same reward circuit and its tables,
the same unit responses for urine BE and CSF baclofen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..engine import Param
from ..models.behaviour import ROUTES
from ..models.care import CARE_KINDS, care_values
from ..models.circuit_daily import DailyCircuit
from ..trial._cohort import parameter_vector
from ..trial._design import parse_design
from ..trial._exposure import baclofen_points, cocaine_unit_responses

__all__ = ["PARAMS", "Inputs", "inputs"]

PARAMS: tuple[Param, ...] = (  # name, typical value, unit, meaning, source
    Param("WW_ANXIETY", 1.5, "1",
          "Factor on the weight of the circuit's anxiety drive (WW) in people with a "
          "co-occurring anxiety disorder",
          "assumed: people with an anxiety disorder use more to relieve withdrawal anxiety; "
          "no effect size in the reference file (1.5: half again the weight)"),
)

#: Use days a month (with every drive at 0) bounding the frequency classes (assumed; see
#: ``_tables.SOURCES['frequency']``).
FREQ_DAYS = (0.0, 4.0, 15.0, 30.0)


def _logit_days(days: float) -> float:
    if days <= 0.0:
        return -math.inf
    if days >= 30.0:
        return math.inf
    return math.log(days / (30.0 - days))


@dataclass(frozen=True)
class Inputs:
    P: np.ndarray
    circuit: DailyCircuit
    decay: np.ndarray
    burn: int
    be_unit: np.ndarray
    csf_unit: np.ndarray
    emax: np.ndarray
    n50: np.ndarray
    band_lo: np.ndarray
    band_hi: np.ndarray
    ww_anxiety: float

    def circuit_args(self) -> tuple:
        c = self.circuit
        return (self.P, c.p, c.tables, c.axes, self.decay)


@lru_cache(maxsize=4)
def inputs(hypothesis: str) -> Inputs:
    """Kernel inputs for a baclofen ``hypothesis`` (cached per process)."""
    design = parse_design({
        "name": "population", "seed": 0, "weeks": 52, "hypothesis": hypothesis,
        "arms": [{"name": "population", "medication": "none"}], "allocation": {"n": 1},
    })  # the trial's defaults for everything a design sets (cutoff, clearance, ...)
    P = parameter_vector(design)
    circuit = DailyCircuit(hypothesis)
    decay = np.array([circuit.decay(2.0), circuit.decay(10.0), circuit.decay(12.0)])
    csf = baclofen_points(design.population.creatinine_clearance_ml_min,
                          [circuit.baclofen_weights(r) for r in ROUTES])
    cv = care_values()
    from ..trial import _layout as TL

    bounds = [_logit_days(d) for d in FREQ_DAYS]
    return Inputs(
        P=P, circuit=circuit, decay=decay, burn=int(P[TL.BURN_IN]),
        be_unit=cocaine_unit_responses(), csf_unit=np.ascontiguousarray(csf),
        emax=np.full(len(CARE_KINDS), cv["EMAX"]), n50=np.full(len(CARE_KINDS), cv["N50"]),
        band_lo=np.array(bounds[:-1]), band_hi=np.array(bounds[1:]),
        ww_anxiety=float(PARAMS[0].value),
    )  # fmt: skip
