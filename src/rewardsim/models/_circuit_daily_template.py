# ruff: noqa: F821
"""Compiled parts of the daily reduced form of the reward circuit.

This file is not imported as it stands: :mod:`rewardsim.models.circuit_daily` prepends the
circuit's own functions, generated from its text by
:func:`rewardsim.models.reward_circuit.numba_source` (``circuit_rhs_nb``,
``circuit_algebra_nb``), and compiles the whole module with numba's on-disk cache.

States are tuples ``(CE, A_DA, A_ST, A_GLU, A_PFC, REWARD)`` as in the circuit.
"""

import math

import numpy as np
from numba import njit, prange

#: Outputs of a use window, last axis of the tables.
T_ADA = 0  # A_DA at the end of the window (A_DA feeds back on the DA response)
T_REWARD = 1  # integral of REWARD_RATE over the window (h)
T_ST0 = 2  # A_ST, A_GLU, A_PFC are affine in their start value over a window:
T_ST1 = 3  # end = value from 0 + (value from 1 - value from 0) * start
T_GLU0 = 4
T_GLU1 = 5
T_PFC0 = 6
T_PFC1 = 7
T_DAR = 8  # peak DA, fraction of the naive baseline
T_HIGH = 9  # peak subjective high (0-10)
T_OCC = 10  # peak DAT occupancy
N_TAB = 11


@njit(cache=True, nogil=True)
def _step(p, d, h, cp0, cp1, cb, cue, y):
    """One classical Runge-Kutta step of the circuit, plasma cocaine linear in the step."""
    cpm = 0.5 * (cp0 + cp1)
    k1 = circuit_rhs_nb(p, d, cp0, cb, cue, y[0], y[1], y[2], y[3], y[4])
    y2 = (y[0] + 0.5 * h * k1[0], y[1] + 0.5 * h * k1[1], y[2] + 0.5 * h * k1[2],
          y[3] + 0.5 * h * k1[3], y[4] + 0.5 * h * k1[4], y[5] + 0.5 * h * k1[5])
    k2 = circuit_rhs_nb(p, d, cpm, cb, cue, y2[0], y2[1], y2[2], y2[3], y2[4])
    y3 = (y[0] + 0.5 * h * k2[0], y[1] + 0.5 * h * k2[1], y[2] + 0.5 * h * k2[2],
          y[3] + 0.5 * h * k2[3], y[4] + 0.5 * h * k2[4], y[5] + 0.5 * h * k2[5])
    k3 = circuit_rhs_nb(p, d, cpm, cb, cue, y3[0], y3[1], y3[2], y3[3], y3[4])
    y4 = (y[0] + h * k3[0], y[1] + h * k3[1], y[2] + h * k3[2],
          y[3] + h * k3[3], y[4] + h * k3[4], y[5] + h * k3[5])
    k4 = circuit_rhs_nb(p, d, cp1, cb, cue, y4[0], y4[1], y4[2], y4[3], y4[4])
    c = h / 6.0
    return (y[0] + c * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
            y[1] + c * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
            y[2] + c * (k1[2] + 2.0 * k2[2] + 2.0 * k3[2] + k4[2]),
            y[3] + c * (k1[3] + 2.0 * k2[3] + 2.0 * k3[3] + k4[3]),
            y[4] + c * (k1[4] + 2.0 * k2[4] + 2.0 * k3[4] + k4[4]),
            y[5] + c * (k1[5] + 2.0 * k2[5] + 2.0 * k3[5] + k4[5]))


@njit(cache=True, nogil=True)
def window(p, times, cp, cb, cue, y0, traj):
    """Integrate the circuit over the grid ``times`` (h) with arterial plasma cocaine ``cp``
    (µM, at the grid points, linear between them) and constant brain baclofen ``cb`` (µM).

    ``y0`` is the start state (6 values). If ``traj`` has a row per grid point it receives
    the states and :data:`ALGEBRA_OUTPUTS` there (columns: 6 states, then the outputs).
    Returns ``(end state, peak DAR, peak HIGH, peak OCC_DAT)``.
    """
    d = circuit_derived_nb(p)
    y = (y0[0], y0[1], y0[2], y0[3], y0[4], y0[5])
    keep = traj.shape[0] == times.shape[0]
    dar_max = 0.0
    high_max = 0.0
    occ_max = 0.0
    for k in range(times.shape[0]):
        if k > 0:
            y = _step(p, d, times[k] - times[k - 1], cp[k - 1], cp[k], cb, cue, y)
        a = circuit_algebra_nb(p, d, cb, cue, y[0], y[1], y[2], y[3], y[4])
        occ, dar, high = a[0], a[1], a[4]
        if dar > dar_max:
            dar_max = dar
        if high > high_max:
            high_max = high
        if occ > occ_max:
            occ_max = occ
        if keep:
            for j in range(6):
                traj[k, j] = y[j]
            for j in range(len(a)):
                traj[k, 6 + j] = a[j]
    return y, dar_max, high_max, occ_max


