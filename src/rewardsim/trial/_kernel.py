"""The daily-step trial kernel: one compiled call advances a chunk of patients through
every day of a trial.

For each patient: draw traits; simulate a burn-in of community life and the baseline
period (the screening loop redraws the patient until the eligibility rule holds); then
each treatment day: medication doses (adherence), CSF baclofen by superposition, the
morning visit (urine BE by superposition of past use days, ratings), counselling
sessions, the evening decision to use (:mod:`rewardsim.models.behaviour`), learning, and
dropout. Every random number is Philox4x64-10 (:func:`rewardsim.engine._kernels.philox4x64`)
keyed by (seed, replicate, patient id, screening attempt, day, purpose), so a patient's
trajectory does not depend on the chunk, the thread, the other patients or on which
random numbers other branches consumed (common random numbers across arms and designs).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

from ..engine._kernels import philox4x64
from ..models.behaviour import craving_drive, learn_abstain, learn_use, use_log_odds
from ..models.care import care_effect

# ---------------------------------------------------------------- parameter vector
NAMES = (
    # behaviour (models/behaviour.py)
    "B_MU", "B_SD", "WC", "SD_X", "TAU_X", "WW", "ALPHA", "Q50", "EXT", "K_UP", "K_DOWN",
    "A_UP", "TAU_A", "CV_WC", "CV_WW", "AMT_SMOKED", "AMT_INTRANASAL", "AMT_IV",
    "SD_AMT_PATIENT", "SD_AMT_DAY", "BURN_IN", "CRAVE_SLOPE", "CRAVE_SD", "ANX_BASE",
    "ANX_SLOPE", "ANX_TRAIT_SD", "ANX_SD",
    # care (models/care.py)
    "MISS_AFTER_USE", "CUE_TRAVEL", "CUE_RESIDENTIAL",
    # pharmacology bridge
    "FU", "KI_DAT", "EC50_BAC", "X0_BAC", "N_BURST", "EMAX_VTA", "EMAX_ANX", "SD_URINE",
    # design
    "CUTOFF", "VISIT_ATT", "H0", "DROP_USE", "DROP_W", "P_DOSE", "ADH_SD",
    "B_MIN", "MIN_POS", "SHARE_SMOKED", "SHARE_INTRANASAL", "SHARE_IV", "CLNR", "CLR",
    "OM_CLNR", "OM_CLR", "MAX_ATTEMPTS",
)  # fmt: skip
(
    B_MU, B_SD, WC, SD_X, TAU_X, WW, ALPHA, Q50, EXT, K_UP, K_DOWN,
    A_UP, TAU_A, CV_WC, CV_WW, AMT_SMOKED, AMT_IN, AMT_IV,
    SD_AMT_PATIENT, SD_AMT_DAY, BURN_IN, CRAVE_SLOPE, CRAVE_SD, ANX_BASE,
    ANX_SLOPE, ANX_TRAIT_SD, ANX_SD,
    MISS_AFTER_USE, CUE_TRAVEL, CUE_RESIDENTIAL,
    FU, KI_DAT, EC50_BAC, X0_BAC, N_BURST, EMAX_VTA, EMAX_ANX, SD_URINE,
    CUTOFF, VISIT_ATT, H0, DROP_USE, DROP_W, P_DOSE, ADH_SD,
    B_MIN, MIN_POS, SHARE_SMOKED, SHARE_IN, SHARE_IV, CLNR, CLR,
    OM_CLNR, OM_CLR, MAX_ATTEMPTS,
) = range(len(NAMES))  # fmt: skip

# ---------------------------------------------------------------- subject outputs
SUBJECT_COLUMNS = (
    "attempt", "route", "b", "amount_typical_mg", "wc", "ww", "p_dose", "anxiety_trait",
    "baclofen_cl_factor", "baseline_positive_urines", "baseline_urines", "use_days_28",
    "severity", "dropout_day", "sessions", "eligible",
)  # fmt: skip
S_ATTEMPT, S_ROUTE, S_B, S_AMT, S_WC, S_WW, S_PDOSE, S_ANX = range(8)
S_CLF, S_BPOS, S_BURINE, S_USE28, S_SEV, S_DROP, S_SESS, S_ELIG = range(8, 16)

_KEY = uint64(0x7E1A15EED)
_TRAITS_T = (1 << 24) - 1  # the "day" index of trait draws
_N_KINDS = 4
_N_SLOTS = 4
_BE_DAYS = 10
_CSF_DAYS = 4


@njit(cache=True, nogil=True, inline="always")
def _block(seed, rep, pid, attempt, t, blk, out, raw):  # pragma: no cover - compiled
    """Four U(0, 1) doubles (never 0) for one purpose of one patient-day."""
    philox4x64(uint64(pid), uint64((attempt << 24) | t), uint64(rep), uint64(blk),
               uint64(seed), _KEY, raw)
    for j in range(4):
        out[j] = ((raw[j] >> uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, inline="always")
def _bm(u1, u2):  # pragma: no cover - compiled
    r = math.sqrt(-2.0 * math.log(u1))
    return r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)


@njit(cache=True, nogil=True)
def ndtri(p):  # pragma: no cover - compiled
    """Inverse standard normal CDF (Acklam's rational approximation + one Halley step)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
         1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
         6.680131188771972e01, -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
         -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
         3.754408661907416e00)
    if p <= 0.0:
        return -np.inf
    if p >= 1.0:
        return np.inf
    if p < 0.02425:
        q = math.sqrt(-2.0 * math.log(p))
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
    elif p > 1.0 - 0.02425:
        q = math.sqrt(-2.0 * math.log(1.0 - p))
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
    else:
        q = p - 0.5
        r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (
            ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
    e = 0.5 * math.erfc(-x / math.sqrt(2.0)) - p
    u = e * math.sqrt(2.0 * math.pi) * math.exp(x * x / 2.0)
    return x - u / (1.0 + x * u / 2.0)


@njit(cache=True, nogil=True, inline="always")
def _sigmoid(x):  # pragma: no cover - compiled
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


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


@njit(cache=True, nogil=True)
def simulate_chunk(
    P, seed, rep, ids, arm, attempt_in, screen_only, burn, first_day, n_days,
    visit_kind, visit_index, be_unit, cmax_unit, csf_unit,
    arm_cue, arm_access, arm_sess, arm_emax, arm_n50, arm_att, arm_dose, arm_hours,
    arm_med, arm_adh,
    out_s, out_used, out_amt, out_vatt, out_vbe, out_vcrave, out_vanx, out_taken,
):  # pragma: no cover - compiled
    """Simulate patients ``ids`` (arms ``arm``) through the trial; fill the ``out_*`` arrays.

    Days: ``t`` counts from the first burn-in day; study day = first_day - burn + t;
    recorded days are the last ``n_days`` (baseline and treatment). ``attempt_in[i] >= 0``
    replays a known screening attempt, -1 searches for the first eligible one.
    """
    u = np.empty(4)
    raw = np.empty(4, dtype=np.uint64)
    tr = np.empty(9)
    ring = np.zeros(_BE_DAYS)
    dose_ring = np.zeros((_CSF_DAYS, _N_SLOTS))
    sess = np.zeros(_N_KINDS)
    a_keep = math.exp(-1.0 / P[TAU_A])
    rho_x = math.exp(-1.0 / P[TAU_X])
    s_x = math.sqrt(1.0 - rho_x * rho_x)
    h0 = P[H0]
    t_rand = burn + 1 - first_day  # t of study day 1 (first_day = 1 - baseline days)
    t_end = burn + n_days
    pv = P[VISIT_ATT]
    lp_visit = math.log(pv / (1.0 - pv)) if 0.0 < pv < 1.0 else (50.0 if pv >= 1.0 else -50.0)
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
            q = 0.0
            kappa = 0.0
            dep = 0.0
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
                    severity = 10.0 * dep
                # ---- setting
                cue = 1.0
                access = 1.0
                if treat and in_study:
                    cue = arm_cue[a, day - 1]
                    access = arm_access[a, day - 1]
                # ---- medication doses and CSF baclofen (daily mean, superposition)
                slot = t % _CSF_DAYS
                for s in range(_N_SLOTS):
                    dose_ring[slot, s] = 0.0
                if treat and arm_med[a] > 0:
                    _block(seed, rep, pid, attempt, t, 3, u, raw)
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
                f_crave = 1.0  # share of the DA signal left by baclofen (anti-craving)
                f_anx = 1.0  # share of the anxiety drive left by baclofen (anti-anxiety)
                if treat and arm_med[a] == 2:
                    csf = 0.0
                    for j in range(_CSF_DAYS):
                        if t - j < t_rand:
                            break
                        row = (t - j) % _CSF_DAYS
                        for s in range(_N_SLOTS):
                            if dose_ring[row, s] > 0.0:
                                csf += dose_ring[row, s] * csf_unit[arm_hours[a, s], j]
                    xb = csf * clf / P[EC50_BAC]
                    d_bac = xb / (1.0 + P[X0_BAC] + xb)
                    f_crave = (1.0 - P[EMAX_VTA] * d_bac) ** P[N_BURST]
                    f_anx = 1.0 - P[EMAX_ANX] * d_bac
                e_ac = 1.0 - f_crave
                e_aa = 1.0 - f_anx
                used_yday = ring[(t - 1) % _BE_DAYS] > 0.0 if t > 0 else False
                cr = craving_drive(cue, q, kappa, P[Q50], e_ac)
                w = (1.0 - e_aa) * dep
                # ---- morning visit: urine BE of past use days, ratings
                if rec >= 0 and visit_kind[rec] > 0:
                    v = visit_index[rec]
                    attended = False
                    if in_study:
                        _block(seed, rep, pid, attempt, t, 1, u, raw)
                        lp = lp_visit
                        if used_yday:
                            lp -= P[MISS_AFTER_USE]
                        attended = u[0] < _sigmoid(lp)
                    out_vatt[i, v] = 1 if attended else 0
                    kind = visit_kind[rec]
                    if day <= 0 and (kind == 1 or kind == 3):
                        base_urines += 1
                    if attended and (kind == 1 or kind == 3):
                        be = 0.0
                        for k in range(1, _BE_DAYS + 1):
                            be += ring[(t - k) % _BE_DAYS] * be_unit[route, k]
                        if P[SD_URINE] > 0.0:  # dilution of the spot sample
                            be *= math.exp(P[SD_URINE] * ndtri(u[3]))
                        out_vbe[i, v] = be
                        if day <= 0 and be >= P[CUTOFF]:
                            base_pos += 1
                    else:
                        out_vbe[i, v] = np.nan
                    if attended and kind >= 2:
                        z1, z2 = _bm(u[1], u[2])
                        c = math.floor(P[CRAVE_SLOPE] * cr + P[CRAVE_SD] * z1 + 0.5)
                        out_vcrave[i, v] = min(12.0, max(0.0, c))
                        h = math.floor(P[ANX_BASE] + anx_tr + P[ANX_SLOPE] * w + P[ANX_SD] * z2
                                       + 0.5)
                        out_vanx[i, v] = min(56.0, max(0.0, h))
                    else:
                        out_vcrave[i, v] = np.nan
                        out_vanx[i, v] = np.nan
                # ---- counselling and psychotherapy sessions
                if treat and in_study:
                    first = True
                    for k in range(_N_KINDS):
                        if arm_sess[a, day - 1, k]:
                            if first:
                                _block(seed, rep, pid, attempt, t, 2, u, raw)
                                first = False
                            pa = arm_att[a, k]
                            if 0.0 < pa < 1.0:
                                lp = math.log(pa / (1.0 - pa))
                                if used_yday:
                                    lp -= P[MISS_AFTER_USE]
                                pa = _sigmoid(lp)
                            if u[k] < pa:
                                sess[k] += 1.0
                care = care_effect(sess, arm_emax[a], arm_n50[a]) if treat else 0.0
                # ---- evening: decide, use, learn
                _block(seed, rep, pid, attempt, t, 0, u, raw)
                z_amt, z_x = _bm(u[1], u[2])
                xf = rho_x * xf + s_x * z_x  # slow day-to-day fluctuation of the propensity
                eta = use_log_odds(b + P[SD_X] * xf, wc, ww, cr, w, care)
                p_use = access * _sigmoid(eta)
                amount = 0.0
                if u[0] < p_use:
                    amount = amt_i * math.exp(P[SD_AMT_DAY] * z_amt)
                    c = P[FU] * cmax_unit[route] * amount
                    d = (1.0 - e_ac) * c / (c + P[KI_DAT])
                    q, kappa, dep = learn_use(q, kappa, dep, d, P[ALPHA], P[K_UP], P[A_UP])
                else:
                    q, kappa, dep = learn_abstain(q, kappa, dep, cue, P[EXT], P[K_DOWN], a_keep)
                ring[t % _BE_DAYS] = amount
                if t_rand - 28 <= t < t_rand and amount > 0.0:
                    use28 += 1
                if rec >= 0:
                    out_used[i, rec] = 1 if amount > 0.0 else 0
                    out_amt[i, rec] = amount
                # ---- dropout (treatment only), hazard rising with use and withdrawal
                if treat and in_study and h0 > 0.0:
                    n7 = 0
                    for k in range(7):
                        if ring[(t - k) % _BE_DAYS] > 0.0:
                            n7 += 1
                    h = h0 * math.exp(P[DROP_USE] * n7 / 7.0 + P[DROP_W] * (1.0 - e_aa) * dep)
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
