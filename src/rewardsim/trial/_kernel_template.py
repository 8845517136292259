# ruff: noqa: F821, F405
"""The daily-step trial kernel: one compiled call advances a chunk of patients through every
day of a trial, each patient one reward circuit.

This file is not imported as it stands: :mod:`rewardsim.trial._kernel` prepends the reward
circuit's functions generated from its text, the circuit's daily reduced form
(:mod:`rewardsim.models.circuit_daily`: ``circuit_algebra_nb``, ``use_window``, ``rest``)
and the day's steps shared with the population kernel (``_day_template.py``: random
numbers, exposure, ``_evening``) and compiles the whole module with numba's on-disk cache.

A patient's day, in the order the data flows (``_day`` in :func:`simulate_chunk`)::

    08:00  circuit state S (end of last night's window)
    exposure   doses taken -> CSF baclofen at 10:00, 20:00 and over the use window;
               past use days -> urine BE at 10:00                     (superposition)
    10:00  circuit     S decays to 10:00; craving, anxiety, GABA-B activation (algebra)
           measurement visit: attendance (lower after recent use), urine, ratings
                       (BSCS, HAM-A: drives + placebo + sedation + noise), drowsiness
    care   counselling sessions attended
    20:00  circuit     S decays to 20:00; craving and anxiety at the day's cues
           decision    log-odds of use from the patient's propensity and the drives
           circuit     use window 20:00-08:00 (table of the circuit's integration), or rest
    dropout            hazard from recent use, anxiety and sedation

Every random number is Philox4x64-10 (:func:`rewardsim.engine._kernels.philox4x64`) keyed
by (seed, replicate, patient id, screening attempt, day, purpose), so a patient's trajectory
does not depend on the chunk, the thread, the other patients or on which random numbers
other branches consumed (common random numbers across arms and designs).
"""

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _traits(P, seed, rep, pid, attempt, tr, u, raw):  # pragma: no cover - compiled
    """Fill ``tr`` with the patient's traits for one screening attempt."""
    _block(seed, rep, pid, attempt, _TRAITS_T, 0, u, raw)
    lo = 0.0
    if P[B_MIN] > -1e300:
        lo = 0.5 * math.erfc(-((P[B_MIN] - P[B_MU]) / P[B_SD]) / math.sqrt(2.0))
    b = P[B_MU] + P[B_SD] * ndtri(lo + u[0] * (1.0 - lo))
    total = P[SHARE_SMOKED] + P[SHARE_IN] + P[SHARE_IV]
    x = u[1] * total
    route = 0 if x < P[SHARE_SMOKED] else (1 if x < P[SHARE_SMOKED] + P[SHARE_IN] else 2)
    z_amt, _ = _bm(u[2], u[3])
    med = P[AMT_SMOKED] if route == 0 else (P[AMT_IN] if route == 1 else P[AMT_IV])
    _block(seed, rep, pid, attempt, _TRAITS_T, 1, u, raw)
    z_wc, z_ww = _bm(u[0], u[1])
    z_adh, z_anx = _bm(u[2], u[3])
    _block(seed, rep, pid, attempt, _TRAITS_T, 2, u, raw)
    z1, z2 = _bm(u[0], u[1])
    z_x, _ = _bm(u[2], u[3])
    om_c = math.sqrt(math.log1p(P[CV_WC] ** 2))
    om_w = math.sqrt(math.log1p(P[CV_WW] ** 2))
    p = P[P_DOSE]
    if 0.0 < p < 1.0 and P[ADH_SD] > 0.0:
        p = _sigmoid(math.log(p / (1.0 - p)) + P[ADH_SD] * z_adh)
    cl_typ = P[CLNR] + P[CLR]
    cl_i = P[CLNR] * math.exp(P[OM_CLNR] * z1) + P[CLR] * math.exp(P[OM_CLR] * z2)
    tr[0] = b
    tr[1] = route
    tr[2] = med * math.exp(P[SD_AMT_PATIENT] * z_amt)
    tr[3] = P[WC] * math.exp(om_c * z_wc)
    tr[4] = P[WW] * math.exp(om_w * z_ww)
    tr[5] = p
    tr[6] = P[ANX_TRAIT_SD] * z_anx
    tr[7] = cl_typ / cl_i
    tr[8] = z_x


# ------------------------------------------------------------------ measurement
@njit(cache=True, nogil=True)
def _ratings(P, crave, anx, d_bac, anx_trait, expectancy, z1, z2):  # pragma: no cover
    """BSCS (0-12) and HAM-A (0-56) scores from the circuit's drives
    (:mod:`rewardsim.models.measurement`)."""
    c = math.floor(P[CRAVE_SLOPE] * crave - P[PLACEBO_BSCS] * expectancy
                   + P[CRAVE_SD] * z1 + 0.5)
    h = math.floor(P[ANX_BASE] + anx_trait + P[ANX_SLOPE] * anx - P[SED_HAMA] * d_bac
                   - P[PLACEBO_HAMA] * expectancy + P[ANX_SD] * z2 + 0.5)
    return min(12.0, max(0.0, c)), min(56.0, max(0.0, h))


