"""What a trial must get right: urine results from BE and the cutoff, missing visits,
residential stays, adherence, counselling, and reproducibility.

Forced-behaviour scenarios set kernel parameters through ``overrides`` (B_MU = 50 makes
every patient use every day it is possible; SD_* = 0 removes randomness in amounts and
urine dilution), so each expectation is exact, not statistical.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rewardsim.analysis import use_pattern_words
from rewardsim.trial import parse_design, simulate_trial
from rewardsim.trial._exposure import cocaine_unit_responses

DAILY = {"B_MU": 50.0, "B_SD": 0.0, "SD_X": 0.0, "SD_AMT_PATIENT": 0.0, "SD_AMT_DAY": 0.0,
         "SD_URINE": 0.0}  # fmt: skip


def _design(flagship_dict, n=20, **changes):
    data = copy.deepcopy(flagship_dict)
    data["allocation"] = {"n": n, "ratio": [1, 1]}
    data["population"].update(min_use_days_per_month=0.0, min_positive_baseline_urines=0)
    data["visits"]["attendance"] = 1.0
    data["dropout"]["weekly_hazard"] = 0.0
    for key, value in changes.items():
        data[key] = value
    return parse_design(data)


def _urines(t):
    v = t["visits"]
    return v[v["kind"].str.contains("urine")]


def test_urine_result_is_be_at_or_above_the_cutoff(flagship, variant):
    t300 = simulate_trial(flagship.with_overrides(n_per_arm=30))
    u = _urines(t300)
    seen = u[u["attended"]]
    assert seen["be_ng_ml"].notna().all()
    np.testing.assert_array_equal(seen["urine_positive"], (seen["be_ng_ml"] >= 300.0) * 1.0)
    t150 = simulate_trial(variant(urine_cutoff_ng_ml=150.0).with_overrides(n_per_arm=30))
    u150 = _urines(t150)
    # Same patients, same BE: a lower cutoff only turns negatives into positives.
    np.testing.assert_array_equal(u150["be_ng_ml"], u["be_ng_ml"])
    given = u["attended"].to_numpy()
    np.testing.assert_array_equal(u150["attended"], given)
    assert (u150["urine_positive"][given] >= u["urine_positive"][given]).all()
    assert u150["urine_positive"].sum() > u["urine_positive"].sum()


def test_a_small_dose_reads_negative_a_large_one_positive(flagship_dict):
    design = _design(flagship_dict)
    small = {**DAILY, "AMT_SMOKED": 0.5, "AMT_INTRANASAL": 0.5}
    be = cocaine_unit_responses()
    # Daily use of 0.5 mg gives at most 0.5 * sum(unit responses) < 300 ng/mL.
    assert 0.5 * be.sum(axis=1).max() < 300.0
    u = _urines(simulate_trial(design, overrides=small))
    assert (u["urine_positive"] == 0.0).all() and (u["be_ng_ml"] > 0).all()
    u = _urines(simulate_trial(design, overrides={**DAILY, "AMT_SMOKED": 150.0,
                                                  "AMT_INTRANASAL": 150.0}))
    assert (u["urine_positive"] == 1.0).all()


def test_residential_stay_has_no_use_and_old_use_reads_negative(flagship_dict):
    arms = copy.deepcopy(flagship_dict["arms"])
    for arm in arms:
        arm["setting"] = {"kind": "residential", "admission_delay_days": 7, "stay_days": 28}
    design = _design(flagship_dict, arms=arms)
    t = simulate_trial(design, overrides={**DAILY, "AMT_SMOKED": 150.0,
                                          "AMT_INTRANASAL": 150.0})
    d = t["daily_use"]
    inside = d[(d["day"] >= 8) & (d["day"] <= 35)]
    assert not inside["used"].any()
    assert d[(d["day"] >= 1) & (d["day"] <= 7)]["used"].all()  # at risk while waiting
    assert d[d["day"] >= 36]["used"].all()  # back home
    u = _urines(t).set_index(["id", "day"])["urine_positive"]
    # Last use on day 7 (evening): the next morning's urine (day 8, Mon) is positive; from
    # the third morning on (Wed, day 10) the BE of 150 mg has fallen below 300 ng/mL.
    assert (u.xs(8, level="day") == 1.0).all()
    for day in (10, 12, 15, 33):
        assert (u.xs(day, level="day") == 0.0).all()


def test_missed_visit_is_missing_not_negative(flagship):
    data = flagship.model_dump(mode="python")
    data["visits"]["attendance"] = 0.5
    t = simulate_trial(parse_design(data))
    v = t["visits"]
    missed = v[~v["attended"]]
    assert len(missed) > 100
    assert missed[["urine_positive", "be_ng_ml", "craving", "anxiety"]].isna().all().all()
    words = use_pattern_words(v, weeks=16)
    assert words["usePatternUDS"].str.contains("o").any()
    # Everyone: the week's symbol is 'o' exactly when no urine was given that week.
    treat = v[(v["week"] >= 1) & v["kind"].str.contains("urine")]
    given = treat.groupby(["id", "week"])["attended"].any()
    for (pid, week), any_given in given.items():
        word = words.loc[words["id"] == pid, "usePatternUDS"].item()
        assert (word[week - 1] == "o") == (not any_given)


def test_dropout_makes_later_visits_missing(flagship):
    t = simulate_trial(flagship.with_overrides(n_per_arm=40))
    s, v = t["subjects"], t["visits"]
    dropped = s[~s["completed"]]
    assert len(dropped) > 0
    after = v.merge(dropped[["id", "dropout_day"]], on="id")
    after = after[after["day"] > after["dropout_day"]]
    assert not after["attended"].any()


def test_adherence_zero_is_placebo(flagship_dict):
    arms = copy.deepcopy(flagship_dict["arms"])
    arms[1]["adherence"] = 0.0
    t0 = simulate_trial(_design(flagship_dict, n=40, arms=arms))
    arms[1] = {**arms[0], "name": arms[1]["name"]}  # the same arm on placebo
    tp = simulate_trial(_design(flagship_dict, n=40, arms=arms))
    # Identical patients, use and visits; only the recorded adherence differs.
    assert t0["subjects"].drop(columns="p_dose").equals(tp["subjects"].drop(columns="p_dose"))
    for name in ("visits", "daily_use"):
        assert t0[name].equals(tp[name]), name
    s = t0["subjects"]
    doses = t0["doses"][t0["doses"]["id"].isin(s.loc[s["arm"] == "baclofen", "id"])]
    assert len(doses) > 0 and not doses["taken"].any()


def test_more_counselling_never_raises_use(flagship_dict):
    """Per patient and with the same random numbers: weekly -> thrice weekly -> daily."""
    totals = []
    for days in ([], ["Mon"], ["Mon", "Wed", "Fri"], ["Mon", "Tue", "Wed", "Thu", "Fri",
                                                      "Sat", "Sun"]):
        arms = copy.deepcopy(flagship_dict["arms"])
        for arm in arms:
            arm["cotreatment"] = [{"kind": "counselling", "days": days}] if days else []
        data = copy.deepcopy(flagship_dict)
        data["arms"] = arms
        data["allocation"] = {"n": 400, "ratio": [1, 1]}
        d = simulate_trial(parse_design(data))["daily_use"]
        totals.append(d[d["day"] >= 1].groupby("id")["used"].sum().to_numpy())
    for fewer, more in zip(totals[:-1], totals[1:], strict=True):
        assert (more <= fewer).all()
    assert totals[-1].mean() < totals[0].mean() - 1.0  # and care does reduce use


def test_same_seed_same_tables_other_seed_other_tables(flagship):
    a = simulate_trial(flagship)
    b = simulate_trial(flagship)
    for name in a:
        assert a[name].equals(b[name]), name
    c = simulate_trial(flagship.with_overrides(seed=flagship.seed + 1))
    assert not a["visits"].equals(c["visits"])


@pytest.mark.parametrize("hypothesis", ["anti_craving", "anti_anxiety"])
def test_baclofen_acts_through_its_hypothesis(flagship, hypothesis):
    """Placebo patients do not depend on the hypothesis; against 'none' (baclofen with its
    sedation but no efficacy), anti_craving lowers each use's dopamine response and
    anti_anxiety lowers rated anxiety in the baclofen arm."""
    none = simulate_trial(flagship.with_overrides(n_per_arm=300, hypothesis="none"))
    active = simulate_trial(flagship.with_overrides(n_per_arm=300, hypothesis=hypothesis))
    placebo_ids = none["subjects"].loc[none["subjects"]["arm"] == "placebo", "id"]
    for name in ("daily_use", "visits"):  # placebo patients do not depend on the hypothesis
        a = none[name][none[name]["id"].isin(placebo_ids)]
        b = active[name][active[name]["id"].isin(placebo_ids)]
        assert a.reset_index(drop=True).equals(b.reset_index(drop=True))
    bac_ids = none["subjects"].loc[none["subjects"]["arm"] == "baclofen", "id"]
    if hypothesis == "anti_craving":
        d0, d1 = none["daily_use"], active["daily_use"]
        on0 = d0["id"].isin(bac_ids) & (d0["day"] >= 1) & d0["used"]
        on1 = d1["id"].isin(bac_ids) & (d1["day"] >= 1) & d1["used"]
        assert d1.loc[on1, "da_peak_pct"].mean() < 0.9 * d0.loc[on0, "da_peak_pct"].mean()
    else:
        v0, v1 = none["visits"], active["visits"]
        on0 = v0["id"].isin(bac_ids) & (v0["week"] >= 1)
        on1 = v1["id"].isin(bac_ids) & (v1["week"] >= 1)
        assert v1.loc[on1, "anxiety"].mean() < v0.loc[on0, "anxiety"].mean() - 0.5


def test_travel_away_from_home_cues_lowers_use(flagship_dict):
    home = simulate_trial(_design(flagship_dict, n=400))["daily_use"]
    arms = copy.deepcopy(flagship_dict["arms"])
    for arm in arms:
        arm["setting"] = {"kind": "outpatient", "travel": [[15, 42]]}
    away = simulate_trial(_design(flagship_dict, n=400, arms=arms))["daily_use"]

    def use(d, lo, hi):
        return d[(d["day"] >= lo) & (d["day"] <= hi)]["used"].mean()

    pd_equal = home[home["day"] < 15].reset_index(drop=True)
    assert pd_equal.equals(away[away["day"] < 15].reset_index(drop=True))  # same until then
    assert use(away, 15, 42) < 0.95 * use(home, 15, 42)


def test_randomisation_exact_sizes_and_balance_within_strata(flagship_dict):
    t = simulate_trial(_design(flagship_dict, n=201))
    assert t["subjects"]["arm"].value_counts().to_dict() == {"placebo": 101, "baclofen": 100}
    data = copy.deepcopy(flagship_dict)
    data["allocation"] = {"n": 200, "ratio": [1, 1], "stratify_by": ["route", "baseline_use"],
                          "block_size": 4}
    s = simulate_trial(parse_design(data))["subjects"]
    s["heavy"] = 2 * s["baseline_positive_urines"] >= 6  # 6 baseline urines in the design
    counts = s.groupby(["route", "heavy", "arm"]).size().unstack(fill_value=0)
    assert len(counts) >= 3
    assert (abs(counts["placebo"] - counts["baclofen"]) <= 2).all()  # half a block of 4
