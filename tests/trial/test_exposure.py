"""Exact superposition: the trial kernel's urine BE and CSF baclofen equal a direct solve.

The cocaine and baclofen models are linear, so a dosing history's output is the sum of
dose x unit response. The kernel looks unit responses up at grid points only, so the two
must agree to rounding; the tolerance 1e-6 relative (plus 1e-6 ng/mL or uM absolute, for
values many decades below any cutoff) leaves room only for the truncation of the kernel's
memory: BE 10 days (about 1e-8 of a day's peak), CSF 4 days (about 1e-8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rewardsim as rs
from rewardsim.models import BaclofenPK, CocainePK
from rewardsim.models.behaviour import ROUTES
from rewardsim.trial import simulate_trial
from rewardsim.trial._exposure import (
    BE_DAYS,
    VISIT_H,
    baclofen_points,
    binge_records,
    cocaine_unit_responses,
)

RTOL, ATOL = 1e-6, 1e-6


@pytest.mark.parametrize("route", ROUTES)
def test_be_superposition_matches_direct_solve(route):
    rng = np.random.default_rng(1)
    amounts = rng.uniform(10, 400, 20) * (rng.uniform(size=20) < 0.6)  # 20 days, some empty
    be = cocaine_unit_responses()
    r = ROUTES.index(route)
    doses = pd.concat([binge_records(route, a, 24.0 * d + 20.0) for d, a in enumerate(amounts)
                       if a], ignore_index=True).assign(ID=1)
    visits = 24.0 * np.arange(1, 21) + VISIT_H  # 10:00 on days 1..20
    direct = rs.simulate(CocainePK(), doses, times=visits, omega=False)["CUBE"][0]
    lookup = [sum(amounts[v - k] * be[r, k] for k in range(1, BE_DAYS + 1) if v - k >= 0)
              for v in range(1, 21)]
    np.testing.assert_allclose(lookup, direct, rtol=RTOL, atol=ATOL)


def test_baclofen_csf_superposition_at_the_kernels_time_points():
    """CSF at 10:00, at 20:00 and weighted over a use window, each day, against a direct
    solve of a history with missed doses (any weights: here 5 points over 3 h)."""
    rng = np.random.default_rng(2)
    hours = (8, 14, 20)
    taken = rng.uniform(size=(10, 3)) < 0.7
    t_w = np.array([0.0, 0.5, 1.0, 2.0, 3.0])
    w = np.array([0.1, 0.3, 0.3, 0.2, 0.1])
    m = baclofen_points(100.0, [(t_w, w)])
    doses = pd.DataFrame([(24.0 * d + h, 20.0) for d in range(10) for s, h in enumerate(hours)
                          if taken[d, s]], columns=["TIME", "AMT"]).assign(ID=1, CMT=1)
    days = 24.0 * np.arange(10)
    for point, offsets in ((0, [10.0]), (1, [20.0]), (2, 20.0 + t_w)):
        times = (days[:, None] + np.asarray(offsets)[None, :]).ravel()
        c = rs.simulate(BaclofenPK(), doses, times=times, omega=False)["CSF_UM"][0]
        direct = c.reshape(10, -1) @ (w if point == 2 else np.ones(1))
        lookup = [sum(20.0 * taken[day - j, s] * m[h, j, point] for j in range(4)
                      for s, h in enumerate(hours) if day - j >= 0) for day in range(10)]
        np.testing.assert_allclose(lookup, direct, rtol=RTOL, atol=ATOL)
    # 20 mg three times daily, every dose taken: the daily range of CSF contains the
    # reference file's ~0.13 uM average (section 4).
    steady = 20.0 * sum(m[h, j] for j in range(4) for h in hours)
    assert steady.min() < 0.13 < steady.max(), steady


def test_kernel_urine_be_is_the_superposition_of_its_own_use_days(variant):
    """End to end: each attended urine's BE = direct solve of that patient's simulated use."""
    design = variant(allocation={"n": 12, "ratio": [1, 1]})
    t = simulate_trial(design, overrides={"SD_URINE": 0.0, "BURN_IN": 0.0})
    subjects, visits, daily = t["subjects"], t["visits"], t["daily_use"]
    checked = 0
    for pid in subjects["id"][:6]:
        use = daily[(daily["id"] == pid) & daily["used"]]
        route = use["route"].iloc[0] if len(use) else "smoked"
        first = int(daily["day"].min())
        doses = pd.concat(
            [binge_records(route, float(a), 24.0 * (d - first) + 20.0) for d, a in
             zip(use["day"], use["amount_mg"], strict=True)], ignore_index=True).assign(ID=1)
        v = visits[(visits["id"] == pid) & visits["be_ng_ml"].notna()]
        times = 24.0 * (v["day"].to_numpy() - first) + VISIT_H
        direct = rs.simulate(CocainePK(), doses, times=times, omega=False)["CUBE"][0]
        # amount_mg is stored as float32: compare at float32 precision.
        np.testing.assert_allclose(v["be_ng_ml"], direct, rtol=1e-6, atol=1e-3)
        checked += len(v)
    assert checked > 50
