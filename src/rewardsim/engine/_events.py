"""Dose records -> a subject's sorted list of events (shared by every model).

Dose times are discontinuities known before solving (STYLE section 4): each subject's
records are expanded (ADDL, lag, bioavailability, modelled rates and durations, infusion
ends, the implied doses of a steady-state record still to come) into a sorted event list,
and the solver advances the solution piecewise between them. A bolus is a jump in state,
an infusion a piecewise-constant input. A steady-state record sets (SS=1) or adds to
(SS=2) the amounts the infinite train of its implied doses leaves at the record's time
(:mod:`rewardsim.engine._steady`).
"""

import math

import numpy as np
from numba import njit

# Event types, in the order they apply at equal times.
EV_RESET = 0
EV_SS = 1  # steady state replacing the amounts (SS=1)
EV_SS2 = 2  # steady state added to the amounts (SS=2)
EV_INF_OFF = 3
EV_BOLUS = 4
EV_INF_ON = 5


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
def n_events(i, ev_ptr, ev_evid, ev_cmt, ev_amt, ev_rate, ev_addl, ev_ii, ev_ss, ev_mod, DMOD):
    """The number of events :func:`expand` makes of subject i's records, or -1 when a
    modelled rate or duration is not > 0 (then expand returns ok False)."""
    n = 0
    for r in range(ev_ptr[i], ev_ptr[i + 1]):
        e = ev_evid[r]
        if e == 3 or e == 4:
            n += 1
        if e != 1 and e != 4:
            continue
        amt, rate, dur, lag = _dose(r, ev_cmt[r], ev_amt, ev_rate, ev_mod, DMOD)
        if rate < 0.0:
            return -1
        if ev_ss[r] > 0 and ev_ii[r] == 0.0:
            n += 2
            continue
        per = 2 if dur > 0.0 else 1
        n += (ev_addl[r] + 1) * per
        if ev_ss[r] > 0:
            m, ph, n_on = _ss_train(lag, ev_ii[r], dur)
            n += 1 + m * per + 2 * n_on
    return n


@njit(cache=True, nogil=True, error_model="numpy")
def expand(i, ev_ptr, ev_t, ev_evid, ev_cmt, ev_amt, ev_rate, ev_addl, ev_ii, ev_ss, ev_mod,
            DMOD):
    """Expand subject i's records into sorted events (time, type, cmt, value, ii, dur, phase).

    value is the amount of a bolus, the rate of an infusion start or end; ii holds the
    start time of a dose (an infusion cut short by a reset is ignored); a steady-state
    event (EV_SS, EV_SS2) holds the amount (bolus) or rate (infusion), the interval
    (0 for a constant-rate infusion), the duration and the phase (see
    :func:`_ss_train`).  Returns (ok, arrays...): ok is False when a modelled rate or
    duration is not > 0.
    """
    n = n_events(i, ev_ptr, ev_evid, ev_cmt, ev_amt, ev_rate, ev_addl, ev_ii, ev_ss, ev_mod,
                 DMOD)
    if n < 0:
        z = np.empty(0)
        zi = np.empty(0, dtype=np.int64)
        return False, z, zi, zi, z, z, z, z
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
