"""``measurement``: what a trial records of a patient: rating scales, urine, adverse effects.

Methods
-------
Ratings (at rating visits, 10:00). Craving is reported on the Brief Substance Craving Scale
cocaine sum (BSCS, 0-12) and anxiety on the Hamilton Anxiety Rating Scale (HAM-A, 0-56)
(ranges: reference file §11). The scores read the reward circuit's drives at the time of
the visit (:mod:`rewardsim.models.reward_circuit`: ``CRAVE``, ``ANX``, and the GABA-B
activation by baclofen ``D_BAC``), plus three effects that blur what a medication does::

    BSCS  = round(CRAVE_SLOPE CRAVE - PLACEBO_BSCS E + CRAVE_SD z1)           in 0..12
    HAM-A = round(ANX_BASE + trait + ANX_SLOPE ANX - SED_HAMA D_BAC
                  - PLACEBO_HAMA E + ANX_SD z2)                               in 0..56

``E`` is 1 while a patient takes a study medication (placebo or active, double-blind: the
expectancy of improvement), ``trait`` the patient's trait anxiety (normal, SD
``ANX_TRAIT_SD``) and ``z1``, ``z2`` standard normal rating noise. Sedation by baclofen
(drowsiness, the label's most common adverse effect) lowers rated anxiety whatever
baclofen's mechanism: the HAM-A's tension and insomnia items respond to a sedative.

Drowsiness reported at a rating visit: ``P = sigmoid(DROWSY_BASE + DROWSY_SLOPE D_BAC)``.

Urine. A spot urine's BE is the cocaine model's urine BE times a log-normal dilution factor
(``SD_URINE``), drawn per sample; a sample is positive when it is at or above the cutoff.

Values. The scale mappings are anchored to the circuit's own range (derived below); the
drowsiness rates to the label's incidences; the rest is assumed and says why.
"""

from __future__ import annotations

import math

from ..engine import Param
from .reward_circuit import RewardCircuit, circuit_algebra

__all__ = ["PARAMS", "measurement_values"]

_RC = RewardCircuit().values
# The circuit's drives at full adaptation, at home (cue 1), without baclofen.
_FULL = circuit_algebra(_RC, A_DA=1.0, A_ST=1.0, A_GLU=1.0, A_PFC=1.0, CUE=1.0, CB_BAC=0.0)
_CRAVE_MAX = float(_FULL["CRAVE"])
_ANX_MAX = float(_FULL["ANX"])
# Label incidence of drowsiness (one controlled study of 175 patients) and the dosing it
# is translated at: 16 weekly ratings, 20 mg t.i.d., whose VTA GABA-B activation is the
# circuit calibration's cross-check (models/data/reward_circuit_calibration.json).
_LABEL = ("Baclofen tablets, US prescribing information (Lioresal), Adverse Reactions: "
          "transient drowsiness 10-63 %; in one controlled study of 175 patients 63 % on "
          "baclofen vs 36 % on placebo")
_VISITS = 16
_D_BAC_60MG = 0.252


def _per_visit_logit(cumulative: float) -> float:
    p = 1.0 - (1.0 - cumulative) ** (1.0 / _VISITS)
    return math.log(p / (1.0 - p))


PARAMS: tuple[Param, ...] = (  # name, typical value, unit, meaning, source
    Param("CRAVE_SLOPE", 12.0 / _CRAVE_MAX, "points", "BSCS points per unit craving drive",
          f"derived: 12 / {_CRAVE_MAX:.3f}, the circuit's craving drive at full adaptation "
          "with a strong cue and no baclofen, so that maximal craving reaches the top of "
          "the 0-12 BSCS cocaine sum (assumed mapping)"),
    Param("CRAVE_SD", 1.5, "points", "Rating noise of the BSCS",
          "assumed: about one Likert step on each of the scale's items; no test-retest "
          "figure in the reference file"),
    Param("ANX_BASE", 5.0, "points", "HAM-A score without withdrawal anxiety",
          "assumed: below the 17-point 'mild' threshold (reference file section 11)"),
    Param("ANX_SLOPE", 15.0 / _ANX_MAX, "points", "HAM-A points per unit anxiety drive",
          f"derived: 15 / {_ANX_MAX:.3f}, the circuit's anxiety drive at full stress "
          "adaptation, so that it adds 15 points and reaches the 18-24 'mild-moderate' band "
          "(reference file section 11; assumed mapping)"),
    Param("ANX_TRAIT_SD", 4.0, "points", "Between-patient SD of trait anxiety (HAM-A)",
          "assumed: spreads baseline scores over the 0-17 'mild' band (reference file "
          "section 11)"),
    Param("ANX_SD", 3.0, "points", "Rating noise of the HAM-A",
          "assumed: a few points on a 0-56 clinician rating; no test-retest figure in the "
          "reference file"),
    Param("PLACEBO_BSCS", 1.0, "points", "Expectancy: BSCS points lower while on a study "
          "medication (placebo or active)",
          "assumed: self-rated symptoms improve on placebo in double-blind trials; no "
          "cocaine-craving placebo response in the reference file; about one rating-noise SD"),
    Param("PLACEBO_HAMA", 2.0, "points", "Expectancy: HAM-A points lower while on a study "
          "medication (placebo or active)",
          "assumed: as PLACEBO_BSCS, about one HAM-A noise SD"),
    Param("SED_HAMA", 6.0, "points", "HAM-A points lowered per unit GABA-B activation by "
          "baclofen (sedation)",
          "assumed: drowsiness is baclofen's most common adverse effect (" + _LABEL + "); a "
          "sedative relieves the tension and insomnia items (0-4 each); 6 points per unit "
          "activation is 1.5 points at 20 mg t.i.d. (activation ~0.25)"),
    Param("DROWSY_BASE", _per_visit_logit(0.36), "logit",
          "Log-odds of drowsiness reported at a rating visit without baclofen",
          "calibrated: to the label, 36 % of placebo patients reported drowsiness (" + _LABEL
          + "), read as the cumulative incidence over 16 weekly ratings (assumed)",
          lower=-50.0),
    Param("DROWSY_SLOPE", (_per_visit_logit(0.63) - _per_visit_logit(0.36)) / _D_BAC_60MG,
          "logit", "Rise of the log-odds of drowsiness per unit GABA-B activation",
          "calibrated: to the label, 63 % on baclofen vs 36 % on placebo (" + _LABEL + "), "
          "cumulative over 16 weekly ratings at 20 mg t.i.d. (VTA GABA-B activation "
          f"{_D_BAC_60MG}; assumed dosing and schedule: the label gives neither)"),
    Param("DROP_AE", 1.0, "log HR", "Log hazard ratio of dropout per unit GABA-B activation "
          "(adverse effects)",
          "assumed: adverse effects make some patients leave; HR 1.28 at 20 mg t.i.d. "
          "(activation 0.25); no dropout-for-adverse-effect figure in the reference file"),
    Param("SD_URINE", 0.5, "log", "SD of the log dilution factor of a spot urine sample",
          "assumed: the cocaine model's urine BE is that of urine formed at a fixed 1.5 "
          "L/day; spot samples are more or less concentrated (the model's limitation noted "
          "in models/cocaine_pk.py); 0.5 gives a 2.7-fold 5th-95th percentile range"),
)


def measurement_values() -> dict[str, float]:
    """Parameter values by name."""
    return {p.name: float(p.value) for p in PARAMS}
