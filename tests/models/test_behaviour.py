"""The behaviour and care models: sourced parameters and the properties of the equations."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from rewardsim.models import behaviour, care
from rewardsim.models.reward_circuit import RewardCircuit
from rewardsim.trial import _pharmacology

_KINDS = ("calibrated:", "assumed:", "derived:", "default:")
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")


@pytest.mark.parametrize("params", [behaviour.PARAMS, care.PARAMS, _pharmacology.PARAMS],
                         ids=["behaviour", "care", "bridge"])
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


def test_time_constants_come_from_the_reward_circuit():
    rc = RewardCircuit().values
    v = behaviour.behaviour_values()
    assert v["TAU_A"] == pytest.approx(rc["T12_ST"] / math.log(2))
    assert (1 - v["K_DOWN"]) ** rc["T12_DA"] == pytest.approx(0.5)
    assert (1 - v["EXT"]) ** rc["T12_GLU"] == pytest.approx(0.5)
    bridge = _pharmacology.pharmacology_values("anti_craving")
    assert bridge["FU"] == rc["FU_COC"] and bridge["EC50_BAC"] == rc["EC50_BAC"]
    assert set(_pharmacology.HYPOTHESES) >= {"anti_craving", "anti_anxiety", "both", "none"}
    assert all(v == 0.0 for v in _pharmacology.HYPOTHESES["none"].values())


def test_drug_surge_cannot_be_predicted_away():
    """Redish 2004: delta >= D, so every use raises the value, however large it already is."""
    for q in (0.0, 0.5, 5.0, 500.0):
        for kappa in (0.0, 0.5, 1.0):
            q1, k1, a1 = behaviour.learn_use(q, kappa, 0.3, 0.2, 0.1, 0.05, 0.1)
            assert q1 >= q + 0.1 * 0.2 - 1e-15
            assert kappa <= k1 <= 1.0 and 0.3 < a1 <= 1.0
    # Below the surge-free target the full TD error applies: delta = 2 D - kappa - Q.
    q1, _, _ = behaviour.learn_use(0.0, 0.0, 0.0, 0.2, 0.1, 0.05, 0.1)
    assert q1 == pytest.approx(0.1 * 0.4)


def test_abstinence_extinguishes_and_recovers():
    q, k, a = behaviour.learn_abstain(2.0, 0.8, 0.9, 1.0, 0.05, 0.1, math.exp(-1 / 14))
    assert (q, k) == pytest.approx((1.9, 0.72)) and a == pytest.approx(0.9 * math.exp(-1 / 14))
    # No cues, no extinction (residential): the value is kept.
    assert behaviour.learn_abstain(2.0, 0.8, 0.9, 0.0, 0.05, 0.1, 1.0)[0] == 2.0


def test_craving_drive_scales_with_cues_and_baclofen():
    full = behaviour.craving_drive(1.0, 1.0, 0.5, 1.0, 0.0)
    assert full == pytest.approx(1.0)
    assert behaviour.craving_drive(0.2, 1.0, 0.5, 1.0, 0.0) == pytest.approx(0.2)
    assert behaviour.craving_drive(1.0, 1.0, 0.5, 1.0, 0.3) == pytest.approx(0.7)
    # Saturating in Q: bounded by cue * (1 + kappa).
    assert behaviour.craving_drive(1.0, 1e9, 1.0, 1.0, 0.0) < 2.0


def test_care_effect_grows_with_sessions_and_saturates():
    emax = np.array([0.7, 0.5, 0.0, 0.0])
    n50 = np.array([8.0, 4.0, 1.0, 1.0])
    values = [care.care_effect(np.array([n, n / 2, 0.0, 0.0]), emax, n50)
              for n in np.arange(0, 200)]
    assert values[0] == 0.0
    assert np.all(np.diff(values) > 0) and values[-1] < emax.sum()
    assert care.care_effect(np.array([8.0, 0, 0, 0]), emax, n50) == pytest.approx(0.35)
