"""Run folders: the analysis layer's schema, chunking, resume after a kill, refusals."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from rewardsim.analysis import analyse_run, load_run, query_run
from rewardsim.analysis._run import REQUIRED_COLUMNS
from rewardsim.errors import AnalysisInputError, TrialDesignError
from rewardsim.report import build_report
from rewardsim.trial import _run as trial_run
from rewardsim.trial import design_hash, run_trial, simulate_trial

TABLES = ("subjects", "visits", "daily_use", "doses")


def _tables(root):
    return {name: pd.read_parquet(root / name) for name in TABLES}


@pytest.fixture(scope="module")
def small(flagship):
    return flagship.with_overrides(n_per_arm=13)


@pytest.fixture(scope="module")
def reference(small, tmp_path_factory):
    root = run_trial(small, tmp_path_factory.mktemp("ref") / "run", replicates=2,
                     chunk_size=26)
    return root, _tables(root)


def test_run_folder_follows_the_analysis_schema(reference, small):
    root, tables = reference
    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["manifest.json", *TABLES])  # no .chunks, no temporaries
    # One part per replicate and chunk of 26 patients, written once where it stays.
    for name in TABLES:
        assert sorted(p.name for p in (root / name).iterdir()) == [
            "part-r000000-c000000.parquet", "part-r000001-c000000.parquet"]
    for name, columns in REQUIRED_COLUMNS.items():
        assert list(tables[name].columns[: len(columns)]) == list(columns), name
    m = json.loads((root / "manifest.json").read_text())
    assert m["design_hash"] == design_hash(small, m["rewardsim_version"])
    assert m["seed"] == small.seed and m["hypothesis"] == "anti_craving"
    assert m["replicates"] == 2
    assert [a["n"] for a in m["design"]["arms"]] == [13, 13]
    assert m["rows"]["subjects"] == 2 * 26
    s = tables["subjects"]
    assert s.groupby("replicate").size().tolist() == [26, 26]
    assert s["arm"].value_counts().to_dict() == {"placebo": 26, "baclofen": 26}
    run = load_run(root)
    assert run.arms == ["placebo", "baclofen"] and run.replicates == [0, 1]
    # Different replicates are different trials.
    r0, r1 = (tables["visits"][tables["visits"]["replicate"] == r] for r in (0, 1))
    assert not r0["be_ng_ml"].reset_index(drop=True).equals(r1["be_ng_ml"].reset_index(
        drop=True))


def test_tables_do_not_depend_on_chunking(reference, small, tmp_path):
    _, expected = reference
    got = _tables(run_trial(small, tmp_path / "run", replicates=2, chunk_size=5))
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name])


def test_killed_run_resumes_to_the_same_tables(reference, small, tmp_path, monkeypatch):
    _, expected = reference
    root = tmp_path / "run"
    calls = []

    def kill_after_two_chunks(done, total):
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as if the process were killed here

    with pytest.raises(KeyboardInterrupt):
        run_trial(small, root, replicates=2, chunk_size=7, progress=kill_after_two_chunks)
    assert not (root / "manifest.json").exists()
    done = sorted(p.name for p in (root / ".chunks").glob("done-*"))
    assert done == ["done-r0-c0.json", "done-r0-c1.json"]
    assert not list(root.rglob(".*.tmp-*"))  # only whole files
    simulated = []
    real = trial_run.simulate_patients

    def counting(*args, **kw):
        if not kw.get("screen_only"):  # not the screening pass of randomisation
            simulated.append((args[2], int(args[3][0])))  # replicate, first patient id
        return real(*args, **kw)

    monkeypatch.setattr(trial_run, "simulate_patients", counting)
    run_trial(small, root, replicates=2, chunk_size=7)
    # 2 replicates x 4 chunks of 7, 6, ... patients; the 2 finished chunks are skipped.
    assert simulated == [(0, 15), (0, 22), (1, 1), (1, 8), (1, 15), (1, 22)]
    got = _tables(root)
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name])


def test_other_design_in_the_folder_is_refused(reference, small, tmp_path):
    root, _ = reference
    before = {p.name: p.stat().st_mtime_ns for p in root.iterdir()}
    with pytest.raises(TrialDesignError, match="holds a run of another design"):
        run_trial(small.with_overrides(seed=5), root, replicates=2)
    assert {p.name: p.stat().st_mtime_ns for p in root.iterdir()} == before
    # An unfinished run of another design too.
    part = tmp_path / "part"
    with pytest.raises(KeyboardInterrupt):
        run_trial(small, part, chunk_size=7,
                  progress=lambda d, t: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(TrialDesignError, match="unfinished run of another design"):
        run_trial(small.with_overrides(n_per_arm=14), part)
    with pytest.raises(TrialDesignError, match="replicates must be a positive integer"):
        run_trial(small, tmp_path / "x", replicates=0)
    assert not (tmp_path / "x").exists()


def test_report_reads_a_trial_run(reference, tmp_path):
    root, _ = reference
    analysis = analyse_run(root, power_replicates=2, imputations=2)
    assert analysis.arms == ["placebo", "baclofen"]
    assert analysis.flow["randomised"].tolist() == [13, 13]
    path = build_report(root, tmp_path / "report.html", power_replicates=2)
    html = path.read_text()
    assert "Baclofen 20 mg t.i.d. vs placebo" in html and "anti_craving" in html


def test_dataset_reads_back_the_tables_built_in_memory(reference, small):
    """Each chunk's tables are written once, as parts of a dataset; read back through
    load_run and query they are the tables the kernel's output was turned into (issue 14:
    no concatenation pass, text columns written from their codes)."""
    root, tables = reference
    run = load_run(root)
    for rep in (0, 1):
        mem = simulate_trial(small, replicate=rep)
        for name in TABLES:
            got = tables[name][tables[name]["replicate"] == rep].reset_index(drop=True)
            pd.testing.assert_frame_equal(got, mem[name], check_dtype=True)
    pd.testing.assert_frame_equal(run.subjects, tables["subjects"])
    pd.testing.assert_frame_equal(run.optional["doses"], tables["doses"])
    n = query_run(root, "SELECT replicate, count(*) AS n FROM visits GROUP BY replicate "
                        "ORDER BY replicate")
    assert n["n"].tolist() == tables["visits"].groupby("replicate").size().tolist()


def test_an_added_or_missing_part_is_refused(reference, tmp_path):
    root = tmp_path / "run"
    shutil.copytree(reference[0], root)
    extra = root / "visits" / "part-r000002-c000000.parquet"
    shutil.copy(root / "visits" / "part-r000000-c000000.parquet", extra)
    with pytest.raises(AnalysisInputError, match=r"holds visits/part-r000002-c000000\.parquet"
                                                 r", which manifest\.json does not list"):
        load_run(root)
    extra.unlink()
    (root / "subjects" / "part-r000001-c000000.parquet").unlink()
    with pytest.raises(AnalysisInputError, match=r"has no subjects/part-r000001-c000000\."
                                                 r"parquet, which manifest\.json lists"):
        query_run(root, "SELECT 1")
