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
  advanced with x <- Phi x + Gamma r (:mod:`rewardsim.engine._exact`, up to four subjects
  that share their events at a time).
* Rodas4 (``METHOD_RODAS``): :mod:`rewardsim.engine._rodas`.
* Dormand-Prince 5(4) (``METHOD_AUTO``): explicit, with dense output and a stiffness test;
  a subject found stiff continues with Rodas4. Models of up to 8 states step LANES
  subjects together (:mod:`rewardsim.engine._lanes`), larger ones one at a time
  (:mod:`rewardsim.engine._dopri`).

A steady-state record sets (SS=1) or adds to (SS=2) the amounts the infinite train of its
implied doses leaves at the record's time: exactly from the propagator for linear models
(:func:`rewardsim.engine._exact.ss_exact`), by repeated dosing otherwise
(:func:`rewardsim.engine._rodas.ss_rodas`).

The ODE solvers' hot loops are compiled with the fast-math flags ``contract`` (fused
multiply-add) and ``arcp`` (x / c as x * (1 / c) for a loop-invariant c); never
``nnan``/``ninf``, which would drop the NaN checks. The exact path uses none. Results
stay bit-identical across chunkings and thread counts: every subject runs the same
machine code (on the exact path, the same operations in the same order).

Status codes per subject: 0 ok; 1 too many steps; 2 step size underflow; 3 steady state
not reached or singular; 4 non-finite state; 5 a modelled infusion rate (R<n>) or duration
(D<n>) that is not > 0.
"""

import numpy as np
from numba import njit

from ._dopri import N_WORK, dopri_advance
from ._events import EV_BOLUS, EV_INF_OFF, EV_RESET, EV_SS, EV_SS2, expand
from ._exact import run_exact
from ._fcall import (
    F_DERIVE,
    F_DOSEMODS,
    F_INIT,
    F_OBS,
    F_STEP_LANES,
    addr,
    call3,
    call4,
    call7,
)
from ._lanes import run_lanes
from ._rodas import rodas_advance, ss_rodas

METHOD_EXACT = 0
METHOD_RODAS = 1
METHOD_AUTO = 2


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
    work = np.empty((N_WORK, NX))
    hstate = np.zeros(2)
    t = np.inf
    if ne > 0:
        t = et[0]
    if kend > k0 and obs_t[k0] < t:
        t = obs_t[k0]
    if t == np.inf:
        return 0
    last_reset = -np.inf
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
            elif k == EV_SS or k == EV_SS2:
                if k == EV_SS:
                    # SS=1 replaces the amounts and stops the infusions running.
                    for j in range(NX):
                        rates[j] = 0.0
                    last_reset = t
                if not ss_rodas(fns, k == EV_SS2, c, ev[kev], eii[kev], edur[kev], eph[kev],
                                y, y0, p, d, rtol, atol, max_steps, nsteps):
                    return 3
            elif k == EV_INF_OFF:
                # An infusion cut short by a reset has already stopped.
                if eii[kev] >= last_reset:
                    rates[c] -= ev[kev]
                    if abs(rates[c]) <= 1e-12 * ev[kev]:
                        rates[c] = 0.0
            elif k == EV_BOLUS:
                y[c] += ev[kev]
            else:
                rates[c] += ev[kev]
            kev += 1
        # Start each interval with the step first accepted after the previous event:
        # under repeated dosing the state after an event is like the one before (a step
        # too long for it is rejected by the controller).
        hstate[0] = hstate[1]
        while kout < kend and obs_t[kout] <= t:
            call7(fns[F_OBS], 1, addr(obs_t, kout), y, p, d, addr(out, orow + kout), stride)
            kout += 1
        if kout >= kend:
            break
        tnext = et[kev] if kev < ne else obs_t[kend - 1]
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
    return 0


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
    if method == METHOD_EXACT:
        run_exact(fns, dims, lo, hi, P, COV, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate,
                  ev_addl, ev_ii, ev_ss, ev_mod, obs_t, obs_lo, obs_hi, row0, out, status,
                  nsteps)
        return
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
