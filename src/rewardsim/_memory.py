"""Memory budgets: how much a request may allocate, and the refusal when it needs more.

The default budget is half of the memory available when it is asked for (``MemAvailable``
of ``/proc/meminfo``, capped by a cgroup v2 limit when the process runs in a container; the
physical memory where neither is readable). ``--max-memory`` on the command line and
``max_memory=`` in the library change it. Sizes are estimated before anything large is
allocated, so a request that cannot fit is refused at once with the size it needs and how
to shrink it, instead of ending in a ``MemoryError`` (or the machine swapping) later.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import ResourceError

__all__ = ["available_memory", "check_budget", "default_budget", "format_size", "parse_size",
           "resolve_budget"]  # fmt: skip

#: Share of the available memory a request may use by default.
DEFAULT_SHARE = 0.5
_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([kmgt]?)(i?b)?\s*$", re.IGNORECASE)


def _meminfo_available() -> int | None:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return None
    found = re.search(r"^MemAvailable:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else None


def _cgroup_room() -> int | None:
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
    except OSError:
        return None
    if limit == "max" or not limit.isdigit() or not used.isdigit():
        return None
    return max(0, int(limit) - int(used))


def available_memory() -> int:
    """Bytes of memory available to this process now (see the module docstring)."""
    found = [x for x in (_meminfo_available(), _cgroup_room()) if x is not None]
    if found:
        return min(found)
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - no sysconf
        return 8 * 2**30


def default_budget() -> int:
    """The default budget: :data:`DEFAULT_SHARE` of :func:`available_memory`."""
    return int(DEFAULT_SHARE * available_memory())


def format_size(n: float) -> str:
    """``1536`` -> ``'1.5 KiB'``; binary units, three significant figures."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{value:.0f} B" if unit == "B" else f"{value:.3g} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def parse_size(text: str, *, flag: str = "--max-memory") -> int:
    """Read a size such as ``4G``, ``4GiB``, ``512M`` or ``1000000`` (bytes).

    ``K``, ``M``, ``G``, ``T`` are powers of 1024, with or without ``B``/``iB``.

    Raises
    ------
    ResourceError
        Text that is not a size, or a size of zero.
    """
    m = _SIZE.match(str(text))
    if m is None or float(m.group(1)) <= 0:
        raise ResourceError(
            f"{flag} must be a size such as 4G, 512M or 2GiB (powers of 1024). "
            f"Got {text!r} instead.")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def resolve_budget(max_memory: int | str | None) -> int:
    """A budget in bytes from ``None`` (the default), a number of bytes or a size text."""
    if max_memory is None:
        return default_budget()
    if isinstance(max_memory, str):
        return parse_size(max_memory, flag="max_memory")
    if isinstance(max_memory, bool) or not isinstance(max_memory, int) or max_memory <= 0:
        raise ResourceError(
            f"max_memory must be a positive number of bytes or a size such as '4G'. "
            f"Got {max_memory!r} instead.")
    return max_memory


def check_budget(needed: float, budget: int, what: str, shrink: str) -> None:
    """Refuse ``what`` when it ``needed`` more bytes than ``budget``.

    Raises
    ------
    ResourceError
        ``"<what> needs about 16.1 GiB of memory, more than the budget of 10 GiB ...
        <shrink>"``.
    """
    if needed <= budget:
        return
    raise ResourceError(
        f"{what} needs about {format_size(needed)} of memory, more than the budget of "
        f"{format_size(budget)} (by default half of the available memory; raise it with "
        f"--max-memory or max_memory=). {shrink}")
