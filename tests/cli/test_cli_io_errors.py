"""I/O failures in every command that writes: one line naming the path, exit code 2,
nothing partial left (issue 15: tracebacks in all five commands, and partial or truncated
files from `endpoints`, `query` and `report` on a full disk).

A read-only folder and a full disk are simulated at the atomic-write helper's two system
calls (creating the temporary file; flushing it to disk), which every writer goes through.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.cli import app
from rewardsim.io import _atomic

runner = CliRunner()
FLAGSHIP = Path(__file__).resolve().parents[2] / "examples" / "baclofen-cocaine.toml"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    words = folder / "words.csv"
    words.write_text("who,usePatternUDS\n1,+-o-\n2,----\n")
    run = write_synthetic_run(folder / "run", n_per_arm=12, weeks=4, replicates=2, seed=3)
    return {"words": words, "run": run}


def _commands(inputs, out: Path) -> dict[str, list[str]]:
    return {
        "simulate": ["simulate", "pk1cmt", "--dose", "1 mg once", "--times", "0:4:1",
                     "--out", str(out.with_suffix(".parquet"))],
        "endpoints": ["endpoints", str(inputs["words"]), "--out", str(out.with_suffix(".csv"))],
        "query": ["query", str(inputs["run"]), "SELECT * FROM visits", "--out",
                  str(out.with_suffix(".csv"))],
        "report": ["report", str(inputs["run"]), "--out", str(out.with_suffix(".html")),
                   "--power-replicates", "1"],
        "trial": ["trial", str(FLAGSHIP), "--out", str(out.with_suffix("")), "--n", "2"],
    }  # fmt: skip


COMMANDS = ["simulate", "endpoints", "query", "report", "trial"]


def _one_line(res) -> str:
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, res.output
    assert "Traceback" not in res.output
    return lines[0]


def _left(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("command", COMMANDS)
def test_read_only_folder(inputs, tmp_path, monkeypatch, command):
    def read_only(path):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(_atomic, "_create", read_only)
    args = _commands(inputs, tmp_path / "out")[command]
    line = _one_line(runner.invoke(app, args))
    assert line.startswith("OutputError: Cannot write ") and "read-only" in line
    assert str(tmp_path / "out") in line
    # No file at all (the run's folders may exist: creating them was not refused here).
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("command", COMMANDS)
def test_full_disk(inputs, tmp_path, monkeypatch, command):
    def full(path, *, folder=False):
        if not folder:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_atomic, "_fsync_path", full)
    out = tmp_path / "out"
    args = _commands(inputs, out)[command]
    target = Path(args[args.index("--out") + 1])
    if command != "trial":
        target.write_text("previous result\n")
    line = _one_line(runner.invoke(app, args))
    assert line.startswith("OutputError: Cannot write ") and "no space left" in line
    if command == "trial":  # an unfinished run: no manifest, no temporary or lock files
        assert not (target / "manifest.json").exists()
        assert [n for n in _left(target) if not n.startswith(".chunks")] == []
        assert not [n for n in _left(target) if n.endswith(".tmp")]
    else:
        assert target.read_text() == "previous result\n"  # untouched, not truncated
        assert _left(tmp_path) == [target.name]


@pytest.mark.parametrize("command", ["simulate", "endpoints", "query", "report"])
def test_output_path_is_a_folder(inputs, tmp_path, command):
    args = _commands(inputs, tmp_path / "out")[command]
    target = Path(args[args.index("--out") + 1])
    target.mkdir()
    line = _one_line(runner.invoke(app, args))
    assert line == (f"OutputError: Cannot write {_what(command)} {str(target)!r}: the path is a "
                    "folder; give a file name.")
    assert _left(tmp_path) == [target.name]


def _what(command: str) -> str:
    return {"simulate": "simulation output", "endpoints": "endpoint table",
            "query": "query result", "report": "report"}[command]  # fmt: skip


def test_trial_output_that_is_a_file(tmp_path):
    out = tmp_path / "RUN"
    out.write_text("not a folder")
    line = _one_line(runner.invoke(app, ["trial", str(FLAGSHIP), "--out", str(out)]))
    assert "exists and is not a folder" in line
    assert out.read_text() == "not a folder"
