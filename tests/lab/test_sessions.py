"""Rat sessions: extinction, the satiety rule's dose dependence, the progressive ratio's
breakpoint, dialysis bins, determinism and the example protocols.

Each test says what it compares with: a hand-computed case, the published progression, or
an invariant of the rule (common random numbers: the same rats meet every condition).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rewardsim.lab import (
    bin_means,
    load_protocol,
    parse_protocol,
    progressive_ratio,
    run_protocol,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "lab").glob("*.toml"))
SRC = ["test design"]


def _sa(schedule: dict, conditions: list[dict], minutes: float = 180.0, n: int = 12,
        **extra) -> pd.DataFrame:
    data = {"protocol": {"name": "sa", "species": "rat", "kind": "self_administration",
                         "sources": SRC},
            "session": {"duration_min": minutes, "n_subjects": n, "seed": 7,
                        "record_subjects": 0},
            "schedule": {"type": "FR", "salt": "hcl", "unit_dose": 1.0, **schedule},
            "condition": conditions, **extra}
    return run_protocol(parse_protocol(data))


@pytest.fixture(scope="module")
def fr1():
    doses = (0.0, 0.25, 0.5, 1.0, 2.0)
    return _sa({}, [{"name": f"{d:g}", "schedule": {"unit_dose": d}} for d in doses])


def test_zero_unit_dose_gives_extinction(fr1):
    """Saline: the priming infusion, then presses at the operant level only (2 per hour,
    assumed): few infusions in 3 h, and far fewer than any cocaine dose maintains."""
    s = fr1["sessions"].groupby("condition")["contingent"].mean()
    assert s["0"] <= 10.0
    assert s["0"] < 0.5 * min(s["0.25"], s["0.5"], s["1"], s["2"])


def test_intervals_lengthen_with_unit_dose(fr1):
    """Satiety rule: the next infusion comes when dopamine falls back to the threshold, so
    a larger unit dose buys a longer interval, for every rat (same rats, same seed)."""
    s = fr1["sessions"]
    wide = s[s["condition"] != "0"].pivot(index="subject", columns="condition",
                                          values="mean_interval_min")
    wide = wide[["0.25", "0.5", "1", "2"]].to_numpy()
    assert np.all(np.diff(wide, axis=1) > 0.0)
    # and the rat takes more cocaine per session at higher doses, not fewer infusions only
    intake = s.groupby("condition")["intake_mg_kg"].mean()
    assert intake["2"] > intake["0.25"]


def test_progression_is_richardson_roberts_1996():
    """round(5 exp(0.2 n)) - 5, as published: 1, 2, 4, 6, 9, 12, 15, 20, 25, 32, 40, 50, 62,
    77, 95, 118, 145, 178, 219, 268 (the series as printed in laboratory software)."""
    published = [1, 2, 4, 6, 9, 12, 15, 20, 25, 32, 40, 50, 62, 77, 95, 118, 145, 178, 219,
                 268]
    assert [progressive_ratio(n) for n in range(1, 21)] == published


def test_progressive_ratio_ends_at_a_breakpoint():
    """Every session stops when 60 min pass without an infusion, before the 8-h limit; the
    breakpoint is the ratio of the last infusion earned."""
    res = _sa({"type": "PR", "unit_dose": 0.75, "end_after_min": 60.0},
              [{"name": "pr"}], minutes=480.0, n=8)
    s, ev = res["sessions"], res["events"]
    assert (s["end_min"] < 480.0).all()
    for _, row in s.iterrows():
        e = ev[(ev["subject"] == row["subject"]) & (ev["kind"] == "infusion")]["time_min"]
        assert row["breakpoint"] == progressive_ratio(int(row["contingent"]))
        # the session ends 60 min (one step's rounding) after the last infusion was earned
        assert row["end_min"] - e.max() == pytest.approx(60.0, abs=2.0 / 60.0)
    assert s["breakpoint"].min() >= progressive_ratio(5)


def test_bin_means_by_hand():
    """v = k^2 on steps 0..6, bins of 3 steps: (0/2 + 1 + 4 + 9/2)/3 and (9/2 + 16 + 25 +
    36/2)/3; a bin past the grid is NaN."""
    got = bin_means(np.arange(7.0) ** 2, first=0, length=3, n_bins=3)
    assert got[0] == pytest.approx(9.5 / 3.0, rel=1e-15)
    assert got[1] == pytest.approx(63.5 / 3.0, rel=1e-15)
    assert math.isnan(got[2])


def _dialysis(doses: list[dict]) -> dict:
    return {"protocol": {"name": "md", "species": "rat", "kind": "microdialysis",
                         "sources": SRC},
            "session": {"duration_min": 120.0, "start_min": -40.0, "record_every_s": 1.0},
            "dose": doses,
            "dialysis": {"bin_min": 20.0, "recovery": 0.65, "recovery_source": "Parsons & "
                         "Justice 1992", "start_min": -40.0, "n_bins": 8, "baseline_bins": 2}}


def test_dialysis_bins_average_the_simulated_concentration():
    """Each bin is the trapezoid mean of the 1-s trajectory over the bin; without drug
    every bin is the basal 4.2 nM and the dialysate 0.65 x 4.2 nM."""
    res = run_protocol(parse_protocol(_dialysis([
        {"drug": "cocaine", "route": "ip", "amount": 10.0, "unit": "mg/kg", "salt": "hcl",
         "time_min": 0.0}])))
    tr, d = res["trajectory"], res["dialysis"]
    for _, b in d.iterrows():
        m = (tr["time_min"] >= b["start_min"] - 1e-9) & (tr["time_min"] <= b["end_min"] + 1e-9)
        x, y = tr.loc[m, "time_min"].to_numpy(), tr.loc[m, "dopamine_nM"].to_numpy()
        assert b["dopamine_nM"] == pytest.approx(np.trapezoid(y, x) / 20.0, rel=1e-12)
        assert b["dialysate_nM"] == pytest.approx(0.65 * b["dopamine_nM"], rel=1e-15)
    assert d["pct_baseline"].iloc[:2].mean() == pytest.approx(100.0, rel=1e-12)
    assert d["pct_baseline"].max() > 200.0
    none = run_protocol(parse_protocol(_dialysis([])))["dialysis"]
    assert np.allclose(none["dopamine_nM"], 4.2, rtol=1e-12, atol=0.0)


def test_same_seed_same_results_and_a_rat_does_not_depend_on_the_others():
    one = _sa({"unit_dose": 0.5}, [{"name": "a"}], n=6)
    two = _sa({"unit_dose": 0.5}, [{"name": "a"}], n=6)
    for t in ("sessions", "events"):
        pd.testing.assert_frame_equal(one[t], two[t])
    more = _sa({"unit_dose": 0.5}, [{"name": "a"}], n=9)
    ev6, ev9 = one["events"], more["events"]
    pd.testing.assert_frame_equal(ev6, ev9[ev9["subject"] <= 6].reset_index(drop=True))
    other = run_protocol(parse_protocol({
        "protocol": {"name": "sa", "species": "rat", "kind": "self_administration",
                     "sources": SRC},
        "session": {"duration_min": 180.0, "n_subjects": 6, "seed": 8, "record_subjects": 0},
        "schedule": {"type": "FR", "salt": "hcl", "unit_dose": 0.5}}))
    assert not other["events"]["time_min"].equals(one["events"]["time_min"])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_protocols_run(path):
    """Every protocol of the library validates, names its design sources and runs."""
    lp = load_protocol(path)
    assert lp.info.sources
    res = run_protocol(lp, n_subjects=2)
    assert len(res["sessions"]) == 2 * len(lp.conditions)
    assert res["summary"]["condition"].tolist() == [n for n, _ in lp.conditions]
