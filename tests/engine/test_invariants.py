"""Pharmacological invariants, as mrgsolve tests them (tests/testthat/test-infusion.R,
inst/maintenance/unit/test-pkmodel.R): ADDL equals the same doses written out; an
infusion peaks at its end; steady-state accumulation; mass balance; resets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rewardsim as rs
from rewardsim import Compartment, Model, Output, Param
from rewardsim.io import expand_addl


class OneCmtWithSink(Model):
    """pk1cmt plus a compartment collecting what is eliminated (for mass balance)."""

    name = "test_sink"
    compartments = (
        Compartment("DEPOT", "mg"),
        Compartment("CENT", "mg"),
        Compartment("ELIM", "mg", dosable=False),
    )
    params = (
        Param("CL", 25.0, "L/h", "Clearance", source="assumed: test value"),
        Param("V", 50.0, "L", "Volume", source="assumed: test value"),
        Param("KA", 1.2, "1/h", "Absorption", source="assumed: test value"),
    )
    ode = """
    dxdt_DEPOT = -KA * DEPOT
    dxdt_CENT = KA * DEPOT - CL / V * CENT
    dxdt_ELIM = CL / V * CENT
    """
    outputs = (
        Output("TOTAL", "DEPOT + CENT + ELIM", "mg", "All drug in the system"),
        Output("CP", "CENT / V", "mg/L"),
    )
    linear = True


@pytest.fixture(scope="module")
def pk1():
    return rs.models.pk1cmt().with_params(CL=25.0, V=50.0, KA=1.2)


@pytest.mark.parametrize("method", ["exact", "dp5-rodas"])
def test_addl_equals_doses_written_out(pk1, method):
    data = rs.regimen(20.0, every=8.0, n_doses=12, cmt=1)
    t = np.arange(0, 120, 0.5)
    a = rs.simulate(pk1, data, times=t, omega=False, method=method)
    b = rs.simulate(
        pk1, expand_addl(rs.io.validate_dataset(data, pk1)), times=t, omega=False, method=method
    )
    # Same events in the same order: the results agree to rounding.
    np.testing.assert_allclose(a["CP"], b["CP"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("method", ["exact", "dp5-rodas"])
def test_infusion_peaks_at_its_end(pk1, method):
    # mrgsolve test-infusion.R: 3000 at rate 30 lasts 100 h and peaks at t = 100.
    model = pk1.with_params(CL=1.0, V=20.0)
    data = pd.DataFrame({"ID": [1], "TIME": [0.0], "AMT": [3000.0], "CMT": [2], "RATE": [30.0]})
    t = np.arange(0, 200.0, 0.5)
    cp = rs.simulate(model, data, times=t, omega=False, method=method)["CP"][0]
    assert t[np.argmax(cp)] == 100.0


def test_back_to_back_infusions_equal_one_long_infusion(pk1):
    one = pd.DataFrame({"ID": [1], "TIME": [0.0], "AMT": [200.0], "CMT": [2], "RATE": [50.0]})
    two = pd.DataFrame(
        {
            "ID": [1, 1],
            "TIME": [0.0, 2.0],
            "AMT": [100.0, 100.0],
            "CMT": [2, 2],
            "RATE": [50.0, 50.0],
        }
    )
    t = np.linspace(0, 12, 49)
    a = rs.simulate(pk1, one, times=t, omega=False)["CP"]
    b = rs.simulate(pk1, two, times=t, omega=False)["CP"]
    np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("method", ["exact", "rodas"])
def test_steady_state_accumulation(pk1, method):
    """IV bolus at steady state: peak = D/V / (1 - exp(-k tau)) (accumulation ratio)."""
    k, tau, dose = 0.5, 12.0, 100.0
    data = pd.DataFrame(
        {"ID": [1], "TIME": [0.0], "AMT": [dose], "CMT": [2], "II": [tau], "SS": [1]}
    )
    sol = rs.simulate(pk1, data, times=[0.0, 6.0], omega=False, method=method)
    peak = dose / 50.0 / (1 - np.exp(-k * tau))
    np.testing.assert_allclose(sol["CP"][0], [peak, peak * np.exp(-k * 6.0)], rtol=1e-8)


def test_steady_state_equals_long_repeated_dosing(pk1):
    # SS=1 oral dose vs 60 doses written out (long enough for exp(-0.5*8*60) ~ 0).
    ss = pd.DataFrame(
        {"ID": [1], "TIME": [0.0], "AMT": [20.0], "CMT": [1], "II": [8.0], "SS": [1], "ADDL": [3]}
    )
    t = np.linspace(0, 32, 65)
    a = rs.simulate(pk1, ss, times=t, omega=False)["CP"][0]
    long = rs.regimen(20.0, every=8.0, n_doses=64, cmt=1, start=-480.0)
    b = rs.simulate(pk1, long, times=t, omega=False)["CP"][0]
    np.testing.assert_allclose(a, b, rtol=1e-9)


@pytest.mark.parametrize("method", ["exact", "rodas", "dp5-rodas"])
def test_mass_balance(method):
    model = OneCmtWithSink().with_params(CL=10.0)
    data = pd.concat(
        [
            rs.regimen(20.0, every=6.0, n_doses=5, cmt=1, ids=[1]),
            pd.DataFrame(
                {"ID": [1], "TIME": [3.0], "AMT": [30.0], "CMT": [2], "RATE": [15.0], "EVID": [1]}
            ),
        ]
    )
    t = np.linspace(0, 48, 97)
    total = rs.simulate(model, data, times=t, omega=False, method=method)["TOTAL"][0]
    given = np.array([20.0 * np.sum(6.0 * np.arange(5) <= ti) for ti in t])
    given += np.clip((t - 3.0) * 15.0, 0.0, 30.0)
    tol = 1e-10 if method == "exact" else 1e-6
    np.testing.assert_allclose(total, given, rtol=tol, atol=1e-9)


def test_reset_evid3_and_reset_dose_evid4(pk1):
    data = pd.DataFrame(
        {
            "ID": [1, 1, 1],
            "TIME": [0.0, 5.0, 10.0],
            "AMT": [100.0, 0.0, 50.0],
            "CMT": [2, 2, 2],
            "EVID": [1, 3, 4],
        }
    )
    t = np.array([4.0, 5.0, 7.0, 10.0, 12.0])
    cp = rs.simulate(pk1, data, times=t, omega=False)["CP"][0]
    k = 0.5
    ref = [2.0 * np.exp(-k * 4), 0.0, 0.0, 1.0, np.exp(-k * 2)]
    np.testing.assert_allclose(cp, ref, rtol=1e-12, atol=1e-15)


def test_output_at_dose_time_sees_the_dose(pk1):
    # Right-continuous state: a dose at t is applied before an output at t, at the
    # first dose and at later ones alike.
    data = rs.regimen(100.0, every=10.0, n_doses=2, cmt=2)
    cp = rs.simulate(pk1, data, times=[0.0, 10.0], omega=False)["CP"][0]
    np.testing.assert_allclose(cp, [2.0, 2.0 * np.exp(-5.0) + 2.0], rtol=1e-12)


def test_observation_rows_of_the_data_set(pk1):
    data = pd.DataFrame(
        {
            "ID": [1, 1, 1, 2, 2],
            "TIME": [0.0, 1.0, 2.0, 0.0, 3.0],
            "AMT": [100.0, 0, 0, 100.0, 0],
            "CMT": [2, 0, 0, 2, 0],
            "EVID": [1, 0, 0, 1, 0],
        }
    )
    sol = rs.simulate(pk1, data, omega=False)
    frame = sol.to_frame()
    assert list(frame["ID"]) == [1, 1, 2]
    np.testing.assert_allclose(
        frame["CP"], 2.0 * np.exp(-0.5 * np.array([1.0, 2.0, 3.0])), rtol=1e-12
    )


def test_per_subject_parameter_columns_are_used_as_given(pk1):
    data = rs.regimen(100.0, cmt=2, n=2)
    data["CL"] = [25.0, 50.0]
    sol = rs.simulate(pk1, data, times=[2.0], seed=3)  # default IIV is none for pk1cmt
    np.testing.assert_allclose(sol["CP"][:, 0], [2 * np.exp(-1.0), 2 * np.exp(-2.0)], rtol=1e-12)
    # With OMEGA on CL, a subject's own CL column still wins: no IIV on top.
    sol2 = rs.simulate(pk1, data, times=[2.0], omega={"CL": 0.5, "V": 0.1}, seed=3)
    assert np.all(sol2.params["CL"].to_numpy() == [25.0, 50.0])
    assert np.all(sol2.params["V"].to_numpy() != 50.0)
