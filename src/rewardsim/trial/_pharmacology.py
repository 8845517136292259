"""The bridge from drug exposure to the reward signals the behaviour model learns from.

The reward circuit (:mod:`rewardsim.models.reward_circuit`) runs in hours; a trial runs
in days for thousands of patients. This bridge reduces the circuit to the quantities the
daily behaviour model needs, taking every potency and hypothesis from the circuit model
(nothing is duplicated here; change the circuit and the trial follows):

* **DA signal of a use** ``D``: the circuit's DAT occupancy ``OCC_DAT = CE / (CE +
  KI_DAT)`` at the peak of the use day's binge, with unbound brain cocaine ``CE`` taken as
  unbound peak plasma cocaine, ``FU_COC * Cmax`` (the circuit's equilibrium; its effect
  compartment delay is ignored, as a day has no finer time). ``Cmax`` is the peak plasma
  cocaine of the day's doses (cocaine PK model, linear in the amount; :mod:`._exposure`).
  Occupancy is bounded, so a larger dose gives a larger but saturating signal.
* **Baclofen at the VTA**: the circuit's added GABA-B activation ``D_BAC = XB / (1 + X0 +
  XB)``, ``XB = C / EC50_BAC``, ``X0 = OCC_GABA0 / (1 - OCC_GABA0)``, with ``C`` the day's
  mean CSF baclofen (uM).
* **Anti-craving**: the cocaine-evoked DA rise is burst-dependent in the circuit, and
  baclofen leaves a fraction ``FB = (1 - EMAX_BAC_VTA * D_BAC)^N_BURST`` of burst firing;
  the DA signal of a use and the cue-evoked craving drive are scaled by ``FB``.
* **Anti-anxiety**: the circuit's expressed stress is ``A_ST (1 - EMAX_BAC_ANX * D_BAC)``;
  the withdrawal/anxiety drive is scaled by ``1 - EMAX_BAC_ANX * D_BAC``.
* **Hypotheses** are the circuit's :data:`~rewardsim.models.reward_circuit.HYPOTHESES`
  (values of ``EMAX_BAC_VTA``, ``EMAX_BAC_TONIC``, ``EMAX_BAC_ANX``), plus ``none``: every
  efficacy 0, baclofen without behavioural effect (the null hypothesis).

Measurement: a spot urine's BE is the model's urine BE times a log-normal dilution factor
(``SD_URINE``), drawn per sample; a sample is positive when it is at or above the cutoff.
"""

from __future__ import annotations

from ..engine import Param
from ..models.cocaine_pk import MW_COCAINE
from ..models.reward_circuit import HYPOTHESES as CIRCUIT_HYPOTHESES
from ..models.reward_circuit import RewardCircuit

__all__ = ["HYPOTHESES", "PARAMS", "pharmacology_values"]

#: Hypothesis name -> values of the circuit's baclofen efficacy parameters.
HYPOTHESES: dict[str, dict[str, float]] = {
    **{k: dict(v) for k, v in CIRCUIT_HYPOTHESES.items()},
    "none": dict.fromkeys(next(iter(CIRCUIT_HYPOTHESES.values())), 0.0),
}

PARAMS: tuple[Param, ...] = (
    Param("SD_URINE", 0.5, "log", "SD of the log dilution factor of a spot urine sample",
          "assumed: the cocaine model's urine BE is that of urine formed at a fixed 1.5 L/day; "
          "spot samples are more or less concentrated (the model's limitation noted in "
          "models/cocaine_pk.py); 0.5 gives a 2.7-fold 5th-95th percentile range"),
)


def pharmacology_values(hypothesis: str) -> dict[str, float]:
    """The bridge's values under ``hypothesis``, read from the reward-circuit model."""
    c = RewardCircuit().with_params(**HYPOTHESES[hypothesis]).values
    return {
        "FU": c["FU_COC"],
        "KI_DAT": c["KI_DAT"] * MW_COCAINE,  # uM -> ng/mL of cocaine base
        "EC50_BAC": c["EC50_BAC"],
        "X0_BAC": c["OCC_GABA0"] / (1.0 - c["OCC_GABA0"]),
        "N_BURST": c["N_BURST"],
        "EMAX_VTA": c["EMAX_BAC_VTA"],
        "EMAX_ANX": c["EMAX_BAC_ANX"],
        **{p.name: float(p.value) for p in PARAMS},
    }
