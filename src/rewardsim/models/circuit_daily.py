"""The reward circuit one day at a time: the reduced form a virtual trial steps.

Reduces :class:`rewardsim.models.RewardCircuit` as linked in :func:`rewardsim.models.person`
(cocaine PK -> brain cocaine -> dopamine, stress, glutamate and prefrontal states); held to
the person model simulated by the engine by ``tests/models/test_circuit_daily.py`` (daily
dopamine response, reward, craving, anxiety and adaptation states over 16-week histories).

Methods
-------
A trial decides once a day, so it needs the circuit at a few times of day, not the whole
trajectory. The circuit separates into a fast part (brain cocaine and the dopamine it
evokes, minutes to hours) and slow states (adaptation of dopamine tone/D2, stress system,
glutamate, prefrontal metabolism; half-lives of days to months). The reduced form keeps the
circuit's own equations and exploits three properties of them, each checked by the tests:

* **A use window.** A use day's cocaine is a binge from 20:00 (:data:`BINGE`); its brain
  cocaine has gone 12 h later. The window 20:00-08:00 is integrated once, ahead of the
  trial, with the circuit's own right-hand side (generated from its text,
  :func:`rewardsim.models.reward_circuit.numba_source`; classical Runge-Kutta, 20 s steps,
  finer ones in the seconds after each hit, 40 s from 1.5 h after the last hit) for every
  route, on a grid of day amounts x dopamine adaptation at the start x brain baclofen.
  Arterial plasma cocaine is the cocaine model's (exact solution of the linear PK, linear
  in the amount). Looked up by trilinear
  interpolation (amount on a log axis), the table gives the window's end state, its reward
  (the integral of ``REWARD_RATE``), the peak dopamine, the peak subjective high and the
  peak DAT occupancy.
* **Affine slow states.** The stress, glutamate and prefrontal states do not feed back on
  what drives them, so over a window each is affine in its start value; the table keeps
  their end values from 0 and from 1. Dopamine adaptation does feed back (tone lowers the
  DA response), hence its own axis.
* **Rest.** Without cocaine every adaptation state decays on its own; the factors over the
  spans between the day's time points (08:00 -> 10:00 visit -> 20:00 decision) come from
  the same integration with no cocaine.

Brain baclofen is taken constant over a use window, at its mean weighted by the route's
dopamine response (:meth:`DailyCircuit.baclofen_weights`): an oral dose raises CSF baclofen
within half an hour and it falls by half within hours, so the value that matters is the
one while dopamine rises. Between windows the algebraic outputs (craving, anxiety, ...) are
evaluated at the exact time points with the circuit's own algebra.

Accuracy: see the tests (at most a few per cent against the engine's adaptive solution of
the whole person; the grid sizes below were chosen for it).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from ..engine import simulate
from ..engine._codegen import cache_dir, load_source
from .behaviour import BINGE, ROUTES, USE_START_H
from .cocaine_pk import ROUTE_CMT, CocainePK
from .reward_circuit import ALGEBRA_OUTPUTS, HYPOTHESES, STATES, RewardCircuit, numba_source

__all__ = ["TRIAL_HYPOTHESES", "DailyCircuit", "WINDOW_H", "binge_records", "circuit_module",
           "circuit_params", "circuit_source", "window_grid"]

#: Baclofen hypotheses of a trial: the circuit's, and ``none`` (every efficacy 0: baclofen
#: without a behavioural effect, the null hypothesis).
TRIAL_HYPOTHESES: dict[str, dict[str, float]] = {
    **{k: dict(v) for k, v in HYPOTHESES.items()},
    "none": dict.fromkeys(next(iter(HYPOTHESES.values())), 0.0),
}
#: Length of a use window (h), from the first hit at 20:00.
WINDOW_H = 12.0
_STEP_S = 20.0  # s, integration step while doses act (KE0 h = 0.8 at the calibrated KE0)
_TAIL_STEP_S = 40.0  # s, from 1.5 h after the last hit (KE0 h = 1.7, inside RK4's stability)
_TAIL_AFTER_H = 1.5
# Each hit adds points 1-15 s after it, where a smoked dose enters arterial blood.
_AFTER_HIT_S = (1.0, 2.0, 4.0, 7.0, 10.0, 15.0)
_TEMPLATE = __file__.replace("circuit_daily.py", "_circuit_daily_template.py")

# Table axes. Amounts: 0 and AMIN * exp(k * DLOG), k = 0..N_AMOUNT - 2 (1 mg to 20 g);
# dopamine adaptation 0..1; u = CB / (CB + EC50_BAC) 0..U_MAX (brain baclofen up to 9 EC50).
AMIN = 1.0
N_AMOUNT = 27
DLOG = np.log(20_000.0) / (N_AMOUNT - 2)
N_ADA = 6
N_U = 7
U_MAX = 0.9


def circuit_source() -> str:
    """Source of the circuit's generated functions and of the reduced form's kernels."""
    with open(_TEMPLATE, encoding="utf-8") as fh:
        return numba_source() + "\n\n" + fh.read()


def circuit_module() -> ModuleType:
    """The compiled circuit functions and the reduced form's kernels (cached by text)."""
    return load_source("rewardsim_circuit", circuit_source())


