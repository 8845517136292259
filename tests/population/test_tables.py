"""The synthetic population against the tables it is built from.

Each expected value is computed here by hand from the published numbers (TEDS 2010, NSDUH
2014, TEDS 2009, Grant 2004), not read from the code's constants.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rewardsim.population import ATTRIBUTES, synthesize
from rewardsim.population._tables import ipf, joint

N = 200_000
# Largest-remainder rounding moves each cell by less than one person, so a one-way margin
# is off by at most (cells in one level) / N.
CELLS = int(np.prod([len(v) for v in ATTRIBUTES.values()]))


def _tol(attr: str) -> float:
    return CELLS / len(ATTRIBUTES[attr]) / N


@pytest.fixture(scope="module")
def pop():
    return synthesize(N, seed=7)


def test_ipf_fits_margins_and_keeps_the_seed_odds_ratio():
    seed = np.array([[4.0, 1.0], [1.0, 2.0]])  # odds ratio 8
    t = ipf(seed, [np.array([0.3, 0.7]), np.array([0.6, 0.4])])
    assert t.sum(axis=1) == pytest.approx([0.3, 0.7], abs=1e-12)
    assert t.sum(axis=0) == pytest.approx([0.6, 0.4], abs=1e-12)
    assert t[0, 0] * t[1, 1] / (t[0, 1] * t[1, 0]) == pytest.approx(8.0, rel=1e-10)


def test_ipf_uniform_seed_gives_independence():
    t = ipf(np.ones((3, 2)), [np.array([0.2, 0.3, 0.5]), np.array([0.9, 0.1])])
    assert t == pytest.approx(np.outer([0.2, 0.3, 0.5], [0.9, 0.1]), abs=1e-12)


def test_route_by_sex_matches_teds_2010(pop):
    """TEDS 2010 primary cocaine admissions: smoked 114,302 (56.9 % male), other route
    47,146 (67.0 % male)."""
    c = pop.codes
    smoked = c["route"] == 0
    assert smoked.mean() == pytest.approx(114_302 / (114_302 + 47_146), abs=_tol("route"))
    assert (c["sex"][smoked] == 0).mean() == pytest.approx(0.569, abs=2e-3)
    assert (c["sex"][~smoked] == 0).mean() == pytest.approx(0.670, abs=3e-3)


def test_route_by_age_matches_teds_2010(pop):
    """TEDS 2010 age at admission (adults with known age), pooled 18-25/26-35/36-45/46+."""
    smoked = np.array([1.2 + 5.3, 9.2 + 11.2, 15.8 + 20.9, 19.0 + 10.6 + 3.6 + 0.9 + 0.3])
    other = np.array([4.0 + 12.1, 16.7 + 15.0, 14.0 + 14.1, 11.7 + 6.5 + 2.2 + 0.6 + 0.2])
    c = pop.codes
    for r, pct in ((0, smoked), (1, other)):
        got = np.bincount(c["age"][c["route"] == r], minlength=4) / (c["route"] == r).sum()
        assert got == pytest.approx(pct / pct.sum(), abs=3e-3)


def test_setting_matches_nsduh_2014_and_teds_2009(pop):
    """7.5 % treated at a specialty facility (NSDUH 2014), split by TEDS 2009 type of
    service: residential (9.2 + 7.6 + 0.3) of (45.7 + 11.3 + 9.2 + 7.6 + 0.3) admissions."""
    res = 17.1 / 74.1
    expected = [1 - 0.075 - 0.03 - 0.02, 0.075 * (1 - res), 0.03, 0.02, 0.075 * res]
    got = pop.margins()["setting"]
    assert got == pytest.approx(expected, abs=_tol("setting"))


def test_anxiety_matches_grant_2004_with_odds_ratio(pop):
    """11.08 % 12-month anxiety disorder (Grant 2004) at odds ratio sqrt(1.4 * 4.9)."""
    odds = 0.1108 / (1 - 0.1108) * math.sqrt(1.4 * 4.9)
    assert pop.margins()["anxiety"][1] == pytest.approx(odds / (1 + odds), abs=_tol("anxiety"))


def test_frequency_is_the_assumed_margin(pop):
    assert pop.margins()["frequency"] == pytest.approx([0.3, 0.4, 0.3], abs=_tol("frequency"))


def test_margins_given_in_the_file_are_met_and_keep_teds_associations():
    pop = synthesize(N, seed=1, margins={"sex": [0.5, 0.5], "setting": [0, 0, 0, 0, 1.0]})
    m = pop.margins()
    assert m["sex"] == pytest.approx([0.5, 0.5], abs=_tol("sex"))
    assert m["setting"][4] == 1.0
    # IPF keeps the TEDS odds ratio of male sex by route (smoked vs other).
    c = pop.codes
    p1 = (c["sex"][c["route"] == 0] == 0).mean()
    p2 = (c["sex"][c["route"] == 1] == 0).mean()
    teds = (0.569 / 0.431) / (0.670 / 0.330)
    assert (p1 / (1 - p1)) / (p2 / (1 - p2)) == pytest.approx(teds, rel=0.03)


def test_whole_people_and_seeded_order():
    a, b = synthesize(5_000, seed=3), synthesize(5_000, seed=3)
    assert all(np.array_equal(a.codes[k], b.codes[k]) for k in ATTRIBUTES)
    counts = np.bincount(np.ravel_multi_index(tuple(a.codes[k] for k in ATTRIBUTES),
                                              a.shares.shape), minlength=CELLS)
    expected = joint().ravel() * 5_000
    assert counts.sum() == 5_000
    assert np.all(np.abs(counts - expected) < 1.0)
