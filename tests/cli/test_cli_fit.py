"""``rewardsim fit-trial`` and ``rewardsim trial --uncertainty posterior`` in-process."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rewardsim.cli import app
from rewardsim.inference._posterior import posterior_draws

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_fit_trial_writes_posterior_with_source(tmp_path):
    out = tmp_path / "fit.json"
    res = runner.invoke(app, ["fit-trial", str(EXAMPLES / "shoptaw-2003-targets.toml"),
                              "--hypothesis", "anti_anxiety", "--population", "10",
                              "--generations", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith(f"Wrote {out}: ")
    assert lines[1].startswith("e_anxiety: mean ") and lines[2].startswith("B_MU: mean ")
    rec = json.loads(out.read_text())
    assert rec["hypothesis"] == "anti_anxiety" and rec["parameters"] == ["e_anxiety", "B_MU"]
    assert rec["data_source"]["name"] == "Shoptaw et al. 2003"
    assert len(rec["particles"]["anti_anxiety"]["e_anxiety"]) == 10


def test_fit_trial_unknown_hypothesis(tmp_path):
    res = runner.invoke(app, ["fit-trial", str(EXAMPLES / "shoptaw-2003-targets.toml"),
                              "--hypothesis", "anti_stress", "--out", str(tmp_path / "f.json")])
    assert res.exit_code == 2
    assert res.output.strip() == ("TargetsError: Unknown hypothesis 'anti_stress'; valid: all, "
                                  "none, anti_craving, anti_anxiety, both.")
    assert not (tmp_path / "f.json").exists()


def test_trial_draws_each_replicate_from_the_posterior(tmp_path):
    out = tmp_path / "RUN"
    res = runner.invoke(app, ["trial", str(EXAMPLES / "shoptaw-2003.toml"), "--out", str(out),
                              "--replicates", "3", "--n", "6", "--uncertainty", "posterior"])
    assert res.exit_code == 0, res.output
    m = json.loads((out / "manifest.json").read_text())
    want = posterior_draws("anti_craving", 3, m["seed"]).to_dict(orient="records")
    assert m["efficacy"]["per_replicate"] == want
    assert m["efficacy"]["source"] == "posterior of anti_craving fitted to Shoptaw et al. 2003"
    assert len({r["e_craving"] for r in want}) > 1


def test_trial_uncertainty_refused(tmp_path):
    for extra, msg in (
        (["--hypothesis", "none"], "no fitted posterior for hypothesis 'none'"),
        (["--uncertainty", "bootstrap"], "--uncertainty must be 'none' or 'posterior'"),
    ):
        args = ["trial", str(EXAMPLES / "shoptaw-2003.toml"), "--out", str(tmp_path / "R"),
                "--uncertainty", "posterior", *extra]
        res = runner.invoke(app, args)
        assert res.exit_code == 2 and msg in res.output
        assert not (tmp_path / "R").exists()
