# ruff: noqa: F821
"""Population kernel, compiled once per model.

This file is not imported as it stands: :mod:`rewardsim.engine._codegen`
prepends a model's generated functions (``_derive``, ``_init``, ``_rhs``,
``_observe``, ``_dosemods``, the tuple helpers ``_ft``, ``_vload``, ``_mload``,
``_vmat``, ``_vmatadd``, ``_vlin1``..``_vlin6``, and the sizes ``NX``, ``NP``, ``ND``,
``NO``) and compiles the whole module with numba's on-disk cache.

Dose times are discontinuities known before solving (STYLE section 4): each
subject's records are expanded (ADDL, lag, bioavailability, modelled rates and
durations, infusion ends, the implied doses of a steady-state record still to
come) into a sorted event list, and the solution is advanced piecewise between
them.  A bolus is a jump in state, an infusion a piecewise-constant input.  A
steady-state record sets (SS=1) or adds to (SS=2) the amounts the infinite train
of its implied doses leaves at the record's time: exactly from the propagator
for linear models, by repeated dosing otherwise (``_ss_exact``, ``_ss_rodas``).

Solvers
-------
* exact (``METHOD_EXACT``): for linear models dx/dt = A x + r, the interval
  [t, t+dt] is advanced with x <- Phi x + Gamma r, where Phi = exp(A dt) and
  Gamma = int_0^dt exp(A s) ds, both read off exp([[A, I], [0, 0]] dt).
* Rodas4 (``METHOD_RODAS``): the L-stable, stiffly accurate Rosenbrock method
  of order 4(3) with dense output of Hairer & Wanner (1996), Solving Ordinary
  Differential Equations II, 2nd ed., Springer, section IV.7 (coefficients of
  their code RODAS), with error-controlled adaptive steps.
* Dormand-Prince 5(4) (``METHOD_AUTO``): explicit, with dense output and a
  stiffness test; a subject found stiff continues with Rodas4.  Models of up
  to 8 states (``LANES`` > 1) step LANES subjects together (see the lanes
  section); larger ones one at a time (``_dopri_advance``).

The hot loops hold the state in tuples (see ``_vector_helpers`` in
:mod:`rewardsim.engine._codegen`) and are compiled with the fast-math flags
``contract`` (fused multiply-add) and ``arcp`` (x / c as x * (1 / c) for a
loop-invariant c); never ``nnan``/``ninf``, which would drop the NaN checks.
Results stay bit-identical across chunkings and thread counts: every subject
runs the same machine code.

Status codes per subject: 0 ok; 1 too many steps; 2 step size underflow;
3 steady state not reached or singular; 4 non-finite state; 5 a modelled
infusion rate (R<n>) or duration (D<n>) that is not > 0.
"""

import math

import numpy as np
from numba import njit
from numba.np.unsafe.ndarray import to_fixed_tuple

from rewardsim.engine._kernels import expm, lu_factor, lu_solve

# Event types, in the order they apply at equal times.
EV_RESET = 0
EV_SS = 1  # steady state replacing the amounts (SS=1)
EV_SS2 = 2  # steady state added to the amounts (SS=2)
EV_INF_OFF = 3
EV_BOLUS = 4
EV_INF_ON = 5

METHOD_EXACT = 0
METHOD_RODAS = 1
METHOD_AUTO = 2

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


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _f(t, y, p, d, rates, dy):
    _rhs(t, y, p, d, dy)
    for i in range(NX):
        dy[i] += rates[i]


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _emit(t, y, p, d, out, row, o):
    _observe(t, y, p, d, o)
    for j in range(NO):
        out[j, row] = o[j]


@njit(cache=True, nogil=True, error_model="numpy")
def _dose(r, c, ev_amt, ev_rate, ev_mod, DMOD):
    """Record r's dose into compartment c: (amount F*AMT, rate, duration, lag).

    F, ALAG, R and D come from the record (``ev_mod``, NaN where absent) or else from
    the subject (the rows of ``DMOD``, per compartment).  A bolus has rate and duration 0.
    RATE -1 takes the rate R (duration F*AMT/R), RATE -2 the duration D (rate
    F*AMT/D), as in NONMEM.  The rate is -1 when the modelled R or D is not > 0.
    """
    f = ev_mod[r, 0]
    if f != f:
        f = DMOD[0, c]
    lag = ev_mod[r, 1]
    if lag != lag:
        lag = DMOD[1, c]
    amt = ev_amt[r] * f
    rate = ev_rate[r]
    if rate == -1.0:
        rate = ev_mod[r, 2]
        if rate != rate:
            rate = DMOD[2, c]
        if not rate > 0.0:
            return amt, -1.0, 0.0, lag
    elif rate == -2.0:
        dur = ev_mod[r, 3]
        if dur != dur:
            dur = DMOD[3, c]
        if not dur > 0.0:
            return amt, -1.0, 0.0, lag
        return amt, amt / dur, dur, lag
    if rate > 0.0:
        return amt, rate, amt / rate, lag
    return amt, 0.0, 0.0, lag


@njit(cache=True, nogil=True, error_model="numpy")
def _ss_train(lag, ii, dur):
    """Where a steady-state record's time falls in its dosing cycle.

    The implied doses of an SS record at time T entered at T + lag - k*ii (k >= 1).
    Returns (m, ph, n_on): the m implied doses that enter after T (at T + ph + j*ii,
    j < m; ph = lag mod ii), and the n_on implied infusions still running at T (the
    j-th, j >= 1, started s + (j - 1)*ii before T, s = ii - ph, and ends at
    T + dur - s - (j - 1)*ii).
    """
    m = int(math.floor(lag / ii))
    ph = lag - m * ii
    if ph < 0.0:
        ph = 0.0
    s = ii - ph
    n_on = 0
    if dur > s:
        n_on = int(math.ceil((dur - s) / ii))
    return m, ph, n_on


