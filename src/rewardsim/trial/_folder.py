"""Run-folder housekeeping: one writer at a time, and no leftovers of killed runs.

* :class:`FolderLock` holds ``RUN/.lock`` with an exclusive ``flock`` while a run writes
  the folder. The kernel drops the lock when its process dies, so a lock file left by a
  killed run does not block the next one; a second live run into the same folder is
  refused, naming the process that holds it.
* :func:`remove_leftovers` deletes, under the lock, the temporary files a killed writer
  left behind (those of :mod:`rewardsim.io._atomic`, and the ``.<name>.tmp-<pid>`` files
  of earlier versions).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import TracebackType

from ..errors import OutputError
from ..io._atomic import is_temporary, output_error

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: an exclusive create stands in for flock
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK", "FolderLock", "remove_leftovers"]

LOCK = ".lock"
_OLD_TEMPORARY = re.compile(r"^\..+\.tmp-\d+$")


class FolderLock:
    """``with FolderLock(root):`` - exclusive right to write the run folder ``root``."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK
        self._fd: int | None = None

    def _refuse(self) -> OutputError:
        try:
            holder = self.path.read_text().strip() or "unknown"
        except OSError:
            holder = "unknown"
        return OutputError(
            f"Run folder {str(self.path.parent)!r} is being written by another rewardsim "
            f"process ({holder}); wait for it to finish, or choose another --out folder.")

    def __enter__(self) -> FolderLock:
        while True:
            try:
                flags = os.O_RDWR | os.O_CREAT | (os.O_EXCL if fcntl is None else 0)
                fd = os.open(self.path, flags, 0o644)
            except FileExistsError:  # pragma: no cover - Windows only
                raise self._refuse() from None
            except OSError as exc:
                raise output_error(self.path, exc, "run folder lock") from None
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    raise self._refuse() from None
                # The previous holder removes the file as it lets go: make sure the file
                # locked is still the one at the path, or take the new one.
                try:
                    same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if not same:
                    os.close(fd)
                    continue
            self._fd = fd
            break
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)  # while still holding it (see __enter__)
        finally:
            os.close(self._fd)
            self._fd = None


def remove_leftovers(*folders: Path) -> list[str]:
    """Delete temporary files of killed writers in ``folders``; return their names."""
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            if p.is_file() and (is_temporary(p.name) or _OLD_TEMPORARY.match(p.name)):
                p.unlink(missing_ok=True)
                removed.append(p.name)
    return removed
