"""One model, three time scales: the lab's exposure against the engine and the trial kernel.

The lab steps the linear drug models exactly (matrix exponential over each step) and the
reward circuit with classical Runge-Kutta on a 1-s grid. References:

* the engine's exact (matrix-exponential) solution of the same drug models: the lab's
  plasma must agree to 1e-9 (both are exact; rounding only);
* the person model (cocaine PK + baclofen PK + circuit) solved by the engine's adaptive
  solver at rtol 1e-9: plasma within 1e-6, brain cocaine, dopamine and 'high' within
  2e-3 of their peaks (the lab's 1-s Runge-Kutta step, with plasma linear within a step,
  against a tolerance-controlled solution; measured differences beside the assertion);
* the trial kernel's use-window tables (:class:`rewardsim.models.circuit_daily.
  DailyCircuit`, the same circuit integrated on 20-s steps ahead of a trial) at a table
  grid point (no interpolation): peaks and reward within 2 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rewardsim as rs
from rewardsim.lab import parse_protocol, run_protocol
from rewardsim.lab._kernel import LinearSystem, linear_system, step_matrices
from rewardsim.models import person
from rewardsim.models.behaviour import BINGE, ROUTES
from rewardsim.models.circuit_daily import DailyCircuit
from rewardsim.models.cocaine_pk import BASE_PER_HCL, ROUTE_CMT
from rewardsim.models.person import BACLOFEN_CMT
from rewardsim.models.rat_baclofen_pk import RatBaclofenPK
from rewardsim.models.rat_cocaine_pk import RatCocainePK

SRC = ["test design (exposure comparison)"]


def _doses_protocol(species: str, doses: list[dict], minutes: float, **session) -> dict:
    return {"protocol": {"name": "exposure", "species": species, "kind": "doses",
                         "sources": SRC},
            "session": {"duration_min": minutes, "record_every_s": 10.0, **session},
            "dose": doses}


def test_rat_plasma_is_the_engines_exact_solution():
    """i.v., i.p. and s.c. cocaine and i.p. baclofen: lab trajectory = engine, 1e-9."""
    doses = [
        {"drug": "cocaine", "route": "iv", "amount": 1.0, "unit": "mg/kg", "salt": "hcl",
         "time_min": 0.0},
        {"drug": "cocaine", "route": "ip", "amount": 10.0, "unit": "mg/kg", "salt": "hcl",
         "time_min": 20.0},
        {"drug": "cocaine", "route": "sc", "amount": 10.0, "unit": "mg/kg", "salt": "base",
         "time_min": 45.0},
        {"drug": "baclofen", "route": "ip", "amount": 2.5, "unit": "mg/kg", "time_min": 5.0},
    ]
    res = run_protocol(parse_protocol(_doses_protocol("rat", doses, 120.0)))
    tr = res["trajectory"]
    t_h = tr["time_min"].to_numpy() / 60.0
    coc = pd.DataFrame({"ID": 1, "TIME": [0.0, 20.0 / 60, 45.0 / 60],
                        "AMT": [BASE_PER_HCL, 10 * BASE_PER_HCL, 10.0], "CMT": [3, 1, 2]})
    ref = rs.simulate(RatCocainePK(), coc, times=t_h, omega=False)["CP"][0]
    got = tr["cocaine_plasma_mg_L"].to_numpy()
    assert np.max(np.abs(got - ref)) <= 1e-9 * ref.max()
    bac = pd.DataFrame({"ID": [1], "TIME": [5.0 / 60], "AMT": [2.5], "CMT": [1]})
    ref_b = rs.simulate(RatBaclofenPK(), bac, times=t_h, omega=False)["CP"][0]
    assert np.max(np.abs(tr["baclofen_plasma_mg_L"].to_numpy() - ref_b)) <= 1e-9 * ref_b.max()


def test_self_infusion_step_is_the_engines_infusion():
    """A 5-s infusion of 1 mg/kg stepped with (exp(A h), G) equals the engine's infusion."""
    system = LinearSystem(linear_system(RatCocainePK()), linear_system(RatBaclofenPK()))
    h = 1.0 / 3600.0
    E, G = step_matrices(system.A, h, 2)
    rate = 1.0 / (5.0 * h)  # mg/kg/h over 5 s
    x = np.zeros(system.n)
    out = []
    for k in range(600):
        x = E @ x + G * (rate if k < 5 else 0.0)
        out.append(system.weights("cocaine", "CP") @ x)
    times = h * np.arange(1, 601)
    data = pd.DataFrame({"ID": [1], "TIME": [0.0], "AMT": [1.0], "CMT": [3], "RATE": [rate]})
    ref = rs.simulate(RatCocainePK(), data, times=times, omega=False)["CP"][0]
    assert np.max(np.abs(np.array(out) - ref)) <= 1e-9 * ref.max()


