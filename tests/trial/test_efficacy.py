"""Efficacy applied without rebuilding the circuit's tables (``models.circuit_efficacy``,
through ``trial._efficacy``) against tables built by the circuit's daily reduced form at the
same efficacy: exact at the ends of the range (efficacy 0: no window effect; 1: the
reference itself). The error in between (0.23 % at most with the shipped refinement) is
measured by ``benchmarks/fit_trial_tables.py``."""

from __future__ import annotations

import numpy as np

from rewardsim.models.circuit_daily import DailyCircuit
from rewardsim.models.reward_circuit import HYPOTHESES
from rewardsim.trial._cohort import kernel_inputs
from rewardsim.trial._efficacy import TONIC_RATIO, efficacy_values, with_efficacy


def test_efficacy_ends_equal_direct_tables(flagship):
    inp = kernel_inputs(flagship)  # anti_craving
    # fine=1: the reference on the trial's own baclofen axis (one table build at most)
    one = with_efficacy(inp, 1.0, 0.0, fine=1).circuit.tables
    np.testing.assert_allclose(one, inp.circuit.tables, rtol=1e-12, atol=1e-15)
    zero = with_efficacy(inp, 0.0, 0.7, fine=1)
    none = DailyCircuit("none")
    np.testing.assert_allclose(zero.circuit.tables, none.tables, rtol=1e-12, atol=1e-15)
    # the algebra's parameter vector carries the efficacy values
    assert zero.circuit.values["EMAX_BAC_ANX"] == 0.7
    assert zero.circuit.values["EMAX_BAC_VTA"] == 0.0
    assert zero.P is inp.P and zero.be_unit is inp.be_unit  # nothing else rebuilt


def test_tonic_ratio_is_the_hypothesis():
    h = HYPOTHESES["anti_craving"]
    assert TONIC_RATIO * h["EMAX_BAC_VTA"] == h["EMAX_BAC_TONIC"]
    assert efficacy_values(0.5, 0.2) == {"EMAX_BAC_VTA": 0.5,
                                         "EMAX_BAC_TONIC": 0.5 * TONIC_RATIO,
                                         "EMAX_BAC_ANX": 0.2}
