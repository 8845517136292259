"""Run folders cannot be left inconsistent (issue 15): one writer at a time, leftovers of
killed runs removed on resume, the manifest written last with the tables' row counts and
hashes, and a rerun with another number of replicates unsealing the folder first.

Before: a finished run rerun with 2 replicates and killed kept a manifest saying 1 beside
tables holding 2, and report and query accepted it; two runs into one folder crashed
(FileNotFoundError) and left temporary files; killed runs left ``.<table>.tmp-PID`` files
and a ``.chunks`` folder behind.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from rewardsim.analysis import load_run
from rewardsim.cli import app
from rewardsim.errors import AnalysisInputError, OutputError
from rewardsim.io import _atomic
from rewardsim.io._runfolder import file_entry
from rewardsim.trial import _run as trial_run
from rewardsim.trial import run_trial
from rewardsim.trial._folder import FolderLock

TABLES = ("subjects", "visits", "daily_use", "doses")
FINISHED = sorted(["manifest.json", *TABLES])
runner = CliRunner()


def _tables(root):
    return {name: pd.read_parquet(root / name) for name in TABLES}


def _kill_after(chunks):
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == chunks:
            raise KeyboardInterrupt  # as if the process were killed here

    return progress


def _no_simulation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a finished run was simulated again")

    monkeypatch.setattr(trial_run, "simulate_patients", refuse)


@pytest.fixture(scope="module")
def small(flagship):
    return flagship.with_overrides(n_per_arm=6)


@pytest.fixture(scope="module")
def reference(small, tmp_path_factory):
    root = run_trial(small, tmp_path_factory.mktemp("ref") / "run", replicates=2,
                     chunk_size=12)
    return _tables(root)


def test_manifest_seals_every_table(small, tmp_path):
    root = run_trial(small, tmp_path / "run", chunk_size=5)
    assert sorted(p.name for p in root.iterdir()) == FINISHED  # no lock, chunks, temporaries
    text = (root / "manifest.json").read_text()
    m = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in manifest.json"))
    assert sorted(m["tables"]) == sorted(TABLES)
    for name in TABLES:
        # 6 x 2 patients in chunks of 5: three parts, each listed with its rows and hash.
        parts = sorted((root / name).iterdir())
        assert [p.name for p in parts] == [f"part-r000000-c00000{c}.parquet" for c in range(3)]
        entry = m["tables"][name]
        assert entry["parts"] == [{"file": f"{name}/{p.name}", **file_entry(p)} for p in parts]
        assert entry["rows"] == m["rows"][name] == sum(e["rows"] for e in entry["parts"])
        assert entry["bytes"] == sum(p.stat().st_size for p in parts)


def test_a_second_writer_is_refused(small, tmp_path):
    root = tmp_path / "run"
    root.mkdir()
    with FolderLock(root):  # another run writing the folder
        with pytest.raises(OutputError, match=r"is being written by another rewardsim "
                                              r"process \(pid \d+\); wait for it"):
            run_trial(small, root)
        res = runner.invoke(app, ["trial", str(_flagship_path()), "--out", str(root),
                                  "--n", "6"])  # fmt: skip
        assert res.exit_code == 2 and "OutputError: Run folder" in res.output
        assert len(res.output.strip().splitlines()) == 1
        assert sorted(p.name for p in root.iterdir()) == [".lock"]
    run_trial(small, root)  # the lock of a finished (or killed) writer does not block
    assert sorted(p.name for p in root.iterdir()) == FINISHED


def _flagship_path():
    return Path(__file__).resolve().parents[2] / "examples" / "baclofen-cocaine.toml"


def test_leftovers_of_a_killed_run_are_removed_on_resume(small, reference, tmp_path):
    root = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        run_trial(small, root, replicates=2, chunk_size=5, progress=_kill_after(2))
    planted = [root / ".subjects.parquet.tmp-4242", root / ".visits.parquet.0123456789abcdef.tmp",
               root / ".chunks" / ".visits-r0-c2.parquet.tmp-4242",
               root / "visits" / ".part-r000000-c000002.parquet.0123456789abcdef.tmp"]  # fmt: skip
    for p in planted:
        p.write_bytes(b"half a file")
    run_trial(small, root, replicates=2, chunk_size=5)
    assert sorted(p.name for p in root.iterdir()) == FINISHED
    for name, table in _tables(root).items():
        pd.testing.assert_frame_equal(table, reference[name])


def test_finished_run_with_leftovers_is_tidied_without_simulating(small, tmp_path,
                                                                  monkeypatch):
    root = run_trial(small, tmp_path / "run", chunk_size=5)
    (root / ".chunks").mkdir()
    (root / ".chunks" / "subjects-r0-c0.parquet").write_bytes(b"x" * 1000)
    (root / ".doses.parquet.tmp-99").write_bytes(b"x")
    (root / "doses" / ".part-r000000-c000001.parquet.0123456789abcdef.tmp").write_bytes(b"x")
    _no_simulation(monkeypatch)
    run_trial(small, root, chunk_size=5)
    assert sorted(p.name for p in root.iterdir()) == FINISHED


def test_rerun_with_more_replicates_killed_leaves_an_unfinished_folder(small, reference,
                                                                      tmp_path):
    root = run_trial(small, tmp_path / "run", replicates=1, chunk_size=12)
    with pytest.raises(KeyboardInterrupt):
        run_trial(small, root, replicates=2, chunk_size=12, progress=_kill_after(1))
    assert not (root / "manifest.json").exists()
    with pytest.raises(AnalysisInputError, match="has no manifest.json: the run did not "
                                                 "finish"):
        load_run(root)
    res = runner.invoke(app, ["query", str(root), "SELECT count(*) FROM subjects"])
    assert res.exit_code == 2 and "the run did not finish" in res.output
    run_trial(small, root, replicates=2, chunk_size=12)
    assert load_run(root).replicates == [0, 1]
    for name, table in _tables(root).items():
        pd.testing.assert_frame_equal(table, reference[name])


def test_full_disk_mid_run_leaves_no_partial_file(small, reference, tmp_path, monkeypatch):
    root = tmp_path / "run"
    real = _atomic._fsync_path
    writes = []

    def fills_up(path, *, folder=False):
        if not folder:
            writes.append(path)
            if len(writes) == 6:
                raise OSError(errno.ENOSPC, "No space left on device")
        real(path, folder=folder)

    monkeypatch.setattr(_atomic, "_fsync_path", fills_up)
    with pytest.raises(OutputError, match="no space left on the device"):
        run_trial(small, root, replicates=2, chunk_size=12)
    assert not (root / "manifest.json").exists()
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp") or p.name == ".lock"]
    monkeypatch.setattr(_atomic, "_fsync_path", real)  # space freed: resume
    run_trial(small, root, replicates=2, chunk_size=12)
    for name, table in _tables(root).items():
        pd.testing.assert_frame_equal(table, reference[name])


def test_read_only_folder_is_one_line(tmp_path, monkeypatch):
    def read_only(path):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(_atomic, "_create", read_only)
    out = tmp_path / "RUN"
    res = runner.invoke(app, ["trial", str(_flagship_path()), "--out", str(out), "--n", "2"])
    assert res.exit_code == 2
    (line,) = res.output.strip().splitlines()
    assert line.startswith("OutputError: Cannot write run state ")
    assert "the file system is read-only" in line
    assert not (out / "manifest.json").exists()
