"""Care plans as kernel arrays, and turning up for a residential admission.

Turning up. People wait at home between the request for a residential place (10:00 of the
request day) and the admission; fewer turn up the longer they wait. Festinger DS, Lamb RJ,
Marlowe DB, Kirby KC 2002 (Addict Behav 27:131-137) randomised 116 callers of an outpatient
cocaine clinic to intake appointments 1, 3 or 7 days later: 72 %, 41 % and 38 % attended.
The probability of turning up is interpolated linearly in the delay between those points
(24 h, 72 h, 168 h) and held at the end values outside them (assumed: a same-day admission
as the 1-day group, a wait longer than a week as the 7-day group; the study's same-day group
was not read). A scenario may set ``show_up`` directly instead.
"""

from __future__ import annotations

import numpy as np

from ..trial._design import REGIMENS, WEEKDAYS
from . import _layout as L
from ._scenarios import Care

__all__ = ["SHOW_UP_POINTS", "plan_arrays", "show_up"]

#: (delay h, share attending) from Festinger 2002.
SHOW_UP_POINTS = ((24.0, 0.72), (72.0, 0.41), (168.0, 0.38))


def show_up(delay_h: float) -> float:
    """Probability of turning up for an admission ``delay_h`` hours after the request."""
    x, y = zip(*SHOW_UP_POINTS, strict=True)
    return float(np.interp(delay_h, x, y))


def _mask(days: list[str]) -> float:
    return float(sum(1 << WEEKDAYS.index(d) for d in days))


def plan_arrays(care: Care) -> tuple[np.ndarray, np.ndarray]:
    """``(plan, hours)``: the kernel's care plan per setting (rows in ``ST_*`` order,
    columns :data:`~rewardsim.population._layout.PLAN`) and baclofen dose clock hours
    (-1: no dose in that slot)."""
    plan = np.zeros((5, len(L.PLAN)))
    hours = np.full((5, 4), -1, dtype=np.int64)
    o, t, p, r = care.outpatient, care.twelve_step, care.psychotherapy, care.residential
    row = plan[L.ST_OUTPATIENT]
    row[L.PL_WEEKS] = o.weeks
    row[L.PL_MASK0] = _mask(o.counselling_days)
    row[L.PL_MASK1] = _mask(o.twelve_step_days)
    row[L.PL_MASK2] = _mask(o.psychotherapy_days)
    row[L.PL_ATT] = o.attendance
    row[L.PL_DOSE] = o.baclofen_dose_mg
    row[L.PL_ADH] = o.baclofen_adherence
    if o.baclofen_dose_mg > 0.0:
        h = REGIMENS[o.baclofen_regimen]
        hours[L.ST_OUTPATIENT, : len(h)] = h
    row = plan[L.ST_TWELVE_STEP]
    row[L.PL_WEEKS] = t.weeks
    row[L.PL_MASK1] = _mask(t.meeting_days)
    row[L.PL_ATT] = t.attendance
    row = plan[L.ST_PSYCHOTHERAPY]
    row[L.PL_WEEKS] = p.weeks
    row[L.PL_MASK2] = _mask(p.session_days)
    row[L.PL_ATT] = p.attendance
    row = plan[L.ST_RESIDENTIAL]
    row[L.PL_WEEKS] = r.aftercare_weeks
    row[L.PL_MASK0] = _mask(r.counselling_days)
    row[L.PL_RES_ATT] = r.attendance
    row[L.PL_ATT] = care.outpatient.attendance  # aftercare sessions: as outpatient ones
    row[L.PL_DELAY] = r.admission_delay_hours
    row[L.PL_SHOW] = show_up(r.admission_delay_hours) if r.show_up is None else r.show_up
    row[L.PL_STAY] = r.stay_days
    row[L.PL_COMPLETE] = r.completion
    row[L.PL_TRAVEL] = r.travel_days_after_discharge
    row[L.PL_RET_CUE] = r.return_cue
    row[L.PL_RET_DAYS] = r.return_cue_days
    row[L.PL_AFTER] = r.aftercare_share
    row[L.PL_MASK_AFTER] = _mask(r.aftercare_days)
    return plan, hours
