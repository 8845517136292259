"""Between-subject variability (OMEGA) and residual error (SIGMA).

Individual parameters are log-normal, as in NONMEM's ``P = TVP * EXP(ETA)``::

    ETA ~ N(0, OMEGA),   P_i = P_typical * exp(ETA_i)

OMEGA is given as variances on the log scale (``omega**2`` in NONMEM output);
a published CV converts as ``omega**2 = log(1 + CV**2)``.  Each subject's ETAs
come from its own Philox stream keyed by (seed, subject ID), so they do not
depend on which other subjects are simulated, or in which chunk.

Residual error on a simulated observation (``DV``) of an output ``IPRED``:
additive ``IPRED + EPS1``, proportional ``IPRED * (1 + EPS1)``, or combined
``IPRED * (1 + EPS1) + EPS2``, with EPS ~ N(0, sd**2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import ModelSpecError
from ._kernels import normals_for
from ._model import Model

STREAM_ETA = 1
STREAM_EPS = 2


@dataclass(frozen=True)
class Omega:
    """A named OMEGA block: ``names`` and the covariance ``matrix`` of their ETAs."""

    names: tuple[str, ...]
    matrix: np.ndarray

    @classmethod
    def from_cv(cls, cvs: Mapping[str, float]) -> Omega:
        """Diagonal OMEGA from coefficients of variation (0.3 = 30 % CV)."""
        names = tuple(k for k, v in cvs.items() if v)
        var = [np.log1p(float(cvs[k]) ** 2) for k in names]
        return cls(names, np.diag(var) if names else np.zeros((0, 0)))


def as_omega(model: Model, omega: object) -> Omega:
    """Normalise the ``omega`` argument of :func:`simulate` and validate it.

    ``None`` uses the model's published CVs; ``False`` or ``{}`` switches IIV
    off; a dict maps parameter names to log-scale variances; a pair
    ``(names, matrix)`` or an :class:`Omega` gives a full block.
    """
    if omega is None:
        om = Omega.from_cv({k: v for k, v in model.cvs.items() if v})
    elif omega is False:
        om = Omega((), np.zeros((0, 0)))
    elif isinstance(omega, Omega):
        om = omega
    elif isinstance(omega, Mapping):
        names = tuple(omega)
        vals = []
        for k in names:
            try:
                vals.append(float(omega[k]))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ModelSpecError(
                    f"OMEGA variance for {k!r} must be a number. Got {omega[k]!r} instead."
                ) from None
        om = Omega(names, np.diag(vals) if names else np.zeros((0, 0)))
    elif isinstance(omega, Sequence) and len(omega) == 2:
        om = Omega(tuple(omega[0]), np.asarray(omega[1], dtype=float))
    else:
        raise ModelSpecError(
            "omega must be None (published CVs), False (no IIV), a dict of variances "
            f"or (names, matrix). Got {omega!r} instead."
        )
    _validate(model, om)
    return om


def _validate(model: Model, om: Omega) -> None:
    for n in om.names:
        if n not in model.param_names:
            raise ModelSpecError(
                f"OMEGA names unknown parameter {n!r} for {model.name}; valid: "
                + ", ".join(model.param_names)
            )
    m = om.matrix
    k = len(om.names)
    if m.shape != (k, k):
        raise ModelSpecError(
            f"OMEGA matrix must be {k}x{k} for names {list(om.names)}. Got shape {m.shape}."
        )
    if k == 0:
        return
    if not np.all(np.isfinite(m)) or not np.allclose(m, m.T, rtol=1e-12, atol=1e-14):
        raise ModelSpecError(f"OMEGA must be a finite symmetric matrix. Got {m.tolist()}.")
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        ev = np.linalg.eigvalsh(m)
        raise ModelSpecError(
            f"OMEGA is not positive definite (smallest eigenvalue {ev.min():.3g}) for "
            f"{list(om.names)}: {m.tolist()}. Give variances > 0 and correlations in (-1, 1)."
        ) from None


def draw_etas(om: Omega, ids: np.ndarray, seed: int) -> np.ndarray:
    """ETAs, shape (len(ids), len(om.names)); row i depends only on (seed, ids[i])."""
    k = len(om.names)
    if k == 0:
        return np.zeros((ids.shape[0], 0))
    z = normals_for(np.uint64(seed), STREAM_ETA, ids.astype(np.uint64), k)
    L = np.linalg.cholesky(om.matrix)
    return z @ L.T


@dataclass(frozen=True)
class Residual:
    """Residual error on one output: additive and/or proportional SDs."""

    output: str
    add: float = 0.0
    prop: float = 0.0

    def validate(self, model: Model) -> None:
        if self.output not in model.output_names:
            raise ModelSpecError(
                f"Residual error names unknown output {self.output!r} for {model.name}; "
                "valid: " + ", ".join(model.output_names)
            )
        for f in ("add", "prop"):
            v = getattr(self, f)
            if not (np.isfinite(v) and v >= 0):
                raise ModelSpecError(
                    f"The residual {f!r} SD must be a float in [0, inf). Got {v!r} instead."
                )


def add_residual(res: Residual, ipred: np.ndarray, row_ids: np.ndarray,
                 index_in_subject: np.ndarray, seed: int) -> np.ndarray:
    """DV = IPRED (1 + prop EPS1) + add EPS2, EPS drawn per (seed, ID, row in subject)."""
    n_max = int(index_in_subject.max()) + 1 if index_in_subject.size else 0
    uid, inv = np.unique(row_ids, return_inverse=True)
    z = normals_for(np.uint64(seed), STREAM_EPS, uid.astype(np.uint64), 2 * n_max)
    e1 = z[inv, 2 * index_in_subject]
    e2 = z[inv, 2 * index_in_subject + 1]
    return ipred * (1.0 + res.prop * e1) + res.add * e2