@njit(cache=True, nogil=True, error_model="numpy")
def _expand(i, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate, ev_addl, ev_ii, ev_ss, ev_mod,
            DMOD):
    """Expand subject i's records into sorted events (time, type, cmt, value, ii, dur, phase).

    value is the amount of a bolus, the rate of an infusion start or end; ii holds the
    start time of a dose (an infusion cut short by a reset is ignored); a steady-state
    event (EV_SS, EV_SS2) holds the amount (bolus) or rate (infusion), the interval
    (0 for a constant-rate infusion), the duration and the phase (see
    :func:`_ss_train`).  Returns (ok, arrays...): ok is False when a modelled rate or
    duration is not > 0.
    """
    n = 0
    for r in range(ev_ptr[i], ev_ptr[i + 1]):
        e = ev_evid[r]
        if e == 3 or e == 4:
            n += 1
        if e != 1 and e != 4:
            continue
        amt, rate, dur, lag = _dose(r, ev_cmt[r], ev_amt, ev_rate, ev_mod, DMOD)
        if rate < 0.0:
            z = np.empty(0)
            zi = np.empty(0, dtype=np.int64)
            return False, z, zi, zi, z, z, z, z
        if ev_ss[r] > 0 and ev_ii[r] == 0.0:
            n += 2
            continue
        per = 2 if dur > 0.0 else 1
        n += (ev_addl[r] + 1) * per
        if ev_ss[r] > 0:
            m, ph, n_on = _ss_train(lag, ev_ii[r], dur)
            n += 1 + m * per + 2 * n_on
    et = np.empty(n)
    ek = np.empty(n, dtype=np.int64)
    ec = np.empty(n, dtype=np.int64)
    ev = np.empty(n)
    eii = np.empty(n)
    ex = np.zeros((n, 2))  # duration and phase of steady-state events
    k = 0
    hi = ev_ptr[i + 1]
    j_ss = 0
    for r in range(ev_ptr[i], hi):
        e = ev_evid[r]
        if e == 0 or e == 2:
            continue
        T = ev_t[r]
        # An SS=1 record cancels the doses of earlier records still to enter at or after
        # its time (NONMEM: "infusions in progress or pending additional doses are
        # cancelled"): tcut is the time of the first SS=1 record after record r.
        j_ss = max(j_ss, r + 1)
        while j_ss < hi and not (ev_ss[j_ss] == 1 and (ev_evid[j_ss] == 1
                                                       or ev_evid[j_ss] == 4)):
            j_ss += 1
        tcut = ev_t[j_ss] if j_ss < hi else np.inf
        if e == 3 or e == 4:
            et[k] = T
            ek[k] = EV_RESET
            ec[k] = 0
            ev[k] = 0.0
            eii[k] = 0.0
            k += 1
            if e == 3:
                continue
        if T >= tcut:
            continue  # superseded by a later SS=1 record at the same time
        c = ev_cmt[r]
        ii = ev_ii[r]
        amt, rate, dur, lag = _dose(r, c, ev_amt, ev_rate, ev_mod, DMOD)
        t0 = T + lag
        nd = ev_addl[r] + 1
        if ev_ss[r] > 0:
            et[k] = T
            ek[k] = EV_SS if ev_ss[r] == 1 else EV_SS2
            ec[k] = c
            ev[k] = rate if dur > 0.0 or ii == 0.0 else amt
            eii[k] = ii
            ex[k, 0] = dur
            # Implied infusions running at T (they count from T, so that a later reset
            # stops them); a constant-rate infusion (II = 0, at RATE or R as given: there
            # is no amount for F to scale) runs until a reset.
            m, ph, n_on = _ss_train(lag, ii, dur) if ii > 0.0 else (0, 0.0, 1)
            ex[k, 1] = ph
            k += 1
            for j in range(n_on):
                et[k] = T
                ek[k] = EV_INF_ON
                ec[k] = c
                ev[k] = rate
                eii[k] = T
                k += 1
                if ii > 0.0:
                    et[k] = T + dur - (ii - ph) - j * ii
                    ek[k] = EV_INF_OFF
                    ec[k] = c
                    ev[k] = rate
                    eii[k] = T
                    k += 1
            if ii == 0.0:
                continue
            # The implied doses still to enter (a lag longer than II), then the record's
            # own dose and its additional doses.
            t0 = T + ph
            nd += m
        for a in range(nd):
            td = t0 + a * ii
            if td >= tcut:
                break
            et[k] = td
            ek[k] = EV_INF_ON if dur > 0.0 else EV_BOLUS
            ec[k] = c
            ev[k] = rate if dur > 0.0 else amt
            eii[k] = td  # start time: an infusion cut short by a reset is ignored
            k += 1
            if dur > 0.0:
                et[k] = td + dur
                ek[k] = EV_INF_OFF
                ec[k] = c
                ev[k] = rate
                eii[k] = td
                k += 1
    # Sort by time, then by type (reset, SS=1, SS=2, infusion off, bolus, infusion on):
    # a stable insertion sort, linear for the nearly sorted lists that ADDL produces.
    n = k
    order = np.empty(n, dtype=np.int64)
    for a in range(n):
        order[a] = a
    for a in range(1, n):
        cur = order[a]
        b = a - 1
        while b >= 0 and (et[order[b]] > et[cur]
                          or (et[order[b]] == et[cur] and ek[order[b]] > ek[cur])):
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = cur
    st = np.empty(n)
    sk = np.empty(n, dtype=np.int64)
    sc = np.empty(n, dtype=np.int64)
    sv = np.empty(n)
    sii = np.empty(n)
    sdur = np.empty(n)
    sph = np.empty(n)
    for a in range(n):
        b = order[a]
        st[a] = et[b]
        sk[a] = ek[b]
        sc[a] = ec[b]
        sv[a] = ev[b]
        sii[a] = eii[b]
        sdur[a] = ex[b, 0]
        sph[a] = ex[b, 1]
    return True, st, sk, sc, sv, sii, sdur, sph


# ----------------------------------------------------------------- exact path
@njit(cache=True, nogil=True, error_model="numpy")
def _linear_matrix(p, d, A):
    """A[:, j] = f(e_j) for a linear model (the rhs is evaluated on unit vectors)."""
    y = np.zeros(NX)
    dy = np.empty(NX)
    for j in range(NX):
        y[j] = 1.0
        _rhs(0.0, y, p, d, dy)
        for r in range(NX):
            A[r, j] = dy[r]
        y[j] = 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def _propagators(A, dt, Phi, Gam):
    M = np.zeros((2 * NX, 2 * NX))
    for r in range(NX):
        for c in range(NX):
            M[r, c] = A[r, c] * dt
        M[r, NX + r] = dt
    E = expm(M)
    for r in range(NX):
        for c in range(NX):
            Phi[r, c] = E[r, c]
            Gam[r, c] = E[r, NX + c]


@njit(cache=True, nogil=True, error_model="numpy")
def _slot(dt, A, cache_dt, cache_ctr, Phi, Gam):
    """Index of the cached propagators for step dt, computing them on a miss."""
    for s in range(cache_dt.shape[0]):
        if cache_dt[s] == dt:
            return s
    slot = cache_ctr[0] % cache_dt.shape[0]
    cache_ctr[0] += 1
    cache_dt[slot] = dt
    _propagators(A, dt, Phi[slot], Gam[slot])
    return slot


@njit(cache=True, nogil=True, error_model="numpy")
def _exact_step(slot, Phi, Gam, rates, g):
    """Phi(dt) as a flat tuple of its rows, and Gamma(dt) rates as a tuple."""
    for r in range(NX):
        acc = 0.0
        for c in range(NX):
            acc += Gam[slot, r, c] * rates[c]
        g[r] = acc
    return _mload(Phi, slot), _vload(g)


@njit(cache=True, nogil=True, error_model="numpy")
def _start_step(y, f, rtol, atol, span):
    """Starting step size (Hairer, Norsett & Wanner 1993, II.4); y, f arrays or tuples."""
    d0 = 0.0
    d1 = 0.0
    for i in range(NX):
        sc = atol + rtol * abs(y[i])
        d0 += (y[i] / sc) ** 2
        d1 += (f[i] / sc) ** 2
    d0 = math.sqrt(d0 / NX)
    d1 = math.sqrt(d1 / NX)
    h = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    return max(h, 1e-6 * span)


# ----------------------------------------------------------------- Dormand-Prince 5(4)
# Dormand JR, Prince PJ (1980), J Comput Appl Math 6:19-26; dense output of
# Shampine LF (1986), Math Comput 46:135-150 (the coefficients SciPy's RK45 uses);
# stiffness detection of Hairer, Norsett & Wanner (1993), Solving ODEs I, IV.2
# (code DOPRI5: h*|lambda| estimated from the last two stages, stiff after
# 15 estimates above 3.25).
D_C2, D_C3, D_C4, D_C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
D_A21 = 1.0 / 5.0
D_A31, D_A32 = 3.0 / 40.0, 9.0 / 40.0
D_A41, D_A42, D_A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
D_A51, D_A52, D_A53, D_A54 = (19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0,
                              -212.0 / 729.0)
D_A61, D_A62, D_A63, D_A64, D_A65 = (9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0,
                                     49.0 / 176.0, -5103.0 / 18656.0)
D_B1, D_B3, D_B4, D_B5, D_B6 = (35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0,
                                -2187.0 / 6784.0, 11.0 / 84.0)
D_E1, D_E3, D_E4, D_E5, D_E6, D_E7 = (-71.0 / 57600.0, 71.0 / 16695.0, -71.0 / 1920.0,
                                      17253.0 / 339200.0, -22.0 / 525.0, 1.0 / 40.0)
