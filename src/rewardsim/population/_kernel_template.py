# ruff: noqa: F821, F405
"""The population kernel: one compiled call steps a chunk of people through a year of days
under one care plan, each person one reward circuit.

This file is not imported as it stands: :mod:`rewardsim.population._kernel` writes the
reward circuit's generated functions, the circuit's daily reduced form, the day's steps shared
with the trial kernel (``rewardsim/trial/_day_template.py``: random numbers, exposure,
``_evening``) and this file into one module and compiles it with numba's on-disk cache.

A person's day, in the order the data flows::

    burn-in    days at home before the year (the circuit reaches its habitual state)
    plan       where the person is tonight (home, residential unit, travelling, back home)
               and which sessions and doses are scheduled today
    exposure   doses taken -> CSF baclofen at 20:00 and over the use window (superposition)
    10:00      circuit at rest since 08:00; weekly urine screen (BE from past use days)
    care       sessions attended (fewer after recent use) -> care effect on the log-odds
    evening    20:00 circuit -> decision -> use window or rest (``_evening``, as the trial)

Random numbers are keyed by (seed, person id, day, purpose) as in the trial kernel, so a
person's trajectory does not depend on the chunk, the thread, the worker or the scenario
except through the scenario's own changes (common random numbers).
"""

import math

import numpy as np
from numba import njit

from rewardsim.population._layout import *  # noqa: F403

_POP = 0x504F50  # the population's "replicate" key: its streams differ from a trial's
_PLAN_T = (1 << 24) - 2  # the "day" index of a person's care-plan draws


@njit(cache=True, nogil=True)
def _person(P, seed, pid, route, b_lo, b_hi, u, raw, tr):  # pragma: no cover - compiled
    """Fill ``tr`` with a person's traits: b (bounded to the frequency class), amount,
    WC, WW, adherence deviate, baclofen clearance factor, fluctuation start."""
    _block(seed, _POP, pid, 0, _TRAITS_T, 0, u, raw)
    s2 = math.sqrt(2.0)
    lo = 0.5 * math.erfc(-((b_lo - P[B_MU]) / P[B_SD]) / s2)
    hi = 0.5 * math.erfc(-((b_hi - P[B_MU]) / P[B_SD]) / s2)
    tr[0] = P[B_MU] + P[B_SD] * ndtri(lo + u[0] * (hi - lo))
    z_amt, _ = _bm(u[2], u[3])
    med = P[AMT_SMOKED] if route == 0 else (P[AMT_IN] if route == 1 else P[AMT_IV])
    tr[1] = med * math.exp(P[SD_AMT_PATIENT] * z_amt)
    _block(seed, _POP, pid, 0, _TRAITS_T, 1, u, raw)
    z_wc, z_ww = _bm(u[0], u[1])
    z_adh, _ = _bm(u[2], u[3])
    _block(seed, _POP, pid, 0, _TRAITS_T, 2, u, raw)
    z1, z2 = _bm(u[0], u[1])
    z_x, _ = _bm(u[2], u[3])
    tr[2] = P[WC] * math.exp(math.sqrt(math.log1p(P[CV_WC] ** 2)) * z_wc)
    tr[3] = P[WW] * math.exp(math.sqrt(math.log1p(P[CV_WW] ** 2)) * z_ww)
    tr[4] = z_adh
    cl_i = P[CLNR] * math.exp(P[OM_CLNR] * z1) + P[CLR] * math.exp(P[OM_CLR] * z2)
    tr[5] = (P[CLNR] + P[CLR]) / cl_i
    tr[6] = z_x


@njit(cache=True, nogil=True, inline="always")
def _bit(mask, wd):  # pragma: no cover - compiled
    return (int(mask) >> wd) & 1


