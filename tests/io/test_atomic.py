"""The atomic-write helper: whole files or nothing, I/O errors as one line naming the path."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from rewardsim.errors import OutputError, RewardsimError
from rewardsim.io import _atomic
from rewardsim.io._atomic import (
    atomic_open,
    atomic_path,
    atomic_write_json,
    atomic_write_text,
    check_output_path,
    is_temporary,
    make_folder,
    output_error,
)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "first\n")
    atomic_write_text(target, "second\n")
    assert target.read_text() == "second\n"
    assert _names(tmp_path) == ["out.txt"]


def test_error_in_the_writer_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt), atomic_open(target) as fh:
        fh.write("half a li")
        raise KeyboardInterrupt  # as if the process were interrupted mid-write
    assert target.read_text() == "old\n"
    assert _names(tmp_path) == ["out.txt"]


def test_full_disk_is_one_line_naming_the_path(tmp_path, monkeypatch):
    # ENOSPC surfacing when the data reach the disk (fsync), after the writer finished.
    def full(path, *, folder=False):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_atomic, "_fsync_path", full)
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(OutputError) as info:
        atomic_write_text(target, "new content\n", what="report")
    assert str(info.value) == (
        f"Cannot write report {str(target)!r}: no space left on the device; free some space "
        "or write elsewhere.")
    assert isinstance(info.value, OSError) and isinstance(info.value, RewardsimError)
    assert target.read_text() == "old\n"
    assert _names(tmp_path) == ["out.txt"]


def test_read_only_folder_fails_before_any_work(tmp_path, monkeypatch):
    def read_only(path):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(_atomic, "_create", read_only)
    target = tmp_path / "out.parquet"
    entered = []
    with pytest.raises(OutputError, match="the file system is read-only"):
        with atomic_path(target, what="data set"):
            entered.append(True)
    assert entered == []
    with pytest.raises(OutputError, match=r"Cannot write data set .*out\.parquet.*read-only"):
        check_output_path(target, what="data set")
    assert _names(tmp_path) == []


def test_path_that_is_a_folder_or_in_a_missing_folder(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    for call in (lambda p: atomic_write_text(p, "x"), lambda p: check_output_path(p)):
        with pytest.raises(OutputError, match=r"dir\.csv': the path is a folder; give a file"):
            call(tmp_path / "dir.csv")
        with pytest.raises(OutputError, match="the folder .*missing.* does not exist"):
            call(tmp_path / "missing" / "x.csv")
    assert _names(tmp_path) == ["dir.csv"]
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="the path is a file, not a folder"):
        make_folder(tmp_path / "file")


def test_pyarrow_style_errors_are_recognised(tmp_path):
    # pyarrow raises OSError without errno, the errno inside its message.
    exc = OSError("[Errno 28] Error writing bytes to file. Detail: [errno 28] No space left")
    assert "no space left on the device" in str(output_error(tmp_path / "t.parquet", exc))
    other = output_error(tmp_path / "t", OSError("strange\nsecond line"))
    assert str(other) == f"Cannot write output {str(tmp_path / 't')!r}: strange."


def test_json_refuses_non_finite_numbers(tmp_path):
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        atomic_write_json(tmp_path / "m.json", {"share": float("inf")})
    assert _names(tmp_path) == []
    atomic_write_json(tmp_path / "m.json", {"share": 0.5})
    assert (tmp_path / "m.json").read_text() == '{\n  "share": 0.5\n}\n'


def test_temporary_names_are_recognisable(tmp_path):
    seen = []
    with atomic_path(tmp_path / "visits.parquet") as tmp:
        seen.append(tmp.name)
    assert is_temporary(seen[0]) and seen[0].startswith(".visits.parquet.")
    assert not is_temporary("visits.parquet") and not is_temporary(".hidden.tmp")