# b_s(x) = x (P_s0 + x (P_s1 + x (P_s2 + x P_s3))); P_20..P_23 (stage 2) are all zero,
# and so is P_s0 for s > 1.
D_P10, D_P11, D_P12, D_P13 = (1.0, -8048581381.0 / 2820520608.0,
                              8663915743.0 / 2820520608.0, -12715105075.0 / 11282082432.0)
D_P31, D_P32, D_P33 = (131558114200.0 / 32700410799.0, -68118460800.0 / 10900136933.0,
                       87487479700.0 / 32700410799.0)
D_P41, D_P42, D_P43 = (-1754552775.0 / 470086768.0, 14199869525.0 / 1410260304.0,
                       -10690763975.0 / 1880347072.0)
D_P51, D_P52, D_P53 = (127303824393.0 / 49829197408.0, -318862633887.0 / 49829197408.0,
                       701980252875.0 / 199316789632.0)
D_P61, D_P62, D_P63 = (-282668133.0 / 205662961.0, 2019193451.0 / 616988883.0,
                       -1453857185.0 / 822651844.0)
D_P71, D_P72, D_P73 = (40617522.0 / 29380423.0, -110615467.0 / 29380423.0,
                       69997945.0 / 29380423.0)

# Step-size factor 0.9 err**(-1/5) of the order-4 error estimate, from the squared norm
# err2 = err**2: x**(-1/10) = 2**(-e/10) m**(-1/10) for x = m 2**e (math.frexp), with
# m**(-1/10) a quartic in m (relative error < 2e-5).  Only the next step size depends
# on it, never the acceptance test; it takes a third of the time of exp(-0.1 log(x)),
# which sits on the critical path from one step to the next.
_POW2_TENTHS = 2.0 ** (-0.1 * (np.arange(96) - 48.0))
_Q0, _Q1, _Q2, _Q3, _Q4 = (0.9602651871321822, -0.06396622694580437, 0.023416421219848726,
                           -0.011887624691529954, 0.006318540476419423)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _dp_factor(err2):
    """min(10, max(0.2, 0.9 * err2**(-1/10)))."""
    x = min(max(err2, 1e-11), 1e7)
    m, e = math.frexp(x)
    m = 2.0 * m - 1.5
    q = _Q0 + m * (_Q1 + m * (_Q2 + m * (_Q3 + m * _Q4)))
    return min(10.0, max(0.2, 0.9 * q * _POW2_TENTHS[e + 47]))


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"})
def _dopri_advance(t0, t1, ya, p, d, rates, obs_t, kout, kend, out, row0, o, rtol, atol,
                   hstate, max_steps, nsteps):
    """Integrate ya from t0 to t1 (explicit, non-stiff), emitting outputs in (t0, t1).

    ``p`` and ``d`` are tuples; the state is held in the tuple ``y`` and written
    back to ``ya`` at the end.  Returns (kout, status, t): status 5 means
    stiffness was detected at time t (ya holds the solution there) and the
    caller should continue with Rodas.  hstate[0] is the step to start with
    (0: choose one) and receives the step to continue with; hstate[1] receives
    the step proposed after the first accepted step (see :func:`_subject`).
    """
    if t1 <= t0:
        return kout, 0, t1
    t = t0
    span = t1 - t0
    rt = _vload(rates)
    y = _vload(ya)
    k1 = _ft(t, y, p, d, rt)
    h = hstate[0]
    if h <= 0.0:
        h = _start_step(y, k1, rtol, atol, span)
    h = min(h, span)
    steps = 0
    reject = False
    first = True
    iasti = 0
    nonsti = 0
    status = 0
    while t < t1:
        if steps >= max_steps:
            status = 1
            break
        if h < 1e-14 * max(1.0, abs(t)):
            status = 2
            break
        last = False
        if t + 1.0001 * h >= t1:
            h = t1 - t
            last = True
        k2 = _ft(t + D_C2 * h, _vlin1(y, h, D_A21, k1), p, d, rt)
        k3 = _ft(t + D_C3 * h, _vlin2(y, h, D_A31, k1, D_A32, k2), p, d, rt)
        k4 = _ft(t + D_C4 * h, _vlin3(y, h, D_A41, k1, D_A42, k2, D_A43, k3), p, d, rt)
        k5 = _ft(t + D_C5 * h, _vlin4(y, h, D_A51, k1, D_A52, k2, D_A53, k3, D_A54, k4),
                 p, d, rt)
        u = _vlin5(y, h, D_A61, k1, D_A62, k2, D_A63, k3, D_A64, k4, D_A65, k5)
        k6 = _ft(t + h, u, p, d, rt)
        yn = _vlin5(y, h, D_B1, k1, D_B3, k3, D_B4, k4, D_B5, k5, D_B6, k6)
        k7 = _ft(t + h, yn, p, d, rt)
        # Squared RMS norm of the error estimate: no square root on the path from this
        # step's error to the next step's size.
        err = 0.0
        for i in range(NX):
            e = h * (D_E1 * k1[i] + D_E3 * k3[i] + D_E4 * k4[i] + D_E5 * k5[i]
                     + D_E6 * k6[i] + D_E7 * k7[i])
            sc = atol + rtol * max(abs(y[i]), abs(yn[i]))
            err += (e / sc) ** 2
        err = err / NX
        steps += 1
        if not (err == err) or err > 1e300:
            h *= 0.25
            reject = True
            continue
        if err <= 1.0:
            # Stiffness estimate h*|lambda| ~ h |k7 - k6| / |yn - u| > 3.25, squared.
            stnum = 0.0
            stden = 0.0
            for i in range(NX):
                stnum += (k7[i] - k6[i]) ** 2
                stden += (yn[i] - u[i]) ** 2
            if stden > 0.0:
                if h * h * stnum > 10.5625 * stden:
                    nonsti = 0
                    iasti += 1
                    if iasti == 15:
                        status = 5
                        break
                else:
                    nonsti += 1
                    if nonsti == 6:
                        iasti = 0
            tn = t + h
            while kout < kend and obs_t[kout] <= tn and obs_t[kout] < t1:
                x = (obs_t[kout] - t) / h
                b1 = x * (D_P10 + x * (D_P11 + x * (D_P12 + x * D_P13)))
                b3 = x * x * (D_P31 + x * (D_P32 + x * D_P33))
                b4 = x * x * (D_P41 + x * (D_P42 + x * D_P43))
                b5 = x * x * (D_P51 + x * (D_P52 + x * D_P53))
                b6 = x * x * (D_P61 + x * (D_P62 + x * D_P63))
                b7 = x * x * (D_P71 + x * (D_P72 + x * D_P73))
                yp = _vlin6(y, h, b1, k1, b3, k3, b4, k4, b5, k5, b6, k6, b7, k7)
                _emit(obs_t[kout], yp, p, d, out, row0 + kout, o)
                kout += 1
            y = yn
            k1 = k7
            t = t1 if last else tn
            fac = _dp_factor(err)
            if reject:
                fac = min(fac, 1.0)
            reject = False
            if first:
                hstate[1] = h * fac
                first = False
            if last:
                hstate[0] = h * fac
            else:
                h = h * fac
        else:
            h = h * min(1.0, _dp_factor(err))
            reject = True
    nsteps[0] += steps
    for i in range(NX):
        ya[i] = y[i]
    if status != 0:
        return kout, status, t
    for i in range(NX):
        if not (y[i] == y[i]) or abs(y[i]) > 1e300:
            return kout, 4, t
    return kout, 0, t1


