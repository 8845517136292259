"""Running a space: identical answers on 1 and 2 threads and on a 2-worker Dask cluster;
user rules; nothing written when a rule fails; the output folder and the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from rewardsim.cli import app
from rewardsim.design import discriminate
from rewardsim.errors import DesignSpaceError

from .conftest import EXAMPLES, make_space

TABLES = ("designs", "performance", "confusion", "curves", "power", "ranking")
HERE = __import__("pathlib").Path(__file__).resolve().parent


def _tiny(**changes):
    base = {"replicates": 6, "curve_n_per_arm": [6],
            "hypotheses": ["anti_craving", "anti_anxiety"],
            "factors": {"arms": [["placebo", "baclofen"]], "n_per_arm": [6, 8],
                        "measures": ["base"]}}
    base.update(changes)
    return make_space(**base)


def _same(a, b):
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


@pytest.mark.slow
def test_same_answer_on_one_and_two_threads_and_a_local_cluster():
    from distributed import Client, LocalCluster

    space = _tiny()
    one = discriminate(space, n_threads=1, chunk=4)
    _same(one, discriminate(space, n_threads=2, chunk=2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        _same(one, discriminate(space, client=client, chunk=3))
    assert one.manifest["patients_simulated"] > 0


def test_seed_override():
    space = _tiny()
    a = discriminate(space, seed=11, n_threads=2)
    _same(a, discriminate(space.with_replicates(seed=11), n_threads=1))
    b = discriminate(space, n_threads=2)
    assert not a.confusion["count"].equals(b.confusion["count"])
    assert a.manifest["seed"] == 11 and b.manifest["seed"] == space.seed


def test_user_rule_from_python_counts_its_own_decisions():
    # The confusion matrix of a user rule counts what the rule says of each trial, which
    # the rule applied by hand to the same simulated trials gives.
    from rewardsim.design._simulate import Plan

    from .rules_for_tests import anxiety_lower

    space = make_space(replicates=5, curve_n_per_arm=[6], hypotheses=["anti_anxiety", "none"],
                       factors={"arms": [["placebo", "baclofen"]], "n_per_arm": [6]},
                       rules=["synthetic_likelihood"])
    res = discriminate(space, rules={"python rule": anxiety_lower}, n_threads=1)
    assert set(res.performance["rule"]) == {"synthetic_likelihood", "python rule"}
    plan = Plan(space)
    counts: dict[tuple[str, str], int] = {}
    for h, truth in enumerate(space.labels):
        for r in range(5):
            named = anxiety_lower(plan.simulate(h, r)[0][0])[0]
            counts[(truth, named)] = counts.get((truth, named), 0) + 1
    c = res.confusion[res.confusion["rule"] == "python rule"]
    got = {(t, n): k for t, n, k in zip(c["truth"], c["named"], c["count"], strict=True) if k}
    assert got == counts


def test_rule_file_relative_to_the_space_file(tmp_path):
    space = tmp_path / "space.toml"
    (tmp_path / "rules.py").write_text((HERE / "rules_for_tests.py").read_text())
    space.write_text(
        f'name = "s"\nbase = "{(EXAMPLES / "baclofen-cocaine.toml").as_posix()}"\n'
        'replicates = 4\ncurve_n_per_arm = [5]\nhypotheses = ["anti_anxiety", "none"]\n'
        'rules = ["rules.py:anxiety_lower"]\n[factors]\nn_per_arm = [5]\n')
    res = CliRunner().invoke(app, ["discriminate", str(space), "--out", str(tmp_path / "o"),
                                   "--threads", "1"])
    assert res.exit_code == 0, res.output
    perf = pd.read_csv(tmp_path / "o" / "performance.csv")
    assert list(perf["rule"]) == ["rules.py:anxiety_lower"]


def test_a_rule_that_returns_no_decision_is_refused_and_nothing_written(tmp_path):
    from .rules_for_tests import undecided

    out = tmp_path / "OUT"
    with pytest.raises(DesignSpaceError, match="Rule 'undecided' returned no decision"):
        discriminate(_tiny(), out, rules={"undecided": undecided}, n_threads=1)
    assert not out.exists()


def test_a_rule_that_fails_is_named(tmp_path):
    from .rules_for_tests import broken

    out = tmp_path / "OUT"
    with pytest.raises(DesignSpaceError, match="Rule 'broken' failed on a trial: KeyError"):
        discriminate(_tiny(), out, rules={"broken": broken}, n_threads=1)
    assert not out.exists()


def test_output_folder(tmp_path):
    out = tmp_path / "OUT"
    res = discriminate(_tiny(), out, n_threads=2)
    assert {p.name for p in out.iterdir()} == {f"{t}.csv" for t in TABLES} | {
        "report.html", "manifest.json"}
    m = json.loads((out / "manifest.json").read_text())
    assert m["replicates"] == 6 and [h["label"] for h in m["hypotheses"]] == [
        "anti_craving", "anti_anxiety"]
    # Efficacy drawn from the shipped posteriors: inside [0, 1], not all equal.
    e = m["hypotheses"][0]["e_craving"]
    assert 0.0 <= e["min"] < e["max"] <= 1.0
    r = pd.read_csv(out / "ranking.csv")
    assert list(r["rank"]) == [1, 2] and set(r["design"]) == {"D01", "D02"}
    # The confusion matrix of each design and rule: every trial named once.
    c = res.confusion.groupby(["design", "rule", "truth"])["count"].sum()
    assert (c == 6).all()


def test_cli_bad_input_exit_2_one_line_nothing_written(tmp_path):
    space = tmp_path / "space.toml"
    space.write_text(f'name = "s"\nbase = "{(EXAMPLES / "baclofen-cocaine.toml").as_posix()}"\n'
                     '[factors]\nwoks = [12]\n')
    out = tmp_path / "OUT"
    res = CliRunner().invoke(app, ["discriminate", str(space), "--out", str(out)])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert lines == ["DesignSpaceError: Unknown factor 'woks'; valid factors: arms, n_per_arm, "
                     "weeks, enrichment, measures."]
    assert not out.exists()
