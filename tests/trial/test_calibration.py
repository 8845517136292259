"""Behaviour calibration to the real CTN-0094 cocaine urine results.

The shipped parameters must reproduce every fitted statistic within its stated tolerance
(3 percentage points for the weekly positive rate and the week-to-week transitions, 5 for
the shares of negative-run lengths) and the two unfitted checks within theirs, on the
CTN-0094 tables shipped with rewardsim.
"""

from __future__ import annotations

import json

import pytest

from rewardsim.trial import calibrate_behaviour, calibration_table, ctn0094_statistics
from rewardsim.trial._calibration import CHECKS, TOLERANCES, real_words

from .conftest import CTN


def test_statistics_by_hand():
    s = ctn0094_statistics(["+-+--", "o--+", "*+o-"])
    # Weeks with a result: 5 + 3 + 3 = 11, positive: 2 + 1 + 2 ('*' is positive) = 5.
    assert s["weekly_positive_rate"] == pytest.approx(5 / 11)
    # Adjacent observed pairs: +-, -+, +-, --, --, -+, ++ ('o' breaks the pair).
    assert s["p_pos_after_pos"] == pytest.approx(1 / 3)
    assert s["p_pos_after_neg"] == pytest.approx(2 / 4)
    # Negative runs over observed weeks: [1, 2], [2], [1] -> lengths 1, 2, 2, 1.
    assert s["neg_run_1"] == 0.5 and s["neg_run_2"] == 0.5 and s["neg_run_9plus"] == 0.0
    # After a positive first week: '-+--' -> 1/4 and '+-' (o skipped) -> 1/2: 2/6.
    assert s["rate_after_pos_first"] == pytest.approx(2 / 6)


@pytest.fixture(scope="module")
def words():
    return real_words(CTN)


def test_shipped_parameters_reproduce_ctn0094(words):
    table = calibration_table(CTN, words=words).set_index("statistic")
    assert set(table.index) == set(TOLERANCES) | set(CHECKS)
    bad = table[~table["within"]]
    assert bad.empty, f"outside tolerance:\n{bad}"
    # The data themselves (docs/trial.md quotes them).
    assert table.loc["weekly_positive_rate", "ctn0094"] == pytest.approx(0.210, abs=0.001)
    assert table.loc["p_pos_after_pos", "ctn0094"] == pytest.approx(0.743, abs=0.001)


def test_calibration_runs_and_writes_json(words, tmp_path):
    out = tmp_path / "fit.json"
    # A short refit from the shipped values: the objective stays small.
    result = calibrate_behaviour(CTN, words=words, maxfev=6, write=out)
    saved = json.loads(out.read_text())
    assert set(saved["parameters"]) == {"B_MU", "B_SD", "WC", "SD_X"}
    assert all(p["source"].startswith("calibrated:") for p in saved["parameters"].values())
    assert result["objective"] < 1.0
