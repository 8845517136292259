"""Rodas4 for one subject, and steady state by repeated dosing with it (shared solver).

Rodas4 is the L-stable, stiffly accurate Rosenbrock method of order 4(3) with dense output
of Hairer & Wanner (1996), Solving Ordinary Differential Equations II, 2nd ed., Springer,
section IV.7 (coefficients of their code RODAS), with error-controlled adaptive steps.
The model's functions are called through its function table ``fns``
(:mod:`rewardsim.engine._fcall`); the Jacobian is the model's own where it has one,
otherwise forward differences.
"""

import math

import numpy as np
from numba import njit

from ._fcall import F_JAC, F_OBS, F_RHS, addr, call5, call6, call7
from ._kernels import lu_factor, lu_solve

# Rodas4 coefficients (Hairer & Wanner 1996, code RODAS, METH=1).
R_G = 0.25
R_A21 = 1.544
R_A31, R_A32 = 0.9466785280815826, 0.2557011698983284
R_A41, R_A42, R_A43 = 3.314825187068521, 2.896124015972201, 0.9986419139977817
R_A51, R_A52, R_A53, R_A54 = (
    1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950)
R_C21 = -5.6688
R_C31, R_C32 = -2.430093356833875, -0.2063599157091915
R_C41, R_C42, R_C43 = -0.1073529058151375, -9.594562251023355, -20.47028614809616
R_C51, R_C52, R_C53, R_C54 = (
    7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160)
R_C61, R_C62, R_C63, R_C64, R_C65 = (
    8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136,
    -6.058818238834054)
R_H21, R_H22, R_H23, R_H24, R_H25 = (
    10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823,
    1.025137723295662)
R_H31, R_H32, R_H33, R_H34, R_H35 = (
    -0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386,
    -6.594389125716872)


@njit(cache=True, nogil=True, error_model="numpy")
def start_step(y, f, rtol, atol, span):
    """Starting step size (Hairer, Norsett & Wanner 1993, II.4)."""
    nx = y.shape[0]
    d0 = 0.0
    d1 = 0.0
    for i in range(nx):
        sc = atol + rtol * abs(y[i])
        # Squares as products: numba compiles x ** 2 once a process and reuses it, fused
        # or not by the first function that used it; a product follows this function.
        q0 = y[i] / sc
        q1 = f[i] / sc
        d0 += q0 * q0
        d1 += q1 * q1
    d0 = math.sqrt(d0 / nx)
    d1 = math.sqrt(d1 / nx)
    h = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    return max(h, 1e-6 * span)


@njit(cache=True, nogil=True, error_model="numpy")
def _wnorm(v, y0, y1, rtol, atol):
    nx = v.shape[0]
    s = 0.0
    for i in range(nx):
        sc = atol + rtol * max(abs(y0[i]), abs(y1[i]))
        q = v[i] / sc
        s += q * q
    return math.sqrt(s / nx)


@njit(cache=True, nogil=True, error_model="numpy")
def jacobian(fns, t, y, p, d, rates, f0, fy, J):
    """J = df/dy at (t, y): the model's own, or forward differences from f0 = f(t, y)."""
    nx = y.shape[0]
    if fns[F_JAC] != 0:
        call5(fns[F_JAC], t, y, p, d, J)
        return
    for j in range(nx):
        yj = y[j]
        dl = 1.4901161193847656e-08 * max(abs(yj), 1e-6)
        y[j] = yj + dl
        call6(fns[F_RHS], t, y, p, d, rates, fy)
        y[j] = yj
        for r in range(nx):
            J[r, j] = (fy[r] - f0[r]) / dl


