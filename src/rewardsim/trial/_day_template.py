# ruff: noqa: F821, F405
"""The steps of a patient's day that the trial and the population kernels share.

This file is not imported as it stands: :mod:`rewardsim.trial._kernel` and
:mod:`rewardsim.population._kernel` write it after the reward circuit's generated functions
and the circuit's daily reduced form (:mod:`rewardsim.models.circuit_daily`) and before their
own kernel template, and compile the module with numba's on-disk cache. One patient, one
model: both kernels step a person's evening (circuit at 20:00 -> decision -> use window or
rest) through :func:`_evening`, with the same random-number layout.

Every random number is Philox4x64-10 (:func:`rewardsim.engine._kernels.philox4x64`) keyed
by (seed, replicate, person id, attempt, day, purpose).
"""

import math

import numpy as np
from numba import njit, uint64

from rewardsim.engine._kernels import philox4x64
from rewardsim.models.care import care_effect  # noqa: F401 - called by both kernels
from rewardsim.trial._layout import *  # noqa: F403 - parameter and output indices

_KEY = uint64(0x7E1A15EED)
_TRAITS_T = (1 << 24) - 1  # the "day" index of trait draws
_N_KINDS = 4
_N_SLOTS = 4
_BE_DAYS = 10
_CSF_DAYS = 4
# Random-number purposes of a patient-day.
_EVENING, _VISIT, _SESSIONS, _MEDICATION, _RATINGS = 0, 1, 2, 3, 4


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


@njit(cache=True, nogil=True, inline="always")
def _logit(p):  # pragma: no cover - compiled
    return math.log(p / (1.0 - p)) if 0.0 < p < 1.0 else (50.0 if p >= 1.0 else -50.0)


# ------------------------------------------------------------------ exposure
@njit(cache=True, nogil=True)
def _baclofen_csf(dose_ring, hours, csf_unit, t, t_first, clf, point):  # pragma: no cover
    """CSF baclofen (µM) at a time point of day ``t`` (0 10:00, 1 20:00, 2 + route the
    mean over a use window, weighted as the circuit's reduced form asks): superposition of
    the doses taken on the last ``_CSF_DAYS`` days, scaled by the patient's clearance
    (exposure ~ 1 / CL)."""
    csf = 0.0
    for j in range(_CSF_DAYS):
        if t - j < t_first:
            break
        row = (t - j) % _CSF_DAYS
        for s in range(_N_SLOTS):
            if dose_ring[row, s] > 0.0:
                csf += dose_ring[row, s] * csf_unit[hours[s], j, point]
    return csf * clf


@njit(cache=True, nogil=True)
def _urine_be(ring, be_unit, route, t):  # pragma: no cover - compiled
    """Urine BE (ng/mL) at 10:00 of day ``t``: superposition of the past use days."""
    be = 0.0
    for k in range(1, _BE_DAYS + 1):
        be += ring[(t - k) % _BE_DAYS] * be_unit[route, k]
    return be


# ------------------------------------------------------------------ decision
@njit(cache=True, nogil=True, inline="always")
def _use_log_odds(b, wc, ww, craving, anxiety, care):  # pragma: no cover - compiled
    """Log-odds of using tonight (:mod:`rewardsim.models.behaviour`)."""
    return b + wc * craving + ww * anxiety - care


# ------------------------------------------------------------------ evening
@njit(cache=True, nogil=True, inline="always")
def _evening(P, PC, dc, tab, axes, decay, u, route, amt_i, b, wc, ww, care, cue, access,
             csf20, csfw, ec50, rho_x, s_x, xf, a_da, a_st, a_glu, a_pfc,
             scratch):  # pragma: no cover
    """20:00 circuit -> decision -> the night, for one person-day.

    ``u`` holds the day's four ``_EVENING`` uniforms (decision, amount, fluctuation, and the
    fourth left to the caller). Returns ``(amount, xf, a_da, a_st, a_glu, a_pfc, crave,
    anx, d_bac, high, da_peak)``; ``high`` and ``da_peak`` are NaN on a day without use.
    ``scratch`` holds ``N_TAB`` values for the table lookup (allocated once per chunk).
    """
    # ---- 20:00 circuit: the evening drives at the day's cues
    a_da, a_st, a_glu, a_pfc = rest(decay[1], a_da, a_st, a_glu, a_pfc)
    m = circuit_algebra_nb(PC, dc, csf20, cue, 0.0, a_da, a_st, a_glu, a_pfc)
    crave, anx, d_bac = m[5], m[6], m[7]
    # ---- 20:00 decision: use tonight?
    z_amt, z_x = _bm(u[1], u[2])
    xf = rho_x * xf + s_x * z_x  # slow day-to-day fluctuation of the propensity
    eta = _use_log_odds(b + P[SD_X] * xf, wc, ww, crave, anx, care)
    amount = 0.0
    if u[0] < access * _sigmoid(eta):
        amount = amt_i * math.exp(P[SD_AMT_DAY] * z_amt)
    # ---- the night: the circuit through a use window, or at rest
    high = np.nan
    da_peak = np.nan
    if amount > 0.0:
        w = use_window(tab, axes, route, amount, a_da, a_st, a_glu, a_pfc,
                       csfw / (csfw + ec50), scratch)
        a_da, a_st, a_glu, a_pfc = w[0], w[1], w[2], w[3]
        high = w[6]
        da_peak = 100.0 * w[5]
    else:
        a_da, a_st, a_glu, a_pfc = rest(decay[2], a_da, a_st, a_glu, a_pfc)
    return amount, xf, a_da, a_st, a_glu, a_pfc, crave, anx, d_bac, high, da_peak