# ----------------------------------------------------------------- lanes of subjects
# For small models a Dormand-Prince step is a chain of dependent stages, each a few dozen
# multiply-adds waiting on the last, which leaves most of a core idle.  LANES subjects
# are therefore stepped together, each quantity held as an (NX, LANES) array, so that the
# core overlaps the lanes' independent chains (1.3 times the subjects per second of one
# subject at a time on the W2 benchmark; numba leaves these short loops scalar).  Each lane
# keeps its own time, step size, error control, events and outputs, and leaves the loop
# on its own: a subject's numbers do not depend on the lanes beside it or on which lane
# it runs in (a lane without a subject computes on, ignored).
# Larger models keep the one-subject loop, _dopri_advance: on the 15-state person model
# its state in registers runs 1.4 times as fast as a single lane of these arrays.
LI_KEV, LI_KOUT, LI_KEND, LI_STIFF, LI_SUBJ, LI_ROW, LI_NE, LI_ACTIVE = 0, 1, 2, 3, 4, 5, 6, 7
LI_STEPS, LI_REJECT, LI_FIRST, LI_IASTI, LI_NONSTI, LI_LAST, LI_CODE = (
    8, 9, 10, 11, 12, 13, 14)
N_LI = 15


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"})
def _dopri_lanes(Y, K, Z, U, YN, R, PL, DL, T, T1, H, TS, ERR, SN, SD, li, hs, obs_t, out,
                 yp, rtol, atol, max_steps):
    """Step all lanes together until an active lane ends its interval.

    Lane l integrates from T[l] to T1[l] with state Y[:, l], first stage K[0, :, l],
    input rates R[:, l] and step H[l] (:func:`_dopri_advance` for one subject, step
    for step).  A lane that stops sets li[l, LI_CODE]: 1 interval done, 5 stiffness
    detected at T[l], -1 too many steps, -2 step size underflow.
    """
    while True:
        stop = False
        for l in range(LANES):
            if li[l, LI_ACTIVE] == 0:
                continue
            if li[l, LI_STEPS] >= max_steps:
                li[l, LI_CODE] = -1
                stop = True
            elif H[l] < 1e-14 * max(1.0, abs(T[l])):
                li[l, LI_CODE] = -2
                stop = True
            elif T[l] + 1.0001 * H[l] >= T1[l]:
                H[l] = T1[l] - T[l]
                li[l, LI_LAST] = 1
            else:
                li[l, LI_LAST] = 0
        if stop:
            return
        for l in range(LANES):
            TS[l] = T[l] + D_C2 * H[l]
        for i in range(NX):
            for l in range(LANES):
                Z[i, l] = Y[i, l] + H[l] * (D_A21 * K[0, i, l])
        _fl(TS, Z, PL, DL, R, K, 1)
        for l in range(LANES):
            TS[l] = T[l] + D_C3 * H[l]
        for i in range(NX):
            for l in range(LANES):
                Z[i, l] = Y[i, l] + H[l] * (D_A31 * K[0, i, l] + D_A32 * K[1, i, l])
        _fl(TS, Z, PL, DL, R, K, 2)
        for l in range(LANES):
            TS[l] = T[l] + D_C4 * H[l]
        for i in range(NX):
            for l in range(LANES):
                Z[i, l] = Y[i, l] + H[l] * (D_A41 * K[0, i, l] + D_A42 * K[1, i, l]
                                            + D_A43 * K[2, i, l])
        _fl(TS, Z, PL, DL, R, K, 3)
        for l in range(LANES):
            TS[l] = T[l] + D_C5 * H[l]
        for i in range(NX):
            for l in range(LANES):
                Z[i, l] = Y[i, l] + H[l] * (D_A51 * K[0, i, l] + D_A52 * K[1, i, l]
                                            + D_A53 * K[2, i, l] + D_A54 * K[3, i, l])
        _fl(TS, Z, PL, DL, R, K, 4)
        for l in range(LANES):
            TS[l] = T[l] + H[l]
        for i in range(NX):
            for l in range(LANES):
                U[i, l] = Y[i, l] + H[l] * (D_A61 * K[0, i, l] + D_A62 * K[1, i, l]
                                            + D_A63 * K[2, i, l] + D_A64 * K[3, i, l]
                                            + D_A65 * K[4, i, l])
        _fl(TS, U, PL, DL, R, K, 5)
        for i in range(NX):
            for l in range(LANES):
                YN[i, l] = Y[i, l] + H[l] * (D_B1 * K[0, i, l] + D_B3 * K[2, i, l]
                                             + D_B4 * K[3, i, l] + D_B5 * K[4, i, l]
                                             + D_B6 * K[5, i, l])
        _fl(TS, YN, PL, DL, R, K, 6)
        # Squared RMS error norm, and the stiffness estimate's two sums.
        for l in range(LANES):
            ERR[l] = 0.0
            SN[l] = 0.0
            SD[l] = 0.0
        for i in range(NX):
            for l in range(LANES):
                e = H[l] * (D_E1 * K[0, i, l] + D_E3 * K[2, i, l] + D_E4 * K[3, i, l]
                            + D_E5 * K[4, i, l] + D_E6 * K[5, i, l] + D_E7 * K[6, i, l])
                sc = atol + rtol * max(abs(Y[i, l]), abs(YN[i, l]))
                ERR[l] += (e / sc) ** 2
                SN[l] += (K[6, i, l] - K[5, i, l]) ** 2
                SD[l] += (YN[i, l] - U[i, l]) ** 2
        # Accept or reject, lane by lane.
        for l in range(LANES):
            if li[l, LI_ACTIVE] == 0:
                continue
            li[l, LI_STEPS] += 1
            err = ERR[l] / NX
            h = H[l]
            if not (err == err) or err > 1e300:
                H[l] = h * 0.25
                li[l, LI_REJECT] = 1
                continue
            if err > 1.0:
                H[l] = h * min(1.0, _dp_factor(err))
                li[l, LI_REJECT] = 1
                continue
            # Stiffness estimate h*|lambda| ~ h |k7 - k6| / |yn - u| > 3.25, squared.
            if SD[l] > 0.0:
                if h * h * SN[l] > 10.5625 * SD[l]:
                    li[l, LI_NONSTI] = 0
                    li[l, LI_IASTI] += 1
                    if li[l, LI_IASTI] == 15:
                        li[l, LI_CODE] = 5
                        stop = True
                        continue
                else:
                    li[l, LI_NONSTI] += 1
                    if li[l, LI_NONSTI] == 6:
                        li[l, LI_IASTI] = 0
            t = T[l]
            t1 = T1[l]
            tn = t + h
            kout = li[l, LI_KOUT]
            kend = li[l, LI_KEND]
            if kout < kend and obs_t[kout] <= tn and obs_t[kout] < t1:
                row = li[l, LI_ROW]
                while kout < kend and obs_t[kout] <= tn and obs_t[kout] < t1:
                    x = (obs_t[kout] - t) / h
                    b1 = x * (D_P10 + x * (D_P11 + x * (D_P12 + x * D_P13)))
                    b3 = x * x * (D_P31 + x * (D_P32 + x * D_P33))
                    b4 = x * x * (D_P41 + x * (D_P42 + x * D_P43))
                    b5 = x * x * (D_P51 + x * (D_P52 + x * D_P53))
                    b6 = x * x * (D_P61 + x * (D_P62 + x * D_P63))
                    b7 = x * x * (D_P71 + x * (D_P72 + x * D_P73))
                    for i in range(NX):
                        yp[i] = Y[i, l] + h * (b1 * K[0, i, l] + b3 * K[2, i, l] + b4 * K[3, i, l]
                                               + b5 * K[4, i, l] + b6 * K[5, i, l]
                                               + b7 * K[6, i, l])
                    _ol(obs_t[kout], yp, PL, DL, l, out, row + kout)
                    kout += 1
                li[l, LI_KOUT] = kout
            for i in range(NX):
                Y[i, l] = YN[i, l]
                K[0, i, l] = K[6, i, l]
            fac = _dp_factor(err)
            if li[l, LI_REJECT] != 0:
                fac = min(fac, 1.0)
            li[l, LI_REJECT] = 0
            if li[l, LI_FIRST] != 0:
                hs[l, 1] = h * fac
                li[l, LI_FIRST] = 0
            if li[l, LI_LAST] != 0:
                hs[l, 0] = h * fac
                T[l] = t1
                li[l, LI_CODE] = 1
                stop = True
            else:
                T[l] = tn
                H[l] = h * fac
        if stop:
            return