@njit(cache=True, nogil=True, error_model="numpy")
def rodas_advance(fns, t0, t1, y, p, d, rates, obs_t, kout, kend, out, row0, rtol, atol,
                  hstate, max_steps, nsteps):
    """Integrate y from t0 to t1, emitting outputs at obs_t[kout:kend] in (t0, t1).

    Output k goes to column row0 + k of ``out`` (outputs x rows). Returns (new kout,
    status). hstate[0] carries the step size between calls; hstate[1] receives the step
    proposed after the first accepted step.
    """
    if t1 <= t0:
        return kout, 0
    nx = y.shape[0]
    stride = out.shape[1]
    f0 = np.empty(nx)
    fy = np.empty(nx)
    J = np.empty((nx, nx))
    W = np.empty((nx, nx))
    piv = np.empty(nx, dtype=np.int64)
    k1 = np.empty(nx)
    k2 = np.empty(nx)
    k3 = np.empty(nx)
    k4 = np.empty(nx)
    k5 = np.empty(nx)
    k6 = np.empty(nx)
    u = np.empty(nx)
    yn = np.empty(nx)
    yp = np.empty(nx)
    t = t0
    h = hstate[0]
    span = t1 - t0
    call6(fns[F_RHS], t, y, p, d, rates, f0)
    if h <= 0.0:
        h = start_step(y, f0, rtol, atol, span)
    h = min(h, span)
    steps = 0
    reject = False
    first = True
    while t < t1:
        if steps >= max_steps:
            hstate[0] = h
            return kout, 1
        if h < 1e-14 * max(1.0, abs(t)):
            return kout, 2
        last = False
        if t + h >= t1 or t + 1.0001 * h >= t1:
            h = t1 - t
            last = True
        jacobian(fns, t, y, p, d, rates, f0, fy, J)
        ig = 1.0 / (h * R_G)
        for r in range(nx):
            for c in range(nx):
                W[r, c] = -J[r, c]
            W[r, r] += ig
        if not lu_factor(W, piv):
            h *= 0.5
            steps += 1
            continue
        ih = 1.0 / h
        for i in range(nx):
            k1[i] = f0[i]
        lu_solve(W, piv, k1)
        for i in range(nx):
            u[i] = y[i] + R_A21 * k1[i]
        call6(fns[F_RHS], t, u, p, d, rates, fy)
        for i in range(nx):
            k2[i] = fy[i] + R_C21 * ih * k1[i]
        lu_solve(W, piv, k2)
        for i in range(nx):
            u[i] = y[i] + R_A31 * k1[i] + R_A32 * k2[i]
        call6(fns[F_RHS], t, u, p, d, rates, fy)
        for i in range(nx):
            k3[i] = fy[i] + ih * (R_C31 * k1[i] + R_C32 * k2[i])
        lu_solve(W, piv, k3)
        for i in range(nx):
            u[i] = y[i] + R_A41 * k1[i] + R_A42 * k2[i] + R_A43 * k3[i]
        call6(fns[F_RHS], t, u, p, d, rates, fy)
        for i in range(nx):
            k4[i] = fy[i] + ih * (R_C41 * k1[i] + R_C42 * k2[i] + R_C43 * k3[i])
        lu_solve(W, piv, k4)
        for i in range(nx):
            u[i] = y[i] + R_A51 * k1[i] + R_A52 * k2[i] + R_A53 * k3[i] + R_A54 * k4[i]
        call6(fns[F_RHS], t, u, p, d, rates, fy)
        for i in range(nx):
            k5[i] = fy[i] + ih * (R_C51 * k1[i] + R_C52 * k2[i] + R_C53 * k3[i]
                                  + R_C54 * k4[i])
        lu_solve(W, piv, k5)
        for i in range(nx):
            u[i] = u[i] + k5[i]
        call6(fns[F_RHS], t, u, p, d, rates, fy)
        for i in range(nx):
            k6[i] = fy[i] + ih * (R_C61 * k1[i] + R_C62 * k2[i] + R_C63 * k3[i]
                                  + R_C64 * k4[i] + R_C65 * k5[i])
        lu_solve(W, piv, k6)
        for i in range(nx):
            yn[i] = u[i] + k6[i]
        err = _wnorm(k6, y, yn, rtol, atol)
        steps += 1
        nsteps[0] += 1
        if not (err == err) or err > 1e300:
            h *= 0.25
            reject = True
            continue
        if err <= 1.0:
            tn = t + h
            # Dense output on (t, tn] for pending observation times before t1.
            while kout < kend and obs_t[kout] <= tn and obs_t[kout] < t1:
                th = (obs_t[kout] - t) / h
                th1 = 1.0 - th
                for i in range(nx):
                    q1 = (R_H21 * k1[i] + R_H22 * k2[i] + R_H23 * k3[i] + R_H24 * k4[i]
                          + R_H25 * k5[i])
                    q2 = (R_H31 * k1[i] + R_H32 * k2[i] + R_H33 * k3[i] + R_H34 * k4[i]
                          + R_H35 * k5[i])
                    yp[i] = th1 * y[i] + th * (yn[i] + th1 * (q1 + th * q2))
                call7(fns[F_OBS], 1, addr(obs_t, kout), yp, p, d, addr(out, row0 + kout),
                                  stride)
                kout += 1
            for i in range(nx):
                y[i] = yn[i]
            t = tn
            if last:
                t = t1
            call6(fns[F_RHS], t, y, p, d, rates, f0)
            fac = 0.9 * (max(err, 1e-10)) ** -0.25
            fac = min(6.0, max(0.2, fac))
            if reject:
                fac = min(fac, 1.0)
            reject = False
            if first:
                hstate[1] = h * fac
                first = False
            if not last:
                h = h * fac
            else:
                hstate[0] = h * fac
        else:
            fac = max(0.2, 0.9 * err**-0.25)
            h = h * fac
            reject = True
    for i in range(nx):
        if not (y[i] == y[i]) or abs(y[i]) > 1e300:
            return kout, 4
    return kout, 0