def circuit_params(values: dict[str, float]) -> np.ndarray:
    """The circuit's parameter vector (declaration order) from a values mapping."""
    return np.array([float(values[p.name]) for p in RewardCircuit.params], dtype=np.float64)


def window_grid(route: str, hours: float = WINDOW_H) -> np.ndarray:
    """Time grid (h from the first hit) of a use window: :data:`_STEP_S` apart, with
    points seconds after each hit, where a smoked dose enters arterial blood."""
    n_hits, gap = BINGE[route]
    hits = gap * np.arange(n_hits)
    tail = min(hours, hits[-1] + _TAIL_AFTER_H)
    extra = (hits[:, None] + np.asarray(_AFTER_HIT_S)[None, :] / 3600.0).ravel()
    return np.unique(np.r_[np.arange(0.0, tail, _STEP_S / 3600.0),
                           np.arange(tail, hours, _TAIL_STEP_S / 3600.0), extra, hours])


def binge_records(route: str, amount_mg: float, start_h: float) -> pd.DataFrame:
    """Dose records of one use day: equal hits from ``start_h`` (:data:`BINGE`)."""
    n_hits, gap = BINGE[route]
    times = start_h + gap * np.arange(n_hits)
    return pd.DataFrame({"TIME": times, "AMT": amount_mg / n_hits, "CMT": ROUTE_CMT[route]})


