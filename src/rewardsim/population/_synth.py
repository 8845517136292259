"""The synthetic population: whole people in every cell of the joint table, shuffled.

The joint distribution (:func:`rewardsim.population._tables.joint`) times the size gives
expected counts per cell; they are rounded to whole people by the largest-remainder method
(every count is its expected value rounded down or up, and they add up to the size), so each
margin is within one person per cell of its table. The people are then put in a random order
keyed by the seed: person ``i`` (id ``i + 1``) has the attributes of cell ``order[i]``. Every
worker computes the same population from the scenario file alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._tables import ATTRIBUTES, joint

__all__ = ["Population", "cell_counts", "synthesize"]


def cell_counts(p: np.ndarray, size: int) -> np.ndarray:
    """Whole-person counts of each cell of ``p`` (shares) adding up to ``size``."""
    expected = p.ravel() * size
    counts = np.floor(expected).astype(np.int64)
    short = size - int(counts.sum())
    if short > 0:
        frac = expected - counts
        order = np.lexsort((np.arange(frac.size), -frac))  # largest remainder, then index
        counts[order[:short]] += 1
    return counts.reshape(p.shape)


@dataclass(frozen=True)
class Population:
    """Attribute codes (int8) of people 1..N, one array per attribute."""

    shares: np.ndarray  # the joint distribution the people were drawn to
    codes: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return int(next(iter(self.codes.values())).shape[0])

    def margins(self) -> dict[str, np.ndarray]:
        """Share of each level of each attribute among the people."""
        return {k: np.bincount(v, minlength=len(ATTRIBUTES[k])) / self.size
                for k, v in self.codes.items()}


def synthesize(size: int, seed: int, margins: dict[str, list[float]] | None = None
               ) -> Population:
    """The synthetic population of ``size`` people (see the module docstring)."""
    shares = joint({k: np.asarray(v) for k, v in (margins or {}).items()})
    counts = cell_counts(shares, size)
    cells = np.repeat(np.arange(counts.size, dtype=np.int32), counts.ravel())
    order = np.random.default_rng([seed, 0x5EED_0F_C0C]).permutation(size)
    flat = cells[order]
    idx = np.unravel_index(flat, shares.shape)
    codes = {k: idx[j].astype(np.int8) for j, k in enumerate(ATTRIBUTES)}
    return Population(shares=shares, codes=codes)
