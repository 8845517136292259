"""Dormand-Prince 5(4) for models of up to 8 states, LANES subjects at a time.

The arithmetic of each lane is :func:`rewardsim.engine._dopri.dopri_advance`'s, step for
step; the model's right-hand side is called once a stage for all lanes
(``rhs_lanes``, see :mod:`rewardsim.engine._fcall`).
"""

import numpy as np
from numba import njit

from ._dopri import dense_weights, dp_factor
from ._events import EV_BOLUS, EV_INF_OFF, EV_RESET, EV_SS, EV_SS2, expand, n_events
from ._fcall import (
    F_DERIVE,
    F_DOSEMODS,
    F_INIT,
    F_OBS,
    F_RHS,
    F_STEP_LANES,
    LANES,
    addr,
    call3,
    call4,
    call6,
    call7,
    call14,
)  # fmt: skip
from ._rodas import rodas_advance, ss_rodas, start_step

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


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"},
      inline="always")
def dopri_lanes(fns, Y, K, Z, U, YN, R, PL, DL, P2, D2, T, T1, H, TS, ERR, SN, SD, li, hs,
                obs_t, out, yp, rtol, atol, max_steps):
    """Step all lanes together until an active lane ends its interval.

    Lane l integrates from T[l] to T1[l] with state Y[:, l], first stage K[0, :, l],
    input rates R[:, l] and step H[l] (:func:`_dopri_advance` for one subject, step
    for step).  A lane that stops sets li[l, LI_CODE]: 1 interval done, 5 stiffness
    detected at T[l], -1 too many steps, -2 step size underflow.
    """
    nx = Y.shape[0]
    n_p = P2.shape[1]
    n_d = D2.shape[1]
    stride = out.shape[1]
    step = fns[F_STEP_LANES]
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
        call14(step, T, H, Y, K, U, YN, R, PL, DL, ERR, SN, SD, rtol, atol)
        # Accept or reject, lane by lane.
        for l in range(LANES):
            if li[l, LI_ACTIVE] == 0:
                continue
            li[l, LI_STEPS] += 1
            err = ERR[l] / nx
            h = H[l]
            if not (err == err) or err > 1e300:
                H[l] = h * 0.25
                li[l, LI_REJECT] = 1
                continue
            if err > 1.0:
                H[l] = h * min(1.0, dp_factor(err))
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
                    b1, b3, b4, b5, b6, b7 = dense_weights(x)
                    for i in range(nx):
                        yp[i] = Y[i, l] + h * (b1 * K[0, i, l] + b3 * K[2, i, l] + b4 * K[3, i, l]
                                               + b5 * K[4, i, l] + b6 * K[5, i, l]
                                               + b7 * K[6, i, l])
                    call7(fns[F_OBS], 1, addr(obs_t, kout), yp, addr(P2, l * n_p),
                                      addr(D2, l * n_d), addr(out, row + kout), stride)
                    kout += 1
                li[l, LI_KOUT] = kout
            for i in range(nx):
                Y[i, l] = YN[i, l]
                K[0, i, l] = K[6, i, l]
            fac = dp_factor(err)
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