@lru_cache(maxsize=8)
def _plasma_units(cocaine_items: tuple[tuple[str, float], ...]
                  ) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Per route: the window grid (h) and arterial plasma cocaine (µM) of a 1 mg use day."""
    model = CocainePK().with_params(**dict(cocaine_items))
    out = []
    for route in ROUTES:
        grid = window_grid(route)
        sol = simulate(model, binge_records(route, 1.0, 0.0).assign(ID=1), times=grid,
                       omega=False)
        out.append((grid, np.ascontiguousarray(sol["CP_UM"][0])))
    return tuple(out)


class DailyCircuit:
    """The reward circuit reduced to daily steps, with its tables built.

    Parameters
    ----------
    hypothesis
        Baclofen mechanism (:data:`~rewardsim.models.reward_circuit.HYPOTHESES`, or
        ``"none"``: every baclofen efficacy 0).
    cocaine
        Cocaine PK parameter values to change (the plasma input of the circuit).
    **overrides
        Circuit parameter values to change (``KI_DAT=0.3``).

    Attributes
    ----------
    p : ndarray
        Circuit parameter vector (:func:`circuit_params`).
    tables : ndarray, shape (routes, amounts, A_DA, u, N_TAB)
        Use-window outputs (:mod:`._circuit_daily_template` names the last axis).
    axes : ndarray
        Axis description passed to ``use_window``.
    module : module
        The compiled functions (``use_window``, ``rest``, ``circuit_algebra_nb``, ...).
    """

    def __init__(self, hypothesis: str = "both", *, cocaine: dict[str, float] | None = None,
                 **overrides: float) -> None:
        efficacy = TRIAL_HYPOTHESES.get(hypothesis)
        if efficacy is None:
            raise KeyError(f"Unknown baclofen hypothesis {hypothesis!r}; valid: "
                           f"{', '.join(TRIAL_HYPOTHESES)}")
        self.hypothesis = hypothesis
        self.values: dict[str, float] = RewardCircuit().with_params(
            **efficacy).with_params(**overrides).values
        self.cocaine = dict(cocaine or {})
        self.p = circuit_params(self.values)
        self.module = circuit_module()
        self.amounts = np.r_[0.0, AMIN * np.exp(DLOG * np.arange(N_AMOUNT - 1))]
        self.a_da = np.linspace(0.0, 1.0, N_ADA)
        u = np.linspace(0.0, U_MAX, N_U)
        self.cb = self.values["EC50_BAC"] * u / (1.0 - u)
        self.axes = np.array([AMIN, DLOG, N_AMOUNT, 1.0 / (N_ADA - 1), N_ADA,
                              U_MAX / (N_U - 1), N_U])  # fmt: skip
        self.tables = _tables(self)

    def u(self, cb_bac_um: float) -> float:
        """Table coordinate of a brain baclofen concentration (µM)."""
        return cb_bac_um / (cb_bac_um + self.values["EC50_BAC"])

    def baclofen_weights(self, route: str) -> tuple[np.ndarray, np.ndarray]:
        """Times (h after 20:00, a 1 min grid over 6 h) and weights (sum 1) of the brain
        baclofen a use window is looked up at: the dopamine excess of a 100 mg use by
        ``route`` in a drug-naive person without baclofen, when the response happens."""
        tr = self.trajectory(route, 100.0)
        t = np.arange(0.0, 6.0, 1.0 / 60.0)
        w = np.interp(t, tr["TIME"].to_numpy(), tr["EXC"].to_numpy())
        return t, w / w.sum()

    def decay(self, hours: float) -> np.ndarray:
        """Decay factors of A_DA, A_ST, A_GLU, A_PFC over ``hours`` without cocaine."""
        t = np.linspace(0.0, hours, max(2, int(np.ceil(hours * 6.0)) + 1))
        none = np.empty((0, 0))
        y, *_ = self.module.window(self.p, t, np.zeros_like(t), 0.0, 1.0,
                                   np.array([0.0, 1.0, 1.0, 1.0, 1.0, 0.0]), none)
        return np.array(y[1:5])

    def algebra(self, cb_bac: float, cue: float, state: tuple[float, ...]) -> dict[str, float]:
        """The circuit's algebraic outputs at a state (CE, A_DA, A_ST, A_GLU, A_PFC)."""
        out = self.module.circuit_algebra_nb(self.p, self.module.circuit_derived_nb(self.p),
                                             float(cb_bac), float(cue), *map(float, state))
        return dict(zip(ALGEBRA_OUTPUTS, out, strict=True))

    def history(self, route: str, amounts: np.ndarray, csf: np.ndarray, *, cue: float = 1.0,
                start: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
                ) -> pd.DataFrame:
        """Step the reduced form through a daily history, as the trial kernel does.

        Parameters
        ----------
        route
            One of :data:`ROUTES`.
        amounts
            mg used on each day's evening (0: no use), shape (days,).
        csf
            Brain baclofen (µM) on each day at 10:00, at 20:00 and its mean over the use
            window weighted by :meth:`baclofen_weights`, shape (days, 3).
        start
            A_DA, A_ST, A_GLU, A_PFC at 08:00 of the first day.

        Returns
        -------
        DataFrame, one row per day: the four states and craving/anxiety at 10:00 and at
        20:00 (``*_10``, ``*_20``), and for use days the window's reward, peak DA (% of
        the naive baseline), peak high and peak occupancy (NaN otherwise).
        """
        m, dec = self.module, np.array([self.decay(2.0), self.decay(10.0), self.decay(12.0)])
        d = m.circuit_derived_nb(self.p)
        names = ("A_DA", "A_ST", "A_GLU", "A_PFC")
        state = tuple(map(float, start))
        scratch = np.empty(m.N_TAB)
        rows = []
        for k, amount in enumerate(np.asarray(amounts, dtype=float)):
            row: dict[str, float] = {}
            for span, clock, c in ((0, "10", csf[k, 0]), (1, "20", csf[k, 1])):
                state = m.rest(dec[span], *state)
                alg = m.circuit_algebra_nb(self.p, d, float(c), float(cue), 0.0, *state)
                row.update({f"{n}_{clock}": x for n, x in zip(names, state, strict=True)})
                row.update({f"CRAVE_{clock}": alg[5], f"ANX_{clock}": alg[6]})
            out = [np.nan] * 4
            if amount > 0.0:
                w = m.use_window(self.tables, self.axes, ROUTES.index(route), amount, *state,
                                 self.u(float(csf[k, 2])), scratch)
                state, out = tuple(w[:4]), list(w[4:])
            else:
                state = m.rest(dec[2], *state)
            row.update(dict(zip(("REWARD", "DA_PEAK_PCT", "HIGH", "OCC_PEAK"), out,
                                strict=True)))
            row["DA_PEAK_PCT"] *= 100.0
            rows.append(row)
        return pd.DataFrame(rows)

    def trajectory(self, route: str, amount: float, *, cb_bac: float = 0.0, cue: float = 1.0,
                   start: tuple[float, ...] = (0.0,) * 6) -> pd.DataFrame:
        """The circuit through one use window (h from 20:00): states and algebra."""
        grid, unit = _plasma_units(tuple(sorted(self.cocaine.items())))[ROUTES.index(route)]
        traj = np.zeros((grid.shape[0], 6 + len(ALGEBRA_OUTPUTS)))
        self.module.window(self.p, grid, unit * amount, float(cb_bac), float(cue),
                           np.asarray(start, dtype=float), traj)
        return pd.DataFrame(traj, columns=[*STATES, *ALGEBRA_OUTPUTS]).assign(TIME=grid)


