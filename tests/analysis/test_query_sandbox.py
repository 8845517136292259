"""`query` reads the run's tables and nothing else: no writes, files, network or extensions.

Each refused statement below ran on the earlier query tool (issue 15): COPY wrote files
anywhere, including over the run's own visits.parquet; read_text, read_csv and glob read
and listed outside the run folder; ATTACH created database files; INSTALL and URLs tried
the network.
"""

from __future__ import annotations

import hashlib

import pytest
from typer.testing import CliRunner

from rewardsim.analysis import load_run, query_run
from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.cli import app
from rewardsim.errors import AnalysisInputError

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return write_synthetic_run(tmp_path_factory.mktemp("q") / "run", n_per_arm=4, weeks=2,
                               seed=5)


def _snapshot(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def _refused(run, tmp_path, sql):
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.csv").write_text("a,b\n1,2\n")
    before_run, before_out = _snapshot(run), _snapshot(outside)
    sql = sql.format(run=run, out=outside)
    with pytest.raises(AnalysisInputError, match=r"^SQL failed: .*(Permission|locked)") as info:
        query_run(run, sql)
    assert "\n" not in str(info.value)
    assert _snapshot(run) == before_run and _snapshot(outside) == before_out
    return str(info.value)


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1 AS x) TO '{out}/written.csv'",
    "COPY (SELECT * FROM visits LIMIT 1) TO '{run}/visits.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{out}/export'",
    "SELECT * FROM read_text('{out}/secret.csv')",
    "SELECT * FROM read_csv('{out}/secret.csv')",
    "SELECT * FROM read_blob('{out}/secret.csv')",
    "SELECT * FROM glob('{out}/*')",
    "SELECT * FROM read_parquet('{run}/subjects.parquet')",
    "SELECT * FROM '{out}/secret.csv'",
    "ATTACH '{out}/new.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SELECT * FROM read_csv('https://example.org/data.csv')",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "SELECT 1; COPY (SELECT 1) TO '{out}/second.csv'",
])  # fmt: skip
def test_writes_files_network_and_extensions_are_refused(run, tmp_path, sql):
    _refused(run, tmp_path, sql)
    assert len(load_run(run).subjects) == 8  # the run still matches its manifest


def test_the_run_tables_are_readable(run):
    out = query_run(run, "SELECT arm, count(*) AS n FROM subjects GROUP BY arm ORDER BY arm")
    assert out.to_dict("list") == {"arm": ["active", "placebo"], "n": [4, 4]}
    # In-memory scratch objects are allowed and vanish with the connection.
    assert query_run(run, "CREATE TABLE t AS SELECT 1 AS a; SELECT a FROM t")["a"].tolist() == [1]
    with pytest.raises(AnalysisInputError, match="Table with name t does not exist"):
        query_run(run, "SELECT a FROM t")


@pytest.mark.parametrize("sql", ["", "   ", " ; ", "\n;\n"])
def test_empty_sql_is_one_line(run, sql):
    with pytest.raises(AnalysisInputError, match="^The SQL is empty; give a query such as"):
        query_run(run, sql)
    res = runner.invoke(app, ["query", str(run), sql])
    assert res.exit_code == 2
    assert res.output.startswith("AnalysisInputError: The SQL is empty")
    assert len(res.output.strip().splitlines()) == 1


def test_odd_file_names_in_the_folder_are_ignored(tmp_path):
    run = write_synthetic_run(tmp_path / "run", n_per_arm=3, weeks=2, seed=1)
    for name in ("select.parquet", "my table.parquet", "1.parquet", "x'; DROP.parquet"):
        (run / name).write_bytes((run / "subjects.parquet").read_bytes())
    res = runner.invoke(app, ["query", str(run), "SELECT count(*) AS n FROM subjects"])
    assert res.exit_code == 0, res.output
    assert res.output == "n\n6\n"
    with pytest.raises(AnalysisInputError, match="Catalog Error.*Tables: subjects, visits"):
        query_run(run, 'SELECT * FROM "select"')


def test_cli_refusal_is_one_line_and_writes_nothing(run, tmp_path):
    target = tmp_path / "x.csv"
    res = runner.invoke(app, ["query", str(run), f"COPY (SELECT 1) TO '{target}'"])
    assert res.exit_code == 2
    assert res.output.startswith("AnalysisInputError: SQL failed: Permission Error")
    assert len(res.output.strip().splitlines()) == 1
    assert not target.exists()