@pytest.fixture(scope="module")
def human_day():
    """Smoked and i.v. cocaine (the trial's binge patterns) with oral baclofen, in the lab
    and in the person model; regular user (A_DA 0.4, a table grid point)."""
    dc = DailyCircuit("both")
    amount = float(dc.amounts[13])  # a grid amount of the trial tables (116 mg)
    out = {}
    for route in ("smoked", "iv"):
        n_hits, gap = BINGE[route]
        doses = [{"drug": "cocaine", "route": route, "amount": amount / n_hits, "unit": "mg",
                  "salt": "base", "time_min": 0.0, "every_min": 60.0 * gap, "n": n_hits}]
        proto = _doses_protocol("human", doses, 720.0)
        proto["subject"] = {"hypothesis": "both", "A_DA": 0.4}
        lab = run_protocol(parse_protocol(proto))
        with_bac = dict(proto, dose=doses + [
            {"drug": "baclofen", "route": "oral", "amount": 20.0, "unit": "mg",
             "time_min": -60.0, "every_min": 480.0, "n": 2}],
            session={"duration_min": 720.0, "start_min": -60.0, "record_every_s": 10.0})
        lab_b = run_protocol(parse_protocol(with_bac))
        out[route] = (lab, lab_b, amount)
    return dc, out


def _person(route: str, amount: float, times_h: np.ndarray, baclofen: bool) -> rs.Solution:
    n_hits, gap = BINGE[route]
    rec = [(gap * k, ROUTE_CMT[route], amount / n_hits) for k in range(n_hits)]
    if baclofen:
        rec += [(-1.0, BACLOFEN_CMT, 20.0), (7.0, BACLOFEN_CMT, 20.0)]
    t0 = -1.0 if baclofen else 0.0
    data = pd.DataFrame(rec, columns=["TIME", "CMT", "AMT"]).assign(ID=1)
    data["TIME"] -= t0
    model = person("both", A_DA0=0.4)
    return rs.simulate(model, data.sort_values("TIME"), times=times_h - t0, omega=False,
                       rtol=1e-9, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("baclofen", [False, True], ids=["no baclofen", "baclofen"])
@pytest.mark.parametrize("route", ["smoked", "iv"])
def test_lab_equals_person_model(human_day, route, baclofen):
    _, runs = human_day
    lab, lab_b, amount = runs[route]
    tr = (lab_b if baclofen else lab)["trajectory"]
    t_h = tr["time_min"].to_numpy() / 60.0
    sol = _person(route, amount, t_h, baclofen)
    # Plasma: both exact up to the adaptive solver's tolerance on the whole person.
    for lab_col, ref_col in (("cocaine_venous_ng_mL", "COC_CP"),
                             ("cocaine_arterial_uM", "COC_CP_UM"),
                             ("baclofen_brain_uM", "BAC_CSF_UM")):
        ref = sol[ref_col][0]
        if ref.max() > 0.0:
            assert np.max(np.abs(tr[lab_col].to_numpy() - ref)) <= 1e-6 * ref.max(), lab_col
    # Brain: the lab's 1-s Runge-Kutta against the adaptive solution.
    for lab_col, ref_col, scale in (("cocaine_brain_unbound_uM", "CE", 1.0),
                                    ("dopamine_nM", "DA", 1.0), ("high", "HIGH", 1.0)):
        ref = sol[ref_col][0] * scale
        diff = np.max(np.abs(tr[lab_col].to_numpy() - ref))
        # Measured: i.v. 3e-8 of the peak; smoked 1.3e-3 ('high'), 8e-4 (brain cocaine,
        # dopamine): a smoked dose enters arterial blood with a 1-s half-time, the step.
        assert diff <= 2e-3 * ref.max(), (lab_col, diff / ref.max())
    s = (lab_b if baclofen else lab)["sessions"].iloc[0]
    assert s["a_da_end"] == pytest.approx(sol["ADAPT_DA"][0][-1], rel=1e-4)
    assert s["reward_h"] == pytest.approx(sol["REWARD_CUM"][0][-1]
                                          - np.interp(0.0, t_h, sol["REWARD_CUM"][0]),
                                          rel=1e-3)


def test_lab_equals_trial_kernel_tables(human_day):
    """Each route's use window: peak dopamine, 'high', occupancy, reward and the adaptation
    it leaves, from the lab and from the trial kernel's table at the same grid point."""
    dc, runs = human_day
    for route, (lab, _, amount) in runs.items():
        w = dc.module.use_window(dc.tables, dc.axes, ROUTES.index(route), amount, 0.4, 0.0,
                                 0.0, 0.0, 0.0, np.empty(dc.module.N_TAB))
        s = lab["sessions"].iloc[0]
        got = {"a_da": s["a_da_end"], "reward": s["reward_h"],
               "da": s["peak_dopamine_nM"] / dc.values["DA0"], "high": s["peak_high"],
               "occ": s["peak_dat_occupancy"]}
        table = {"a_da": w[0], "reward": w[4], "da": w[5], "high": w[6], "occ": w[7]}
        for key, value in got.items():
            assert value == pytest.approx(table[key], rel=0.02), (route, key)
