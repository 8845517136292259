"""Unit responses of the linear PK models, for exact superposition in the daily kernel.

The cocaine and baclofen models are linear, so any output is the sum over past doses of
dose x the model's response to a unit dose. The responses are computed once with
:func:`rewardsim.simulate` (exact matrix exponential) on a 0.25 h grid and looked up in the
daily kernel at grid points only, so superposition is exact to rounding:

* urine benzoylecgonine (``CUBE``, ng/mL) at the 10:00 visit, ``k`` = 1..10 days after a
  use day whose binge started at 20:00 (offset ``24 k - 10`` h), per mg used that day;
* peak plasma cocaine (``CP``, forearm venous, ng/mL) of a use day's binge per mg, on a
  1-minute grid. Venous rather than arterial (``CP_ART``): the daily kernel has no brain
  effect compartment, and after smoked and IV doses the venous peak is the closer of the
  two to the reward circuit's brain peak (50 mg smoked: unbound venous peak 0.153 µM,
  arterial 0.171 µM, brain 0.138 µM);
* baclofen CSF concentration (``CSF_UM``, uM), mean over each of the 4 days starting with
  the day of a unit dose taken at each clock hour (trapezoid rule on the 0.25 h grid).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..engine import simulate
from ..models.baclofen_pk import BaclofenPK
from ..models.behaviour import BINGE, ROUTES, USE_START_H
from ..models.cocaine_pk import ROUTE_CMT, CocainePK

__all__ = ["BE_DAYS", "CSF_DAYS", "GRID_H", "VISIT_H", "baclofen_daily_means",
           "binge_doses", "cocaine_unit_responses"]  # fmt: skip

GRID_H = 0.25  # h
VISIT_H = 10.0  # clock time of a visit (urine sample, ratings)
BE_DAYS = 10  # days after a use day that still count for urine BE
CSF_DAYS = 4  # days after a baclofen dose that still count for CSF


def binge_doses(route: str, amount_mg: float, day_start_h: float = 0.0) -> pd.DataFrame:
    """NONMEM dose records of one use day: equal hits from 20:00 (``day_start_h`` = 0 h)."""
    n_hits, gap = BINGE[route]
    times = day_start_h + USE_START_H + gap * np.arange(n_hits)
    return pd.DataFrame({"TIME": times, "AMT": amount_mg / n_hits, "CMT": ROUTE_CMT[route]})


@lru_cache(maxsize=1)
def cocaine_unit_responses() -> tuple[np.ndarray, np.ndarray]:
    """``(be, cmax)``: urine BE at visits, shape (routes, BE_DAYS + 1), index k = days after
    the use day (k = 0 unused, 0); peak plasma cocaine per mg, shape (routes,)."""
    model = CocainePK()
    offsets = 24.0 * np.arange(1, BE_DAYS + 1) + VISIT_H  # h from the start of the use day
    frames = [binge_doses(r, 1.0).assign(ID=i + 1) for i, r in enumerate(ROUTES)]
    data = pd.concat(frames, ignore_index=True)
    sol = simulate(model, data, times=offsets, omega=False)
    be = np.zeros((len(ROUTES), BE_DAYS + 1))
    be[:, 1:] = sol["CUBE"]
    fine = USE_START_H + np.arange(0.0, 6.0 + 1e-9, 1.0 / 60.0)
    cmax = simulate(model, data, times=fine, omega=False)["CP"].max(axis=1)
    return be, np.ascontiguousarray(cmax)


@lru_cache(maxsize=4)
def baclofen_daily_means(crcl_ml_min: float = 100.0) -> np.ndarray:
    """Mean CSF baclofen (uM) per mg, shape (24, CSF_DAYS): dose at clock hour h on day 0,
    mean over day j (trapezoid rule on the 0.25 h grid)."""
    model = BaclofenPK()
    data = pd.DataFrame({"ID": np.arange(1, 25), "TIME": np.arange(24.0), "AMT": 1.0,
                         "CMT": 1, "CRCL": float(crcl_ml_min)})  # fmt: skip
    grid = np.arange(0.0, 24.0 * CSF_DAYS + 1e-9, GRID_H)
    csf = simulate(model, data, times=grid, omega=False)["CSF_UM"]
    return daily_means(csf, grid)


def daily_means(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Trapezoid mean over each whole day of a 0.25 h grid from 0 h: (..., n_days)."""
    per_day = int(round(24.0 / GRID_H))
    n_days = (grid.shape[0] - 1) // per_day
    out = np.empty(values.shape[:-1] + (n_days,))
    for j in range(n_days):
        seg = values[..., j * per_day : (j + 1) * per_day + 1]
        out[..., j] = (seg[..., 1:] + seg[..., :-1]).sum(axis=-1) * 0.5 / per_day
    return out
