"""Targets files: the shipped Shoptaw 2003 file loads; bad files are refused with an error
naming the statistic, and the command line then exits 2 without writing anything."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardsim.cli import app
from rewardsim.errors import TargetsError
from rewardsim.inference import STATISTICS, load_targets, parse_targets

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "examples" / "shoptaw-2003-targets.toml"


@pytest.fixture
def data():
    return tomllib.loads(TARGETS.read_text())


def test_shipped_targets_load():
    t = load_targets(TARGETS)
    assert t.design.allocation.n == 70 and t.design.arm_sizes() == [35, 35]
    assert t.design.weeks == 16 and t.design.baseline_weeks == 2
    assert t.design.urine_cutoff_ng_ml == 300
    by = {x.name: x for x in t.targets}
    assert by["gee_arm_chi2"].value == 5.34 and by["gee_baseline_baclofen_chi2"].value == 10.63
    assert by["craving_p"].relation == ">=" and by["be_free_urines_placebo"].value == 9.0
    # 48 scheduled treatment urines, Mon/Wed/Fri (the paper's three a week for 16 weeks)
    sched = t.design.schedule()
    assert sum(1 for d, k in sched.items() if d >= 1 and "urine" in k) == 48
    assert all(n in STATISTICS for n in t.names())


@pytest.mark.parametrize("change, message", [
    (lambda d: d["statistics"].update({"gee_arm_chisq": {"value": 1, "uncertainty": 0,
                                                         "source": "x"}}),
     "Unknown statistic 'gee_arm_chisq'"),
    (lambda d: d["statistics"]["gee_arm_chi2"].pop("value"), "'gee_arm_chi2' has no value"),
    (lambda d: d["statistics"]["craving_p"].pop("uncertainty"),
     "'craving_p' has no uncertainty"),
    (lambda d: d["statistics"]["gee_arm_chi2"].update(value="5.34"),
     "'gee_arm_chi2': value must be a finite number"),
    (lambda d: d["statistics"]["gee_arm_chi2"].update(relation=">="),
     "'gee_arm_chi2': relation must be '='"),
    (lambda d: d["statistics"]["retention_p"].update(value=0.0),
     "'retention_p': a p value must be in"),
    (lambda d: d["statistics"]["gee_arm_chi2"].update(uncertainty=-1),
     "uncertainty must be >= 0"),
])
def test_bad_statistic_refused(data, change, message):
    change(data)
    with pytest.raises(TargetsError, match=message):
        parse_targets(data, TARGETS.parent)


def _design_variant(tmp_path: Path, old: str, new: str) -> str:
    text = (ROOT / "examples" / "shoptaw-2003.toml").read_text()
    assert old in text
    path = tmp_path / "variant.toml"
    path.write_text(text.replace(old, new))
    return str(path)


def test_statistic_the_design_cannot_produce(data, tmp_path):
    data["design"] = _design_variant(tmp_path, "baseline_weeks = 2", "baseline_weeks = 0")
    with pytest.raises(TargetsError, match="'gee_baseline_baclofen_chi2' cannot be produced.*"
                       "baseline weeks"):
        parse_targets(data, TARGETS.parent)
    data["design"] = _design_variant(tmp_path, 'rating_days = ["Mon"]', "rating_days = []")
    with pytest.raises(TargetsError, match="'craving_p' cannot be produced.*rating visits"):
        parse_targets(data, TARGETS.parent)


def test_design_without_placebo_refused(data, tmp_path):
    data["design"] = _design_variant(tmp_path, 'medication = "placebo"', 'medication = "none"')
    with pytest.raises(TargetsError, match="one baclofen arm and one placebo arm"):
        parse_targets(data, TARGETS.parent)


def test_cli_refuses_bad_targets_and_writes_nothing(tmp_path):
    text = TARGETS.read_text().replace("[statistics.craving_p]", "[statistics.craving_z]")
    bad = tmp_path / "targets.toml"
    bad.write_text(text.replace('design = "shoptaw-2003.toml"',
                                f'design = "{ROOT / "examples" / "shoptaw-2003.toml"}"'))
    out = tmp_path / "fit.json"
    res = CliRunner().invoke(app, ["fit-trial", str(bad), "--hypothesis", "anti_craving",
                                   "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"TargetsError: Unknown statistic 'craving_z'; valid: {', '.join(STATISTICS)}."]
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]
