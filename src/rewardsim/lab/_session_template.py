# ruff: noqa: F821
"""The compiled laboratory session: one call runs many sessions second by second.

This file is not imported as it stands: :mod:`rewardsim.lab._kernel` prepends the reward
circuit's functions generated from its text (:func:`rewardsim.models.reward_circuit.
numba_source`: ``circuit_derived_nb``, ``circuit_rhs_nb``, ``circuit_algebra_nb``) and
compiles the whole module with numba's on-disk cache.

One step of a session (``h`` seconds), in the order the data flows:

    exposure   experimenter doses due now join the drug amounts (boluses); an infusion
               earned earlier runs at its rate; the linear PK of cocaine and baclofen
               advances exactly: x <- E x + G rate (E = exp(A h), G its integral)
    brain      the circuit advances one classical Runge-Kutta step, with arterial plasma
               cocaine and brain baclofen linear within the step (their exact values at
               both ends); its algebra gives DAT occupancy, dopamine and the 'high'
    measure    dopamine at the grid point is kept for the dialysis bins
    decide     the subject's response rate from its dopamine (the rule below); lever
               presses as a Poisson process; the schedule turns presses into infusions
               (fixed ratio, progressive ratio, discrete trials) or, at a choice trial,
               the person takes the dose or the alternative

Self-administration rule (rat), after the satiety-threshold model of Tsibulsky & Norman
1999 and its 'compulsion zone' (Norman & Tsibulsky 2006), with the circuit's dopamine
(DAR = DA / DA0) as the drug level: above the satiety threshold ``ST`` the rat does not
respond; between the priming threshold ``PT`` and ``ST`` it responds at ``RESP`` presses per
second; below ``PT`` only at the operant level ``OPER``.

Random numbers are Philox4x64-10 keyed by (seed, session id, counter, purpose), so a
session's draws do not depend on the other sessions or on the threads.
"""

import math

import numpy as np
from numba import njit, prange, uint64

from rewardsim.engine._kernels import philox4x64

# Schedule kinds.
K_NONE, K_FR, K_PR, K_DT, K_CHOICE = 0, 1, 2, 3, 4
# Schedule vector S.
S_KIND = 0  # one of the kinds above
S_RATIO = 1  # fixed ratio
S_UNIT = 2  # unit dose (amount per infusion or per choice)
S_CMT = 3  # state index receiving the unit dose
S_INF = 4  # infusion length (steps; 0: bolus)
S_TO = 5  # time-out after an infusion starts (steps)
S_END = 6  # end the session after this many steps without an infusion (0: never)
S_EVERY = 7  # discrete trials: steps between trial starts
S_LEN = 8  # discrete trials: steps the lever is out
S_PRIME = 9  # 1: a non-contingent unit dose at the session start
S_START = 10  # step of the session start (t = 0)
S_STOP = 11  # last step of the session
S_MAXINF = 12  # most infusions a session may deliver
N_S = 13
# Rule vector R (rat self-administration).
R_ST = 0  # satiety threshold, DA / DA0
R_PT = 1  # priming threshold, DA / DA0
R_RESP = 2  # presses per second inside the zone
R_OPER = 3  # presses per second below the priming threshold
R_STCV = 4  # between-subject CV of ST (log-normal)
N_R = 5
# Choice vector C (human choice procedure).
C_B0 = 0  # log-odds of taking the dose with no 'high' and no alternative
C_BHIGH = 1  # log-odds per point of the last dose's peak 'high'
C_BALT = 2  # log-odds per unit of the alternative's value
N_C = 3
# Per-session scalar results.
O_NEV = 0  # doses taken (infusions, or doses chosen)
O_PRESS = 1  # lever presses counted toward the schedule
O_TOPRESS = 2  # presses during time-outs and infusions (no consequence)
O_BREAK = 3  # last completed ratio (progressive ratio breakpoint)
O_END = 4  # step at which the session ended
O_STMULT = 5  # the subject's ST multiplier
O_DAPK = 6  # peak dopamine (nM) from the session start
O_HIGHPK = 7  # peak 'high' (0-10) from the session start
O_OCCPK = 8  # peak DAT occupancy from the session start
O_REWARD = 9  # the circuit's reward (integral of REWARD_RATE, h) over the session
O_ADA = 10  # dopamine adaptation A_DA at the end
N_O = 11
# Trajectory columns after time (min) and the recorded PK outputs.
T_CP, T_CB, T_CE, T_OCC, T_DA, T_HIGH = 0, 1, 2, 3, 4, 5
N_T = 6
# Random-number purposes.
_P_PRESS, _P_TRAIT, _P_CHOICE = 1, 2, 3
_KEY = uint64(0x1AB5E55)


