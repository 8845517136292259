"""The shared solver: a chunk of subjects through their events, for any model.

Compiled once per machine (numba's on-disk cache) and used by every model: the model's
arithmetic is reached through its function table ``fns`` (:mod:`rewardsim.engine._fcall`),
its sizes through ``dims`` = (states, parameters, derived quantities, outputs).

Each subject's dose records are expanded into a sorted event list
(:mod:`rewardsim.engine._events`) and the solution is advanced piecewise between events.
At equal times events apply before outputs (the state is right-continuous).

Solvers (``method``)
--------------------
* exact (``METHOD_EXACT``): for linear models dx/dt = A x + r, the interval [t, t+dt] is
  advanced with x <- Phi x + Gamma r, where Phi = exp(A dt) and Gamma = int_0^dt exp(A s)
  ds, both read off exp([[A, I], [0, 0]] dt); A is the right-hand side on unit vectors.
* Rodas4 (``METHOD_RODAS``): :mod:`rewardsim.engine._rodas`.
* Dormand-Prince 5(4) (``METHOD_AUTO``): explicit, with dense output and a stiffness test;
  a subject found stiff continues with Rodas4. Models of up to 8 states step LANES
  subjects together (:mod:`rewardsim.engine._lanes`), larger ones one at a time
  (:mod:`rewardsim.engine._dopri`).

A steady-state record sets (SS=1) or adds to (SS=2) the amounts the infinite train of its
implied doses leaves at the record's time: exactly from the propagator for linear models
(:func:`ss_exact`), by repeated dosing otherwise (:func:`rewardsim.engine._rodas.ss_rodas`).

The hot loops are compiled with the fast-math flags ``contract`` (fused multiply-add) and
``arcp`` (x / c as x * (1 / c) for a loop-invariant c); never ``nnan``/``ninf``, which
would drop the NaN checks. Results stay bit-identical across chunkings and thread counts:
every subject runs the same machine code.

Status codes per subject: 0 ok; 1 too many steps; 2 step size underflow; 3 steady state
not reached or singular; 4 non-finite state; 5 a modelled infusion rate (R<n>) or duration
(D<n>) that is not > 0.
"""

import math

import numpy as np
from numba import njit

from ._dopri import N_WORK, dopri_advance
from ._events import EV_BOLUS, EV_INF_OFF, EV_RESET, EV_SS, EV_SS2, expand
from ._fcall import (
    F_DERIVE,
    F_DOSEMODS,
    F_INIT,
    F_OBS,
    F_RHS,
    F_STEP_LANES,
    addr,
    call3,
    call4,
    call6,
    call7,
)
from ._kernels import expm, lu_factor, lu_solve
from ._lanes import run_lanes
from ._rodas import rodas_advance, ss_rodas

METHOD_EXACT = 0
METHOD_RODAS = 1
METHOD_AUTO = 2


# ----------------------------------------------------------------- exact path
@njit(cache=True, nogil=True, error_model="numpy")
def _linear_matrix(fns, p, d, A):
    """A[:, j] = f(e_j) for a linear model (the rhs is evaluated on unit vectors)."""
    NX = A.shape[0]
    y = np.zeros(NX)
    r = np.zeros(NX)
    dy = np.empty(NX)
    for j in range(NX):
        y[j] = 1.0
        call6(fns[F_RHS], 0.0, y, p, d, r, dy)
        for i in range(NX):
            A[i, j] = dy[i]
        y[j] = 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def _propagators(A, dt, Phi, Gam):
    """Phi = exp(A dt) and Gam = int_0^dt exp(A s) ds, from exp([[A, I], [0, 0]] dt)."""
    NX = A.shape[0]
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
def _gamma_rates(slot, Gam, rates, g):
    """g = Gamma(dt) rates for the cached propagators in ``slot``."""
    NX = g.shape[0]
    for r in range(NX):
        acc = 0.0
        for c in range(NX):
            acc += Gam[slot, r, c] * rates[c]
        g[r] = acc


# ----------------------------------------------------------------- steady state
@njit(cache=True, nogil=True, error_model="numpy")
def _matvec(M, x, out):
    NX = x.shape[0]
    for r in range(NX):
        acc = 0.0
        for c in range(NX):
            acc += M[r, c] * x[c]
        out[r] = acc


