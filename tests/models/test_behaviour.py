"""The behaviour, care and measurement models: sourced parameters and their properties."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from rewardsim.models import behaviour, care, measurement
from rewardsim.models.circuit_daily import TRIAL_HYPOTHESES
from rewardsim.models.reward_circuit import RewardCircuit, circuit_algebra

_KINDS = ("calibrated:", "assumed:", "derived:", "default:")
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")


@pytest.mark.parametrize("params", [behaviour.PARAMS, care.PARAMS, measurement.PARAMS],
                         ids=["behaviour", "care", "measurement"])
def test_every_parameter_has_value_unit_and_source(params):
    for p in params:
        assert math.isfinite(p.value) and p.unit.strip(), p.name
        assert p.source.startswith(_KINDS) or _YEAR.search(p.source), p.name
        kind, _, why = p.source.partition(":")
        assert kind not in ("assumed", "calibrated", "derived") or len(why.strip()) > 10, p.name


def test_calibrated_values_are_shipped_and_marked():
    values = behaviour.behaviour_values()
    declared = {p.name: p for p in behaviour.PARAMS}
    for name in behaviour.CALIBRATED:
        assert declared[name].source.startswith("calibrated:")
        assert values[name] != declared[name].value  # the fitted value replaced the start
    assert behaviour.behaviour_values(WW=0.0)["WW"] == 0.0
    with pytest.raises(KeyError, match="Unknown behaviour parameter 'XX'"):
        behaviour.behaviour_values(XX=1.0)


def test_trial_hypotheses_are_the_circuits_and_none():
    assert set(TRIAL_HYPOTHESES) == {"anti_craving", "anti_anxiety", "both", "none"}
    assert all(v == 0.0 for v in TRIAL_HYPOTHESES["none"].values())
    assert set(TRIAL_HYPOTHESES["none"]) == set(TRIAL_HYPOTHESES["both"])


def test_scale_mappings_come_from_the_circuit_range():
    """Full adaptation with a strong cue reaches the top of the BSCS (12) and adds 15
    HAM-A points (the assumed mappings), whatever the circuit's values are."""
    v = measurement.measurement_values()
    full = circuit_algebra(RewardCircuit().values, A_DA=1.0, A_ST=1.0, A_GLU=1.0, A_PFC=1.0,
                           CUE=1.0)
    assert v["CRAVE_SLOPE"] * float(full["CRAVE"]) == pytest.approx(12.0)
    assert v["ANX_SLOPE"] * float(full["ANX"]) == pytest.approx(15.0)


def test_drowsiness_rates_reproduce_the_label_incidences():
    """Label: drowsiness in 36 % on placebo and 63 % on baclofen over one controlled study,
    read as 16 weekly ratings, baclofen at GABA-B activation 0.252 (20 mg t.i.d.)."""
    v = measurement.measurement_values()

    def cumulative(logit: float) -> float:
        return 1.0 - (1.0 - 1.0 / (1.0 + math.exp(-logit))) ** 16

    assert cumulative(v["DROWSY_BASE"]) == pytest.approx(0.36, abs=1e-9)
    assert cumulative(v["DROWSY_BASE"] + v["DROWSY_SLOPE"] * 0.252) == pytest.approx(0.63,
                                                                                      abs=1e-9)


def test_care_effect_grows_with_sessions_and_saturates():
    emax = np.array([0.7, 0.5, 0.0, 0.0])
    n50 = np.array([8.0, 4.0, 1.0, 1.0])
    values = [care.care_effect(np.array([n, n / 2, 0.0, 0.0]), emax, n50)
              for n in np.arange(0, 200)]
    assert values[0] == 0.0
    assert np.all(np.diff(values) > 0) and values[-1] < emax.sum()
    assert care.care_effect(np.array([8.0, 0, 0, 0]), emax, n50) == pytest.approx(0.35)
