"""Formatting for the report: numbers, p values, intervals, table cells and figures.

Every value reaches the templates as text already formatted here (the templates escape it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..analysis import ENDPOINTS

__all__ = ["cell", "ci_text", "endpoint_label", "is_missing", "make_figure", "make_table", "num",
           "p_text", "pct"]


def is_missing(x: object) -> bool:
    return x is None or (isinstance(x, float | np.floating) and math.isnan(float(x)))


def num(x: object, digits: int = 3) -> str:
    if is_missing(x):
        return "–"
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, int | np.integer):
        return f"{int(x):,}"
    if isinstance(x, float | np.floating):
        v = float(x)
        return f"{v:.{digits}g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(x)


def pct(x: object, digits: int = 0) -> str:
    return "–" if is_missing(x) else f"{100 * float(x):.{digits}f}"


def p_text(p: object) -> str:
    if is_missing(p):
        return "–"
    return "<0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def ci_text(lo: object, hi: object, fmt=num) -> str:
    return "–" if is_missing(lo) or is_missing(hi) else f"{fmt(lo)} to {fmt(hi)}"


def cell(text: object, numeric: bool = False, href: str | None = None) -> dict[str, Any]:
    """A table cell: its text, right-aligned when ``numeric``, a link when ``href``."""
    return {"text": str(text), "num": numeric, "href": href}


def make_table(
    columns: list[str], rows: Iterable[list[dict[str, Any]]], *, caption: str = "",
    muted: Iterable[bool] | None = None,
) -> dict[str, Any]:
    rows = list(rows)
    flags = list(muted) if muted is not None else [False] * len(rows)
    return {"columns": columns, "caption": caption,
            "rows": [{"cells": r, "muted": f} for r, f in zip(rows, flags, strict=True)]}


def make_figure(png: str, alt: str, caption: str) -> dict[str, str]:
    return {"png": png, "alt": alt, "caption": caption}


def endpoint_label(name: str, width: int = 60) -> str:
    """An endpoint's human label for figure axes: its definition, then its name."""
    e = ENDPOINTS.get(name)
    if e is None:
        return name
    text = e.definition if len(e.definition) <= width else e.definition[: width - 1] + "…"
    return f"{text} ({name})"
