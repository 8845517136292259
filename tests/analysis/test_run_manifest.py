"""Run folders are checked on reading: a validated manifest, tables matching its row counts
and content hashes, typed columns. Each case here gave a traceback or was accepted by
`report` before issue 15."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rewardsim.analysis import load_run, query_run
from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.cli import app
from rewardsim.errors import AnalysisInputError
from rewardsim.io._runfolder import file_entry, seal_run

runner = CliRunner()


@pytest.fixture
def run(tmp_path):
    return write_synthetic_run(tmp_path / "run", n_per_arm=5, weeks=3, replicates=2, seed=2)


def _manifest(run):
    return json.loads((run / "manifest.json").read_text())


def _edit_manifest(run, change):
    m = _manifest(run)
    change(m)
    (run / "manifest.json").write_text(json.dumps(m))


def reseal(run):
    m = _manifest(run)
    del m["tables"]
    seal_run(run, m)


def _refused_everywhere(run, tmp_path, match):
    with pytest.raises(AnalysisInputError, match=match):
        load_run(run)
    with pytest.raises(AnalysisInputError, match=match):
        query_run(run, "SELECT count(*) FROM subjects")
    out = tmp_path / "report.html"
    res = runner.invoke(app, ["report", str(run), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("AnalysisInputError: ")
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_manifest_records_rows_bytes_and_hash_of_each_table(run):
    m = _manifest(run)
    assert set(m["tables"]) == {"subjects", "visits"}
    for name, entry in m["tables"].items():
        assert entry == file_entry(run / f"{name}.parquet")
    assert m["tables"]["subjects"]["rows"] == 2 * 2 * 5
    # 2 replicates x 10 people x (2 baseline + 3 treatment weeks) x 2 visits a week.
    assert m["tables"]["visits"]["rows"] == 2 * 10 * 5 * 2


@pytest.mark.parametrize(("change", "match"), [
    (lambda m: m["design"].update(weeks="3"), r"field 'design\.weeks': Input should be a valid "
                                              r"integer\. Got '3' instead"),
    (lambda m: m["design"].update(weeks=0), r"'design\.weeks': Input should be greater than or "
                                            r"equal to 1\. Got 0 instead"),
    (lambda m: m.update(replicates=True), r"'replicates': Input should be a valid integer"),
    (lambda m: m.update(replicates=0), r"'replicates': Input should be greater than or equal"),
    (lambda m: m["design"].update(arms=[{"name": "a"}, {"name": "a"}]),
     r"arm names must be unique; repeated: \['a'\]"),
    (lambda m: m["design"]["arms"][0].update(name=""), r"'design\.arms\.0\.name'"),
    (lambda m: m.pop("tables"), r"field 'tables': Field required"),
    (lambda m: m["tables"].pop("visits"), r"must list the tables \['subjects', 'visits'\]"),
    (lambda m: m["tables"]["subjects"].update(sha256="abc"), r"'tables\.subjects\.sha256'"),
    (lambda m: m.update(seed=-1), r"'seed': Input should be greater than or equal to 0"),
])  # fmt: skip
def test_bad_manifest_fields_are_named(run, tmp_path, change, match):
    _edit_manifest(run, change)
    _refused_everywhere(run, tmp_path, match)


def test_manifest_that_is_not_an_object(run, tmp_path):
    (run / "manifest.json").write_text("[1, 2]")
    _refused_everywhere(run, tmp_path, "must be a JSON object; got list")
    (run / "manifest.json").write_text('{"weeks": Infinity')
    _refused_everywhere(run, tmp_path, "Cannot read manifest.json")


def test_a_table_overwritten_after_the_run_is_refused(run, tmp_path):
    # What `COPY ... TO 'RUN/visits.parquet'` did through the earlier query tool: the same
    # schema, other rows.
    v = pd.read_parquet(run / "visits.parquet")
    v.iloc[:10].to_parquet(run / "visits.parquet", index=False)
    _refused_everywhere(run, tmp_path, r"visits\.parquet in .* bytes; manifest\.json says")


def test_a_table_with_the_same_size_but_other_content_is_refused(run, tmp_path):
    data = bytearray((run / "subjects.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of a page
    (run / "subjects.parquet").write_bytes(bytes(data))
    _refused_everywhere(run, tmp_path, "does not match the content hash in manifest.json")


def test_a_table_not_in_the_manifest_is_refused(run, tmp_path):
    pd.DataFrame({"replicate": [0], "id": [1], "day": [1], "time_h": [8.0], "amt_mg": [20.0],
                  "taken": [True]}).to_parquet(run / "doses.parquet")  # fmt: skip
    _refused_everywhere(run, tmp_path, "holds doses.parquet, which manifest.json does not list")


def test_replicates_beyond_the_manifest_are_refused(run, tmp_path):
    # A finished run of 1 replicate rerun with 2 and killed left subjects with replicates
    # {0, 1} beside a manifest saying 1; sealed or not, such a folder is refused.
    _edit_manifest(run, lambda m: m.update(replicates=1))
    _refused_everywhere(run, tmp_path, r"holds replicates 0 to 1, but manifest\.json says "
                                       r"replicates = 1")


@pytest.mark.parametrize(("table", "column", "values", "match"), [
    ("visits", "urine_positive", lambda v: v.astype(str), "'urine_positive' of run table "
     "'visits.parquet' must hold numbers; it holds text"),
    ("visits", "week", lambda v: v.astype(str), "'week' .* must hold integers; it holds text"),
    ("visits", "week", lambda v: v + 0.5, "'week' .* must hold integers; it holds numbers"),
    ("subjects", "completed", lambda v: v.astype(int), "'completed' .* must hold booleans"),
    ("subjects", "arm", lambda v: np.arange(len(v)), "'arm' .* must hold text"),
])  # fmt: skip
def test_columns_of_the_wrong_type_are_named(run, tmp_path, table, column, values, match):
    df = pd.read_parquet(run / f"{table}.parquet")
    df[column] = values(df[column])
    df.to_parquet(run / f"{table}.parquet", index=False)
    reseal(run)
    with pytest.raises(AnalysisInputError, match=match):
        load_run(run)
    res = runner.invoke(app, ["report", str(run), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1, res.output


def test_empty_subjects_table_is_refused(run, tmp_path):
    s = pd.read_parquet(run / "subjects.parquet")
    s.iloc[:0].to_parquet(run / "subjects.parquet", index=False)
    reseal(run)
    with pytest.raises(AnalysisInputError, match="'subjects.parquet' has no rows"):
        load_run(run)
    res = runner.invoke(app, ["report", str(run), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 2 and "has no rows" in res.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(("flag", "value", "match"), [
    ("--power-replicates", "0", "--power-replicates must be a positive integer. Got 0"),
    ("--seed", "-1", r"--seed must be a whole number in 0\.\.2\*\*64-1\. Got -1"),
])  # fmt: skip
def test_report_options_out_of_range(run, tmp_path, flag, value, match):
    res = runner.invoke(app, ["report", str(run), "--out", str(tmp_path / "r.html"), flag, value])
    assert res.exit_code == 2
    assert res.output.startswith("AnalysisInputError: ")
    assert len(res.output.strip().splitlines()) == 1
    assert re.search(match, res.output), res.output
    assert not (tmp_path / "r.html").exists()