# ----------------------------------------------------------------- Rodas4
@njit(cache=True, nogil=True, error_model="numpy")
def _wnorm(v, y0, y1, rtol, atol):
    s = 0.0
    for i in range(NX):
        sc = atol + rtol * max(abs(y0[i]), abs(y1[i]))
        s += (v[i] / sc) ** 2
    return math.sqrt(s / NX)


@njit(cache=True, nogil=True, error_model="numpy")
def _rodas_advance(t0, t1, y, p, d, rates, obs_t, kout, kend, out, row0, o,
                   rtol, atol, hstate, max_steps, nsteps):
    """Integrate y from t0 to t1, emitting outputs at obs_t[kout:kend] in (t0, t1).

    Returns (new kout, status).  hstate[0] carries the step size between calls;
    hstate[1] receives the step proposed after the first accepted step.
    """
    if t1 <= t0:
        return kout, 0
    f0 = np.empty(NX)
    fy = np.empty(NX)
    J = np.empty((NX, NX))
    W = np.empty((NX, NX))
    piv = np.empty(NX, dtype=np.int64)
    k1 = np.empty(NX)
    k2 = np.empty(NX)
    k3 = np.empty(NX)
    k4 = np.empty(NX)
    k5 = np.empty(NX)
    k6 = np.empty(NX)
    u = np.empty(NX)
    yn = np.empty(NX)
    yp = np.empty(NX)
    t = t0
    h = hstate[0]
    span = t1 - t0
    _f(t, y, p, d, rates, f0)
    if h <= 0.0:
        h = _start_step(y, f0, rtol, atol, span)
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
        # Jacobian by forward differences.
        for j in range(NX):
            yj = y[j]
            dl = 1.4901161193847656e-08 * max(abs(yj), 1e-6)
            y[j] = yj + dl
            _f(t, y, p, d, rates, fy)
            y[j] = yj
            for r in range(NX):
                J[r, j] = (fy[r] - f0[r]) / dl
        ig = 1.0 / (h * R_G)
        for r in range(NX):
            for c in range(NX):
                W[r, c] = -J[r, c]
            W[r, r] += ig
        if not lu_factor(W, piv):
            h *= 0.5
            steps += 1
            continue
        ih = 1.0 / h
        for i in range(NX):
            k1[i] = f0[i]
        lu_solve(W, piv, k1)
        for i in range(NX):
            u[i] = y[i] + R_A21 * k1[i]
        _f(t, u, p, d, rates, fy)
        for i in range(NX):
            k2[i] = fy[i] + R_C21 * ih * k1[i]
        lu_solve(W, piv, k2)
        for i in range(NX):
            u[i] = y[i] + R_A31 * k1[i] + R_A32 * k2[i]
        _f(t, u, p, d, rates, fy)
        for i in range(NX):
            k3[i] = fy[i] + ih * (R_C31 * k1[i] + R_C32 * k2[i])
        lu_solve(W, piv, k3)
        for i in range(NX):
            u[i] = y[i] + R_A41 * k1[i] + R_A42 * k2[i] + R_A43 * k3[i]
        _f(t, u, p, d, rates, fy)
        for i in range(NX):
            k4[i] = fy[i] + ih * (R_C41 * k1[i] + R_C42 * k2[i] + R_C43 * k3[i])
        lu_solve(W, piv, k4)
        for i in range(NX):
            u[i] = y[i] + R_A51 * k1[i] + R_A52 * k2[i] + R_A53 * k3[i] + R_A54 * k4[i]
        _f(t, u, p, d, rates, fy)
        for i in range(NX):
            k5[i] = fy[i] + ih * (R_C51 * k1[i] + R_C52 * k2[i] + R_C53 * k3[i]
                                  + R_C54 * k4[i])
        lu_solve(W, piv, k5)
        for i in range(NX):
            u[i] = u[i] + k5[i]
        _f(t, u, p, d, rates, fy)
        for i in range(NX):
            k6[i] = fy[i] + ih * (R_C61 * k1[i] + R_C62 * k2[i] + R_C63 * k3[i]
                                  + R_C64 * k4[i] + R_C65 * k5[i])
        lu_solve(W, piv, k6)
        for i in range(NX):
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
                for i in range(NX):
                    q1 = (R_H21 * k1[i] + R_H22 * k2[i] + R_H23 * k3[i] + R_H24 * k4[i]
                          + R_H25 * k5[i])
                    q2 = (R_H31 * k1[i] + R_H32 * k2[i] + R_H33 * k3[i] + R_H34 * k4[i]
                          + R_H35 * k5[i])
                    yp[i] = th1 * y[i] + th * (yn[i] + th1 * (q1 + th * q2))
                _emit(obs_t[kout], yp, p, d, out, row0 + kout, o)
                kout += 1
            for i in range(NX):
                y[i] = yn[i]
            t = tn
            if last:
                t = t1
            _f(t, y, p, d, rates, f0)
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
    for i in range(NX):
        if not (y[i] == y[i]) or abs(y[i]) > 1e300:
            return kout, 4
    return kout, 0


# ----------------------------------------------------------------- steady state
@njit(cache=True, nogil=True, error_model="numpy")
def _matvec(M, x, out):
    for r in range(NX):
        acc = 0.0
        for c in range(NX):
            acc += M[r, c] * x[c]
        out[r] = acc