@njit(cache=True, nogil=True, error_model="numpy")
def _cycle_rodas(fns, c, val, dur, ii, s, y, p, d, rates, rtol, atol, max_steps, nsteps):
    """Advance y from the start of a steady-state dosing cycle to s by Rodas4 (the cycle
    as in :func:`rewardsim.engine._exact.ss_exact`); returns the solver status."""
    no_t = np.empty(1)
    no_out = np.empty((1, 1))
    hstate = np.zeros(2)
    if dur == 0.0:
        y[c] += val
        _, st = rodas_advance(fns, 0.0, s, y, p, d, rates, no_t, 0, 0, no_out, 0, rtol, atol,
                              hstate, max_steps, nsteps)
        return st
    q = math.floor(dur / ii)
    e = dur - q * ii
    t = 0.0
    for seg in range(2):
        t1 = min(e, s) if seg == 0 else s
        if t1 > t:
            rates[c] = (q + 1 - seg) * val
            hstate[0] = 0.0
            _, st = rodas_advance(fns, t, t1, y, p, d, rates, no_t, 0, 0, no_out, 0, rtol,
                                  atol, hstate, max_steps, nsteps)
            if st != 0:
                return st
            t = t1
    rates[c] = 0.0
    return 0


SS_MAX_CYCLES = 2000


@njit(cache=True, nogil=True, error_model="numpy")
def ss_rodas(fns, add, c, val, ii, dur, ph, y, y0, p, d, rtol, atol, max_steps, nsteps):
    """:func:`rewardsim.engine._exact.ss_exact` by repeated dosing from y0 with Rodas4.

    Cycles are simulated until the amounts at the start of a cycle change by less than
    1 % of the error tolerance (atol + rtol |z|) from one cycle to the next (at most
    SS_MAX_CYCLES).  A constant-rate infusion (ii = 0) runs over spans of 1, 2, 4, ...
    h until the amounts change that little over two spans in a row.  Returns False if
    that fails.
    """
    nx = y.shape[0]
    z = np.empty(nx)
    rates = np.zeros(nx)
    prev = np.empty(nx)
    for j in range(nx):
        z[j] = y0[j]
    span = 1.0
    calm = 0
    for _ in range(SS_MAX_CYCLES):
        for j in range(nx):
            prev[j] = z[j]
        # A span of a constant-rate infusion is a cycle of one infusion as long.
        cyc = ii if ii > 0.0 else span
        st = _cycle_rodas(fns, c, val, dur if ii > 0.0 else span, cyc, cyc, z, p, d, rates,
                          rtol, atol, max_steps, nsteps)
        span *= 2.0
        if st != 0:
            return False
        done = True
        for j in range(nx):
            if abs(z[j] - prev[j]) > 0.01 * (atol + rtol * abs(z[j])):
                done = False
        calm = calm + 1 if done else 0
        if done and (ii > 0.0 or calm == 2):
            if ii > 0.0 and ph > 0.0:
                if _cycle_rodas(fns, c, val, dur, ii, ii - ph, z, p, d, rates, rtol, atol,
                                max_steps, nsteps) != 0:
                    return False
            for j in range(nx):
                y[j] = y[j] + z[j] if add else z[j]
            return True
    return False
