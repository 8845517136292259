"""``behaviour``: each virtual patient's daily decision to use cocaine.

Methods
-------
Structure. One decision a day, taken at 20:00. The chance of using is a logistic function
of the patient's propensity and of the drives of the patient's reward circuit at that time
(:mod:`rewardsim.models.reward_circuit`: craving ``CRAVE`` and anxiety ``ANX``, which
depend on the circuit's adaptation states, the day's drug cues and brain baclofen)::

    fluctuation       x_t = r x_(t-1) + sqrt(1 - r^2) z_t,  r = exp(-1/TAU_X), z_t ~ N(0, 1)
    log-odds of use   eta = b_i + SD_X * x_t + WC_i * CRAVE + WW_i * ANX - care
    P(use today)      p   = access / (1 + exp(-eta))

``b_i`` is the patient's baseline propensity (normal between patients); ``access`` is 0
inside a residential unit; ``x`` is a slow random fluctuation of the propensity (life
events, money, company; stationary SD 1); ``care`` is the counselling effect
(:func:`rewardsim.models.care.care_effect`). The decision is computed in the trial's daily
kernel (``_use_log_odds`` in ``rewardsim/trial/_day_template.py``, shared by the trial
and population kernels).

Learning lives in the circuit: a use's dopamine excess raises the circuit's adaptation
states (dopamine tone and D2 function, glutamate drug memory, stress system), which raise
the next days' craving and anxiety, and they recover during abstinence with the circuit's
half-lives. The circuit's reward signal and subjective high of each use are recorded.

Amount and route. The route (smoked, intranasal, IV) is fixed per patient; the amount used
on a use day is log-normal around the patient's typical amount, which is log-normal around
the route's median. A use day is a binge of equal hits starting at 20:00 (:data:`BINGE`).

Values. ``B_MU``, ``B_SD``, ``WC`` and ``SD_X`` are calibrated to the cocaine urine
results of CTN-0094 (:func:`rewardsim.trial.calibrate_behaviour`; fitted values in
``models/data/behaviour_calibration.json``); every other value is assumed and says why.

References
----------
Balise R, Odom G, Calderon A 2023, public.ctn0094data (CTN-0094 urine results).
"""

from __future__ import annotations

import json
import math
from importlib import resources

from ..engine import Param

__all__ = ["BINGE", "CALIBRATED", "PARAMS", "ROUTES", "USE_START_H", "behaviour_values"]

#: Routes in kernel order; a patient's route is fixed.
ROUTES: tuple[str, ...] = ("smoked", "intranasal", "iv")
#: Clock time (h) of the first hit of a use day.
USE_START_H = 20.0
#: Hits per use day and hours between hits, by route (the day's amount is split equally).
BINGE: dict[str, tuple[int, float]] = {"smoked": (6, 0.5), "intranasal": (2, 1.0), "iv": (3, 1.0)}

_CAL = "calibrated: CTN-0094 cocaine urine results (weekly positive rate, week-to-week "
_CAL += "transitions, negative-run lengths); see docs/trial.md"

PARAMS: tuple[Param, ...] = (  # name, typical value, unit, meaning, source
    Param("B_MU", -3.0, "logit/day", "Mean of the patient's baseline use log-odds b_i", _CAL,
          lower=-20.0, upper=20.0),
    Param("B_SD", 2.0, "logit/day", "Between-patient SD of b_i (normal)", _CAL, upper=20.0),
    Param("WC", 2.0, "logit", "Weight of the circuit's craving drive on the log-odds of use",
          _CAL, upper=50.0),
    Param("SD_X", 1.0, "logit/day", "SD of the slow fluctuation x of the log-odds of use", _CAL,
          upper=20.0),
    Param("TAU_X", 14.0, "day", "Time constant of the fluctuation x (AR(1), stationary SD 1)",
          "assumed: life events, money and company change over weeks; the size is fitted "
          "(SD_X), the time scale is not identifiable from weekly urines and is fixed"),
    Param("WW", 1.0, "logit", "Weight of the circuit's anxiety drive on the log-odds of use",
          "assumed: same order as the craving weight; not identifiable from urine results "
          "alone (anxiety and craving both rise with use)", upper=50.0),
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
          "assumed: the circuit starts drug-naive and its adaptation reaches the patient's "
          "habitual level in ~8 weeks (the onset half-time of daily use is 17.5 days)"),
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


def nominal_use_days(b: float) -> float:
    """Use days a month implied by ``b`` alone, with every drive at 0: 30 / (1 + exp(-b))."""
    return 30.0 / (1.0 + math.exp(-b))
