"""Design files are typed strictly: a wrong type is refused, not coerced (issue 15:
``weeks = "2"``, ``seed = true`` and ``dose_mg = "20"`` were accepted, and
``route_shares = {smoked = inf, ...}`` made every patient "iv" and wrote ``Infinity`` into
manifest.json)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardsim.cli import app
from rewardsim.errors import TrialDesignError
from rewardsim.trial import load_design

FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "baclofen-cocaine.toml"
runner = CliRunner()


def _design(tmp_path, old: str, new: str) -> Path:
    text = FLAGSHIP.read_text()
    assert old in text
    path = tmp_path / "d.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(("old", "new", "message"), [
    ("weeks = 16", 'weeks = "2"', "Design field 'weeks': Input should be a valid integer. "
                                  "Got '2' instead."),
    ("seed = 20031215", "seed = true", "Design field 'seed': Input should be a valid integer. "
                                       "Got True instead."),
    ("weeks = 16", "weeks = 16.0", "Design field 'weeks': Input should be a valid integer. "
                                   "Got 16.0 instead."),
    ("n = 70 ", 'n = "70" ', "Design field 'allocation.n': Input should be a valid integer"),
    ('dose_mg = 20', 'dose_mg = "20"', "Design field 'arms[1].dose_mg': Input should be a "
                                       "valid number. Got '20' instead."),
    ("attendance = 0.85", "attendance = true", "Design field 'visits.attendance': Input "
                                               "should be a valid number"),
    ("route_shares = { smoked = 0.7, intranasal = 0.3 }",
     "route_shares = { smoked = inf, intranasal = 0.3 }",
     "Design field 'population.route_shares.smoked': Input should be a finite number"),
    ("route_shares = { smoked = 0.7, intranasal = 0.3 }",
     "route_shares = { smoked = nan, intranasal = 0.3 }", "should be a finite number"),
    ("route_shares = { smoked = 0.7, intranasal = 0.3 }",
     "route_shares = { smoked = 0.5, intranasal = 0.3 }",
     "Design field 'population.route_shares': route shares must sum to 1; smoked 0.5, "
     "intranasal 0.3 sum to 0.8"),
    ("weekly_hazard = 0.006", "weekly_hazard = -inf", "'dropout.weekly_hazard'"),
    ("urine_cutoff_ng_ml = 300", 'urine_cutoff_ng_ml = "300"', "'urine_cutoff_ng_ml'"),
    ('regimen = "three times daily"', "regimen = 3", "'arms[0].regimen'"),
])  # fmt: skip
def test_wrong_types_and_shares_are_refused(tmp_path, old, new, message):
    path = _design(tmp_path, old, new)
    with pytest.raises(TrialDesignError) as info:
        load_design(path)
    assert message in str(info.value)
    out = tmp_path / "RUN"
    res = runner.invoke(app, ["trial", str(path), "--out", str(out)])
    assert res.exit_code == 2 and message in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_numbers_written_as_integers_are_still_numbers(tmp_path):
    d = load_design(_design(tmp_path, "dose_mg = 20", "dose_mg = 20"))
    assert d.arms[1].dose_mg == 20.0 and isinstance(d.arms[1].dose_mg, float)
    d = load_design(_design(tmp_path, "route_shares = { smoked = 0.7, intranasal = 0.3 }",
                            "route_shares = { smoked = 1 }"))
    assert d.population.route_shares == {"smoked": 1.0}
    d = load_design(_design(tmp_path, "[population]", "[population]\n"))
    assert d.arms[0].setting.travel == []


def test_travel_periods_are_pairs_of_whole_days(tmp_path):
    ok = load_design(_design(tmp_path, 'setting = "outpatient"',
                             'setting = { kind = "outpatient", travel = [[10, 14]] }'))
    assert ok.arms[0].setting.travel == [[10, 14]]
    for bad, where in (("[[10, 14, 15]]", "travel[0]"), ('[["10", 14]]', "travel[0][0]"),
                       ("[[10.5, 14]]", "travel[0][0]")):
        path = _design(tmp_path, 'setting = "outpatient"',
                       f'setting = {{ kind = "outpatient", travel = {bad} }}')
        with pytest.raises(TrialDesignError) as info:
            load_design(path)
        assert f"Design field 'arms[0].setting.{where}'" in str(info.value)


def test_seed_range(flagship):
    assert flagship.with_overrides(seed=2**64 - 1).seed == 2**64 - 1
    for seed in (-1, 2**64):
        with pytest.raises(TrialDesignError, match="Design field 'seed'"):
            flagship.with_overrides(seed=seed)
