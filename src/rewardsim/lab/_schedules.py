"""Python access to the kernel's schedule and dialysis arithmetic (one formula, one place:
the compiled functions themselves, :mod:`._session_template`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._kernel import lab_module

__all__ = ["bin_means", "progressive_ratio"]


def progressive_ratio(n: int) -> int:
    """Responses required for the n-th infusion on the progressive ratio of Richardson &
    Roberts 1996 (J Neurosci Methods 66:1-11): ``round(5 exp(0.2 n)) - 5``.

    >>> [progressive_ratio(n) for n in range(1, 11)]  # doctest: +SKIP
    [1, 2, 4, 6, 9, 12, 15, 20, 25, 32]
    """
    if int(n) < 1:
        raise ValueError(f"The infusion number n must be >= 1. Got {n!r} instead.")
    return int(lab_module().pr_ratio(int(n)))


def bin_means(values: ArrayLike, *, first: int, length: int, n_bins: int) -> np.ndarray:
    """Means of grid values over consecutive bins of ``length`` steps from step ``first``
    (the trapezoid rule: exact for values linear between grid points); what the session
    kernel reports as dialysis bins."""
    v = np.ascontiguousarray(values, dtype=np.float64)
    out = np.empty(int(n_bins))
    lab_module().bin_means(v, int(first), int(length), out)
    return out