@njit(cache=True, nogil=True, error_model="numpy")
def ss_exact(add, A, c, val, ii, dur, ph, y):
    """Set y to (or, if add, add to y) the steady state at an SS record's time, exactly.

    Over one dosing cycle a bolus of val enters at the start, or infusions at rate val
    run: with dur = q*ii + e (0 <= e < ii, dur may exceed ii), q + 1 of them for the
    first e of the cycle and q for the rest.  The amounts z at the start of a cycle
    solve (I - Phi(ii)) z = b, b the amounts one cycle brings from zero (the geometric
    series of Phi(ii) summed); z is then advanced to the record's place in the cycle,
    ii - ph.  A constant-rate infusion (ii = 0) of val solves A z = -val e_c.  Returns
    False when the system is singular.
    """
    NX = y.shape[0]
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


# ----------------------------------------------------------------- one subject
@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"})
def subject(fns, dims, method, i, p, cov, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate,
            ev_addl, ev_ii, ev_ss, ev_mod, obs_t, k0, kend, out, row0, rtol, atol, max_steps,
            nsteps):
    """Subject i from its first event or output to its last output; returns its status.

    Output k (k0 <= k < kend) goes to column row0 + k - k0 of ``out`` (outputs x rows).
    """
    NX = dims[0]
    d = np.zeros(max(dims[2], 1))
    call3(fns[F_DERIVE], p, cov, d)
    DMOD = np.empty((4, NX))
    call4(fns[F_DOSEMODS], p, cov, d, DMOD)
    ok, et, ek, ec, ev, eii, edur, eph = expand(i, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt,
                                                ev_rate, ev_addl, ev_ii, ev_ss, ev_mod, DMOD)
    if not ok:
        return 5
    ne = et.shape[0]
    y0 = np.empty(NX)
    call3(fns[F_INIT], p, d, y0)
    y = np.empty(NX)
    for j in range(NX):
        y[j] = y0[j]
    rates = np.zeros(NX)
    stride = out.shape[1]
    orow = row0 - k0  # out column of output k is orow + k
    A = np.zeros((NX, NX))
    Phi = np.empty((4, NX, NX))
    Gam = np.empty((4, NX, NX))
    g = np.zeros(NX)
    ynew = np.empty(NX)
    cache_dt = np.full(4, -1.0)
    cache_ctr = np.zeros(1, dtype=np.int64)
    if method == METHOD_EXACT:
        _linear_matrix(fns, p, d, A)
        # The states at the outputs, turned into outputs in one call of the model at the end.
        Yb = np.empty(max(kend - k0, 1) * NX)
    else:
        Yb = np.empty(0)
    work = np.empty((N_WORK, NX))
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
    stiff = method == METHOD_RODAS
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
                if method == METHOD_EXACT:
                    ok = ss_exact(k == EV_SS2, A, c, ev[kev], eii[kev], edur[kev], eph[kev], y)
                else:
                    ok = ss_rodas(fns, k == EV_SS2, c, ev[kev], eii[kev], edur[kev], eph[kev],
                                  y, y0, p, d, rtol, atol, max_steps, nsteps)
                if not ok:
                    _outputs(fns, method, Yb, k0, kout, obs_t, p, d, out, orow)
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
        while kout < kend and obs_t[kout] <= t:
            if method == METHOD_EXACT:
                for j in range(NX):
                    Yb[(kout - k0) * NX + j] = y[j]
            else:
                call7(fns[F_OBS], 1, addr(obs_t, kout), y, p, d, addr(out, orow + kout), stride)
            kout += 1
        if kout >= kend:
            break
        tnext = et[kev] if kev < ne else obs_t[kend - 1]
        if method == METHOD_EXACT:
            if rates_changed:
                anyrate = False
                for j in range(NX):
                    if rates[j] != 0.0:
                        anyrate = True
                if last_dt > 0.0:
                    _gamma_rates(slot, Gam, rates, g)
                rates_changed = False
            # Outputs strictly before the next event, their states into Yb, then the step
            # to the event. Each step is y <- Phi(dt) y (+ Gamma(dt) rates), the
            # propagators of the last four step sizes cached. Written out here: a call per
            # interval, its arrays counted as references, would cost more than the steps.
            # Models of 1 to 3 states keep the state and Phi in registers, with the product
            # written out (the same operations in the same order as the loop of larger
            # models, so the same numbers). The last pass of each loop is the step to the
            # event, with no output.
            kb = k0
            tc = t
            if NX == 1:
                s0 = y[0]
                m00 = Phi[slot, 0, 0]
                g0 = g[0]
                while True:
                    last = not (kout < kend and obs_t[kout] < tnext)
                    tt = tnext if last else obs_t[kout]
                    dt = tt - tc
                    if dt > 0.0:
                        if dt != last_dt:
                            slot = _slot(dt, A, cache_dt, cache_ctr, Phi, Gam)
                            last_dt = dt
                            _gamma_rates(slot, Gam, rates, g)
                            m00 = Phi[slot, 0, 0]
                            g0 = g[0]
                        a0 = m00 * s0
                        if anyrate:
                            a0 = a0 + g0
                        s0 = a0
                    if last:
                        break
                    Yb[(kout - kb) * 1 + 0] = s0
                    tc = tt
                    kout += 1
                y[0] = s0
            elif NX == 2:
                s0, s1 = y[0], y[1]
                m00, m01 = Phi[slot, 0, 0], Phi[slot, 0, 1]
                m10, m11 = Phi[slot, 1, 0], Phi[slot, 1, 1]
                g0, g1 = g[0], g[1]
                while True:
                    last = not (kout < kend and obs_t[kout] < tnext)
                    tt = tnext if last else obs_t[kout]
                    dt = tt - tc
                    if dt > 0.0:
                        if dt != last_dt:
                            slot = _slot(dt, A, cache_dt, cache_ctr, Phi, Gam)
                            last_dt = dt
                            _gamma_rates(slot, Gam, rates, g)
                            m00, m01 = Phi[slot, 0, 0], Phi[slot, 0, 1]
                            m10, m11 = Phi[slot, 1, 0], Phi[slot, 1, 1]
                            g0, g1 = g[0], g[1]
                        a0 = m00 * s0
                        a0 = a0 + m01 * s1
                        a1 = m10 * s0
                        a1 = a1 + m11 * s1
                        if anyrate:
                            a0 = a0 + g0
                            a1 = a1 + g1
                        s0, s1 = a0, a1
                    if last:
                        break
                    Yb[(kout - kb) * 2 + 0] = s0
                    Yb[(kout - kb) * 2 + 1] = s1
                    tc = tt
                    kout += 1
                y[0] = s0
                y[1] = s1
            elif NX == 3:
                s0, s1, s2 = y[0], y[1], y[2]
                m00, m01, m02 = Phi[slot, 0, 0], Phi[slot, 0, 1], Phi[slot, 0, 2]
                m10, m11, m12 = Phi[slot, 1, 0], Phi[slot, 1, 1], Phi[slot, 1, 2]
                m20, m21, m22 = Phi[slot, 2, 0], Phi[slot, 2, 1], Phi[slot, 2, 2]
                g0, g1, g2 = g[0], g[1], g[2]
                while True:
                    last = not (kout < kend and obs_t[kout] < tnext)
                    tt = tnext if last else obs_t[kout]
                    dt = tt - tc
                    if dt > 0.0:
                        if dt != last_dt:
                            slot = _slot(dt, A, cache_dt, cache_ctr, Phi, Gam)
                            last_dt = dt
                            _gamma_rates(slot, Gam, rates, g)
                            m00, m01, m02 = Phi[slot, 0, 0], Phi[slot, 0, 1], Phi[slot, 0, 2]
                            m10, m11, m12 = Phi[slot, 1, 0], Phi[slot, 1, 1], Phi[slot, 1, 2]
                            m20, m21, m22 = Phi[slot, 2, 0], Phi[slot, 2, 1], Phi[slot, 2, 2]
                            g0, g1, g2 = g[0], g[1], g[2]
                        a0 = m00 * s0
                        a0 = a0 + m01 * s1
                        a0 = a0 + m02 * s2
                        a1 = m10 * s0
                        a1 = a1 + m11 * s1
                        a1 = a1 + m12 * s2
                        a2 = m20 * s0
                        a2 = a2 + m21 * s1
                        a2 = a2 + m22 * s2
                        if anyrate:
                            a0 = a0 + g0
                            a1 = a1 + g1
                            a2 = a2 + g2
                        s0, s1, s2 = a0, a1, a2
                    if last:
                        break
                    Yb[(kout - kb) * 3 + 0] = s0
                    Yb[(kout - kb) * 3 + 1] = s1
                    Yb[(kout - kb) * 3 + 2] = s2
                    tc = tt
                    kout += 1
                y[0] = s0
                y[1] = s1
                y[2] = s2
            else:
                while True:
                    last = not (kout < kend and obs_t[kout] < tnext)
                    tt = tnext if last else obs_t[kout]
                    dt = tt - tc
                    if dt > 0.0:
                        if dt != last_dt:
                            slot = _slot(dt, A, cache_dt, cache_ctr, Phi, Gam)
                            last_dt = dt
                            _gamma_rates(slot, Gam, rates, g)
                        for r in range(NX):
                            acc = 0.0
                            for c in range(NX):
                                acc += Phi[slot, r, c] * y[c]
                            ynew[r] = acc + g[r] if anyrate else acc
                        for r in range(NX):
                            y[r] = ynew[r]
                    if last:
                        break
                    for r in range(NX):
                        Yb[(kout - kb) * NX + r] = y[r]
                    tc = tt
                    kout += 1
        else:
            ts = t
            if method == METHOD_AUTO:
                if not stiff:
                    kout, st, ts = dopri_advance(fns, t, tnext, y, p, d, rates, obs_t, kout,
                                                 kend, out, orow, rtol, atol, hstate,
                                                 max_steps, nsteps, work)
                    if st == 5:
                        stiff = True
                        hstate[0] = 0.0
                        hstate[1] = 0.0
                    elif st != 0:
                        return st
            if stiff:
                kout, st = rodas_advance(fns, ts, tnext, y, p, d, rates, obs_t, kout, kend, out,
                                         orow, rtol, atol, hstate, max_steps, nsteps)
                if st != 0:
                    return st
        t = tnext
    _outputs(fns, method, Yb, k0, kout, obs_t, p, d, out, orow)
    return 0


