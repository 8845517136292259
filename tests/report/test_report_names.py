"""The report and its figures take any arm name as plain text (issue 15: an arm named
``$\\frac{a$`` crashed matplotlib's mathtext parser and no report was written)."""

from __future__ import annotations

import html

import matplotlib as mpl
import pandas as pd
import pytest

from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.report import build_report
from rewardsim.report._plots import urine_figure


@pytest.mark.parametrize("name", [r"$\frac{a$", "a $x^2$ b", "100% $", "\\", "{0}", "_^"])
def test_any_arm_name_is_drawn_as_written(tmp_path, name):
    run = write_synthetic_run(tmp_path / "run", arms=("placebo", name), n_per_arm=8, weeks=2,
                              seed=3)
    out = build_report(run, tmp_path / "r.html", power_replicates=2)
    text = out.read_text(encoding="utf-8")
    assert html.escape(name) in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "run"]


def test_mathtext_setting_is_restored_after_drawing():
    before = mpl.rcParams["text.parse_math"]
    urine_figure(pd.DataFrame({"arm": ["$a$"], "week": [1], "negative_missing_positive": [0.5],
                               "nmp_low": [0.3], "nmp_high": [0.7],
                               "negative_of_provided": [0.5]}), ["$a$"])  # fmt: skip
    assert mpl.rcParams["text.parse_math"] == before
