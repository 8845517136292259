"""``rewardsim models reward-circuit``, ``calibrate``, ``plot``, ``person-doses`` and
``simulate reward-circuit``, in-process (typer's CliRunner)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rewardsim.cli import app
from rewardsim.models import person
from rewardsim.models.reward_circuit import CALIBRATED

runner = CliRunner()
WIDE = {"COLUMNS": "400"}  # one table row per line start, whatever the terminal
_KINDS = ("calibrated:", "assumed:", "derived:", "default:")


def run(*args: str):
    return runner.invoke(app, list(args), env=WIDE)


def test_models_lists_every_parameter_with_value_unit_and_source():
    res = run("models", "reward-circuit")
    assert res.exit_code == 0, res.output
    rows = {}
    for line in res.output.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 6 and cells[0]:
            rows[cells[0]] = cells
    m = person()
    for p in m.all_params:
        name, value, unit, _doc, source, _cv = rows[p.name]
        assert float(value) == pytest.approx(m.values[p.name], rel=1e-5, abs=1e-12), p.name
        assert unit, p.name
        assert source.startswith(_KINDS) or re.search(r"\b(19|20)\d\d\b", source), p.name
    for name in CALIBRATED:
        assert rows[name][4].startswith("calibrated:"), name


def test_calibrate_writes_values_with_their_data(tmp_path):
    out = tmp_path / "cal.json"
    res = run("calibrate", "--out", str(out))
    assert res.exit_code == 0, res.output
    record = json.loads(out.read_text())
    assert set(record["parameters"]) == set(CALIBRATED)
    g = record["parameters"]["G_PH"]
    assert "Fadda" in g["source"] and g["target"] == 470.0
    assert abs(g["simulated"] - 470.0) <= 30.7
    assert f"wrote {out}" in res.output


def test_calibrate_refuses_a_missing_folder(tmp_path):
    res = run("calibrate", "--out", str(tmp_path / "no" / "cal.json"))
    assert res.exit_code == 2
    assert "EventTableError: --out folder" in res.output


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_draws_png_or_svg(tmp_path, suffix):
    out = tmp_path / f"person{suffix}"
    res = run("plot", "--out", str(out), "--days", "2", "--step", "0.25")
    assert res.exit_code == 0, res.output
    head = out.read_bytes()[:200]
    assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in out.read_bytes()


def test_plot_refuses_bad_input(tmp_path):
    res = run("plot", "--out", str(tmp_path / "p.pdf"))
    assert res.exit_code == 2 and "--out must end in .png or .svg" in res.output
    res = run("plot", "--out", str(tmp_path / "p.png"), "--hypothesis", "calming")
    assert res.exit_code == 2
    assert "--hypothesis must be 'all' or one or more of anti_craving" in res.output


def test_person_doses_then_simulate_reward_circuit(tmp_path):
    doses, out = tmp_path / "doses.csv", tmp_path / "out.csv"
    res = run("person-doses", "--out", str(doses), "--cocaine", "100 mg daily for 2 days",
              "--baclofen", "20 mg tid for 2 days", "--n", "2")
    assert res.exit_code == 0, res.output
    data = pd.read_csv(doses)
    assert sorted(data["CMT"].unique().tolist()) == [2, 7]
    res = run("simulate", "reward-circuit", "--data", str(doses), "--out", str(out),
              "--no-iiv", "--times", "0:48:1", "--param", "EMAX_BAC_VTA=0")
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(out)
    assert frame["ID"].nunique() == 2 and {"DA_PCT", "CRAVING", "ANXIETY"} <= set(frame)
    assert np.all(np.isfinite(frame["DA_PCT"])) and frame["DA_PCT"].max() > 200.0
