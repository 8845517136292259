"""``behaviour``: each virtual patient's daily decision to use cocaine, and what a use teaches.

Methods
-------
Structure. One decision a day, taken in the evening. The chance of using is a logistic
function of the patient's drives; a use delivers a dopamine (DA) signal computed from the
cocaine dose by the pharmacology bridge (:mod:`rewardsim.trial._pharmacology`, which reads
the reward-circuit model), and that signal updates the learned value of using, the reward
threshold and dependence, which set the next day's drives. Symbols (dimensionless unless
a unit is given)::

    craving drive     Cr  = (1 - E_ac) * cue * (Q / (Q + Q50) + kappa)
    withdrawal drive  W   = (1 - E_aa) * A
    fluctuation       x_t = r x_(t-1) + sqrt(1 - r^2) z_t,  r = exp(-1/TAU_X), z_t ~ N(0, 1)
    log-odds of use   eta = b_i + SD_X * x_t + WC_i * Cr + WW_i * W - care
    P(use today)      p   = access / (1 + exp(-eta))

``b_i`` is the patient's baseline propensity (normal between patients); ``cue`` is the
drug-cue exposure of the day's setting (1 at home, lower while travelling or in
residential care, :mod:`rewardsim.models.care`); ``access`` is 0 inside a residential
unit; ``x`` is a slow random fluctuation of the propensity (life events, money, company;
stationary SD 1); ``care`` is the counselling effect
(:func:`rewardsim.models.care.care_effect`); ``E_ac``/``E_aa`` are baclofen's
anti-craving and anti-anxiety effects under the trial's hypothesis (0 without baclofen).

Learning. On a use day with DA signal ``D`` (peak DAT occupancy, scaled by ``1 - E_ac``),
the value of using follows temporal-difference learning in which the drug's DA surge
cannot be predicted away (Redish 2004), with a reward threshold raised by long use
standing for the average-reward term of Dezfouli et al. (2009)::

    delta = max(r - kappa - Q + D, D),   r = D
    Q     <- Q + ALPHA * delta
    kappa <- kappa + K_UP * (1 - kappa)        (threshold rises with use)
    A     <- A + A_UP * (1 - A)                (dependence rises with use)

Because ``delta >= D > 0``, every use raises Q (Redish's non-compensable surge); the
saturating ``Q / (Q + Q50)`` keeps the drive bounded. On a day without use, Q
extinguishes in proportion to cue exposure without drug, and the threshold and dependence
recover::

    Q <- Q * (1 - EXT * cue),   kappa <- kappa * (1 - K_DOWN),   A <- A * exp(-1 / TAU_A)

The recovery rates are the reward circuit's adaptation half-lives (glutamate drug memory,
dopamine tone, stress system; :mod:`rewardsim.models.reward_circuit`), not new numbers.

Amount and route. The route (smoked, intranasal, IV) is fixed per patient; the amount used
on a use day is log-normal around the patient's typical amount, which is log-normal around
the route's median. A use day is a binge of equal hits starting at 20:00 (:data:`BINGE`).

Scales. Craving is reported on the Brief Substance Craving Scale cocaine sum (0-12) and
anxiety on the Hamilton Anxiety Rating Scale (0-56) (ranges: reference file section 11);
the mapping from drive to score is assumed (``CRAVE_*``, ``ANX_*``).

Values. ``B_MU``, ``B_SD``, ``WC`` and ``SD_X`` are calibrated to the cocaine urine
results of CTN-0094 (:func:`rewardsim.trial.calibrate_behaviour`; fitted values in
``models/data/behaviour_calibration.json``); ``EXT``, ``K_DOWN`` and ``TAU_A`` are derived
from the reward circuit; every other value is assumed and says why.

References
----------
Redish AD 2004, "Addiction as a computational process gone awry", Science 306:1944-1947,
doi:10.1126/science.1102384.
Dezfouli A, Piray P, Keramati MM, Ekhtiari H, Lucas C, Mokri A 2009, "A neurocomputational
model for cocaine addiction", Neural Computation 21:2869-2893.
Balise R, Odom G, Calderon A 2023, public.ctn0094data (CTN-0094 urine results).
"""

from __future__ import annotations

import json
import math
from importlib import resources

from numba import njit

from ..engine import Param
from .reward_circuit import RewardCircuit

__all__ = [
    "BINGE", "CALIBRATED", "PARAMS", "ROUTES", "USE_START_H", "behaviour_values",
    "craving_drive", "learn_abstain", "learn_use", "use_log_odds",
]  # fmt: skip