def _key(dc: DailyCircuit, units: tuple[tuple[np.ndarray, np.ndarray], ...]) -> str:
    h = hashlib.sha256()
    for a in (dc.p, dc.amounts, dc.a_da, dc.cb, *(x for pair in units for x in pair)):
        h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
    h.update(dc.module.__name__.encode())
    return h.hexdigest()[:20]


_TABLES: dict[str, np.ndarray] = {}


def _tables(dc: DailyCircuit) -> np.ndarray:
    """Build (or load from the cache folder) the use-window tables of ``dc``."""
    units = _plasma_units(tuple(sorted(dc.cocaine.items())))
    key = _key(dc, units)
    if key in _TABLES:
        return _TABLES[key]
    path = cache_dir() / f"circuit_tables_{key}.npy"
    try:
        tab = np.load(path)
    except (OSError, ValueError):
        tab = np.zeros((len(ROUTES), dc.amounts.size, dc.a_da.size, dc.cb.size,
                        dc.module.N_TAB))
        for r, (grid, unit) in enumerate(units):
            dc.module.build_tables(dc.p, grid, unit, dc.amounts, dc.a_da, dc.cb, tab[r])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        with open(tmp, "wb") as fh:
            np.save(fh, tab)
        os.replace(tmp, path)
    _TABLES[key] = tab
    return tab


def describe() -> dict[str, Any]:
    """The reduced form's settings (for manifests)."""
    return {"window_h": WINDOW_H, "step_s": [_STEP_S, _TAIL_STEP_S],
            "amount_axis_mg": [AMIN, float(AMIN * np.exp(DLOG * (N_AMOUNT - 2)))],
            "n_amount": N_AMOUNT, "n_a_da": N_ADA, "n_u": N_U, "use_start_h": USE_START_H}
