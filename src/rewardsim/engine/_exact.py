"""The exact path for linear models, up to LANES subjects at a time (shared solver).

For dx/dt = A x + r the interval [t, t+dt] is advanced with x <- Phi x + Gamma r, where
Phi = exp(A dt) and Gamma = int_0^dt exp(A s) ds, both read off exp([[A, I], [0, 0]] dt);
A is the right-hand side on unit vectors. The propagators of the last four step sizes are
cached.

Consecutive subjects whose events fall at the same times, of the same kinds, into the
same compartments (only the amounts and rates may differ) and whose outputs are at the
same times are advanced together, up to LANES of them: one pass over the output times
moves every lane, so the work of finding the next time and step is shared and the lanes'
independent multiply-add chains overlap (a population on a common design runs as groups
of four). Each lane's arithmetic is the one-subject arithmetic in the same order, without
fused multiply-adds, so a subject's numbers do not depend on the subjects beside it.
"""

import math

import numpy as np
from numba import njit

from ._events import EV_BOLUS, EV_INF_OFF, EV_RESET, EV_SS, EV_SS2, expand
from ._fcall import (
    F_DERIVE,
    F_DOSEMODS,
    F_INIT,
    F_OBS,
    F_RHS,
    LANES,
    addr,
    call3,
    call4,
    call6,
    call7,
)
from ._kernels import expm, lu_factor, lu_solve


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
def _slot(dt, L, A, cache_dt, cache_ctr, Phi, Gam):
    """Index of the cached propagators for step dt, computed on a miss for lanes 0..L-1
    (``Phi``, ``Gam``: slot x lane x NX x NX)."""
    for s in range(cache_dt.shape[0]):
        if cache_dt[s] == dt:
            return s
    slot = cache_ctr[0] % cache_dt.shape[0]
    cache_ctr[0] += 1
    cache_dt[slot] = dt
    for l in range(L):
        _propagators(A[l], dt, Phi[slot, l], Gam[slot, l])
    return slot


@njit(cache=True, nogil=True, error_model="numpy")
def _gamma_rates(slot, L, Gam, R, Gr):
    """Gamma(dt) R[l] for the cached propagators in ``slot``, lanes 0..L-1, into Gr (lane
    l's at Gr[l * NX:(l + 1) * NX])."""
    NX = R.shape[1]
    for l in range(L):
        for r in range(NX):
            acc = 0.0
            for c in range(NX):
                acc += Gam[slot, l, r, c] * R[l, c]
            Gr[l * NX + r] = acc


@njit(cache=True, nogil=True, error_model="numpy")
def _current(slot, L, anyrate, PF, Gam, R, M, Gr):
    """The step's propagators from the cache's ``slot``: M, lanes 0..L-1's Phi (``PF``,
    the cache seen flat: slot x (lane, row, column)), copied so that the loops index one
    array by constants; and, while any rate runs, Gr."""
    NX = R.shape[1]
    for j in range(L * NX * NX):
        M[j] = PF[slot, j]
    if anyrate:
        _gamma_rates(slot, L, Gam, R, Gr)


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


