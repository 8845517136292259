"""Every NONMEM event record against doses written out (docs/events.md).

A steady-state record (SS=1) stands for an infinite train of implied doses, each like
the record's dose, entering every II up to the record's own; SS=2 adds that train to
what earlier records left.  Each test writes the train out as a sum of closed forms
(Gibaldi M, Perrier D (1982), Pharmacokinetics, 2nd ed., Marcel Dekker: one-compartment
oral eq. 2.23, zero-order infusion eqs. 2.42/2.46) over N_TRAIN doses, enough that the
first has decayed below 1e-100 of its peak (k II N_TRAIN = 240), and compares it with
the engine from the record's time on.  The nonlinear model is checked against SciPy's
DOP853 (rtol 1e-11) on the doses written out.

Tolerances: 1e-9 relative on the exact path, where the steady state is the geometric
series of the propagator summed in closed form; 1e-5 on the adaptive solvers at their
default tolerances (their steady state is reached by repeated dosing until a cycle
changes the amounts by less than 1 % of the local error tolerance).  Relative errors
are taken where the reference exceeds 1e-6 of its maximum, as in test_closed_form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import solve_ivp

import rewardsim as rs
from rewardsim import Compartment, Derived, Model, Output, Param

CL, V, KA = 2.0, 20.0, 0.7
K = CL / V
TAU = 12.0
N_TRAIN = 200
METHODS = ("exact", "rodas", "dp5-rodas")


def tol_for(method: str) -> float:
    return 1e-9 if method == "exact" else 1e-5


def relerr(sim: np.ndarray, ref: np.ndarray) -> float:
    mask = ref > 1e-6 * ref.max()
    return float(np.max(np.abs(sim[mask] - ref[mask]) / ref[mask]))


def oral(t: np.ndarray, dose: float, enters: float) -> np.ndarray:
    """Bateman function of a bolus into the depot entering at `enters`."""
    s = t - enters
    out = np.zeros_like(t)
    m = s >= 0
    out[m] = dose * KA / (V * (KA - K)) * (np.exp(-K * s[m]) - np.exp(-KA * s[m]))
    return out


def infusion(t: np.ndarray, rate: float, start: float, dur: float) -> np.ndarray:
    """Concentration from a zero-order infusion into the central compartment."""
    s = t - start
    out = np.zeros_like(t)
    during = (s >= 0) & (s <= dur)
    after = s > dur
    out[during] = rate / (K * V) * (1 - np.exp(-K * s[during]))
    out[after] = rate / (K * V) * (1 - np.exp(-K * dur)) * np.exp(-K * (s[after] - dur))
    return out


def train(record_time: float, n_after: int = 0, tau: float = TAU) -> np.ndarray:
    """Times of an SS record's implied doses, its own, and n_after additional doses."""
    return record_time + tau * np.arange(-(N_TRAIN - 1), n_after + 1)


@pytest.fixture(scope="module")
def pk1():
    return rs.models.pk1cmt().with_params(CL=CL, V=V, KA=KA)


def ss_row(**items: float) -> dict[str, float]:
    return {"ID": 1, "EVID": 1, "SS": 1, "II": TAU, **items}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("lag", [3.0, 30.0], ids=["lag<II", "lag>II"])
def test_ss_bolus_with_lag_equals_the_doses_written_out(pk1, method, lag):
    """Issue 17: SS=1 oral bolus with F1 and ALAG1 (also ALAG1 > II), then ADDL=2.

    The amounts are the steady-state profile from the record's time on, not what the
    system held before: implied doses still entering after the record's time (lag > II)
    included."""
    model = pk1.with_params(F1=0.8, ALAG1=lag)
    data = pd.DataFrame([ss_row(TIME=24.0, AMT=100.0, CMT=1, ADDL=2)])
    t = np.linspace(24.0, 96.0, 145)
    sim = rs.simulate(model, data, times=t, omega=False, method=method)["CP"][0]
    ref = sum(oral(t, 80.0, td + lag) for td in train(24.0, n_after=2))
    assert relerr(sim, ref) <= tol_for(method)


