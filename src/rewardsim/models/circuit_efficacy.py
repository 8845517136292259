"""Baclofen efficacy applied to the circuit's daily reduced form without rebuilding its
use-window tables per value.

Reduces :class:`rewardsim.models.circuit_daily.DailyCircuit` built at each efficacy value;
``tests/trial/test_efficacy.py`` holds the two together (exact at the ends of the
efficacy range) and ``benchmarks/fit_trial.py`` measures the error in between.

Methods
-------
Inside a use window the circuit depends on brain baclofen only through its added GABA-B
activation ``D_BAC = XB / (1 + X0 + XB)`` (``XB = CB / EC50_BAC``), and on the anti-craving
efficacies only through the products ``EMAX_BAC_VTA D_BAC`` and ``EMAX_BAC_TONIC D_BAC``
(burst and tonic firing); ``EMAX_BAC_ANX`` does not enter the window's right-hand side at
all (it scales the algebraic ``STRESS``). The anti-craving efficacy is fitted as one scale
``e``: ``EMAX_BAC_VTA = e``, ``EMAX_BAC_TONIC = r e`` with ``r`` the ratio of the circuit's
anti-craving hypothesis (0.05, tonic firing partly protected). A window under efficacy
``e`` at activation ``D`` is then the window under efficacy 1 at activation ``e D``, so the
table of ``e`` at the table's baclofen node ``u_k = CB / (CB + EC50_BAC)`` is the table of
efficacy 1 at the node's remapped coordinate

    D' = e D(u_k),   XB' = D' (1 + X0) / (1 - D'),   u' = XB' / (1 + XB').

The table of efficacy 1 is built once on a baclofen axis :data:`FINE` times finer than the
trial's (cached on disk like the trial's tables) and interpolated linearly at ``u'``; the
algebra at 10:00 and 20:00 (craving, anxiety) reads the efficacy values from the circuit's
parameter vector directly.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

from ..engine._codegen import cache_dir
from . import circuit_daily as cd
from .reward_circuit import HYPOTHESES, RewardCircuit

__all__ = ["EFFICACY", "FINE", "TONIC_RATIO", "efficacy_circuit", "efficacy_values"]

#: Efficacy parameters a fit draws, by hypothesis: ``e_craving`` scales EMAX_BAC_VTA and
#: EMAX_BAC_TONIC together, ``e_anxiety`` is EMAX_BAC_ANX.
EFFICACY: dict[str, tuple[str, ...]] = {
    "none": (),
    "anti_craving": ("e_craving",),
    "anti_anxiety": ("e_anxiety",),
    "both": ("e_craving", "e_anxiety"),
}
#: EMAX_BAC_TONIC / EMAX_BAC_VTA of the circuit's anti-craving hypothesis.
TONIC_RATIO = (HYPOTHESES["anti_craving"]["EMAX_BAC_TONIC"]
               / HYPOTHESES["anti_craving"]["EMAX_BAC_VTA"])
#: The reference table's baclofen axis is this many times finer than the trial's.
FINE = 6
_NAMES = [p.name for p in RewardCircuit.params]


def efficacy_values(e_craving: float = 0.0, e_anxiety: float = 0.0) -> dict[str, float]:
    """The circuit's efficacy parameters for the two efficacy scales."""
    return {"EMAX_BAC_VTA": float(e_craving), "EMAX_BAC_TONIC": TONIC_RATIO * float(e_craving),
            "EMAX_BAC_ANX": float(e_anxiety)}


class _Reference:
    """The use-window table of efficacy 1 on a fine baclofen axis (built once, cached)."""

    def __init__(self, circuit: cd.DailyCircuit, fine: int) -> None:
        p = circuit.p.copy()
        for k, v in efficacy_values(1.0, 0.0).items():
            p[_NAMES.index(k)] = v
        n_u = (cd.N_U - 1) * fine + 1
        self.u = np.linspace(0.0, cd.U_MAX, n_u)
        ec50 = circuit.values["EC50_BAC"]
        cb = ec50 * self.u / (1.0 - self.u)
        units = cd._plasma_units(tuple(sorted(circuit.cocaine.items())))
        h = hashlib.sha256()
        for a in (p, circuit.amounts, circuit.a_da, cb, *(x for pair in units for x in pair)):
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
        h.update(circuit.module.__name__.encode())
        path = cache_dir() / f"circuit_tables_fine_{h.hexdigest()[:20]}.npy"
        try:
            tab = np.load(path)
        except (OSError, ValueError):
            tab = np.zeros((len(units), circuit.amounts.size, circuit.a_da.size, n_u,
                            circuit.module.N_TAB))
            for r, (grid, unit) in enumerate(units):
                circuit.module.build_tables(p, grid, unit, circuit.amounts, circuit.a_da, cb,
                                            tab[r])
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            with open(tmp, "wb") as fh:
                np.save(fh, tab)
            os.replace(tmp, path)
        self.tab = tab
        x0 = circuit.values["OCC_GABA0"] / (1.0 - circuit.values["OCC_GABA0"])
        u_k = np.linspace(0.0, cd.U_MAX, cd.N_U)
        xb = u_k / (1.0 - u_k)
        self.x0 = x0
        self.d = xb / (1.0 + x0 + xb)  # GABA-B activation at the trial's baclofen nodes

    def table(self, e: float) -> np.ndarray:
        """The trial's use-window table under anti-craving efficacy ``e``."""
        d = e * self.d
        xb = d * (1.0 + self.x0) / (1.0 - d)
        u = xb / (1.0 + xb)
        f = np.clip(u / (self.u[1] - self.u[0]), 0.0, self.u.size - 1.0)
        i = np.minimum(f.astype(np.int64), self.u.size - 2)
        w = (f - i)[None, None, None, :, None]
        return np.ascontiguousarray((1.0 - w) * self.tab[:, :, :, i] + w * self.tab[:, :, :, i + 1])


_REFS: dict[tuple[bytes, int], _Reference] = {}
_EFF_IX = [_NAMES.index(k) for k in efficacy_values()]


def efficacy_circuit(circuit: cd.DailyCircuit, e_craving: float = 0.0,
                     e_anxiety: float = 0.0, *, fine: int = FINE) -> _Circuit:
    """``circuit`` with baclofen's efficacy set to (``e_craving``, ``e_anxiety``).

    The returned object carries what the trial kernel reads (``p``, ``tables``, ``axes``,
    ``values``): the circuit's parameter vector with the efficacy values, and use-window
    tables interpolated from the fine reference table of efficacy 1 (built on first use
    for this circuit, then cached in memory and on disk).
    """
    base = circuit.base if isinstance(circuit, _Circuit) else circuit
    p = base.p.copy()
    p[_EFF_IX] = 0.0  # the reference is the same whatever the base circuit's efficacy
    key = (p.tobytes() + repr(sorted(base.cocaine.items())).encode(), fine)
    ref = _REFS.get(key)
    if ref is None:
        ref = _REFS[key] = _Reference(base, fine)
    return _Circuit(base, e_craving, e_anxiety, ref.table(e_craving))


class _Circuit:
    """A stand-in for :class:`DailyCircuit` carrying what the kernel reads."""

    def __init__(self, base: cd.DailyCircuit, e_craving: float, e_anxiety: float,
                 tables: np.ndarray) -> None:
        self.base = base
        self.values = {**base.values, **efficacy_values(e_craving, e_anxiety)}
        self.p = cd.circuit_params(self.values)
        self.tables = tables
        self.axes = base.axes