# ----------------------------------------------------------------- a group of subjects
@njit(cache=True, nogil=True, error_model="numpy")
def _group(fns, NX, L, subj, P, D, et, ek, ec, EV, eii, edur, eph, obs_t, k0, kend, out,
           row0):
    """Subjects subj[0..L-1], which share their event timeline (et, ek, ec, eii, edur,
    eph; each lane its own amounts and rates EV[l]) and their outputs k0..kend-1.

    The loops always step LANES lanes; lanes L.. hold zeros, get no events, no
    propagators and no outputs. Returns 0, or 3 when a steady state was singular in some
    lane (the caller then runs the group's subjects one at a time, each to its own
    status).
    """
    ne = et.shape[0]
    n_p = P.shape[1]
    nd = D.shape[1]
    W = LANES * NX
    # Lanes L.. hold no subject: zeros throughout, computed on and never written out.
    Y0 = np.zeros((LANES, NX))
    Y = np.zeros(W)  # lane l's state at Y[l * NX:(l + 1) * NX]
    R = np.zeros((LANES, NX))
    A = np.zeros((LANES, NX, NX))
    for l in range(L):
        pa = addr(P, subj[l] * n_p)
        da = addr(D, l * nd)
        call3(fns[F_INIT], pa, da, addr(Y0, l * NX))
        _linear_matrix(fns, pa, da, A[l])
        for j in range(NX):
            Y[l * NX + j] = Y0[l, j]
    Phi = np.zeros((4, LANES, NX, NX))
    PF = Phi.reshape((4, W * NX))  # the same memory, flat
    Gam = np.zeros((4, LANES, NX, NX))
    YN = np.zeros(W)
    M = np.zeros(W * NX)  # the step's Phi (see _current)
    Gr = np.zeros(W)  # the step's Gamma rates (while any rate runs)
    cache_dt = np.full(4, -1.0)
    cache_ctr = np.zeros(1, dtype=np.int64)
    # The lanes' states at the outputs (lane l from off[l]; lanes without a subject into
    # one spare lane), turned into outputs in one call of the model a lane at the end.
    nk = max(kend - k0, 1)
    Yb = np.empty((L + (L < LANES)) * nk * NX)
    off = np.zeros(LANES, dtype=np.int64)
    for l in range(LANES):
        off[l] = min(l, L) * nk * NX
    anyrate = False
    rates_changed = False
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
    kev = 0
    kout = k0
    status = 0
    while True:
        # Events at t first, then outputs at t: the state is right-continuous.
        while kev < ne and et[kev] == t:
            k = ek[kev]
            c = ec[kev]
            if k == EV_RESET:
                for l in range(L):
                    for j in range(NX):
                        Y[l * NX + j] = Y0[l, j]
                        R[l, j] = 0.0
                last_reset = t
                rates_changed = True
            elif k == EV_SS or k == EV_SS2:
                if k == EV_SS:
                    # SS=1 replaces the amounts and stops the infusions running.
                    for l in range(L):
                        for j in range(NX):
                            R[l, j] = 0.0
                    last_reset = t
                    rates_changed = True
                for l in range(L):
                    if not ss_exact(k == EV_SS2, A[l], c, EV[l, kev], eii[kev], edur[kev],
                                    eph[kev], Y[l * NX:(l + 1) * NX]):
                        status = 3
                if status != 0:
                    break
            elif k == EV_INF_OFF:
                # An infusion cut short by a reset has already stopped.
                if eii[kev] >= last_reset:
                    for l in range(L):
                        R[l, c] -= EV[l, kev]
                        if abs(R[l, c]) <= 1e-12 * EV[l, kev]:
                            R[l, c] = 0.0
                    rates_changed = True
            elif k == EV_BOLUS:
                for l in range(L):
                    Y[l * NX + c] += EV[l, kev]
            else:
                for l in range(L):
                    R[l, c] += EV[l, kev]
                rates_changed = True
            kev += 1
        if status != 0:
            break
        while kout < kend and obs_t[kout] <= t:
            q = (kout - k0) * NX
            for l in range(L):
                for j in range(NX):
                    Yb[off[l] + q + j] = Y[l * NX + j]
            kout += 1
        if kout >= kend:
            break
        tnext = et[kev] if kev < ne else obs_t[kend - 1]
        if rates_changed:
            anyrate = False
            for l in range(L):
                for j in range(NX):
                    if R[l, j] != 0.0:
                        anyrate = True
            if last_dt > 0.0:
                _gamma_rates(slot, L, Gam, R, Gr)
            rates_changed = False
        # Outputs strictly before the next event, their states into Yb, then the step to
        # the event (the last pass, with no output). Each step is y <- Phi(dt) y
        # (+ Gamma(dt) rates), lane by lane, in the same order whatever the number of
        # states; for 2 and 3 states written out, the four lanes' states in registers.
        # In place here: a call per interval, its arrays counted as references, would
        # cost more than the steps.
        tc = t
        if NX == 2:
            s0_0, s1_0 = Y[0], Y[1]
            s0_1, s1_1 = Y[2], Y[3]
            s0_2, s1_2 = Y[4], Y[5]
            s0_3, s1_3 = Y[6], Y[7]
            o0, o1, o2, o3 = off[0], off[1], off[2], off[3]
            while True:  # entered again after each change of step
                m00_0, m01_0 = M[0], M[1]
                m10_0, m11_0 = M[2], M[3]
                g0_0, g1_0 = Gr[0], Gr[1]
                m00_1, m01_1 = M[4], M[5]
                m10_1, m11_1 = M[6], M[7]
                g0_1, g1_1 = Gr[2], Gr[3]
                m00_2, m01_2 = M[8], M[9]
                m10_2, m11_2 = M[10], M[11]
                g0_2, g1_2 = Gr[4], Gr[5]
                m00_3, m01_3 = M[12], M[13]
                m10_3, m11_3 = M[14], M[15]
                g0_3, g1_3 = Gr[6], Gr[7]
                changed = False
                while True:
                    last = not (kout < kend and obs_t[kout] < tnext)
                    tt = tnext if last else obs_t[kout]
                    dt = tt - tc
                    if dt > 0.0:
                        if dt != last_dt:
                            slot = _slot(dt, L, A, cache_dt, cache_ctr, Phi, Gam)
                            last_dt = dt
                            _current(slot, L, anyrate, PF, Gam, R, M, Gr)
                            changed = True
                            break
                        a0_0 = m00_0 * s0_0 + m01_0 * s1_0
                        a1_0 = m10_0 * s0_0 + m11_0 * s1_0
                        a0_1 = m00_1 * s0_1 + m01_1 * s1_1
                        a1_1 = m10_1 * s0_1 + m11_1 * s1_1
                        a0_2 = m00_2 * s0_2 + m01_2 * s1_2
                        a1_2 = m10_2 * s0_2 + m11_2 * s1_2
                        a0_3 = m00_3 * s0_3 + m01_3 * s1_3
                        a1_3 = m10_3 * s0_3 + m11_3 * s1_3
                        if anyrate:
                            a0_0 = a0_0 + g0_0
                            a1_0 = a1_0 + g1_0
                            a0_1 = a0_1 + g0_1
                            a1_1 = a1_1 + g1_1
                            a0_2 = a0_2 + g0_2
                            a1_2 = a1_2 + g1_2
                            a0_3 = a0_3 + g0_3
                            a1_3 = a1_3 + g1_3
                        s0_0, s1_0 = a0_0, a1_0
                        s0_1, s1_1 = a0_1, a1_1
                        s0_2, s1_2 = a0_2, a1_2
                        s0_3, s1_3 = a0_3, a1_3
                    if last:
                        break
                    q = (kout - k0) * 2
                    Yb[o0 + q] = s0_0
                    Yb[o0 + q + 1] = s1_0
                    Yb[o1 + q] = s0_1
                    Yb[o1 + q + 1] = s1_1
                    Yb[o2 + q] = s0_2
                    Yb[o2 + q + 1] = s1_2
                    Yb[o3 + q] = s0_3
                    Yb[o3 + q + 1] = s1_3
                    tc = tt
                    kout += 1
                if not changed:
                    break
            Y[0], Y[1] = s0_0, s1_0
            Y[2], Y[3] = s0_1, s1_1
            Y[4], Y[5] = s0_2, s1_2
            Y[6], Y[7] = s0_3, s1_3
        elif NX == 3:
            s0_0, s1_0, s2_0 = Y[0], Y[1], Y[2]
            s0_1, s1_1, s2_1 = Y[3], Y[4], Y[5]
            s0_2, s1_2, s2_2 = Y[6], Y[7], Y[8]
            s0_3, s1_3, s2_3 = Y[9], Y[10], Y[11]
            o0, o1, o2, o3 = off[0], off[1], off[2], off[3]
            while True:  # entered again after each change of step
                g0_0, g1_0, g2_0 = Gr[0], Gr[1], Gr[2]
                g0_1, g1_1, g2_1 = Gr[3], Gr[4], Gr[5]
                g0_2, g1_2, g2_2 = Gr[6], Gr[7], Gr[8]
                g0_3, g1_3, g2_3 = Gr[9], Gr[10], Gr[11]
                changed = False
                while True:
                    last = not (kout < kend and obs_t[kout] < tnext)
                    tt = tnext if last else obs_t[kout]
                    dt = tt - tc
                    if dt > 0.0:
                        if dt != last_dt:
                            slot = _slot(dt, L, A, cache_dt, cache_ctr, Phi, Gam)
                            last_dt = dt
                            _current(slot, L, anyrate, PF, Gam, R, M, Gr)
                            changed = True
                            break
                        a0_0 = M[0] * s0_0 + M[1] * s1_0 + M[2] * s2_0
                        a1_0 = M[3] * s0_0 + M[4] * s1_0 + M[5] * s2_0
                        a2_0 = M[6] * s0_0 + M[7] * s1_0 + M[8] * s2_0
                        a0_1 = M[9] * s0_1 + M[10] * s1_1 + M[11] * s2_1
                        a1_1 = M[12] * s0_1 + M[13] * s1_1 + M[14] * s2_1
                        a2_1 = M[15] * s0_1 + M[16] * s1_1 + M[17] * s2_1
                        a0_2 = M[18] * s0_2 + M[19] * s1_2 + M[20] * s2_2
                        a1_2 = M[21] * s0_2 + M[22] * s1_2 + M[23] * s2_2
                        a2_2 = M[24] * s0_2 + M[25] * s1_2 + M[26] * s2_2
                        a0_3 = M[27] * s0_3 + M[28] * s1_3 + M[29] * s2_3
                        a1_3 = M[30] * s0_3 + M[31] * s1_3 + M[32] * s2_3
                        a2_3 = M[33] * s0_3 + M[34] * s1_3 + M[35] * s2_3
                        if anyrate:
                            a0_0 = a0_0 + g0_0
                            a1_0 = a1_0 + g1_0
                            a2_0 = a2_0 + g2_0
                            a0_1 = a0_1 + g0_1
                            a1_1 = a1_1 + g1_1
                            a2_1 = a2_1 + g2_1
                            a0_2 = a0_2 + g0_2
                            a1_2 = a1_2 + g1_2
                            a2_2 = a2_2 + g2_2
                            a0_3 = a0_3 + g0_3
                            a1_3 = a1_3 + g1_3
                            a2_3 = a2_3 + g2_3
                        s0_0, s1_0, s2_0 = a0_0, a1_0, a2_0
                        s0_1, s1_1, s2_1 = a0_1, a1_1, a2_1
                        s0_2, s1_2, s2_2 = a0_2, a1_2, a2_2
                        s0_3, s1_3, s2_3 = a0_3, a1_3, a2_3
                    if last:
                        break
                    q = (kout - k0) * 3
                    Yb[o0 + q] = s0_0
                    Yb[o0 + q + 1] = s1_0
                    Yb[o0 + q + 2] = s2_0
                    Yb[o1 + q] = s0_1
                    Yb[o1 + q + 1] = s1_1
                    Yb[o1 + q + 2] = s2_1
                    Yb[o2 + q] = s0_2
                    Yb[o2 + q + 1] = s1_2
                    Yb[o2 + q + 2] = s2_2
                    Yb[o3 + q] = s0_3
                    Yb[o3 + q + 1] = s1_3
                    Yb[o3 + q + 2] = s2_3
                    tc = tt
                    kout += 1
                if not changed:
                    break
            Y[0], Y[1], Y[2] = s0_0, s1_0, s2_0
            Y[3], Y[4], Y[5] = s0_1, s1_1, s2_1
            Y[6], Y[7], Y[8] = s0_2, s1_2, s2_2
            Y[9], Y[10], Y[11] = s0_3, s1_3, s2_3
        else:
            while True:
                last = not (kout < kend and obs_t[kout] < tnext)
                tt = tnext if last else obs_t[kout]
                dt = tt - tc
                if dt > 0.0:
                    if dt != last_dt:
                        slot = _slot(dt, L, A, cache_dt, cache_ctr, Phi, Gam)
                        last_dt = dt
                        _current(slot, L, anyrate, PF, Gam, R, M, Gr)
                    for l in range(LANES):
                        b = l * NX
                        for r in range(NX):
                            acc = 0.0
                            for c in range(NX):
                                acc += M[(b + r) * NX + c] * Y[b + c]
                            YN[b + r] = acc + Gr[b + r] if anyrate else acc
                    for j in range(W):
                        Y[j] = YN[j]
                if last:
                    break
                q = (kout - k0) * NX
                for l in range(LANES):
                    for j in range(NX):
                        Yb[off[l] + q + j] = Y[l * NX + j]
                tc = tt
                kout += 1
        t = tnext
    if kout > k0:
        stride = out.shape[1]
        for l in range(L):
            call7(fns[F_OBS], kout - k0, addr(obs_t, k0), addr(Yb, off[l]),
                  addr(P, subj[l] * n_p), addr(D, l * nd), addr(out, row0[subj[l]]), stride)
    return status