#: Routes in kernel order; a patient's route is fixed.
ROUTES: tuple[str, ...] = ("smoked", "intranasal", "iv")
#: Clock time (h) of the first hit of a use day.
USE_START_H = 20.0
#: Hits per use day and hours between hits, by route (the day's amount is split equally).
BINGE: dict[str, tuple[int, float]] = {"smoked": (6, 0.5), "intranasal": (2, 1.0), "iv": (3, 1.0)}

_RC = RewardCircuit().values
_CAL = "calibrated: CTN-0094 cocaine urine results (weekly positive rate, week-to-week "
_CAL += "transitions, negative-run lengths); see docs/trial.md"

PARAMS: tuple[Param, ...] = (  # name, typical value, unit, meaning, source
    Param("B_MU", -3.0, "logit/day", "Mean of the patient's baseline use log-odds b_i", _CAL,
          lower=-20.0, upper=20.0),
    Param("B_SD", 2.0, "logit/day", "Between-patient SD of b_i (normal)", _CAL, upper=20.0),
    Param("WC", 2.0, "logit", "Weight of the craving drive on the log-odds of use", _CAL,
          upper=50.0),
    Param("SD_X", 1.0, "logit/day", "SD of the slow fluctuation x of the log-odds of use", _CAL,
          upper=20.0),
    Param("TAU_X", 14.0, "day", "Time constant of the fluctuation x (AR(1), stationary SD 1)",
          "assumed: life events, money and company change over weeks; the size is fitted "
          "(SD_X), the time scale is not identifiable from weekly urines and is fixed"),
    Param("WW", 1.0, "logit", "Weight of the withdrawal/anxiety drive on the log-odds of use",
          "assumed: same order as the craving weight; not identifiable from urine results "
          "alone (dependence and craving both rise with use)", upper=50.0),
    Param("ALPHA", 0.1, "1", "Learning rate of the value of using, per use day",
          "assumed: a value is learned over tens of uses; Redish 2004 and Dezfouli 2009 use "
          "learning rates of this order in their simulations"),
    Param("Q50", 1.0, "1", "Value at half-maximal cue-evoked craving",
          "assumed: saturation so that a value growing without bound (Redish 2004) gives a "
          "bounded drive"),
    Param("EXT", 1.0 - 2.0 ** (-1.0 / _RC["T12_GLU"]), "1/day",
          "Extinction of the value per abstinent day at home cues",
          "derived: 1 - 2^(-1/T12_GLU), the recovery half-life of the reward circuit's "
          "glutamate (drug-memory) adaptation (models/reward_circuit.py), so that the value "
          "of cocaine fades with the drug-cue memory"),
    Param("K_UP", 0.05, "1/use day", "Rise of the reward threshold kappa per use day",
          "assumed: threshold elevation builds over weeks of use (Dezfouli 2009, qualitative)"),
    Param("K_DOWN", 1.0 - 2.0 ** (-1.0 / _RC["T12_DA"]), "1/day",
          "Recovery of the reward threshold per abstinent day",
          "derived: 1 - 2^(-1/T12_DA), the recovery half-life of the reward circuit's "
          "dopamine tone/D2 adaptation (models/reward_circuit.py), the circuit's reward "
          "deficit"),
    Param("A_UP", 0.1, "1/use day", "Rise of dependence A per use day",
          "assumed: dependence builds over 1-3 weeks of regular use"),
    Param("TAU_A", _RC["T12_ST"] / math.log(2.0), "day",
          "Time constant of recovery from dependence in abstinence",
          "derived: T12_ST / ln 2, the recovery half-life of the reward circuit's stress "
          "(CRF/noradrenaline) adaptation (models/reward_circuit.py), which drives its "
          "anxiety output"),
    Param("CV_WC", 0.3, "1", "Between-patient CV of WC (log-normal)",
          "assumed: moderate individual differences in cue reactivity"),
    Param("CV_WW", 0.3, "1", "Between-patient CV of WW (log-normal)",
          "assumed: moderate individual differences in withdrawal sensitivity"),
    Param("AMT_SMOKED", 150.0, "mg base/use day", "Median amount on a smoking day",
          "assumed: 6 hits of 25 mg base, 25 mg the middle of the 12.5-50 mg smoked doses of "
          "human laboratory studies (reference file section 13: Evans 1996; Hatsukami 1990; "
          "Haney 2006); the number of hits is assumed"),
    Param("AMT_INTRANASAL", 180.0, "mg base/use day", "Median amount on an intranasal day",
          "assumed: 2 uses of ~100 mg HCl (89 mg base), the dose needed for reliable effects "
          "by the nasal route (reference file section 13: Resnick 1977)"),
    Param("AMT_IV", 45.0, "mg base/use day", "Median amount on an injecting day",
          "assumed: 3 injections of ~16 mg HCl, where effects plateau (reference file "
          "section 13: Fischman 1976)"),
    Param("SD_AMT_PATIENT", 0.7, "log", "Between-patient SD of the log typical amount",
          "assumed: typical amounts range about 4-fold between patients (5th-95th percentile "
          "~0.3-3x the median); heavy use reaches grams a day (reference file section 13)"),
    Param("SD_AMT_DAY", 0.4, "log", "Day-to-day SD of the log amount within a patient",
          "assumed: a patient's use days vary about 2-fold (5th-95th percentile 0.5-1.9x); "
          "no within-person amount data in the reference file"),
    Param("BURN_IN", 56.0, "day", "Days of community life simulated before screening",
          "assumed: states start at 0 and reach the patient's habitual level in ~8 weeks"),
    Param("CRAVE_SLOPE", 6.0, "points", "BSCS points per unit craving drive",
          "assumed: maximal drive (2) maps to the top of the 0-12 BSCS cocaine sum"),
    Param("CRAVE_SD", 1.5, "points", "Rating noise of the BSCS",
          "assumed: about one Likert step on each of the scale's items; no test-retest "
          "figure in the reference file"),
    Param("ANX_BASE", 5.0, "points", "HAM-A score without withdrawal",
          "assumed: below the 17-point 'mild' threshold (reference file section 11)"),
    Param("ANX_SLOPE", 15.0, "points", "HAM-A points per unit withdrawal drive",
          "assumed: full dependence reaches the 18-24 'mild-moderate' band"),
    Param("ANX_TRAIT_SD", 4.0, "points", "Between-patient SD of trait anxiety (HAM-A)",
          "assumed: spreads baseline scores over the 0-17 'mild' band (reference file "
          "section 11)"),
    Param("ANX_SD", 3.0, "points", "Rating noise of the HAM-A",
          "assumed: a few points on a 0-56 clinician rating; no test-retest figure in the "
          "reference file"),
)

