"""The lab's compiled session kernel and the linear drug systems it steps exactly.

:func:`lab_module` writes the reward circuit's functions (generated from its text by
:func:`rewardsim.models.reward_circuit.numba_source`) followed by
``_session_template.py`` into one module under the kernel cache folder, named by a hash of
the text, and imports it (numba compiles it once per machine).

The drug models are linear (``Model.linear``): ``dx/dt = A x`` between doses. Their matrix
``A``, bioavailabilities and output weights are read off each model's own declaration by
evaluating its ``ode`` and ``outputs`` text at unit states (:func:`linear_system`), so the
lab steps the very model the engine solves. Over a step of ``h`` the exact solution is
``x(t + h) = exp(A h) x(t) + G r`` for a constant infusion rate ``r`` into one compartment,
``G = int_0^h exp(A s) ds e``; doses at grid points are jumps. This is superposition of the
models' unit responses, exact to rounding (``tests/lab/test_exposure.py`` holds it to the
engine's matrix-exponential solution).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from scipy.linalg import expm

from ..engine import Model
from ..engine._codegen import load_source
from ..errors import ModelSpecError
from ..models.reward_circuit import numba_source

__all__ = ["DrugSystem", "LinearSystem", "lab_module", "lab_source", "linear_system",
           "step_matrices"]

_TEMPLATE = Path(__file__).with_name("_session_template.py")


def lab_source() -> str:
    """Source of the circuit's generated functions and the session kernel."""
    return numba_source() + "\n\n" + _TEMPLATE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def lab_module() -> ModuleType:
    """The compiled session kernel (cached on disk by a hash of its text)."""
    return load_source("rewardsim_lab", lab_source())


@dataclass(frozen=True)
class DrugSystem:
    """One linear drug model read off its declaration."""

    model: Model
    A: np.ndarray  # (n, n), 1/h
    bioavailability: np.ndarray  # (n,), F of each dosable compartment (0 elsewhere)
    outputs: dict[str, np.ndarray]  # output name -> weights over the states


def _namespace(model: Model, covariates: dict[str, float] | None) -> dict[str, Any]:
    ns: dict[str, Any] = {"log": math.log, "exp": math.exp, "sqrt": math.sqrt, "max": max,
                          "min": min}
    ns.update(model.values)
    for c in model.covariates:
        ns[c.name] = float((covariates or {}).get(c.name, c.value))
    for dq in model.derived:
        ns[dq.name] = eval(dq.expr, {"__builtins__": {}}, ns)  # noqa: S307 - our own text
    return ns


def linear_system(model: Model, covariates: dict[str, float] | None = None) -> DrugSystem:
    """Matrix, bioavailabilities and output weights of a linear model, from its text."""
    if not model.linear:
        raise ModelSpecError(f"Model {model.name!r} is not linear; the lab steps linear "
                             "drug models exactly.")
    names = model.compartment_names
    n = len(names)
    ns = _namespace(model, covariates)
    code = compile(model.ode_source(), f"<{model.name} ode>", "exec")
    A = np.zeros((n, n))
    outputs = {o.name: np.zeros(n) for o in model.outputs}
    for j in range(n):
        local = dict(ns)
        local.update({c: (1.0 if i == j else 0.0) for i, c in enumerate(names)})
        exec(code, {"__builtins__": {}}, local)  # noqa: S102 - the model's own ode text
        A[:, j] = [local[f"dxdt_{c}"] for c in names]
        for o in model.outputs:
            outputs[o.name][j] = eval(o.expr, {"__builtins__": {}}, local)  # noqa: S307
    f = np.array([model.values.get(f"F{i + 1}", 0.0) if c.dosable else 0.0
                  for i, c in enumerate(model.compartments)])
    return DrugSystem(model, A, f, outputs)


@dataclass(frozen=True)
class LinearSystem:
    """Cocaine and baclofen side by side (block-diagonal), as the kernel steps them."""

    cocaine: DrugSystem
    baclofen: DrugSystem

    @property
    def n(self) -> int:
        return self.cocaine.A.shape[0] + self.baclofen.A.shape[0]

    @property
    def offset(self) -> dict[str, int]:
        return {"cocaine": 0, "baclofen": self.cocaine.A.shape[0]}

    @property
    def A(self) -> np.ndarray:
        nc = self.cocaine.A.shape[0]
        out = np.zeros((self.n, self.n))
        out[:nc, :nc] = self.cocaine.A
        out[nc:, nc:] = self.baclofen.A
        return out

    def weights(self, drug: str, output: str) -> np.ndarray:
        """Weights over the combined state of one drug model's output."""
        sys_ = getattr(self, drug)
        w = np.zeros(self.n)
        o = self.offset[drug]
        w[o:o + sys_.A.shape[0]] = sys_.outputs[output]
        return w

    def index(self, drug: str, cmt: int) -> tuple[int, float]:
        """State index and bioavailability of a drug's 1-based dose compartment."""
        sys_ = getattr(self, drug)
        return self.offset[drug] + cmt - 1, float(sys_.bioavailability[cmt - 1])

    def propagate(self, x: np.ndarray, hours: float) -> np.ndarray:
        """The combined state ``hours`` later without doses (exact)."""
        return expm(self.A * hours) @ x


def step_matrices(A: np.ndarray, h: float, into: int) -> tuple[np.ndarray, np.ndarray]:
    """``exp(A h)`` and ``int_0^h exp(A s) ds e_into`` (the response to a unit rate)."""
    n = A.shape[0]
    aug = np.zeros((n + 1, n + 1))
    aug[:n, :n] = A
    aug[into, n] = 1.0
    big = expm(aug * h)
    return np.ascontiguousarray(big[:n, :n]), np.ascontiguousarray(big[:n, n])
