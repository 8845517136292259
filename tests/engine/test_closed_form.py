"""Closed-form agreement, as mrgsolve's "ADVAN2 same as ODE" tests.

References for the closed forms: Gibaldi M, Perrier D (1982), Pharmacokinetics,
2nd ed., Marcel Dekker: one-compartment oral (Bateman) eq. 2.23, zero-order
infusion eqs. 2.42/2.46, two-compartment IV bolus eq. 3.7 and oral eq. 3.77;
repeated doses by superposition.

Tolerances (issue #2): relative error <= 1e-9 on the exact (matrix exponential)
path and <= 1e-5 on the adaptive solvers at their default tolerances.  Relative
errors are taken where the reference exceeds 1e-6 of its maximum, since below
that the adaptive solvers are held by ``atol`` and not ``rtol``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rewardsim as rs

KA, CL, V = 1.2, 25.0, 50.0
K = CL / V
EXACT_TOL = 1e-9
ADAPTIVE_TOL = 1e-5
ADAPTIVE = ("rodas", "dp5-rodas")


def relerr(sim: np.ndarray, ref: np.ndarray) -> float:
    mask = ref > 1e-6 * ref.max()
    return float(np.max(np.abs(sim[mask] - ref[mask]) / ref[mask]))


def oral_1cmt(t, dose, tdose=0.0, f=1.0, lag=0.0, ka=KA, k=K, v=V):
    s = t - tdose - lag
    out = np.zeros_like(t)
    m = s >= 0
    out[m] = f * dose * ka / (v * (ka - k)) * (np.exp(-k * s[m]) - np.exp(-ka * s[m]))
    return out


def tol_for(method: str) -> float:
    return EXACT_TOL if method == "exact" else ADAPTIVE_TOL


@pytest.fixture(scope="module")
def pk1():
    return rs.models.pk1cmt().with_params(CL=CL, V=V, KA=KA)


@pytest.mark.parametrize("method", ["exact", *ADAPTIVE])
def test_oral_single_dose_bateman(pk1, method):
    t = np.linspace(0, 48, 193)
    sol = rs.simulate(pk1, rs.regimen(100.0, cmt=1), times=t, omega=False, method=method)
    assert relerr(sol["CP"][0], oral_1cmt(t, 100.0)) <= tol_for(method)


@pytest.mark.parametrize("method", ["exact", *ADAPTIVE])
def test_oral_addl_superposition_with_lag_and_f(pk1, method):
    # 10 doses every 12 h with F1 = 0.6 and ALAG1 = 0.75 h, output on a 0.25 h grid.
    model = pk1.with_params(F1=0.6, ALAG1=0.75)
    t = np.arange(0, 150, 0.25)
    data = rs.regimen(50.0, every=12.0, n_doses=10, cmt=1)
    sol = rs.simulate(model, data, times=t, omega=False, method=method)
    ref = sum(oral_1cmt(t, 50.0, 12.0 * j, f=0.6, lag=0.75) for j in range(10))
    assert relerr(sol["CP"][0], ref) <= tol_for(method)


@pytest.mark.parametrize("method", ["exact", *ADAPTIVE])
def test_iv_bolus(pk1, method):
    t = np.linspace(0, 24, 97)
    sol = rs.simulate(pk1, rs.regimen(100.0, cmt=2), times=t, omega=False, method=method)
    assert relerr(sol["CP"][0], 100.0 / V * np.exp(-K * t)) <= tol_for(method)


@pytest.mark.parametrize("method", ["exact", *ADAPTIVE])
def test_zero_order_infusion(pk1, method):
    # 100 mg at 50 mg/h into the central compartment: 2 h infusion.
    t = np.linspace(0, 24, 97)
    data = pd.DataFrame({"ID": [1], "TIME": [0.0], "AMT": [100.0], "CMT": [2], "RATE": [50.0]})
    sol = rs.simulate(pk1, data, times=t, omega=False, method=method)
    tinf, r = 2.0, 50.0
    ref = np.where(
        t <= tinf,
        r / CL * (1 - np.exp(-K * t)),
        r / CL * (1 - np.exp(-K * tinf)) * np.exp(-K * (t - tinf)),
    )
    assert relerr(sol["CP"][0], ref) <= tol_for(method)


def two_cmt_rates(cl, v2, q, v3):
    k10, k12, k21 = cl / v2, q / v2, q / v3
    s = k10 + k12 + k21
    alpha = 0.5 * (s + np.sqrt(s * s - 4 * k10 * k21))
    beta = k10 * k21 / alpha
    return k21, alpha, beta


@pytest.mark.parametrize("method", ["exact", *ADAPTIVE])
def test_two_cmt_iv_bolus_and_oral(method):
    cl, v2, q, v3, ka = 5.0, 20.0, 8.0, 40.0, 0.9
    model = rs.models.pk2cmt().with_params(CL=cl, V2=v2, Q=q, V3=v3, KA=ka)
    k21, a, b = two_cmt_rates(cl, v2, q, v3)
    t = np.linspace(0, 72, 289)
    dose = 100.0
    data = pd.concat([rs.regimen(dose, cmt=2, ids=[1]), rs.regimen(dose, cmt=1, ids=[2])])
    sol = rs.simulate(model, data, times=t, omega=False, method=method)
    iv = dose / v2 * ((a - k21) / (a - b) * np.exp(-a * t) + (k21 - b) / (a - b) * np.exp(-b * t))
    oral = (
        dose
        * ka
        / v2
        * (
            (k21 - a) / ((ka - a) * (b - a)) * np.exp(-a * t)
            + (k21 - b) / ((ka - b) * (a - b)) * np.exp(-b * t)
            + (k21 - ka) / ((a - ka) * (b - ka)) * np.exp(-ka * t)
        )
    )
    assert relerr(sol["CP"][0], iv) <= tol_for(method)
    assert relerr(sol["CP"][1], oral) <= tol_for(method)


def test_mm_model_agrees_with_scipy_radau():
    """pk2cmt_mm vs scipy solve_ivp(Radau, rtol=1e-10): <= 1e-5 relative (issue #2)."""
    from scipy.integrate import solve_ivp

    p = dict(VMAX=10.0, KM=2.0, V2=30.0, Q=10.0, V3=60.0, KA=1.0)
    model = rs.models.pk2cmt_mm().with_params(**p)

    def f(t, y):
        cp = y[1] / p["V2"]
        return [
            -p["KA"] * y[0],
            p["KA"] * y[0]
            - p["VMAX"] * cp / (p["KM"] + cp)
            - p["Q"] / p["V2"] * y[1]
            + p["Q"] / p["V3"] * y[2],
            p["Q"] / p["V2"] * y[1] - p["Q"] / p["V3"] * y[2],
        ]

    # Three doses of 200 mg every 12 h, integrated dose to dose with jumps.
    t = np.linspace(0, 48, 193)
    ref = np.empty_like(t)
    y = np.zeros(3)
    for j, (t0, t1) in enumerate([(0, 12), (12, 24), (24, 48)]):
        y[0] += 200.0
        m = (t >= t0) & ((t < t1) | (j == 2))
        r = solve_ivp(f, (t0, t1), y, method="Radau", rtol=1e-10, atol=1e-12, t_eval=t[m])
        ref[m] = r.y[1] / p["V2"]
        y = solve_ivp(f, (t0, t1), y, method="Radau", rtol=1e-10, atol=1e-12).y[:, -1]
    data = rs.regimen(200.0, every=12.0, n_doses=3, cmt=1)
    for method in ADAPTIVE:
        sol = rs.simulate(model, data, times=t, omega=False, method=method)
        assert relerr(sol["CP"][0], ref) <= ADAPTIVE_TOL, method


def test_exact_refused_for_nonlinear_model():
    with pytest.raises(rs.RewardsimError, match="not declared linear"):
        rs.simulate(rs.models.pk2cmt_mm(), rs.regimen(1.0), times=[0, 1], method="exact")