@pytest.mark.parametrize("method", METHODS)
def test_ss_infusion_with_lag_running_at_the_record_time(pk1, method):
    """SS=1 infusion into CENT with F2 = 0.9 (duration F*AMT/RATE = 1.8 h) and ALAG2 =
    11 h: the implied infusion that started 1 h before the record runs on after it."""
    model = pk1.with_params(F2=0.9, ALAG2=11.0)
    data = pd.DataFrame([ss_row(TIME=0.0, AMT=100.0, CMT=2, RATE=50.0)])
    t = np.linspace(0.0, 36.0, 145)
    sim = rs.simulate(model, data, times=t, omega=False, method=method)["CP"][0]
    ref = sum(infusion(t, 50.0, td + 11.0, 1.8) for td in train(0.0))
    assert relerr(sim, ref) <= tol_for(method)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("f2", "lag"), [(1.2, 0.0), (1.5, 5.0)])
def test_ss_infusion_longer_than_ii_equals_overlapping_infusions(pk1, method, f2, lag):
    """SS infusions lasting F*AMT/RATE = 2.4 II and 3 II overlap; the duration that
    counts is F*AMT/RATE (issue 17: with F2 = 1.5 the old check passed AMT/RATE = 2.1 II
    and the result was wrong)."""
    model = pk1.with_params(F2=f2, ALAG2=lag)
    amt, rate = 240.0, 10.0
    dur = f2 * amt / rate
    data = pd.DataFrame([ss_row(TIME=0.0, AMT=amt, CMT=2, RATE=rate, ADDL=1)])
    t = np.linspace(0.0, 72.0, 145)
    sim = rs.simulate(model, data, times=t, omega=False, method=method)["CP"][0]
    ref = sum(infusion(t, rate, td + lag, dur) for td in train(0.0, n_after=1))
    assert relerr(sim, ref) <= tol_for(method)


@pytest.mark.parametrize("method", METHODS)
def test_ss_infusion_whose_bioavailable_duration_equals_ii(pk1, method):
    """AMT/RATE = 2 II, but F*AMT/RATE = II: at steady state the drug enters at the
    constant rate RATE, so CP = RATE / CL throughout (issue 17: this was refused)."""
    model = pk1.with_params(F2=0.5)
    data = pd.DataFrame([ss_row(TIME=0.0, AMT=240.0, CMT=2, RATE=10.0)])
    sim = rs.simulate(model, data, times=[0.0, 5.0, 11.0], omega=False, method=method)["CP"][0]
    np.testing.assert_allclose(sim, 10.0 / CL, rtol=tol_for(method))


@pytest.mark.parametrize("method", METHODS)
def test_modelled_rate_and_duration_from_data_columns(pk1, method):
    """RATE=-2 takes D2 (rate F*AMT/D2), RATE=-1 takes R2 (duration F*AMT/R2), each from
    its own record; an SS record with RATE=-2 and D2 > II overlaps as above."""
    model = pk1.with_params(F2=0.8)
    data = pd.DataFrame(
        {
            "ID": 1,
            "TIME": [0.0, 30.0, 60.0],
            "EVID": 1,
            "AMT": [100.0, 50.0, 120.0],
            "CMT": 2,
            "RATE": [-2.0, -1.0, -2.0],
            "D2": [4.0, 0.0, 30.0],  # the RATE=-1 row does not use D2
            "R2": [1.0, 10.0, 1.0],
            "SS": [0, 0, 1],
            "II": [0.0, 0.0, TAU],
        }
    )
    t = np.linspace(0.0, 59.5, 120)
    sim = rs.simulate(model, data, times=t, omega=False, method=method)["CP"][0]
    ref = infusion(t, 0.8 * 100.0 / 4.0, 0.0, 4.0) + infusion(t, 10.0, 30.0, 0.8 * 50.0 / 10.0)
    assert relerr(sim, ref) <= tol_for(method)
    t2 = np.linspace(60.0, 100.0, 81)
    sim2 = rs.simulate(model, data, times=t2, omega=False, method=method)["CP"][0]
    ref2 = sum(infusion(t2, 0.8 * 120.0 / 30.0, td, 30.0) for td in train(60.0))
    assert relerr(sim2, ref2) <= tol_for(method)