#: Names of the calibrated parameters, in optimisation order.
CALIBRATED: tuple[str, ...] = ("B_MU", "B_SD", "WC", "SD_X")
_FILE = "behaviour_calibration.json"


def _fitted() -> dict[str, float]:
    try:
        text = resources.files("rewardsim.models").joinpath("data", _FILE).read_text()
    except (FileNotFoundError, OSError):
        return {}
    values = json.loads(text).get("parameters", {})
    return {k: float(v["value"]) for k, v in values.items() if k in CALIBRATED}


def behaviour_values(**overrides: float) -> dict[str, float]:
    """Parameter values by name: declared, then the shipped calibration, then ``overrides``.

    >>> behaviour_values(WW=0.0)["WW"]
    0.0
    """
    values = {p.name: float(p.value) for p in PARAMS}
    values.update(_fitted())
    for key, v in overrides.items():
        if key not in values:
            raise KeyError(f"Unknown behaviour parameter {key!r}; valid: {', '.join(values)}")
        values[key] = float(v)
    return values


@njit(cache=True, nogil=True)
def craving_drive(cue, q, kappa, q50, e_ac):  # pragma: no cover - compiled
    """Cue-evoked craving: learned value (saturating) plus threshold, scaled by cues."""
    return (1.0 - e_ac) * cue * (q / (q + q50) + kappa)


@njit(cache=True, nogil=True)
def use_log_odds(b, wc, ww, craving, withdrawal, care):  # pragma: no cover - compiled
    """Log-odds of using today."""
    return b + wc * craving + ww * withdrawal - care


@njit(cache=True, nogil=True)
def learn_use(q, kappa, a, d, alpha, k_up, a_up):  # pragma: no cover - compiled
    """States after a use with DA signal ``d`` (Redish 2004 with Dezfouli 2009's threshold)."""
    delta = max(d - kappa - q + d, d)
    return q + alpha * delta, kappa + k_up * (1.0 - kappa), a + a_up * (1.0 - a)


@njit(cache=True, nogil=True)
def learn_abstain(q, kappa, a, cue, ext, k_down, a_keep):  # pragma: no cover - compiled
    """States after a day without use (``a_keep = exp(-1 / TAU_A)``)."""
    return q * (1.0 - ext * cue), kappa * (1.0 - k_down), a * a_keep


def nominal_use_days(b: float) -> float:
    """Use days a month implied by ``b`` alone, with every drive at 0: 30 / (1 + exp(-b))."""
    return 30.0 / (1.0 + math.exp(-b))