@njit(cache=True, nogil=True)
def _uniform(seed, sid, counter, purpose):  # pragma: no cover - compiled
    """One U(0, 1) double (never 0) for (seed, session, counter, purpose)."""
    raw = np.empty(4, dtype=np.uint64)
    philox4x64(uint64(sid), uint64(counter), uint64(purpose), uint64(0), uint64(seed),
               _KEY, raw)
    return ((raw[0] >> uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def pr_ratio(n):  # pragma: no cover - compiled
    """Responses required for the n-th infusion (n = 1, 2, ...) on the progressive ratio
    of Richardson & Roberts 1996: round(5 exp(0.2 n)) - 5 = 1, 2, 4, 6, 9, 12, 15, 20, ..."""
    return int(math.floor(5.0 * math.exp(0.2 * n) + 0.5)) - 5


@njit(cache=True, nogil=True)
def bin_means(v, first, length, out):  # pragma: no cover - compiled
    """Mean of the grid values ``v`` over consecutive bins of ``length``
    steps from step ``first``: the trapezoid rule, exact for ``v`` linear between grid
    points. Bins that run past the grid are NaN."""
    n = v.shape[0]
    for j in range(out.shape[0]):
        a = first + j * length
        b = a + length
        if a < 0 or b > n - 1:
            out[j] = np.nan
            continue
        s = 0.5 * (v[a] + v[b])
        for k in range(a + 1, b):
            s += v[k]
        out[j] = s / length


@njit(cache=True, nogil=True, inline="always")
def _rk4(p, d, h, cp0, cp1, cb0, cb1, cue, y):  # pragma: no cover - compiled
    """One classical Runge-Kutta step of the circuit; plasma cocaine and brain baclofen
    linear within the step."""
    cpm = 0.5 * (cp0 + cp1)
    cbm = 0.5 * (cb0 + cb1)
    k1 = circuit_rhs_nb(p, d, cp0, cb0, cue, y[0], y[1], y[2], y[3], y[4])
    k2 = circuit_rhs_nb(p, d, cpm, cbm, cue, y[0] + 0.5 * h * k1[0], y[1] + 0.5 * h * k1[1],
                        y[2] + 0.5 * h * k1[2], y[3] + 0.5 * h * k1[3],
                        y[4] + 0.5 * h * k1[4])
    k3 = circuit_rhs_nb(p, d, cpm, cbm, cue, y[0] + 0.5 * h * k2[0], y[1] + 0.5 * h * k2[1],
                        y[2] + 0.5 * h * k2[2], y[3] + 0.5 * h * k2[3],
                        y[4] + 0.5 * h * k2[4])
    k4 = circuit_rhs_nb(p, d, cp1, cb1, cue, y[0] + h * k3[0], y[1] + h * k3[1],
                        y[2] + h * k3[2], y[3] + h * k3[3], y[4] + h * k3[4])
    c = h / 6.0
    return (y[0] + c * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
            y[1] + c * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
            y[2] + c * (k1[2] + 2.0 * k2[2] + 2.0 * k3[2] + k4[2]),
            y[3] + c * (k1[3] + 2.0 * k2[3] + 2.0 * k3[3] + k4[3]),
            y[4] + c * (k1[4] + 2.0 * k2[4] + 2.0 * k3[4] + k4[4]),
            y[5] + c * (k1[5] + 2.0 * k2[5] + 2.0 * k3[5] + k4[5]))


@njit(cache=True, nogil=True, inline="always")
def _rate(dar, st, pt, R):  # pragma: no cover - compiled
    """Presses per second at dopamine ``dar`` (the satiety-threshold rule)."""
    if dar >= st:
        return 0.0
    if dar > pt:
        return R[R_RESP]
    return R[R_OPER]


@njit(cache=True, nogil=True)
def session(p, E, G, wcp, wcb, wobs, x0, y0, h_s, n_steps, b_step, b_cmt, b_amt, S, R, C,
            c_step, c_alt, cue, seed, sid, bin_first, bin_len, ev, res, bins, choice,
            traj, rec_every):  # pragma: no cover - compiled
    """Run one session of ``n_steps`` steps of ``h_s`` seconds from state ``x0`` (drug
    amounts) and ``y0`` (circuit). Fills ``ev`` (steps at which doses were taken), ``res``
    (the O_* results), ``bins`` (mean DA, nM, per dialysis bin), ``choice`` (per choice
    trial: taken 0/1, probability) and, if it has rows, ``traj`` (every ``rec_every``
    steps: time in min, the ``wobs`` outputs, then the T_* columns)."""
    d = circuit_derived_nb(p)
    h = h_s / 3600.0
    nx = x0.shape[0]
    x = x0.copy()
    xn = np.empty(nx)
    y = (y0[0], y0[1], y0[2], y0[3], y0[4], y0[5])
    da = np.empty(n_steps + 1)
    kind = int(S[S_KIND])
    start, stop = int(S[S_START]), int(S[S_STOP])
    unit, cmt, n_inf = S[S_UNIT], int(S[S_CMT]), int(S[S_INF])
    rate_inf = unit / (n_inf * h) if n_inf > 0 else 0.0
    # The subject: its satiety threshold (log-normal around R_ST, same PT/ST ratio).
    st, pt = R[R_ST], R[R_PT]
    mult = 1.0
    if R[R_STCV] > 0.0:
        sig = math.sqrt(math.log(1.0 + R[R_STCV] ** 2))
        u1 = _uniform(seed, sid, 0, _P_TRAIT)
        u2 = _uniform(seed, sid, 1, _P_TRAIT)
        z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        mult = math.exp(sig * z - 0.5 * sig * sig)
        st = 1.0 + (st - 1.0) * mult
        pt = 1.0 + (pt - 1.0) * mult
    res[O_STMULT] = mult
    nev = 0
    presses = 0
    to_presses = 0
    last_ratio = 0
    inf_until = -1  # infusion runs over steps [.., inf_until)
    lever_off_until = -1  # presses before this step have no consequence
    last_inf = start
    toward = 0
    need = 1
    if kind == K_FR:
        need = int(S[S_RATIO])
    elif kind == K_PR:
        need = pr_ratio(1)
    n_press_draws = 0
    haz = 0.0
    thr = -math.log(_uniform(seed, sid, 0, _P_PRESS))
    trial_open = False
    next_trial = start
    trial_close = -1
    i_b = 0
    i_c = 0
    high_peak = 0.0
    value = 0.0
    pending = False  # a dose earned at the previous step starts now
    cp = 0.0
    cb = 0.0
    for i in range(nx):
        cp += wcp[i] * x[i]
        cb += wcb[i] * x[i]
    a = circuit_algebra_nb(p, d, cb, cue, y[0], y[1], y[2], y[3], y[4])
    dar = a[1]
    da[0] = dar * p[8]
    end = n_steps
    rec = 0
    da_pk = 0.0
    high_pk = 0.0
    occ_pk = 0.0
    reward0 = y[5]
    for k in range(n_steps + 1):
        if k >= start:
            if dar * p[8] > da_pk:
                da_pk = dar * p[8]
            if a[4] > high_pk:
                high_pk = a[4]
            if a[0] > occ_pk:
                occ_pk = a[0]
            if k == start:
                reward0 = y[5]
        # ---- exposure: doses due at this grid point (the state is right-continuous)
        dosed = False
        while i_b < b_step.shape[0] and b_step[i_b] == k:
            x[b_cmt[i_b]] += b_amt[i_b]
            i_b += 1
            dosed = True
        if pending:
            pending = False
            dosed = True
            if n_inf > 0:
                inf_until = k + n_inf
            else:
                x[cmt] += unit
        if kind == K_CHOICE and i_c < c_step.shape[0] and c_step[i_c] == k:
            # A choice trial: the first is the sample (the dose is given).
            if i_c == 0:
                take = True
                pr = 1.0
            else:
                z = C[C_B0] + C[C_BHIGH] * value - C[C_BALT] * c_alt[i_c]
                pr = 1.0 / (1.0 + math.exp(-z)) if z > -700.0 else 0.0
                take = _uniform(seed, sid, i_c, _P_CHOICE) < pr
            choice[i_c, 0] = 1.0 if take else 0.0
            choice[i_c, 1] = pr
            if take:
                x[cmt] += unit
                high_peak = 0.0
                value = 0.0
                dosed = True
                if nev < ev.shape[0]:
                    ev[nev] = k
                nev += 1
            i_c += 1
        if dosed:
            cp = 0.0
            cb = 0.0
            for i in range(nx):
                cp += wcp[i] * x[i]
                cb += wcb[i] * x[i]
            a = circuit_algebra_nb(p, d, cb, cue, y[0], y[1], y[2], y[3], y[4])
            dar = a[1]
            da[k] = dar * p[8]
        cp0, cb0 = cp, cb
        if traj.shape[0] > 0 and k % rec_every == 0 and rec < traj.shape[0]:
            traj[rec, 0] = (k - start) * h_s / 60.0
            for j in range(wobs.shape[0]):
                s = 0.0
                for i in range(nx):
                    s += wobs[j, i] * x[i]
                traj[rec, 1 + j] = s
            o = 1 + wobs.shape[0]
            traj[rec, o + T_CP] = cp
            traj[rec, o + T_CB] = cb
            traj[rec, o + T_CE] = max(y[0], 0.0)
            traj[rec, o + T_OCC] = a[0]
            traj[rec, o + T_DA] = dar * p[8]
            traj[rec, o + T_HIGH] = a[4]
            rec += 1
        if k == n_steps or k >= stop:
            end = k
            break
        # ---- decision for this step (from the state at its start)
        if kind == K_FR or kind == K_PR or kind == K_DT:
            lever = k >= start
            if kind == K_DT:
                if not trial_open and k >= next_trial and k < stop:
                    trial_open = True
                    trial_close = k + int(S[S_LEN])
                    next_trial = k + int(S[S_EVERY])
                if trial_open and k >= trial_close:
                    trial_open = False
                lever = lever and trial_open
            if k == start and S[S_PRIME] > 0.0:
                pending = True
                lever_off_until = k + 1 + max(int(S[S_TO]), n_inf)
                if nev < ev.shape[0]:
                    ev[nev] = k + 1
                nev += 1
                last_inf = k
            haz += _rate(dar, st, pt, R) * h_s
            while haz >= thr:
                haz -= thr
                n_press_draws += 1
                thr = -math.log(_uniform(seed, sid, n_press_draws, _P_PRESS))
                if not lever:
                    continue
                if k < lever_off_until or pending:
                    to_presses += 1
                    continue
                presses += 1
                toward += 1
                if toward >= need and nev < S[S_MAXINF]:
                    pending = True
                    last_ratio = need
                    toward = 0
                    lever_off_until = k + 1 + max(int(S[S_TO]), n_inf)
                    if nev < ev.shape[0]:
                        ev[nev] = k + 1
                    nev += 1
                    last_inf = k
                    if kind == K_PR:
                        need = pr_ratio(nev - (1 if S[S_PRIME] > 0.0 else 0) + 1)
                    if kind == K_DT:
                        trial_open = False
            if S[S_END] > 0.0 and k >= start and k - last_inf >= int(S[S_END]):
                end = k
                break
        # ---- exposure: advance the drug amounts exactly over the step
        r = rate_inf if k < inf_until else 0.0
        for i in range(nx):
            s = G[i] * r
            for j in range(nx):
                s += E[i, j] * x[j]
            xn[i] = s
        cp = 0.0
        cb = 0.0
        for i in range(nx):
            x[i] = xn[i]
            cp += wcp[i] * x[i]
            cb += wcb[i] * x[i]
        # ---- brain: the circuit over the step
        y = _rk4(p, d, h, cp0, cp, cb0, cb, cue, y)
        a = circuit_algebra_nb(p, d, cb, cue, y[0], y[1], y[2], y[3], y[4])
        dar = a[1]
        da[k + 1] = dar * p[8]
        if a[4] > high_peak:
            high_peak = a[4]
            value = high_peak
    res[O_NEV] = nev
    res[O_PRESS] = presses
    res[O_TOPRESS] = to_presses
    res[O_BREAK] = last_ratio
    res[O_END] = end
    res[O_DAPK] = da_pk
    res[O_HIGHPK] = high_pk
    res[O_OCCPK] = occ_pk
    res[O_REWARD] = y[5] - reward0
    res[O_ADA] = y[1]
    # Dialysis: steps after the session ended keep their last value out of the bins.
    for k in range(end + 1, n_steps + 1):
        da[k] = np.nan
    bin_means(da, bin_first, bin_len, bins)


@njit(cache=True, parallel=True)
def sessions(p, E, G, wcp, wcb, wobs, x0, y0, h_s, n_steps, b_step, b_cmt, b_amt, S, R, C,
             c_step, c_alt, cue, seed, sids, bin_first, bin_len, ev, res, bins, choice,
             traj, rec_every):  # pragma: no cover - compiled
    """:func:`session` for each id in ``sids`` (in parallel); per-session arrays have a
    leading session axis; ``traj`` rows are kept for the first ``traj.shape[0]``."""
    n = sids.shape[0]
    empty = np.empty((0, traj.shape[2]))
    for s in prange(n):
        t = traj[s] if s < traj.shape[0] else empty
        session(p, E, G, wcp, wcb, wobs, x0, y0, h_s, n_steps, b_step, b_cmt, b_amt, S, R,
                C, c_step, c_alt, cue, seed, sids[s], bin_first, bin_len, ev[s], res[s],
                bins[s], choice[s], t, rec_every)