@pytest.mark.parametrize("method", ["exact", "rodas"])
def test_ss2_adds_a_second_train_to_the_first(pk1, method):
    """Morning 100 mg and evening 40 mg, each at steady state every 24 h: SS=1 then
    SS=2 (both with ALAG1 = 2 h) equals both trains written out."""
    model = pk1.with_params(ALAG1=2.0)
    data = pd.DataFrame(
        [ss_row(TIME=8.0, AMT=100.0, CMT=1, II=24.0), ss_row(TIME=20.0, AMT=40.0, CMT=1,
                                                              II=24.0, SS=2)]
    )
    t = np.linspace(20.0, 44.0, 97)
    sim = rs.simulate(model, data, times=t, omega=False, method=method)["CP"][0]
    ref = sum(oral(t, 100.0, td + 2.0) for td in train(8.0, tau=24.0))
    ref += sum(oral(t, 40.0, td + 2.0) for td in train(20.0, tau=24.0))
    assert relerr(sim, ref) <= tol_for(method)


@pytest.mark.parametrize("method", METHODS)
def test_constant_rate_infusion_at_steady_state(pk1, method):
    """SS=1, AMT=0, RATE=R, II=0: CP = R / CL from the record on (F2 does not scale a
    rate given without an amount), until a reset (EVID 3) stops the infusion."""
    model = pk1.with_params(F2=0.5)
    data = pd.DataFrame(
        {"ID": 1, "TIME": [10.0, 30.0], "EVID": [1, 3], "AMT": 0.0, "CMT": [2, 0],
         "RATE": [6.0, 0.0], "SS": [1, 0], "II": 0.0}
    )
    t = np.array([5.0, 10.0, 20.0, 30.0, 40.0])
    sim = rs.simulate(model, data, times=t, omega=False, method=method)["CP"][0]
    np.testing.assert_allclose(sim, [0.0, 3.0, 3.0, 0.0, 0.0], rtol=tol_for(method), atol=1e-12)


@pytest.mark.parametrize("method", ["exact", "dp5-rodas"])
def test_reset_and_dose_at_steady_state_with_lag(pk1, method):
    """EVID 4 with SS=1 and ALAG1 (single, then with ADDL): what came before is gone and
    the new train is at steady state from the record's time on."""
    model = pk1.with_params(ALAG1=4.0)
    data = pd.DataFrame(
        [ss_row(TIME=0.0, AMT=100.0, CMT=1),
         ss_row(TIME=48.0, AMT=60.0, CMT=1, EVID=4, II=8.0),
         ss_row(TIME=96.0, AMT=30.0, CMT=1, EVID=4, II=6.0, ADDL=3)]
    )
    t1 = np.linspace(48.0, 95.5, 96)
    t2 = np.linspace(96.0, 140.0, 89)
    sol = rs.simulate(model, data, times=np.concatenate([t1, t2]), omega=False, method=method)
    sim = sol["CP"][0]
    ref1 = sum(oral(t1, 60.0, td + 4.0) for td in train(48.0, tau=8.0))
    ref2 = sum(oral(t2, 30.0, td + 4.0) for td in train(96.0, n_after=3, tau=6.0))
    assert relerr(sim[: t1.size], ref1) <= tol_for(method)
    assert relerr(sim[t1.size:], ref2) <= tol_for(method)


@pytest.mark.parametrize("method", ["exact", "dp5-rodas"])
def test_ss1_cancels_the_pending_doses_of_earlier_records(pk1, method):
    """NONMEM: at an SS=1 record "infusions in progress or pending additional doses are
    cancelled".  100 mg every 12 h from 0 h (ADDL=10, to 120 h) and an infusion from
    40 h to 52 h, then an SS=1 record at 48 h (40 mg every 24 h): from 48 h on only the
    new train remains (the ADDL dose due at 48 h too)."""
    data = pd.DataFrame(
        [{"ID": 1, "TIME": 0.0, "EVID": 1, "AMT": 100.0, "CMT": 2, "ADDL": 10, "II": 12.0},
         {"ID": 1, "TIME": 40.0, "EVID": 1, "AMT": 60.0, "CMT": 2, "RATE": 5.0},
         ss_row(TIME=48.0, AMT=40.0, CMT=2, II=24.0)]
    ).fillna(0.0)
    t = np.linspace(48.0, 96.0, 97)
    sim = rs.simulate(pk1, data, times=t, omega=False, method=method)["CP"][0]
    ref = sum(40.0 / V * np.exp(-K * (t - td)) for td in train(48.0, tau=24.0))
    assert relerr(sim, ref) <= tol_for(method)