@njit(cache=True, nogil=True)
def simulate_people(
    P, PC, tab, axes, decay, seed, ids, route, freq, anxiety, setting, band_lo, band_hi,
    ww_anxiety, plan, hours, emax, n50, be_unit, csf_unit, burn, n_days, out,
):  # pragma: no cover - compiled
    """Step people ``ids`` through ``burn`` days at home and ``n_days`` of the year under
    ``plan`` (one row per setting); add their outputs (:data:`OUTPUTS`) to ``out``."""
    u = np.empty(4)
    raw = np.empty(4, dtype=np.uint64)
    tr = np.empty(7)
    ring = np.zeros(_BE_DAYS)
    dose_ring = np.zeros((_CSF_DAYS, _N_SLOTS))
    sess = np.zeros(_N_KINDS)
    scratch = np.empty(N_TAB)
    dc = circuit_derived_nb(PC)
    ec50 = PC[EC50_BAC_INDEX]
    rho_x = math.exp(-1.0 / P[TAU_X])
    s_x = math.sqrt(1.0 - rho_x * rho_x)
    for i in range(ids.shape[0]):
        pid = ids[i]
        r = route[i]
        st = setting[i]
        pl = plan[st]
        _person(P, seed, pid, r, band_lo[freq[i]], band_hi[freq[i]], u, raw, tr)
        b, amt_i, wc, ww, z_adh, clf, xf = tr[0], tr[1], tr[2], tr[3], tr[4], tr[5], tr[6]
        if anxiety[i] == 1:
            ww *= ww_anxiety
        p_dose = pl[PL_ADH]
        if 0.0 < p_dose < 1.0 and P[ADH_SD] > 0.0:
            p_dose = _sigmoid(math.log(p_dose / (1.0 - p_dose)) + P[ADH_SD] * z_adh)
        # ---- the person's care plan for the year (days from 0; evenings [first, end))
        _block(seed, _POP, pid, 0, _PLAN_T, 0, u, raw)
        t0 = min(n_days - 1, int(u[0] * n_days))  # day care starts or is requested
        u_show, u_complete, u_leave = u[1], u[2], u[3]
        _block(seed, _POP, pid, 0, _PLAN_T, 1, u, raw)
        u_after = u[0]
        ep_end = t0  # outpatient, 12-step or psychotherapy episode [t0, ep_end)
        res_first = res_end = n_days + 1  # residential evenings [res_first, res_end)
        wait_end = t0
        shows = False
        travel_end = ret_end = after_end = 0
        noshow_day = -1
        if st == ST_OUTPATIENT or st == ST_TWELVE_STEP or st == ST_PSYCHOTHERAPY:
            ep_end = t0 + 7 * int(pl[PL_WEEKS])
        elif st == ST_RESIDENTIAL:
            clock = 10.0 + pl[PL_DELAY]
            adm_day = t0 + int(clock // 24.0)
            res_first = adm_day if clock - 24.0 * (clock // 24.0) < 20.0 else adm_day + 1
            wait_end = res_first
            shows = u_show < pl[PL_SHOW]
            if shows:
                stay = int(pl[PL_STAY])
                if u_complete >= pl[PL_COMPLETE] and stay > 1:
                    stay = 1 + int(u_leave * (stay - 1))  # leaves early
                res_end = res_first + stay
                travel_end = res_end + int(pl[PL_TRAVEL])
                ret_end = travel_end + int(pl[PL_RET_DAYS])
                if u_after < pl[PL_AFTER]:
                    after_end = res_end + 7 * int(pl[PL_WEEKS])
                else:
                    after_end = res_end
            else:
                noshow_day = adm_day
                res_first = res_end = n_days + 1
        med = pl[PL_DOSE] > 0.0
        # ---- burn-in and the year
        a_da = a_st = a_glu = a_pfc = 0.0  # drug-naive at the start of the burn-in
        ring[:] = 0.0
        dose_ring[:, :] = 0.0
        sess[:] = 0.0
        o = out[i]
        last_use = -1
        last_dose_t = -100
        for t in range(burn + n_days):
            d = t - burn  # day of the year (< 0 in the burn-in); day 0 is a Monday
            wd = d % 7
            cue = 1.0
            access = 1.0
            in_res = res_first <= d < res_end
            if in_res:
                cue = P[CUE_RESIDENTIAL]
                access = 0.0
            elif shows and res_end <= d < travel_end:
                cue = P[CUE_TRAVEL]
            elif shows and travel_end <= d < ret_end:
                cue = pl[PL_RET_CUE]
            in_ep = t0 <= d < ep_end
            in_after = shows and res_end <= d < after_end
            used_recently = 0
            for k in range(1, 4):
                if t - k >= 0 and ring[(t - k) % _BE_DAYS] > 0.0:
                    used_recently += 1
            # ---- exposure: baclofen doses today, CSF by superposition
            slot = t % _CSF_DAYS
            for s in range(_N_SLOTS):
                dose_ring[slot, s] = 0.0
            if med and in_ep:
                _block(seed, _POP, pid, 0, t, _MEDICATION, u, raw)
                for s in range(_N_SLOTS):
                    if hours[st, s] >= 0 and u[s] < p_dose:
                        dose_ring[slot, s] = pl[PL_DOSE]
                        o[O_DOSES] += 1.0
                        last_dose_t = t
            csf20 = csfw = 0.0
            if med and t - last_dose_t < _CSF_DAYS:
                csf20 = _baclofen_csf(dose_ring, hours[st], csf_unit, t, burn + t0, clf, 1)
                csfw = _baclofen_csf(dose_ring, hours[st], csf_unit, t, burn + t0, clf,
                                     2 + r)
            # ---- 10:00: the circuit at rest since 08:00; the weekly urine screen
            a_da, a_st, a_glu, a_pfc = rest(decay[0], a_da, a_st, a_glu, a_pfc)
            if d >= 0 and wd == 0:
                _block(seed, _POP, pid, 0, t, _VISIT, u, raw)
                be = _urine_be(ring, be_unit, r, t)
                if P[SD_URINE] > 0.0:  # dilution of the spot sample
                    be *= math.exp(P[SD_URINE] * ndtri(u[3]))
                o[O_SCREENS] += 1.0
                if be >= P[CUTOFF]:
                    o[O_POS] += 1.0
            # ---- care: sessions attended today
            if d >= 0 and (in_ep or in_res or in_after):
                _block(seed, _POP, pid, 0, t, _SESSIONS, u, raw)
                for k in range(_N_KINDS):
                    if in_res:
                        due = k == 0 and _bit(pl[PL_MASK0], wd) == 1
                        pa = pl[PL_RES_ATT]
                    elif in_after:
                        due = k == 0 and _bit(pl[PL_MASK_AFTER], wd) == 1
                        pa = pl[PL_ATT]
                    else:
                        due = _bit(pl[PL_MASK0 + k], wd) == 1
                        pa = pl[PL_ATT]
                    if due:
                        if 0.0 < pa < 1.0:
                            pa = _sigmoid(math.log(pa / (1.0 - pa))
                                          - P[MISS_AFTER_USE] * used_recently)
                        if u[k] < pa:
                            sess[k] += 1.0
                            o[O_SESS] += 1.0
            care = care_effect(sess, emax, n50)
            # ---- 20:00 circuit -> decision -> the night (shared with the trial)
            _block(seed, _POP, pid, 0, t, _EVENING, u, raw)
            amount, xf, a_da, a_st, a_glu, a_pfc, crave, anx, d_bac, high, da_peak = (
                _evening(P, PC, dc, tab, axes, decay, u, r, amt_i, b, wc, ww, care, cue,
                         access, csf20, csfw, ec50, rho_x, s_x, xf, a_da, a_st, a_glu,
                         a_pfc, scratch))
            ring[t % _BE_DAYS] = amount
            if d < 0:
                continue
            if amount > 0.0:
                o[O_USE] += 1.0
                last_use = d
                if in_res:
                    o[O_RESUSE] += 1.0
            if in_res:
                o[O_RESDAYS] += 1.0
            if in_ep or in_res or in_after:
                o[O_TXDAYS] += 1.0
            if st == ST_RESIDENTIAL and t0 <= d < wait_end:
                o[O_WAIT] += 1.0
        # ---- episodes in the year
        if st == ST_OUTPATIENT or st == ST_TWELVE_STEP or st == ST_PSYCHOTHERAPY:
            o[O_EPIS] += 1.0
        elif st == ST_RESIDENTIAL:
            if shows and res_first < n_days:
                o[O_EPIS] += 1.0
                if after_end > res_end and res_end < n_days:
                    o[O_EPIS] += 1.0
            if 0 <= noshow_day < n_days:
                o[O_NOSHOW] += 1.0
        if last_use < n_days - ABSTINENT_DAYS:
            o[O_ABST] += 1.0
