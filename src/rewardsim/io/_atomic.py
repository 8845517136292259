"""Atomic output files: the one way rewardsim writes a file.

Every output goes to a temporary file in the destination folder (same file system, so the
final :func:`os.replace` is atomic), is flushed to disk with ``fsync`` and then replaces
the destination in one step. A reader sees the old file or the new one, never a half
written one; on any error the temporary file is removed and nothing partial is left.
I/O failures (read-only folder, full disk, a destination that is a folder) become one
:class:`~rewardsim.errors.OutputError` naming the path.

Temporary files are named ``.<name>.<16 hex digits>.tmp`` (:func:`is_temporary`), so that
a folder owner (the trial layer) can recognise and remove those of a killed process.
"""

from __future__ import annotations

import errno
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError

__all__ = [
    "atomic_open", "atomic_path", "atomic_write_bytes", "atomic_write_json",
    "atomic_write_text", "check_output_path", "is_temporary", "make_folder", "output_error",
]  # fmt: skip

_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{16}\.tmp$")
_ERRNO_IN_TEXT = re.compile(r"\[errno (\d+)\]", re.IGNORECASE)
_REASONS = {
    errno.ENOSPC: "no space left on the device; free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is exceeded; free some space or write elsewhere",
    errno.EROFS: "the file system is read-only; choose a folder you can write to",
    errno.EACCES: "permission denied; choose a folder you can write to",
    errno.EPERM: "permission denied; choose a folder you can write to",
    errno.EISDIR: "the path is a folder; give a file name",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENOENT: "the folder does not exist; create it first",
    errno.ENAMETOOLONG: "the file name is too long",
}


def is_temporary(name: str) -> bool:
    """Whether ``name`` is a temporary file of :func:`atomic_path`."""
    return _TEMPORARY.match(name) is not None


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:16]}.tmp")


def _errno(exc: OSError) -> int | None:
    if exc.errno is not None:
        return exc.errno
    found = _ERRNO_IN_TEXT.search(str(exc))  # pyarrow puts the errno in its message
    return int(found.group(1)) if found else None


def output_error(path: str | os.PathLike[str], exc: OSError, what: str = "output") -> OutputError:
    """The one-line :class:`OutputError` for an ``OSError`` met while writing ``path``."""
    if isinstance(exc, OutputError):
        return exc
    reason = _REASONS.get(_errno(exc) or -1)
    if reason is None:
        text = exc.strerror or str(exc).strip() or type(exc).__name__
        reason = text.splitlines()[0].rstrip(".")
    return OutputError(f"Cannot write {what} {str(path)!r}: {reason}.")


def _folder_of(path: Path, what: str) -> Path:
    if path.is_dir():
        raise OutputError(
            f"Cannot write {what} {str(path)!r}: the path is a folder; give a file name.")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(
            f"Cannot write {what} {str(path)!r}: the folder {str(folder)!r} does not exist; "
            f"create it first.")
    return folder


def _create(path: Path) -> None:
    """Create an empty new file (the temporary file, before its writer opens it)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))


def _fsync_path(path: Path, *, folder: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if folder else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_output_path(path: str | os.PathLike[str], *, what: str = "output") -> Path:
    """Refuse, before any work, an output that cannot be written.

    Checks that ``path`` is not a folder, that its folder exists, and that a file can be
    created there (a probe file is created and removed at once).

    Raises
    ------
    OutputError
        Naming the path and the reason.
    """
    path = Path(path)
    _folder_of(path, what)
    probe = _temporary(path)
    try:
        _create(probe)
    except OSError as exc:
        raise output_error(path, exc, what) from None
    probe.unlink(missing_ok=True)
    return path


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, what: str = "output") -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    For writers that want a file name (pyarrow, matplotlib). The temporary file is flushed
    to disk before it replaces ``path``; on any error it is removed.

    Raises
    ------
    OutputError
        The folder is missing, ``path`` is a folder, or writing failed (read-only, full).
    """
    path = Path(path)
    folder = _folder_of(path, what)
    tmp = _temporary(path)
    try:
        _create(tmp)  # fails here, before any work, in a read-only folder
        yield tmp
        _fsync_path(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(path, exc, what) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        _fsync_path(folder, folder=True)  # make the rename itself durable
    except OSError:  # pragma: no cover - file systems that cannot fsync a folder
        pass


@contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "w", *, what: str = "output",
    encoding: str | None = "utf-8", newline: str | None = "",
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing (``mode`` ``"w"`` or ``"wb"``); see :func:`atomic_path`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_open(target) as fh:
    ...     _ = fh.write("whole or nothing\\n")
    >>> target.read_text()
    'whole or nothing\\n'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes new files only (mode 'w' or 'wb'); got {mode!r}.")
    binary = mode == "wb"
    with atomic_path(path, what=what) as tmp:
        if binary:
            with open(tmp, "wb") as fh:
                yield fh
        else:
            with open(tmp, "w", encoding=encoding, newline=newline) as fh:
                yield fh


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, what: str = "output") -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb", what=what) as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, what: str = "output") -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_open(path, "w", what=what) as fh:
        fh.write(text)


def atomic_write_json(path: str | os.PathLike[str], data: Any, *, what: str = "output") -> None:
    """Write ``data`` as JSON atomically; NaN and infinities are refused (not valid JSON)."""
    text = json.dumps(data, indent=2, allow_nan=False)
    atomic_write_text(path, text + "\n", what=what)


def make_folder(path: str | os.PathLike[str], *, what: str = "output folder") -> Path:
    """Create a folder (and its parents) if needed.

    Raises
    ------
    OutputError
        The path is a file, or the folder cannot be created (read-only, permission).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"Cannot write {what} {str(path)!r}: the path is a file, not a folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(path, exc, what) from None
    return path