@njit(cache=True, nogil=True, error_model="numpy")
def run_exact(fns, dims, lo, hi, P, COV, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate,
              ev_addl, ev_ii, ev_ss, ev_mod, obs_t, obs_lo, obs_hi, row0, out, status,
              nsteps):
    """Subjects lo..hi-1 by the exact path, in groups of up to LANES consecutive subjects
    that share their event timeline and output times (see the module's notes)."""
    NX = dims[0]
    nd = max(dims[2], 1)
    D = np.zeros((LANES, nd))
    dn = np.zeros(nd)
    DMOD = np.empty((4, NX))
    subj = np.zeros(LANES, dtype=np.int64)
    # The expanded events of the subject that ended the last group (it starts the next).
    held = False
    hok = False
    het, hev, heii, hedur, heph = np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0)
    hek, hec = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    alone_until = lo  # subjects before it run one at a time (a group of them failed)
    i = lo
    while i < hi:
        if held:
            ok, et, ek, ec, ev, eii, edur, eph = hok, het, hek, hec, hev, heii, hedur, heph
            for j in range(nd):
                D[0, j] = dn[j]
            held = False
        else:
            for j in range(nd):
                D[0, j] = 0.0
            call3(fns[F_DERIVE], P[i], COV[i], D[0])
            call4(fns[F_DOSEMODS], P[i], COV[i], D[0], DMOD)
            ok, et, ek, ec, ev, eii, edur, eph = expand(i, ev_ptr, ev_t, ev_evid, ev_cmt,
                                                        ev_amt, ev_rate, ev_addl, ev_ii,
                                                        ev_ss, ev_mod, DMOD)
        if not ok:
            status[i] = 5
            nsteps[i] = 0
            i += 1
            continue
        ne = et.shape[0]
        k0, kend = obs_lo[i], obs_hi[i]
        subj[0] = i
        EV = np.empty((LANES, ne))
        for m in range(ne):
            EV[0, m] = ev[m]
        L = 1
        j = i + 1
        while i >= alone_until and L < LANES and j < hi:
            # The next subject joins when its timeline and output times are the same.
            if not ((obs_lo[j] == k0 and obs_hi[j] == kend)
                    or np.array_equal(obs_t[obs_lo[j]:obs_hi[j]], obs_t[k0:kend])):
                break
            for m in range(nd):
                dn[m] = 0.0
            call3(fns[F_DERIVE], P[j], COV[j], dn)
            call4(fns[F_DOSEMODS], P[j], COV[j], dn, DMOD)
            hok, het, hek, hec, hev, heii, hedur, heph = expand(j, ev_ptr, ev_t, ev_evid,
                                                                ev_cmt, ev_amt, ev_rate,
                                                                ev_addl, ev_ii, ev_ss,
                                                                ev_mod, DMOD)
            if not (hok and np.array_equal(het, et) and np.array_equal(hek, ek)
                    and np.array_equal(hec, ec) and np.array_equal(heii, eii)
                    and np.array_equal(hedur, edur) and np.array_equal(heph, eph)):
                held = True
                break
            for m in range(nd):
                D[L, m] = dn[m]
            for m in range(ne):
                EV[L, m] = hev[m]
            subj[L] = j
            L += 1
            j += 1
        st = _group(fns, NX, L, subj, P, D, et, ek, ec, EV, eii, edur, eph, obs_t, k0, kend,
                    out, row0)
        if st != 0 and L > 1:
            alone_until = i + L
            held = False
            continue
        for l in range(L):
            status[subj[l]] = st
            nsteps[subj[l]] = 0
        i += L