@njit(cache=True, nogil=True)
def simulate_chunk(
    P, PC, tab, axes, decay, seed, rep, ids, arm, attempt_in, screen_only, burn, first_day,
    n_days, visit_kind, visit_index, be_unit, csf_unit,
    arm_cue, arm_access, arm_sess, arm_emax, arm_n50, arm_att, arm_dose, arm_hours,
    arm_med, arm_adh,
    out_s, out_used, out_amt, out_high, out_da, out_vatt, out_vbe, out_vcrave, out_vanx,
    out_vdrowsy, out_taken,
):  # pragma: no cover - compiled
    """Simulate patients ``ids`` (arms ``arm``) through the trial; fill the ``out_*`` arrays.

    ``P``: trial parameters (:data:`rewardsim.trial._layout.NAMES`); ``PC``: the reward
    circuit's parameter vector; ``tab``, ``axes``: the circuit's use-window tables;
    ``decay``: rest factors of the four adaptation states over 08-10 h, 10-20 h and a night
    without use (rows 0-2). Days: ``t`` counts from the first burn-in day; study day =
    first_day - burn + t; recorded days are the last ``n_days`` (baseline and treatment).
    ``attempt_in[i] >= 0`` replays a known screening attempt, -1 searches for the first
    eligible one.
    """
    u = np.empty(4)
    raw = np.empty(4, dtype=np.uint64)
    tr = np.empty(9)
    ring = np.zeros(_BE_DAYS)
    dose_ring = np.zeros((_CSF_DAYS, _N_SLOTS))
    sess = np.zeros(_N_KINDS)
    scratch = np.empty(N_TAB)
    dc = circuit_derived_nb(PC)
    ec50 = PC[EC50_BAC_INDEX]
    rho_x = math.exp(-1.0 / P[TAU_X])
    s_x = math.sqrt(1.0 - rho_x * rho_x)
    h0 = P[H0]
    t_rand = burn + 1 - first_day  # t of study day 1 (first_day = 1 - baseline days)
    t_end = burn + n_days
    lp_visit = _logit(P[VISIT_ATT])
    for i in range(ids.shape[0]):
        pid = ids[i]
        a = arm[i]
        searching = attempt_in[i] < 0
        attempt = 0 if searching else attempt_in[i]
        while True:
            _traits(P, seed, rep, pid, attempt, tr, u, raw)
            b, route, amt_i, wc, ww, p_dose, anx_tr, clf = (
                tr[0], int(tr[1]), tr[2], tr[3], tr[4], tr[5], tr[6], tr[7])
            if arm_adh[a] >= 0.0:
                p_dose = arm_adh[a]
            a_da = a_st = a_glu = a_pfc = 0.0  # drug-naive at the start of the burn-in
            xf = tr[8]
            ring[:] = 0.0
            dose_ring[:, :] = 0.0
            sess[:] = 0.0
            in_study = True
            drop_day = np.nan
            base_pos = 0
            base_urines = 0
            use28 = 0
            severity = 0.0
            rejected = False
            for t in range(t_rand if screen_only else t_end):
                if t == t_rand and searching and base_pos < P[MIN_POS] and (
                        attempt + 1 < P[MAX_ATTEMPTS]):
                    rejected = True
                    break
                day = first_day - burn + t
                rec = t - burn  # index of recorded day, < 0 in burn-in
                treat = day >= 1
                if t == t_rand:
                    severity = 10.0 * a_glu
                cue = 1.0
                access = 1.0
                if treat and in_study:
                    cue = arm_cue[a, day - 1]
                    access = arm_access[a, day - 1]
                used_recently = 0  # use days in the last 3 days
                for k in range(1, 4):
                    if t - k >= 0 and ring[(t - k) % _BE_DAYS] > 0.0:
                        used_recently += 1
                # ---- exposure: medication taken today, CSF baclofen by superposition
                slot = t % _CSF_DAYS
                for s in range(_N_SLOTS):
                    dose_ring[slot, s] = 0.0
                if treat and arm_med[a] > 0:
                    _block(seed, rep, pid, attempt, t, _MEDICATION, u, raw)
                    for s in range(_N_SLOTS):
                        if arm_hours[a, s] < 0:
                            continue
                        if in_study:
                            taken = u[s] < p_dose
                            out_taken[i, day - 1, s] = 1 if taken else 0
                            if taken:
                                dose_ring[slot, s] = arm_dose[a]
                        else:
                            out_taken[i, day - 1, s] = -1
                csf10 = csf20 = csfw = 0.0
                if treat and arm_med[a] == 2:
                    csf10 = _baclofen_csf(dose_ring, arm_hours[a], csf_unit, t, t_rand, clf, 0)
                    csf20 = _baclofen_csf(dose_ring, arm_hours[a], csf_unit, t, t_rand, clf, 1)
                    csfw = _baclofen_csf(dose_ring, arm_hours[a], csf_unit, t, t_rand, clf,
                                         2 + route)
                # ---- 10:00 circuit: the morning state, craving, anxiety, GABA-B activation
                a_da, a_st, a_glu, a_pfc = rest(decay[0], a_da, a_st, a_glu, a_pfc)
                # ---- 10:00 measurement: the visit
                if rec >= 0 and visit_kind[rec] > 0:
                    v = visit_index[rec]
                    attended = False
                    if in_study:
                        _block(seed, rep, pid, attempt, t, _VISIT, u, raw)
                        attended = u[0] < _sigmoid(lp_visit - P[MISS_AFTER_USE]
                                                   * used_recently)
                    out_vatt[i, v] = 1 if attended else 0
                    kind = visit_kind[rec]
                    if day <= 0 and (kind == 1 or kind == 3):
                        base_urines += 1
                    if attended and (kind == 1 or kind == 3):
                        be = _urine_be(ring, be_unit, route, t)
                        if P[SD_URINE] > 0.0:  # dilution of the spot sample
                            be *= math.exp(P[SD_URINE] * ndtri(u[3]))
                        out_vbe[i, v] = be
                        if day <= 0 and be >= P[CUTOFF]:
                            base_pos += 1
                    else:
                        out_vbe[i, v] = np.nan
                    if attended and kind >= 2:
                        m = circuit_algebra_nb(PC, dc, csf10, cue, 0.0, a_da, a_st, a_glu,
                                               a_pfc)
                        crave, anx, d_bac = m[5], m[6], m[7]
                        expectancy = 1.0 if (treat and arm_med[a] > 0) else 0.0
                        z1, z2 = _bm(u[1], u[2])
                        c, h = _ratings(P, crave, anx, d_bac, anx_tr, expectancy, z1, z2)
                        out_vcrave[i, v] = c
                        out_vanx[i, v] = h
                        _block(seed, rep, pid, attempt, t, _RATINGS, u, raw)
                        out_vdrowsy[i, v] = 1.0 if u[0] < _sigmoid(
                            P[DROWSY_BASE] + P[DROWSY_SLOPE] * d_bac) else 0.0
                    else:
                        out_vcrave[i, v] = np.nan
                        out_vanx[i, v] = np.nan
                        out_vdrowsy[i, v] = np.nan
                # ---- care: counselling and psychotherapy sessions
                if treat and in_study:
                    first = True
                    for k in range(_N_KINDS):
                        if arm_sess[a, day - 1, k]:
                            if first:
                                _block(seed, rep, pid, attempt, t, _SESSIONS, u, raw)
                                first = False
                            pa = arm_att[a, k]
                            if 0.0 < pa < 1.0:
                                pa = _sigmoid(math.log(pa / (1.0 - pa))
                                              - P[MISS_AFTER_USE] * used_recently)
                            if u[k] < pa:
                                sess[k] += 1.0
                care = care_effect(sess, arm_emax[a], arm_n50[a]) if treat else 0.0
                # ---- 20:00 circuit -> decision -> the night (shared with the population)
                _block(seed, rep, pid, attempt, t, _EVENING, u, raw)
                amount, xf, a_da, a_st, a_glu, a_pfc, crave, anx, d_bac, high, da_peak = (
                    _evening(P, PC, dc, tab, axes, decay, u, route, amt_i, b, wc, ww, care,
                             cue, access, csf20, csfw, ec50, rho_x, s_x, xf, a_da, a_st,
                             a_glu, a_pfc, scratch))
                if amount > 0.0 and rec >= 0:
                    out_high[i, rec] = high
                    out_da[i, rec] = da_peak
                ring[t % _BE_DAYS] = amount
                if t_rand - 28 <= t < t_rand and amount > 0.0:
                    use28 += 1
                if rec >= 0:
                    out_used[i, rec] = 1 if amount > 0.0 else 0
                    out_amt[i, rec] = amount
                # ---- dropout (treatment only): recent use, anxiety, sedation
                if treat and in_study and h0 > 0.0:
                    n7 = 0
                    for k in range(7):
                        if ring[(t - k) % _BE_DAYS] > 0.0:
                            n7 += 1
                    h = h0 * math.exp(P[DROP_USE] * n7 / 7.0 + P[DROP_W] * anx
                                      + P[DROP_AE] * d_bac)
                    if u[3] < -math.expm1(-h):
                        in_study = False
                        drop_day = day
            if screen_only and searching and base_pos < P[MIN_POS] and (
                    attempt + 1 < P[MAX_ATTEMPTS]):
                rejected = True
            if not rejected:
                break
            attempt += 1
        o = out_s[i]
        o[S_ATTEMPT] = attempt
        o[S_ROUTE] = route
        o[S_B] = b
        o[S_AMT] = amt_i
        o[S_WC] = wc
        o[S_WW] = ww
        o[S_PDOSE] = p_dose
        o[S_ANX] = anx_tr
        o[S_CLF] = clf
        o[S_BPOS] = base_pos
        o[S_BURINE] = base_urines
        o[S_USE28] = use28
        o[S_SEV] = severity
        o[S_DROP] = drop_day
        o[S_SESS] = sess.sum()
        o[S_ELIG] = 1.0 if base_pos >= P[MIN_POS] else 0.0
