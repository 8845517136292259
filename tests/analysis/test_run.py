"""Run folders: loading, checks that name the missing piece, and SQL with DuckDB."""

import json

import pandas as pd
import pytest

from rewardsim.analysis import load_run, query_run
from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.errors import AnalysisInputError
from rewardsim.io._runfolder import seal_run


@pytest.fixture
def run(tmp_path):
    return write_synthetic_run(tmp_path / "run", n_per_arm=7, weeks=3, replicates=2, seed=1)


def test_load_run(run):
    r = load_run(run)
    assert r.arms == ["placebo", "active"]
    assert r.weeks == 3
    assert r.replicates == [0, 1]
    assert len(r.subjects) == 2 * 2 * 7
    assert r.optional == {}


@pytest.mark.parametrize("table", ["manifest.json", "subjects.parquet", "visits.parquet"])
def test_missing_table_is_named(run, table):
    (run / table).unlink()
    with pytest.raises(AnalysisInputError, match=f"has no {table}"):
        load_run(run)


def reseal(run):
    """Seal the folder's current tables into its manifest (as a writer of the run would)."""
    m = json.loads((run / "manifest.json").read_text())
    del m["tables"]
    seal_run(run, m)


def test_missing_column_is_named(run):
    v = pd.read_parquet(run / "visits.parquet").drop(columns=["craving"])
    v.to_parquet(run / "visits.parquet")
    reseal(run)
    with pytest.raises(
        AnalysisInputError, match=r"'visits.parquet' is missing column\(s\) \['craving'\]"
    ):
        load_run(run)


def test_bad_manifest(run):
    m = json.loads((run / "manifest.json").read_text())
    m["design"]["arms"] = []
    (run / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(AnalysisInputError, match="design.arms"):
        load_run(run)
    (run / "manifest.json").write_text("{not json")
    with pytest.raises(AnalysisInputError, match="Cannot read manifest.json"):
        load_run(run)


def test_query_run(run):
    out = query_run(run, "SELECT arm, count(*) AS n FROM subjects GROUP BY arm ORDER BY arm")
    # 7 per arm in each of 2 replicates.
    assert out.to_dict("list") == {"arm": ["active", "placebo"], "n": [14, 14]}
    visits = query_run(run, "SELECT count(*) AS n FROM visits WHERE replicate = 0")
    # 2 arms x 7 people x (2 baseline + 3 treatment weeks) x 2 visits per week.
    assert visits["n"].item() == 2 * 7 * 5 * 2


def test_query_errors(run, tmp_path):
    with pytest.raises(AnalysisInputError, match=r"SQL failed: .*Tables: subjects, visits\."):
        query_run(run, "SELECT * FROM nonexistent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AnalysisInputError, match="has no manifest.json: the run did not finish"):
        query_run(tmp_path / "empty", "SELECT 1")
