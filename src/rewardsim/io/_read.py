"""Reading input and state files with one-line errors that name the file: the TOML input
files (designs, design spaces, protocols, targets) and the JSON state of run folders."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["read_json_object", "read_toml"]


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


def read_json_object(path: Path, error: type[Exception]) -> dict[str, Any]:
    """The JSON object in ``path`` (``{}`` if it holds another JSON value); ``error`` naming
    the path if it cannot be read or is not JSON."""
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise error(f"Cannot read {str(path)!r}: {exc}") from None
    return data if isinstance(data, dict) else {}
