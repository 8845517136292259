"""Rat cocaine and baclofen PK against the figures of their sources, route by route.

Solved by the engine (exact matrix-exponential solution), independently of the lab's own
stepping (which tests/lab/test_exposure.py holds to the engine). What each source gives:

* i.v. bolus and self-infusion: serum Cmax/Cmin during self-administration of 0.5 and
  1 mg/kg per infusion (Lau & Sun 2002) and the 8.2-min functional half-life (Tsibulsky &
  Norman 1999), both fitted (``rewardsim lab-calibrate``). The abstracts give no spread;
  the tolerance, 10 %, is the fit's largest residual (7 %) rounded up.
* i.p. and s.c.: no figure was found; the sources give orderings, which are tested.
* baclofen: the human model scaled by weight (stated allometry), tested as an identity.
"""

from __future__ import annotations

import json
import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import rewardsim as rs
from rewardsim.models.baclofen_pk import BaclofenPK
from rewardsim.models.cocaine_pk import BASE_PER_HCL
from rewardsim.models.rat_baclofen_pk import RatBaclofenPK
from rewardsim.models.rat_cocaine_pk import RAT_ROUTE_CMT, RatCocainePK
from rewardsim.models.reward_circuit import RewardCircuit
from rewardsim.models.species import HUMAN_WEIGHT_KG, RAT_WEIGHT_KG, circuit_values

LAU_SUN = {0.5: (0.82, 0.34), 1.0: (1.47, 0.28)}  # mg/kg: serum Cmax, Cmin (µg/mL)
INTAKE = 25.75  # mg/kg per 150-min session, the middle of 24.5-27.0 (Lau & Sun 2002)


@pytest.fixture(autouse=True)
def _strict_numerics():
    with np.errstate(all="raise"):
        yield


@pytest.mark.parametrize("dose", sorted(LAU_SUN))
def test_serum_during_self_administration_lau_sun_2002(dose):
    """Regular infusions at the mean interval; last cycle of 40: Cmax and Cmin +/- 10 %."""
    tau = 150.0 / (INTAKE / dose) / 60.0  # h
    n = 40
    data = rs.regimen(dose * BASE_PER_HCL, every=tau, n_doses=n, cmt=RAT_ROUTE_CMT["iv"])
    t = (n - 1) * tau + np.linspace(0.0, tau, 721)[:-1]
    cp = rs.simulate(RatCocainePK(), data, times=t, omega=False)["CP"][0]
    cmax, cmin = LAU_SUN[dose]
    assert cp.max() == pytest.approx(cmax, rel=0.10)
    assert cp.min() == pytest.approx(cmin, rel=0.10)


def test_terminal_half_life_is_the_functional_half_life_tsibulsky_norman_1999():
    """log-linear decline 30-60 min after an i.v. bolus: t1/2 = 8.2 min (within 1 %)."""
    times = np.array([0.5, 1.0])
    cp = rs.simulate(RatCocainePK(), rs.regimen(1.0, cmt=3), times=times, omega=False)["CP"][0]
    t12 = 30.0 * math.log(2.0) / math.log(cp[0] / cp[1])
    assert t12 == pytest.approx(8.2, rel=0.01)


@pytest.fixture(scope="module")
def routes():
    """The same dose (5 mg/kg base) by each route on a 10-s grid over 3 h."""
    times = np.arange(0.0, 3.0 + 1e-9, 10.0 / 3600.0)
    data = pd.concat([rs.regimen(5.0, cmt=RAT_ROUTE_CMT[r], ids=[i + 1])
                      for i, r in enumerate(("iv", "ip", "sc"))], ignore_index=True)
    sol = rs.simulate(RatCocainePK(), data, times=times, omega=False)
    return times, {r: sol["CP"][i] for i, r in enumerate(("iv", "ip", "sc"))}


def test_route_orderings(routes):
    """Tmax i.v. < i.p. < s.c.; s.c. peaks lower and stays higher later than i.p. (dog, J
    Pharmacol Exp Ther 1951); after i.p. plasma declines more slowly than after i.v.
    (Nobiletti, Jatlow & Bradberry): apparent half-life 60-120 min, i.p. > i.v."""
    t, cp = routes
    tmax = {r: t[np.argmax(c)] for r, c in cp.items()}
    assert tmax["iv"] == 0.0 < tmax["ip"] < tmax["sc"]
    assert cp["sc"].max() < cp["ip"].max()
    late = np.searchsorted(t, 2.0)
    assert cp["sc"][late] > cp["ip"][late]
    i1, i2 = np.searchsorted(t, 1.0), np.searchsorted(t, 2.0)

    def half(c):
        return 60.0 * math.log(2.0) / math.log(c[i1] / c[i2])

    assert half(cp["ip"]) > 1.1 * half(cp["iv"])  # "slower": no magnitude in the abstract


def test_rat_baclofen_is_the_human_model_scaled_by_weight():
    """Stated allometry: per-kg volumes equal, rate constants x (W_rat/W_human)^-0.25, so
    the terminal half-life is the human one x (0.3/70)^0.25 (closed form, 1e-9)."""
    def terminal(m, k12, k21, k10):
        s, p = k10 + k12 + k21, k10 * k21
        return math.log(2.0) / ((s - math.sqrt(s * s - 4.0 * p)) / 2.0)

    h, r = BaclofenPK().values, RatBaclofenPK().values
    cl_h = h["CLNR"] + h["CLR"]
    t_h = terminal(h, h["Q"] / h["V2"], h["Q"] / h["V3"], cl_h / h["V2"])
    t_r = terminal(r, r["Q"] / r["V1"], r["Q"] / r["V2"], r["CL"] / r["V1"])
    assert t_r == pytest.approx(t_h * (RAT_WEIGHT_KG / HUMAN_WEIGHT_KG) ** 0.25, rel=1e-9)
    assert r["V1"] == pytest.approx(h["V2"] / HUMAN_WEIGHT_KG, rel=1e-12)


def test_calibration_record_and_species_values():
    """Every rat value has its data and source; the rat circuit differs only in KE0
    (allometric) and KP_COC (the measured brain/blood ratio)."""
    rec = json.loads((resources.files("rewardsim.models") / "data"
                      / "rat_calibration.json").read_text())
    for name, row in rec["parameters"].items():
        assert row["fitted_to"] and row["source"] and row["unit"], name
    human, rat = RewardCircuit().values, circuit_values("rat")
    assert {k for k in human if human[k] != rat[k]} == {"KE0", "KP_COC"}
    assert rat["KE0"] == pytest.approx(human["KE0"] * (0.3 / 70.0) ** -0.25, rel=1e-12)
    assert rat["KP_COC"] * rat["FU_COC"] == pytest.approx(17.7 / 24.3, rel=1e-12)
