"""The evidence table's rules on replicates made by hand: a published value is reproduced
when it lies in the replicates' central 90 %, a reported non-significance when at least
half the replicates agree; the acceptance figures read the right columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rewardsim.inference import load_targets
from rewardsim.inference._check import criteria_rows, evidence_rows

TARGETS = Path(__file__).resolve().parents[2] / "examples" / "shoptaw-2003-targets.toml"


def _reps(n=1000, **shift):
    rng = np.random.default_rng(0)
    cols = ["gee_arm", "gee_baseline_medication", "gee_baseline_control", "be_free_urines",
            "retention", "craving", "adverse_events"]
    df = pd.DataFrame({c: rng.standard_normal(n) + shift.get(c, 0.0) for c in cols})
    df["be_free_control"] = 9.0 + rng.standard_normal(n)
    df["be_free_medication"] = 12.7 + rng.standard_normal(n)
    df["difference"] = df["be_free_medication"] - df["be_free_control"]
    df["benefit_heavier"], df["benefit_lighter"] = 4.0, 2.0
    return df


def test_evidence_rules():
    t = load_targets(TARGETS)
    # GEE z ~ N(2.31, 1) reproduces chi2 5.34; baseline gradient z ~ N(-2, 1) cannot give +10.63
    ev = evidence_rows(t, _reps(gee_arm=np.sqrt(5.34), gee_baseline_medication=-2.0,
                                craving=3.0), "h").set_index("statistic")
    assert ev.loc["gee_arm_chi2", "reproduced"]
    assert ev.loc["gee_arm_chi2", "share"] == pytest.approx(0.5, abs=0.05)
    assert not ev.loc["gee_baseline_baclofen_chi2", "reproduced"]
    assert ev.loc["gee_baseline_baclofen_chi2", "share"] < 0.01
    # N(0, 1) tests are not significant in 95 % of replicates; craving N(3, 1) in ~15 %
    assert ev.loc["retention_p", "share"] == pytest.approx(0.95, abs=0.02)
    assert ev.loc["retention_p", "reproduced"]
    assert ev.loc["craving_p", "share"] == pytest.approx(0.15, abs=0.04)
    assert not ev.loc["craving_p", "reproduced"]
    assert ev.loc["be_free_urines_placebo", "reproduced"]


def test_criteria_rules():
    cr = criteria_rows(_reps(gee_arm=np.sqrt(5.34), craving=3.0), "h").set_index("criterion")
    met = cr["met"].to_dict()
    assert met["placebo-arm BE-free urines (of 48)"]
    assert met["baclofen - placebo BE-free urines"]  # 3.7
    assert met["replicates with GEE p < .05 for baclofen"]  # ~ 62 %
    assert met["benefit, heavier vs lighter users (urines)"]
    assert not met["replicates with craving not significant"]  # ~ 15 %
