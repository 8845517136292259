"""``rewardsim trial`` in-process (typer's CliRunner): the flagship command, overrides,
replicates, and bad input (exit 2, one line naming the field, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from rewardsim.cli import app

runner = CliRunner()
FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "baclofen-cocaine.toml"


def run(*args: str):
    return runner.invoke(app, list(args))


def test_flagship_command_then_report(tmp_path):
    out = tmp_path / "RUN"
    res = run("trial", str(FLAGSHIP), "--out", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout.strip().splitlines()[-1] == (
        f"Wrote {out}: 1 trial(s) of 16 weeks; placebo 35, baclofen 35 per trial.")
    s = pd.read_parquet(out / "subjects")
    assert len(s) == 70 and set(s["arm"]) == {"placebo", "baclofen"}
    v = pd.read_parquet(out / "visits")
    assert len(v) == 70 * 18 * 3  # Mon/Wed/Fri over 2 baseline + 16 treatment weeks
    m = json.loads((out / "manifest.json").read_text())
    assert m["replicates"] == 1 and m["hypothesis"] == "anti_craving"
    res = run("report", str(out), "--out", str(tmp_path / "report.html"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report.html").stat().st_size > 10_000


def test_replicates_n_seed_hypothesis(tmp_path):
    out = tmp_path / "RUN"
    # --n is the total randomised, as allocation.n in the design file: 8 = 4 per arm.
    res = run("trial", str(FLAGSHIP), "--out", str(out), "--replicates", "3", "--n", "8",
              "--seed", "7", "--hypothesis", "anti_anxiety")
    assert res.exit_code == 0, res.output
    s = pd.read_parquet(out / "subjects")
    assert s.groupby("replicate").size().to_dict() == {0: 8, 1: 8, 2: 8}
    m = json.loads((out / "manifest.json").read_text())
    assert (m["seed"], m["hypothesis"], m["replicates"]) == (7, "anti_anxiety", 3)


def test_bad_design_exits_2_naming_the_field_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(FLAGSHIP.read_text().replace("weeks = 16", "weeks = -16"))
    out = tmp_path / "RUN"
    res = run("trial", str(bad), "--out", str(out))
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "TrialDesignError: Design field 'weeks': Input should be greater than or equal to 1. "
        "Got -16 instead."]
    assert not out.exists()
    bad.write_text("colour = 'blue'\n" + FLAGSHIP.read_text())
    res = run("trial", str(bad), "--out", str(out))
    assert res.exit_code == 2 and "Unknown design field 'colour'" in res.output
    for args, match in ((["--n", "0"], "--n override must be a positive integer"),
                        (["--replicates", "0"], "--replicates must be a positive integer"),
                        (["--hypothesis", "magic"], "unknown hypothesis 'magic'")):
        res = run("trial", str(FLAGSHIP), "--out", str(out), *args)
        assert res.exit_code == 2 and match in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()