# ----------------------------------------------------------------- lanes: the driver
# The functions called once a dose interval are inlined into run_lanes: a call counts a
# reference to each array argument (two atomic operations apiece), which on W2 cost
# more than a tenth of the run. run_lanes takes dopri_lanes' fast-math flags.
@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _lane_events(fns, li, lf, l, t, ET, EK, EC, EV, EII, EDUR, EPH, yl, y0s, rl, hs, P2,
                 D2, obs_t, out, rtol, atol, max_steps, nst):
    """Events and outputs of lane l at time t, then on to its next interval.

    The lane's state and input rates are yl[l] and rl[l].  Its arrays are indexed in
    place (a view of a row costs two atomic reference counts, more than an event).  A
    lane found stiff runs the rest of its subject here with Rodas4.  Returns (status, t,
    tnext): status -1 when the lane is inside the Dormand-Prince interval [t, tnext],
    otherwise the subject is done with that status.
    """
    nx = yl.shape[1]
    ne = li[l, LI_NE]
    kend = li[l, LI_KEND]
    row = li[l, LI_ROW]
    stride = out.shape[1]
    kev = li[l, LI_KEV]
    while True:
        # Events at t first, then outputs at t: the state is right-continuous (as in
        # :func:`_subject`).
        while kev < ne and ET[l, kev] == t:
            k = EK[l, kev]
            c = EC[l, kev]
            if k == EV_RESET:
                for j in range(nx):
                    yl[l, j] = y0s[l, j]
                    rl[l, j] = 0.0
                lf[l] = t
            elif k == EV_SS or k == EV_SS2:
                if k == EV_SS:
                    for j in range(nx):
                        rl[l, j] = 0.0
                    lf[l] = t
                if not ss_rodas(fns, k == EV_SS2, c, EV[l, kev], EII[l, kev], EDUR[l, kev],
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
            while kout < kend and obs_t[kout] <= t:
                call7(fns[F_OBS], 1, addr(obs_t, kout), addr(yl, l * nx), addr(P2, l * P2.shape[1]),
                                  addr(D2, l * D2.shape[1]), addr(out, row + kout), stride)
                kout += 1
            li[l, LI_KOUT] = kout
        if kout >= kend:
            return 0, t, t
        tnext = ET[l, kev] if kev < ne else obs_t[kend - 1]
        if li[l, LI_STIFF] == 0:
            return -1, t, tnext
        kout, st = rodas_advance(fns, t, tnext, yl[l], P2[l], D2[l], rl[l], obs_t, kout, kend,
                                 out, row, rtol, atol, hs[l], max_steps, nst[l])
        li[l, LI_KOUT] = kout
        if st != 0:
            return st, t, t
        t = tnext


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"},
      inline="always")