@pytest.mark.parametrize("method", ["exact", "dp5-rodas"])
def test_bioavailability_and_lag_change_record_by_record(pk1, method):
    """F1 and ALAG1 columns that change from record to record: each dose takes its own
    record's values, and an ADDL record's additional doses take that record's values."""
    data = pd.DataFrame(
        {
            "ID": 1,
            "TIME": [0.0, 12.0, 24.0, 30.0],
            "EVID": [1, 1, 1, 0],
            "AMT": [100.0, 100.0, 50.0, 0.0],
            "CMT": [1, 1, 1, 0],
            "ADDL": [0, 0, 2, 0],
            "II": [0.0, 0.0, 8.0, 0.0],
            "F1": [1.0, 0.5, 0.8, 0.3],
            "ALAG1": [0.0, 1.5, 2.5, 9.0],
        }
    )
    t = np.linspace(0.0, 72.0, 145)
    sim = rs.simulate(pk1, data, times=t, omega=False, method=method)["CP"][0]
    ref = oral(t, 100.0, 0.0) + oral(t, 50.0, 13.5)
    ref += sum(oral(t, 40.0, 24.0 + 8.0 * a + 2.5) for a in range(3))
    assert relerr(sim, ref) <= tol_for(method)


def test_a_column_named_like_a_modelled_duration_is_left_alone_when_unused(pk1):
    """A D2 column of notes in a data set without RATE=-2 is passed through, not read."""
    data = pd.DataFrame({"ID": 1, "TIME": [0.0], "AMT": [100.0], "CMT": [2], "D2": ["n/a"]})
    sim = rs.simulate(pk1, data, times=[2.0], omega=False)["CP"][0]
    np.testing.assert_allclose(sim, 100.0 / V * np.exp(-K * 2.0), rtol=1e-12)


class OneCmtModelledInfusion(Model):
    """One compartment whose infusions have a modelled duration D1 (a derived quantity)
    and a modelled rate R1 (a parameter), as NONMEM's $PK would define them."""

    name = "test_modelled_infusion"
    compartments = (Compartment("CENT", "mg"),)
    params = (
        Param("CL", CL, "L/h", "Clearance", source="assumed: test value"),
        Param("V", V, "L", "Volume", source="assumed: test value"),
        Param("TINF", 3.0, "h", "Infusion duration", source="assumed: test value"),
        Param("R1", 20.0, "mg/h", "Infusion rate", source="assumed: test value"),
    )
    derived = (Derived("D1", "TINF", "h", "Modelled infusion duration"),)
    ode = "dxdt_CENT = -CL / V * CENT"
    outputs = (Output("CP", "CENT / V", "mg/L"),)
    linear = True


def test_modelled_rate_and_duration_from_the_model():
    model = OneCmtModelledInfusion()
    data = pd.DataFrame(
        {"ID": 1, "TIME": [0.0, 24.0], "AMT": [90.0, 40.0], "CMT": 1, "RATE": [-2.0, -1.0]}
    )
    t = np.linspace(0.0, 48.0, 97)
    sol = rs.simulate(model, data, times=t, omega=False)
    ref = infusion(t, 30.0, 0.0, 3.0) + infusion(t, 20.0, 24.0, 2.0)
    assert relerr(sol["CP"][0], ref) <= 1e-9
    # A modelled duration of 0 cannot give a rate: that subject fails with status 5 and
    # a message saying what to check; the others are unaffected.
    bad = rs.simulate(model.with_params(TINF=0.0), data, times=t, omega=False)
    assert bad.status.tolist() == [5]
    assert "D<n>" in bad.failed[1]


MM = {"VMAX": 10.0, "KM": 2.0, "V2": 30.0, "Q": 10.0, "V3": 60.0, "KA": 1.0}


