"""One virtual patient: the trial runs on the reward circuit, and the effects that blur the
baclofen hypotheses act with the expected signs.

Trial-level comparisons use common random numbers: the same design and seed with one
parameter changed, so every difference is that parameter's.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import numpy as np
import pytest

import rewardsim
from rewardsim.models.circuit_daily import DailyCircuit
from rewardsim.models.reward_circuit import RewardCircuit
from rewardsim.trial import parse_design, simulate_trial


def _design(flagship_dict, n=300, hypothesis="anti_craving", **visits):
    data = copy.deepcopy(flagship_dict)
    data["allocation"] = {"n": n, "ratio": [1, 1]}
    data["hypothesis"] = hypothesis
    data["visits"].update(visits)
    return parse_design(data)


def _arm(t, table, arm):
    ids = t["subjects"].loc[t["subjects"]["arm"] == arm, "id"]
    return t[table][t[table]["id"].isin(ids)].reset_index(drop=True)


def test_trial_layer_restates_no_circuit_parameter():
    """The trial reads the circuit through its generated functions and its reduced form:
    no circuit parameter name appears in the trial layer's code."""
    names = {p.name for p in RewardCircuit.params} - {"CUE"}
    trial = Path(rewardsim.__file__).parent / "trial"
    for path in trial.glob("*.py"):
        words = set(re.findall(r"[A-Z][A-Z0-9_]+", path.read_text()))
        assert not (words & names) - {"EC50_BAC"}, (path.name, words & names)


def test_a_circuit_parameter_changes_the_trial(flagship_dict):
    """Halving cocaine's potency at DAT lowers every use's dopamine response, so patients
    adapt less, crave less and use less; all else fixed."""
    design = _design(flagship_dict, n=200)
    base = simulate_trial(design)
    weak = simulate_trial(design, overrides={"KI_DAT": 2.0 * RewardCircuit().values["KI_DAT"]})
    d0, d1 = base["daily_use"], weak["daily_use"]
    assert d1["da_peak_pct"].mean() < 0.8 * d0["da_peak_pct"].mean()
    assert d1["used"].mean() < d0["used"].mean()
    assert weak["subjects"]["severity"].mean() < base["subjects"]["severity"].mean()


def test_baclofen_efficacy_changes_only_the_baclofen_arm(flagship_dict):
    design = _design(flagship_dict, n=200)
    on = simulate_trial(design)
    off = simulate_trial(design, overrides={"EMAX_BAC_VTA": 0.0})
    for table in ("daily_use", "visits"):
        assert _arm(on, table, "placebo").equals(_arm(off, table, "placebo"))
    b_on, b_off = _arm(on, "daily_use", "baclofen"), _arm(off, "daily_use", "baclofen")
    treat = b_on["day"] >= 1
    assert b_on.loc[treat & b_on["used"], "da_peak_pct"].mean() < \
        b_off.loc[treat & b_off["used"], "da_peak_pct"].mean()


def test_sedation_lowers_rated_anxiety_whatever_the_mechanism(flagship_dict):
    """Under anti_craving (no action on the stress system) baclofen's drowsiness still
    lowers HAM-A scores: the same patients with and without the sedation term."""
    design = _design(flagship_dict, n=300)
    with_sed = simulate_trial(design)
    without = simulate_trial(design, overrides={"SED_HAMA": 0.0})
    a, b = _arm(with_sed, "visits", "baclofen"), _arm(without, "visits", "baclofen")
    on = (a["week"] >= 1) & a["anxiety"].notna()
    assert (a.loc[on, "anxiety"] <= b.loc[on, "anxiety"]).all()
    assert a.loc[on, "anxiety"].mean() < b.loc[on, "anxiety"].mean() - 0.5
    assert _arm(with_sed, "visits", "placebo").equals(_arm(without, "visits", "placebo"))
    # Drowsiness is reported more often on baclofen than on placebo.
    p = _arm(with_sed, "visits", "placebo")
    assert a.loc[on, "drowsiness"].mean() > p.loc[p["week"] >= 1, "drowsiness"].mean()


def test_anti_anxiety_baclofen_lowers_craving_through_stress():
    """Stress-induced craving: calming the stress system lowers craving in an adapted user;
    without the stress -> craving path it would not."""
    state = dict(A_DA=0.5, A_ST=0.6, A_GLU=0.6, A_PFC=0.3)
    for w, falls in ((1.0, True), (0.0, False)):
        dc = DailyCircuit("anti_anxiety", W_ST_CRAVE=w)
        before = dc.algebra(0.0, 1.0, (0.0, *state.values()))["CRAVE"]
        after = dc.algebra(0.13, 1.0, (0.0, *state.values()))["CRAVE"]
        assert (after < before - 0.05) if falls else after == pytest.approx(before, abs=1e-12)


def test_more_cocaine_more_dopamine_and_reward():
    dc = DailyCircuit("none")
    for route in range(3):
        for j in range(dc.a_da.size):
            t = dc.tables[route, 1:, j, 0]  # amounts > 0, no baclofen
            for col in (1, 8, 9):  # reward, peak DA, peak high
                assert np.all(np.diff(t[:, col]) > 0), (route, j, col)


def test_recent_use_means_missed_visits(flagship_dict):
    design = _design(flagship_dict, n=400, attendance=0.85)
    t = simulate_trial(design)
    v, d, s = t["visits"], t["daily_use"], t["subjects"]
    use = d.pivot(index="id", columns="day", values="used")
    drop = s.set_index("id")["dropout_day"]
    rows = v[(v["week"] >= 1) & ~(v["day"] > v["id"].map(drop))]  # while in the study
    recent = np.array([use.loc[i, [day - 1, day - 2, day - 3]].sum()
                       for i, day in zip(rows["id"], rows["day"], strict=True)])
    seen = rows["attended"].to_numpy()
    assert seen[recent == 3].mean() < seen[recent == 0].mean() - 0.1
