"""Unit responses of the linear PK models, for exact superposition in the daily kernel.

The cocaine and baclofen models are linear, so any output is the sum over past doses of
dose x the model's response to a unit dose. The responses are computed once with
:func:`rewardsim.simulate` (exact matrix exponential) and looked up in the daily kernel at
the same time points only, so superposition is exact to rounding:

* urine benzoylecgonine (``CUBE``, ng/mL) at the 10:00 visit, ``k`` = 1..10 days after a
  use day whose binge started at 20:00 (offset ``24 k - 10`` h), per mg used that day;
* baclofen CSF concentration (``CSF_UM``, uM, the circuit's brain baclofen) per mg taken
  at each clock hour, on each of the 4 days from the day of the dose: at 10:00 (the visit),
  at 20:00 (the decision) and, per route, its mean over the use window weighted as the
  circuit's reduced form asks (:meth:`rewardsim.models.circuit_daily.DailyCircuit.
  baclofen_weights`: when the dopamine response to a use happens).

The reward circuit's own plasma cocaine input is looked up by the circuit's daily reduced
form (:mod:`rewardsim.models.circuit_daily`), which integrates it over a use window.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from ..engine import simulate
from ..models.baclofen_pk import BaclofenPK
from ..models.behaviour import ROUTES, USE_START_H
from ..models.circuit_daily import binge_records
from ..models.cocaine_pk import CocainePK

__all__ = ["BE_DAYS", "CSF_DAYS", "VISIT_H", "baclofen_points", "binge_records",
           "cocaine_unit_responses"]  # fmt: skip

VISIT_H = 10.0  # clock time of a visit (urine sample, ratings)
BE_DAYS = 10  # days after a use day that still count for urine BE
CSF_DAYS = 4  # days after a baclofen dose that still count for CSF


@lru_cache(maxsize=1)
def cocaine_unit_responses() -> np.ndarray:
    """Urine BE at visits per mg of a use day, shape (routes, BE_DAYS + 1); index k = days
    after the use day (k = 0 unused, 0)."""
    offsets = 24.0 * np.arange(1, BE_DAYS + 1) + VISIT_H  # h from the start of the use day
    frames = [binge_records(r, 1.0, USE_START_H).assign(ID=i + 1)
              for i, r in enumerate(ROUTES)]
    data = pd.concat(frames, ignore_index=True)
    sol = simulate(CocainePK(), data, times=offsets, omega=False)
    be = np.zeros((len(ROUTES), BE_DAYS + 1))
    be[:, 1:] = sol["CUBE"]
    return be


def baclofen_points(crcl_ml_min: float, weights: Sequence[tuple[np.ndarray, np.ndarray]]
                    ) -> np.ndarray:
    """CSF baclofen (uM) per mg, shape (24, CSF_DAYS, 2 + routes): a dose at clock hour h
    of day 0, on day j, at 10:00, at 20:00 and weighted over each route's use window
    (``weights[r]`` = times in h after 20:00 and weights summing to 1); 0 before the dose."""
    key = (float(crcl_ml_min), tuple((t.tobytes(), w.tobytes()) for t, w in weights))
    if key not in _POINTS:
        _POINTS.clear()
        _POINTS[key] = _points(float(crcl_ml_min), weights)
    return _POINTS[key]


_POINTS: dict[tuple, np.ndarray] = {}


def _points(crcl: float, weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    data = pd.DataFrame({"ID": np.arange(1, 25), "TIME": np.arange(24.0), "AMT": 1.0,
                         "CMT": 1, "CRCL": crcl})  # fmt: skip
    days = 24.0 * np.arange(CSF_DAYS)
    offsets = np.unique(np.concatenate([t for t, _ in weights]))
    times = np.unique(np.r_[days + VISIT_H, days + USE_START_H,
                            (days[:, None] + USE_START_H + offsets[None, :]).ravel()])
    csf = simulate(BaclofenPK(), data, times=times, omega=False)["CSF_UM"]
    out = np.zeros((24, CSF_DAYS, 2 + len(weights)))
    for j, d in enumerate(days):
        out[:, j, 0] = csf[:, np.searchsorted(times, d + VISIT_H)]
        out[:, j, 1] = csf[:, np.searchsorted(times, d + USE_START_H)]
        for r, (t, w) in enumerate(weights):
            out[:, j, 2 + r] = csf[:, np.searchsorted(times, d + USE_START_H + t)] @ w
    return out