def _lane_enter(fns, l, t, tnext, yl, rl, P2, D2, hs, Y, K, R, T, T1, H, li, yp, rtol, atol):
    """Put lane l into the Dormand-Prince loop for the interval [t, tnext]."""
    nx = yl.shape[1]
    call6(fns[F_RHS], t, addr(yl, l * nx), addr(P2, l * P2.shape[1]), addr(D2, l * D2.shape[1]),
                      addr(rl, l * nx), yp)
    for i in range(nx):
        Y[i, l] = yl[l, i]
        R[i, l] = rl[l, i]
        K[0, i, l] = yp[i]
    h = hs[l, 0]
    if h <= 0.0:
        h = start_step(yl[l], yp, rtol, atol, tnext - t)
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


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract", "arcp"})
def run_lanes(fns, dims, lo, hi, P, COV, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate,
              ev_addl, ev_ii, ev_ss, ev_mod, obs_t, obs_lo, obs_hi, row0, out, rtol, atol,
              max_steps, status, nsteps):
    """Subjects lo..hi-1 by Dormand-Prince (switching to Rodas4), LANES at a time."""
    nx, n_p = dims[0], dims[1]
    nd1 = max(dims[2], 1)
    # Lane-minor arrays for the vector loop...
    Y = np.zeros((nx, LANES))
    K = np.zeros((7, nx, LANES))
    Z = np.zeros((nx, LANES))
    U = np.zeros((nx, LANES))
    YN = np.zeros((nx, LANES))
    R = np.zeros((nx, LANES))
    PL = np.zeros((n_p, LANES))
    DL = np.zeros((nd1, LANES))
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
    P2 = np.zeros((LANES, n_p))
    D2 = np.zeros((LANES, nd1))
    y0s = np.zeros((LANES, nx))
    yl = np.zeros((LANES, nx))
    rl = np.zeros((LANES, nx))
    nst = np.zeros((LANES, 1), dtype=np.int64)
    yp = np.zeros(nx)
    DMOD = np.empty((4, nx))
    # Each lane's expanded events, rows as long as the longest list of the chunk: arrays
    # never replaced, as a replaced array's references are counted at every dose interval
    # (atomic operations: 6 % of W2 when the rows grew as needed).
    cap = 1
    for i in range(lo, hi):
        d = D2[0]
        for j in range(nd1):
            d[j] = 0.0
        call3(fns[F_DERIVE], P[i], COV[i], d)
        call4(fns[F_DOSEMODS], P[i], COV[i], d, DMOD)
        cap = max(cap, n_events(i, ev_ptr, ev_evid, ev_cmt, ev_amt, ev_rate, ev_addl, ev_ii,
                                ev_ss, ev_mod, DMOD))
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
                for j in range(nd1):
                    d[j] = 0.0
                call3(fns[F_DERIVE], p, COV[i], d)
                call4(fns[F_DOSEMODS], p, COV[i], d, DMOD)
                ok, et, ek, ec, ev, eii, edur, eph = expand(i, ev_ptr, ev_t, ev_evid, ev_cmt,
                                                             ev_amt, ev_rate, ev_addl, ev_ii,
                                                             ev_ss, ev_mod, DMOD)
                if not ok:
                    status[i] = 5
                    nsteps[i] = 0
                    continue
                ne = et.shape[0]
                for j in range(ne):
                    ET[l, j] = et[j]
                    EK[l, j] = ek[j]
                    EC[l, j] = ec[j]
                    EV[l, j] = ev[j]
                    EII[l, j] = eii[j]
                    EDUR[l, j] = edur[j]
                    EPH[l, j] = eph[j]
                for j in range(n_p):
                    P2[l, j] = p[j]
                    PL[j, l] = p[j]
                for j in range(nd1):
                    DL[j, l] = d[j]
                y0 = y0s[l]
                call3(fns[F_INIT], p, d, y0)
                for j in range(nx):
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
                st, t, tnext = _lane_events(fns, li, lf, l, t, ET, EK, EC, EV, EII, EDUR, EPH,
                                            yl, y0s, rl, hs, P2, D2, obs_t, out, rtol, atol,
                                            max_steps, nst)
                if st < 0:
                    _lane_enter(fns, l, t, tnext, yl, rl, P2, D2, hs, Y, K, R, T, T1, H, li, yp,
                                rtol, atol)
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
        dopri_lanes(fns, Y, K, Z, U, YN, R, PL, DL, P2, D2, T, T1, H, TS, ERR, SN, SD, li, hs,
                    obs_t, out, yp, rtol, atol, max_steps)
        for l in range(LANES):
            c = li[l, LI_CODE]
            if li[l, LI_ACTIVE] == 0 or c == 0:
                continue
            li[l, LI_CODE] = 0
            nst[l, 0] += li[l, LI_STEPS]
            for j in range(nx):
                yl[l, j] = Y[j, l]
            st = 0
            t = T[l]
            if c == 5:
                # Stiff: Rodas4 from here to the end of the subject (as LSODA turns to BDF).
                li[l, LI_STIFF] = 1
                hs[l, 0] = 0.0
                hs[l, 1] = 0.0
                kout, st = rodas_advance(fns, t, T1[l], yl[l], P2[l], D2[l], rl[l], obs_t,
                                         li[l, LI_KOUT], li[l, LI_KEND], out, li[l, LI_ROW],
                                         rtol, atol, hs[l], max_steps, nst[l])
                li[l, LI_KOUT] = kout
                t = T1[l]
            elif c < 0:
                st = -c
            else:
                for j in range(nx):
                    if not (yl[l, j] == yl[l, j]) or abs(yl[l, j]) > 1e300:
                        st = 4
            if st == 0:
                st, t, tnext = _lane_events(fns, li, lf, l, t, ET, EK, EC, EV, EII, EDUR, EPH,
                                            yl, y0s, rl, hs, P2, D2, obs_t, out, rtol, atol,
                                            max_steps, nst)
            if st < 0:
                _lane_enter(fns, l, t, tnext, yl, rl, P2, D2, hs, Y, K, R, T, T1, H, li, yp,
                            rtol, atol)
            else:
                li[l, LI_ACTIVE] = 0
                status[li[l, LI_SUBJ]] = st
                nsteps[li[l, LI_SUBJ]] = nst[l, 0]
                idle = True