def mm_written_out(doses: list[tuple[float, int, float, float]], t: np.ndarray) -> np.ndarray:
    """CP of pk2cmt_mm by SciPy's DOP853 (rtol 1e-11; the problem is not stiff at these
    parameters) through doses written out as (time, compartment index, amount, duration;
    0 for a bolus), from the first dose on."""
    p = MM

    def rhs(_t, y, r):
        cp = y[1] / p["V2"]
        elim = p["VMAX"] * cp / (p["KM"] + cp)
        return [-p["KA"] * y[0] + r[0],
                p["KA"] * y[0] - elim - p["Q"] / p["V2"] * y[1] + p["Q"] / p["V3"] * y[2] + r[1],
                p["Q"] / p["V2"] * y[1] - p["Q"] / p["V3"] * y[2]]

    edges = sorted({d[0] for d in doses} | {d[0] + d[3] for d in doses if d[3] > 0}
                   | {float(t[-1])})
    y = np.zeros(3)
    out = np.full(t.shape, np.nan)
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        r = np.zeros(2)
        for td, c, amt, dur in doses:
            if dur == 0 and td == a:
                y[c] += amt
            if dur > 0 and td <= a < td + dur:
                r[c] += amt / dur
        # Outputs in [a, b) (and at the last edge), then the state at b.
        inside = (t >= a) & ((t < b) | (b == edges[-1]))
        ts = t[inside]
        sol = solve_ivp(rhs, (a, b), y, method="DOP853", rtol=1e-11, atol=1e-14, args=(r,),
                        t_eval=ts if ts.size and ts[-1] == b else np.append(ts, b))
        out[inside] = sol.y[1, : ts.size] / p["V2"]
        y = sol.y[:, -1].copy()
    return out


@pytest.fixture(scope="module")
def mm_references():
    """80 doses written out (the terminal half-life of pk2cmt_mm is about 15 h: 960 h
    leave less than 1e-8 of the first; 40 and 100 doses differ by 3e-7): an oral bolus of
    20 mg entering 15 h after each dosing time (ALAG1 > II), and infusions of 18 mg over
    18 h (> II)."""
    n, t = 80, np.linspace(0.0, 24.0, 49)
    bolus = mm_written_out([(15.0 - TAU * j, 0, 20.0, 0.0) for j in range(n)], t)
    inf = mm_written_out([(-TAU * j, 1, 18.0, 18.0) for j in range(n)], t)
    return t, bolus, inf


@pytest.mark.parametrize("method", ["dp5-rodas", "rodas"])
def test_nonlinear_steady_state_by_repeated_dosing(method, mm_references):
    """pk2cmt_mm: an SS oral bolus with ALAG1 > II and an SS infusion lasting 1.5 II,
    by repeated dosing, against SciPy on the doses written out."""
    t, ref_bolus, ref_inf = mm_references
    model = rs.models.pk2cmt_mm().with_params(ALAG1=15.0, **MM)
    bolus = pd.DataFrame([ss_row(TIME=0.0, AMT=20.0, CMT=1)])
    sim = rs.simulate(model, bolus, times=t, omega=False, method=method)["CP"][0]
    assert relerr(sim, ref_bolus) <= 1e-5
    inf = pd.DataFrame([ss_row(TIME=0.0, AMT=18.0, CMT=2, RATE=1.0)])
    sim = rs.simulate(model, inf, times=t, omega=False, method=method)["CP"][0]
    assert relerr(sim, ref_inf) <= 1e-5


@pytest.mark.parametrize("method", ["dp5-rodas", "rodas"])
def test_nonlinear_constant_rate_infusion_at_steady_state(method):
    """pk2cmt_mm at a constant rate R: VMAX C / (KM + C) = R, so C = R KM / (VMAX - R)."""
    model = rs.models.pk2cmt_mm().with_params(**MM)
    data = pd.DataFrame([ss_row(TIME=0.0, AMT=0.0, CMT=2, RATE=5.0, II=0.0)])
    sim = rs.simulate(model, data, times=[0.0, 50.0], omega=False, method=method)["CP"][0]
    np.testing.assert_allclose(sim, 5.0 * 2.0 / (10.0 - 5.0), rtol=1e-5)