@njit(cache=True, parallel=True)
def build_tables(p, times, cp_unit, amounts, a_da, cb, tab):
    """Fill ``tab[i, j, k, :]`` for one route: a use window of ``amounts[i]`` mg starting
    from ``A_DA = a_da[j]`` under brain baclofen ``cb[k]`` (µM); ``cp_unit`` is the
    route's arterial plasma cocaine (µM) of 1 mg on ``times``.
    """
    n_a, n_d, n_b = amounts.shape[0], a_da.shape[0], cb.shape[0]
    for flat in prange(n_a * n_d * n_b):
        i = flat // (n_d * n_b)
        rest = flat - i * (n_d * n_b)
        j = rest // n_b
        k = rest - j * n_b
        cp = cp_unit * amounts[i]
        none = np.empty((0, 0))
        y0 = np.array([0.0, a_da[j], 0.0, 0.0, 0.0, 0.0])
        y, dar, high, occ = window(p, times, cp, cb[k], 1.0, y0, none)
        y1 = np.array([0.0, a_da[j], 1.0, 1.0, 1.0, 0.0])
        z, _, _, _ = window(p, times, cp, cb[k], 1.0, y1, none)
        out = tab[i, j, k]
        out[T_ADA] = y[1]
        out[T_REWARD] = y[5]
        out[T_ST0] = y[2]
        out[T_ST1] = z[2]
        out[T_GLU0] = y[3]
        out[T_GLU1] = z[3]
        out[T_PFC0] = y[4]
        out[T_PFC1] = z[4]
        out[T_DAR] = dar
        out[T_HIGH] = high
        out[T_OCC] = occ


@njit(cache=True, nogil=True, inline="always")
def _axis(x, lo, step, n):
    """Cell index and weight of ``x`` on a uniform axis (clamped to its ends)."""
    f = (x - lo) / step
    if f <= 0.0:
        return 0, 0.0
    if f >= n - 1:
        return n - 2, 1.0
    i = int(f)
    return i, f - i


@njit(cache=True, nogil=True)
def use_window(tab, axes, route, amount, a_da, a_st, a_glu, a_pfc, u_bac, v):
    """States after a use window and what the use delivered (trilinear table lookup).

    ``axes`` = (amount_min mg, log step, n amounts, a_da step, n a_da, u step, n u) for the
    amount axis ``[0, amount_min * exp(step * (0 .. n - 2))]`` (index 0 is 0 mg), A_DA and
    ``u = CB / (CB + EC50_BAC)``. Returns ``(A_DA, A_ST, A_GLU, A_PFC, reward, peak DAR,
    peak high, peak occupancy)``. ``v`` is scratch space of ``N_TAB`` values (allocated
    once by the caller: this runs once per simulated use day).
    """
    a_min, dlog, n_a = axes[0], axes[1], int(axes[2])
    if amount < a_min:
        ia, wa = 0, amount / a_min
    else:
        ia, wa = _axis(math.log(amount / a_min), -dlog, dlog, n_a)
    jd, wd = _axis(a_da, 0.0, axes[3], int(axes[4]))
    ku, wu = _axis(u_bac, 0.0, axes[5], int(axes[6]))
    v[:] = 0.0
    for di in range(2):
        fa = wa if di else 1.0 - wa
        for dj in range(2):
            fd = wd if dj else 1.0 - wd
            for dk in range(2):
                w = fa * fd * (wu if dk else 1.0 - wu)
                if w != 0.0:
                    row = tab[route, ia + di, jd + dj, ku + dk]
                    for m in range(N_TAB):
                        v[m] += w * row[m]
    return (v[T_ADA], v[T_ST0] + (v[T_ST1] - v[T_ST0]) * a_st,
            v[T_GLU0] + (v[T_GLU1] - v[T_GLU0]) * a_glu,
            v[T_PFC0] + (v[T_PFC1] - v[T_PFC0]) * a_pfc,
            v[T_REWARD], v[T_DAR], v[T_HIGH], v[T_OCC])


@njit(cache=True, nogil=True, inline="always")
def rest(decay, a_da, a_st, a_glu, a_pfc):
    """States after a span without cocaine: each decays by its factor in ``decay``."""
    return a_da * decay[0], a_st * decay[1], a_glu * decay[2], a_pfc * decay[3]
