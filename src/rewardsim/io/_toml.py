"""Reading the TOML input files (designs, design spaces, protocols, targets) with one-line
errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

__all__ = ["read_toml"]


def read_toml(path: str | Path, error: type[Exception], what: str) -> dict[str, Any]:
    """The table of TOML file ``path``; ``error`` (e.g. ``TrialDesignError``) naming the
    file as ``what`` ("Design file", "Protocol file", ...) if it is missing or not TOML."""
    p = Path(path)
    if not p.is_file():
        raise error(f"{what} {str(p)!r} does not exist.")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what} {p.name!r} is not valid TOML: {exc}.") from None
