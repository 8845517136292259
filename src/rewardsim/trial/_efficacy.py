"""A trial's kernel inputs under given baclofen efficacy, without rebuilding the circuit's
use-window tables (the reduced form's remapping lives in
:mod:`rewardsim.models.circuit_efficacy`; the trial restates none of it)."""

from __future__ import annotations

from dataclasses import replace

from ..models.circuit_efficacy import EFFICACY, FINE, TONIC_RATIO, efficacy_circuit
from ..models.circuit_efficacy import efficacy_values as efficacy_values
from ._cohort import KernelInputs

__all__ = ["EFFICACY", "FINE", "TONIC_RATIO", "efficacy_values", "with_efficacy"]


def with_efficacy(inp: KernelInputs, e_craving: float = 0.0, e_anxiety: float = 0.0, *,
                  fine: int = FINE) -> KernelInputs:
    """``inp`` with baclofen's efficacy scales set; every other input is shared."""
    circuit = efficacy_circuit(inp.circuit, e_craving, e_anxiety, fine=fine)  # type: ignore[arg-type]
    return replace(inp, circuit=circuit)  # type: ignore[arg-type]