@njit(cache=True, nogil=True, error_model="numpy")
def _ss_exact(add, A, c, val, ii, dur, ph, y):
    """Set y to (or, if add, add to y) the steady state at an SS record's time, exactly.

    Over one dosing cycle a bolus of val enters at the start, or infusions at rate val
    run: with dur = q*ii + e (0 <= e < ii, dur may exceed ii), q + 1 of them for the
    first e of the cycle and q for the rest.  The amounts z at the start of a cycle
    solve (I - Phi(ii)) z = b, b the amounts one cycle brings from zero (the geometric
    series of Phi(ii) summed); z is then advanced to the record's place in the cycle,
    ii - ph.  A constant-rate infusion (ii = 0) of val solves A z = -val e_c.  Returns
    False when the system is singular.
    """
    z = np.zeros(NX)
    x = np.empty(NX)
    M = np.empty((NX, NX))
    Phi = np.empty((NX, NX))
    Gam = np.empty((NX, NX))
    piv = np.empty(NX, dtype=np.int64)
    q = math.floor(dur / ii) if ii > 0.0 else 0
    e = dur - q * ii
    # Stages: 0 one cycle from zero (b), 1 the linear solve, 2 on to the record's place.
    for stage in range(3):
        if stage == 1:
            if ii > 0.0:
                _propagators(A, ii, Phi, Gam)
            for a in range(NX):
                for b in range(NX):
                    M[a, b] = -Phi[a, b] if ii > 0.0 else -A[a, b]
                M[a, a] += 1.0 if ii > 0.0 else 0.0
            if ii == 0.0:
                z[c] = val
            if not lu_factor(M, piv):
                return False
            lu_solve(M, piv, z)
            continue
        if ii == 0.0 or (stage == 2 and ph == 0.0):
            continue
        s = ii if stage == 0 else ii - ph
        if dur == 0.0:
            z[c] += val
        t = 0.0
        for seg in range(2):
            t1 = min(e, s) if seg == 0 else s
            if t1 > t:
                _propagators(A, t1 - t, Phi, Gam)
                _matvec(Phi, z, x)
                for j in range(NX):
                    z[j] = x[j] + Gam[j, c] * (q + 1 - seg) * val if dur > 0.0 else x[j]
                t = t1
    for j in range(NX):
        y[j] = y[j] + z[j] if add else z[j]
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def _cycle_rodas(c, val, dur, ii, s, y, p, d, rates, rtol, atol, max_steps, nsteps):
    """Advance y from the start of a steady-state dosing cycle to s by Rodas4 (the cycle
    as in :func:`_ss_exact`); returns the solver status."""
    o = np.empty(NO)
    no_t = np.empty(0)
    no_out = np.empty((NO, 0))
    hstate = np.zeros(2)
    if dur == 0.0:
        y[c] += val
        _, st = _rodas_advance(0.0, s, y, p, d, rates, no_t, 0, 0, no_out, 0, o, rtol, atol,
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
            _, st = _rodas_advance(t, t1, y, p, d, rates, no_t, 0, 0, no_out, 0, o, rtol,
                                   atol, hstate, max_steps, nsteps)
            if st != 0:
                return st
            t = t1
    rates[c] = 0.0
    return 0


SS_MAX_CYCLES = 2000


@njit(cache=True, nogil=True, error_model="numpy")
def _ss_rodas(add, c, val, ii, dur, ph, y, y0, p, d, rtol, atol, max_steps, nsteps):
    """:func:`_ss_exact` by repeated dosing from y0 with Rodas4.

    Cycles are simulated until the amounts at the start of a cycle change by less than
    1 % of the error tolerance (atol + rtol |z|) from one cycle to the next (at most
    SS_MAX_CYCLES).  A constant-rate infusion (ii = 0) runs over spans of 1, 2, 4, ...
    h until the amounts change that little over two spans in a row.  Returns False if
    that fails.
    """
    z = np.empty(NX)
    rates = np.zeros(NX)
    prev = np.empty(NX)
    for j in range(NX):
        z[j] = y0[j]
    span = 1.0
    calm = 0
    for _ in range(SS_MAX_CYCLES):
        for j in range(NX):
            prev[j] = z[j]
        # A span of a constant-rate infusion is a cycle of one infusion as long.
        cyc = ii if ii > 0.0 else span
        st = _cycle_rodas(c, val, dur if ii > 0.0 else span, cyc, cyc, z, p, d, rates, rtol,
                          atol, max_steps, nsteps)
        span *= 2.0
        if st != 0:
            return False
        done = True
        for j in range(NX):
            if abs(z[j] - prev[j]) > 0.01 * (atol + rtol * abs(z[j])):
                done = False
        calm = calm + 1 if done else 0
        if done and (ii > 0.0 or calm == 2):
            if ii > 0.0 and ph > 0.0:
                if _cycle_rodas(c, val, dur, ii, ii - ph, z, p, d, rates, rtol, atol,
                                max_steps, nsteps) != 0:
                    return False
            for j in range(NX):
                y[j] = y[j] + z[j] if add else z[j]
            return True
    return False


# ----------------------------------------------------------------- one subject
@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"})
def _subject(i, p, cov, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate, ev_addl,
             ev_ii, ev_ss, ev_mod, obs_t, k0, kend, out, row0, rtol, atol, max_steps,
             nsteps):
    d = np.zeros(max(ND, 1))
    _derive(p, cov, d)
    DMOD = np.empty((4, NX))
    _dosemods(p, cov, d, DMOD)
    ok, et, ek, ec, ev, eii, edur, eph = _expand(i, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt,
                                                 ev_rate, ev_addl, ev_ii, ev_ss, ev_mod, DMOD)
    if not ok:
        return 5
    ne = et.shape[0]
    y0 = np.empty(NX)
    _init(p, d, y0)
    y = np.empty(NX)
    for j in range(NX):
        y[j] = y0[j]
    rates = np.zeros(NX)
    o = np.empty(NO)
    # Parameters and derived values as tuples for the hot loops (held in registers).
    ptup = to_fixed_tuple(p, NP)
    dtup = to_fixed_tuple(d, ND)
    A = np.zeros((NX, NX))
    cache_dt = np.empty(4)
    for j in range(4):
        cache_dt[j] = -1.0
    cache_ctr = np.zeros(1, dtype=np.int64)
    Phi = np.empty((4, NX, NX))
    Gam = np.empty((4, NX, NX))
    gbuf = np.zeros(NX)
    if METHOD == METHOD_EXACT:
        _linear_matrix(p, d, A)
    # The current step's propagators as tuples; recomputed when dt or the rates change.
    ph, g = _exact_step(0, Phi, Gam, rates, gbuf)
    anyrate = False
    rates_changed = False
    hstate = np.zeros(2)
    t = np.inf
    if ne > 0:
        t = et[0]
    if kend > k0 and obs_t[k0] < t:
        t = obs_t[k0]
    if t == np.inf:
        return 0
    last_reset = -np.inf
    last_dt = -1.0
    slot = 0
    stiff = METHOD == METHOD_RODAS
    kev = 0
    kout = k0
    while True:
        # Events at t first, then outputs at t: the state is right-continuous.
        while kev < ne and et[kev] == t:
            k = ek[kev]
            c = ec[kev]
            if k == EV_RESET:
                for j in range(NX):
                    y[j] = y0[j]
                    rates[j] = 0.0
                last_reset = t
                rates_changed = True
            elif k == EV_SS or k == EV_SS2:
                if k == EV_SS:
                    # SS=1 replaces the amounts and stops the infusions running.
                    for j in range(NX):
                        rates[j] = 0.0
                    last_reset = t
                    rates_changed = True
                if METHOD == METHOD_EXACT:
                    ok = _ss_exact(k == EV_SS2, A, c, ev[kev], eii[kev], edur[kev], eph[kev],
                                   y)
                else:
                    ok = _ss_rodas(k == EV_SS2, c, ev[kev], eii[kev], edur[kev], eph[kev], y,
                                   y0, p, d, rtol, atol, max_steps, nsteps)
                if not ok:
                    return 3
            elif k == EV_INF_OFF:
                # An infusion cut short by a reset has already stopped.
                if eii[kev] >= last_reset:
                    rates[c] -= ev[kev]
                    if abs(rates[c]) <= 1e-12 * ev[kev]:
                        rates[c] = 0.0
                    rates_changed = True
            elif k == EV_BOLUS:
                y[c] += ev[kev]
            else:
                rates[c] += ev[kev]
                rates_changed = True
            kev += 1
        # Start each interval with the step first accepted after the previous event:
        # under repeated dosing the state after an event is like the one before (a step
        # too long for it is rejected by the controller).
        hstate[0] = hstate[1]
        yt = _vload(y)
        while kout < kend and obs_t[kout] <= t:
            _emit(obs_t[kout], yt, ptup, dtup, out, row0 + kout - k0, o)
            kout += 1
        if kout >= kend:
            break
        tnext = et[kev] if kev < ne else obs_t[kend - 1]
        if METHOD == METHOD_EXACT:
            # Hot loop, written out in place (a call per step costs more than the step),
            # on the state as a tuple: outputs strictly before the next event, then the
            # step to it.
            if rates_changed:
                anyrate = False
                for j in range(NX):
                    if rates[j] != 0.0:
                        anyrate = True
                if last_dt > 0.0:
                    ph, g = _exact_step(slot, Phi, Gam, rates, gbuf)
                rates_changed = False
            tc = t
            while kout < kend and obs_t[kout] < tnext:
                tt = obs_t[kout]
                dt = tt - tc
                if dt > 0.0:
                    if dt != last_dt:
                        slot = _slot(dt, A, cache_dt, cache_ctr, Phi, Gam)
                        last_dt = dt
                        ph, g = _exact_step(slot, Phi, Gam, rates, gbuf)
                    yt = _vmatadd(ph, yt, g) if anyrate else _vmat(ph, yt)
                _emit(tt, yt, ptup, dtup, out, row0 + kout - k0, o)
                tc = tt
                kout += 1
            dt = tnext - tc
            if dt > 0.0:
                if dt != last_dt:
                    slot = _slot(dt, A, cache_dt, cache_ctr, Phi, Gam)
                    last_dt = dt
                    ph, g = _exact_step(slot, Phi, Gam, rates, gbuf)
                yt = _vmatadd(ph, yt, g) if anyrate else _vmat(ph, yt)
            for j in range(NX):
                y[j] = yt[j]
        else:
            ts = t
            if METHOD == METHOD_AUTO:
                if not stiff:
                    kout, st, ts = _dopri_advance(t, tnext, y, ptup, dtup, rates, obs_t, kout,
                                                  kend, out, row0 - k0, o, rtol, atol, hstate,
                                                  max_steps, nsteps)
                    if st == 5:
                        stiff = True
                        hstate[0] = 0.0
                        hstate[1] = 0.0
                    elif st != 0:
                        return st
            if stiff:
                kout, st = _rodas_advance(ts, tnext, y, p, d, rates, obs_t, kout, kend, out,
                                          row0 - k0, o, rtol, atol, hstate, max_steps, nsteps)
                if st != 0:
                    return st
        t = tnext
    return 0

# ----------------------------------------------------------------- lanes: the driver
@njit(cache=True, nogil=True, error_model="numpy")
def _lane_events(li, lf, l, t, ET, EK, EC, EV, EII, EDUR, EPH, yl, y0s, rl, hs, P2, D2,
                 obs_t, out, o, rtol, atol, max_steps, nst):
    """Events and outputs of lane l at time t, then on to its next interval.

    The lane's state and input rates are yl[l] and rl[l].  Its arrays are indexed in
    place (a view of a row costs two atomic reference counts, more than an event).  A
    lane found stiff runs the rest of its subject here with Rodas4.  Returns (status, t,
    tnext): status -1 when the lane is inside the Dormand-Prince interval [t, tnext],
    otherwise the subject is done with that status.
    """
    ne = li[l, LI_NE]
    kend = li[l, LI_KEND]
    row = li[l, LI_ROW]
    ptup = to_fixed_tuple(P2[l], NP)
    dtup = to_fixed_tuple(D2[l], ND)
    kev = li[l, LI_KEV]
    while True:
        # Events at t first, then outputs at t: the state is right-continuous (as in
        # :func:`_subject`).
        while kev < ne and ET[l, kev] == t:
            k = EK[l, kev]
            c = EC[l, kev]
            if k == EV_RESET:
                for j in range(NX):
                    yl[l, j] = y0s[l, j]
                    rl[l, j] = 0.0
                lf[l] = t
            elif k == EV_SS or k == EV_SS2:
                if k == EV_SS:
                    for j in range(NX):
                        rl[l, j] = 0.0
                    lf[l] = t
                if not _ss_rodas(k == EV_SS2, c, EV[l, kev], EII[l, kev], EDUR[l, kev],
                                 EPH[l, kev], yl[l], y0s[l], P2[l], D2[l], rtol, atol,
                                 max_steps, nst[l]):
                    li[l, LI_KEV] = kev
                    return 3, t, t
            elif k == EV_INF_OFF:
                # An infusion cut short by a reset has already stopped.
                if EII[l, kev] >= lf[l]:
                    rl[l, c] -= EV[l, kev]
                    if abs(rl[l, c]) <= 1e-12 * EV[l, kev]:
                        rl[l, c] = 0.0
            elif k == EV_BOLUS:
                yl[l, c] += EV[l, kev]
            else:
                rl[l, c] += EV[l, kev]
            kev += 1
        li[l, LI_KEV] = kev
        hs[l, 0] = hs[l, 1]
        kout = li[l, LI_KOUT]
        if kout < kend and obs_t[kout] <= t:
            yt = _vload(yl[l])
            while kout < kend and obs_t[kout] <= t:
                _emit(obs_t[kout], yt, ptup, dtup, out, row + kout, o)
                kout += 1
            li[l, LI_KOUT] = kout
        if kout >= kend:
            return 0, t, t
        tnext = ET[l, kev] if kev < ne else obs_t[kend - 1]
        if li[l, LI_STIFF] == 0:
            return -1, t, tnext
        kout, st = _rodas_advance(t, tnext, yl[l], P2[l], D2[l], rl[l], obs_t, kout, kend,
                                  out, row, o, rtol, atol, hs[l], max_steps, nst[l])
        li[l, LI_KOUT] = kout
        if st != 0:
            return st, t, t
        t = tnext


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"})
def _lane_enter(l, t, tnext, yl, rl, P2, D2, hs, Y, K, R, T, T1, H, li, rtol, atol):
    """Put lane l into the Dormand-Prince loop for the interval [t, tnext]."""
    yt = _vload(yl[l])
    k1 = _ft(t, yt, to_fixed_tuple(P2[l], NP), to_fixed_tuple(D2[l], ND), _vload(rl[l]))
    for i in range(NX):
        Y[i, l] = yt[i]
        R[i, l] = rl[l, i]
        K[0, i, l] = k1[i]
    h = hs[l, 0]
    if h <= 0.0:
        h = _start_step(yt, k1, rtol, atol, tnext - t)
    T[l] = t
    T1[l] = tnext
    H[l] = min(h, tnext - t)
    li[l, LI_ACTIVE] = 1
    li[l, LI_STEPS] = 0
    li[l, LI_REJECT] = 0
    li[l, LI_FIRST] = 1
    li[l, LI_IASTI] = 0
    li[l, LI_NONSTI] = 0
    li[l, LI_CODE] = 0


@njit(cache=True, nogil=True, error_model="numpy")
def _run_lanes(lo, hi, P, COV, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate, ev_addl,
               ev_ii, ev_ss, ev_mod, obs_t, obs_lo, obs_hi, row0, out, rtol, atol, max_steps,
               status, nsteps):
    """Subjects lo..hi-1 by Dormand-Prince (switching to Rodas4), LANES at a time."""
    ND1 = max(ND, 1)
    # Lane-minor arrays for the vector loop...
    Y = np.zeros((NX, LANES))
    K = np.zeros((7, NX, LANES))
    Z = np.zeros((NX, LANES))
    U = np.zeros((NX, LANES))
    YN = np.zeros((NX, LANES))
    R = np.zeros((NX, LANES))
    PL = np.zeros((NP, LANES))
    DL = np.zeros((ND1, LANES))
    T = np.zeros(LANES)
    T1 = np.zeros(LANES)
    H = np.ones(LANES)
    TS = np.zeros(LANES)
    ERR = np.zeros(LANES)
    SN = np.zeros(LANES)
    SD = np.zeros(LANES)
    # ... and lane-major ones for events, outputs and Rodas4.
    li = np.zeros((LANES, N_LI), dtype=np.int64)
    lf = np.zeros(LANES)  # time of the lane's last reset
    hs = np.zeros((LANES, 2))
    P2 = np.zeros((LANES, NP))
    D2 = np.zeros((LANES, ND1))
    y0s = np.zeros((LANES, NX))
    yl = np.zeros((LANES, NX))
    rl = np.zeros((LANES, NX))
    nst = np.zeros((LANES, 1), dtype=np.int64)
    yp = np.zeros(NX)
    o = np.empty(NO)
    DMOD = np.empty((4, NX))
    # Each lane's expanded events (rows grow to the longest list seen).
    cap = 1
    ET = np.zeros((LANES, cap))
    EK = np.zeros((LANES, cap), dtype=np.int64)
    EC = np.zeros((LANES, cap), dtype=np.int64)
    EV = np.zeros((LANES, cap))
    EII = np.zeros((LANES, cap))
    EDUR = np.zeros((LANES, cap))
    EPH = np.zeros((LANES, cap))
    nxt = lo
    idle = True  # a lane may be without a subject
    while True:
        # Give every idle lane the next subject, until it holds one inside an interval.
        for l in range(LANES if idle else 0):
            while li[l, LI_ACTIVE] == 0 and nxt < hi:
                i = nxt
                nxt += 1
                p = P[i]
                d = D2[l]
                for j in range(ND1):
                    d[j] = 0.0
                _derive(p, COV[i], d)
                _dosemods(p, COV[i], d, DMOD)
                ok, et, ek, ec, ev, eii, edur, eph = _expand(i, ev_ptr, ev_t, ev_evid, ev_cmt,
                                                             ev_amt, ev_rate, ev_addl, ev_ii,
                                                             ev_ss, ev_mod, DMOD)
                if not ok:
                    status[i] = 5
                    nsteps[i] = 0
                    continue
                ne = et.shape[0]
                if ne > cap:
                    cap = max(ne, 2 * cap)
                    ET2 = np.zeros((LANES, cap))
                    EK2 = np.zeros((LANES, cap), dtype=np.int64)
                    EC2 = np.zeros((LANES, cap), dtype=np.int64)
                    EV2 = np.zeros((LANES, cap))
                    EII2 = np.zeros((LANES, cap))
                    EDUR2 = np.zeros((LANES, cap))
                    EPH2 = np.zeros((LANES, cap))
                    for m in range(LANES):
                        for j in range(li[m, LI_NE] if li[m, LI_ACTIVE] != 0 else 0):
                            ET2[m, j] = ET[m, j]
                            EK2[m, j] = EK[m, j]
                            EC2[m, j] = EC[m, j]
                            EV2[m, j] = EV[m, j]
                            EII2[m, j] = EII[m, j]
                            EDUR2[m, j] = EDUR[m, j]
                            EPH2[m, j] = EPH[m, j]
                    ET, EK, EC, EV, EII, EDUR, EPH = ET2, EK2, EC2, EV2, EII2, EDUR2, EPH2
                for j in range(ne):
                    ET[l, j] = et[j]
                    EK[l, j] = ek[j]
                    EC[l, j] = ec[j]
                    EV[l, j] = ev[j]
                    EII[l, j] = eii[j]
                    EDUR[l, j] = edur[j]
                    EPH[l, j] = eph[j]
                for j in range(NP):
                    P2[l, j] = p[j]
                    PL[j, l] = p[j]
                for j in range(ND1):
                    DL[j, l] = d[j]
                y0 = y0s[l]
                _init(p, d, y0)
                for j in range(NX):
                    yl[l, j] = y0[j]
                    rl[l, j] = 0.0
                hs[l, 0] = 0.0
                hs[l, 1] = 0.0
                nst[l, 0] = 0
                k0 = obs_lo[i]
                kend = obs_hi[i]
                t = np.inf
                if ne > 0:
                    t = et[0]
                if kend > k0 and obs_t[k0] < t:
                    t = obs_t[k0]
                status[i] = 0
                nsteps[i] = 0
                if t == np.inf:
                    continue
                li[l, LI_KEV] = 0
                li[l, LI_KOUT] = k0
                li[l, LI_KEND] = kend
                li[l, LI_STIFF] = 0
                li[l, LI_SUBJ] = i
                li[l, LI_ROW] = row0[i] - k0
                li[l, LI_NE] = ne
                lf[l] = -np.inf
                st, t, tnext = _lane_events(li, lf, l, t, ET, EK, EC, EV, EII, EDUR, EPH, yl,
                                            y0s, rl, hs, P2, D2, obs_t, out, o, rtol, atol,
                                            max_steps, nst)
                if st < 0:
                    _lane_enter(l, t, tnext, yl, rl, P2, D2, hs, Y, K, R, T, T1, H, li, rtol,
                                atol)
                else:
                    status[i] = st
                    nsteps[i] = nst[l, 0]
        if idle:
            idle = False
            active = False
            for l in range(LANES):
                if li[l, LI_ACTIVE] != 0:
                    active = True
            if not active:
                return
        _dopri_lanes(Y, K, Z, U, YN, R, PL, DL, T, T1, H, TS, ERR, SN, SD, li, hs, obs_t, out,
                     yp, rtol, atol, max_steps)
        for l in range(LANES):
            c = li[l, LI_CODE]
            if li[l, LI_ACTIVE] == 0 or c == 0:
                continue
            li[l, LI_CODE] = 0
            nst[l, 0] += li[l, LI_STEPS]
            for j in range(NX):
                yl[l, j] = Y[j, l]
            st = 0
            t = T[l]
            if c == 5:
                # Stiff: Rodas4 from here to the end of the subject (as LSODA turns to BDF).
                li[l, LI_STIFF] = 1
                hs[l, 0] = 0.0
                hs[l, 1] = 0.0
                kout, st = _rodas_advance(t, T1[l], yl[l], P2[l], D2[l], rl[l], obs_t,
                                          li[l, LI_KOUT], li[l, LI_KEND], out, li[l, LI_ROW],
                                          o, rtol, atol, hs[l], max_steps, nst[l])
                li[l, LI_KOUT] = kout
                t = T1[l]
            elif c < 0:
                st = -c
            else:
                for j in range(NX):
                    if not (yl[l, j] == yl[l, j]) or abs(yl[l, j]) > 1e300:
                        st = 4
            if st == 0:
                st, t, tnext = _lane_events(li, lf, l, t, ET, EK, EC, EV, EII, EDUR, EPH, yl,
                                            y0s, rl, hs, P2, D2, obs_t, out, o, rtol, atol,
                                            max_steps, nst)
            if st < 0:
                _lane_enter(l, t, tnext, yl, rl, P2, D2, hs, Y, K, R, T, T1, H, li, rtol, atol)
            else:
                li[l, LI_ACTIVE] = 0
                status[li[l, LI_SUBJ]] = st
                nsteps[li[l, LI_SUBJ]] = nst[l, 0]
                idle = True


@njit(cache=True, nogil=True, error_model="numpy")
def run_chunk(lo, hi, P, COV, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate,
              ev_addl, ev_ii, ev_ss, ev_mod, obs_t, obs_lo, obs_hi, row0, out, rtol, atol,
              max_steps, status, nsteps):
    """Simulate subjects lo..hi-1 of a chunk into ``out`` (rows row0[i]...).

    ``ev_mod`` holds each record's F, ALAG, R and D from the data set (NaN where the
    model's value applies).
    """
    if METHOD == METHOD_AUTO:
        if LANES > 1:
            _run_lanes(lo, hi, P, COV, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate, ev_addl,
                       ev_ii, ev_ss, ev_mod, obs_t, obs_lo, obs_hi, row0, out, rtol, atol,
                       max_steps, status, nsteps)
            return
    ns = np.zeros(1, dtype=np.int64)
    for i in range(lo, hi):
        ns[0] = 0
        status[i] = _subject(i, P[i], COV[i], ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt,
                             ev_rate, ev_addl, ev_ii, ev_ss, ev_mod, obs_t, obs_lo[i],
                             obs_hi[i], out, row0[i], rtol, atol, max_steps, ns)
        nsteps[i] = ns[0]