@njit(cache=True, nogil=True, error_model="numpy")
def _outputs(fns, method, Yb, k0, kout, obs_t, p, d, out, orow):
    """The exact path's outputs k0..kout-1 from their states in Yb, in one call of the
    model (a call per output, or per interval between doses, costs more than the output)."""
    if method == METHOD_EXACT and kout > k0:
        call7(fns[F_OBS], kout - k0, addr(obs_t, k0), Yb, p, d, addr(out, orow + k0),
              out.shape[1])


@njit(cache=True, nogil=True, error_model="numpy")
def run_chunk(fns, dims, method, lo, hi, P, COV, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt,
              ev_rate, ev_addl, ev_ii, ev_ss, ev_mod, obs_t, obs_lo, obs_hi, row0, out, rtol,
              atol, max_steps, status, nsteps):
    """Simulate subjects lo..hi-1 of a chunk into ``out`` (rows row0[i]...).

    ``fns``/``dims``: the model's function table and sizes
    (:class:`rewardsim.engine._codegen.ModelKernel`); ``method`` as ``METHOD_*``.
    ``ev_mod`` holds each record's F, ALAG, R and D from the data set (NaN where the
    model's value applies).
    """
    if method == METHOD_AUTO and fns[F_STEP_LANES] != 0:
        run_lanes(fns, dims, lo, hi, P, COV, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate,
                  ev_addl, ev_ii, ev_ss, ev_mod, obs_t, obs_lo, obs_hi, row0, out, rtol, atol,
                  max_steps, status, nsteps)
        return
    ns = np.zeros(1, dtype=np.int64)
    for i in range(lo, hi):
        ns[0] = 0
        status[i] = subject(fns, dims, method, i, P[i], COV[i], ev_ptr, ev_t, ev_evid, ev_cmt,
                            ev_amt, ev_rate, ev_addl, ev_ii, ev_ss, ev_mod, obs_t, obs_lo[i],
                            obs_hi[i], out, row0[i], rtol, atol, max_steps, ns)
        nsteps[i] = ns[0]
