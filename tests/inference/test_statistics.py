"""The replicate statistics against independent implementations: the GEE against
statsmodels' GEE (independence working correlation, robust standard errors), Welch's test
and the two-proportion test against SciPy, the log-rank sign by hand."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from rewardsim.inference._statistics import (
    _two_proportion_z,
    _welch_z,
    gee_logistic_independence,
    summarise,
    z_from_p,
)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gee_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    n, m = 40, 30
    group = np.repeat(np.arange(n), m)
    arm = (np.arange(n) % 2)[group].astype(float)
    base = rng.integers(0, 7, n)[group].astype(float)
    u = rng.normal(0.0, 1.0, n)[group]  # within-patient correlation
    y = (rng.random(n * m) < 1 / (1 + np.exp(-(-0.8 + 0.5 * arm - 0.2 * base + u)))).astype(
        float)
    keep = rng.random(n * m) > 0.3  # missed urines
    x = np.column_stack([np.ones(keep.sum()), arm[keep], base[keep]])
    beta, se = gee_logistic_independence(y[keep], x, group[keep])
    ref = sm.GEE(y[keep], x, groups=group[keep], family=sm.families.Binomial(),
                 cov_struct=sm.cov_struct.Independence()).fit()
    np.testing.assert_allclose(beta, ref.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(se, ref.bse, rtol=1e-6)


def test_gee_not_estimable_is_nan():
    y = np.ones(10)
    x = np.column_stack([np.ones(10), np.arange(10.0)])
    beta, se = gee_logistic_independence(y, x, np.arange(10) // 2)
    assert np.all(np.isnan(beta)) and np.all(np.isnan(se))


def test_welch_and_two_proportion_match_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 2.0, 30), rng.normal(0.0, 1.0, 35)
    t, p = stats.ttest_ind(a, b, equal_var=False)
    assert _welch_z(a, b) == pytest.approx(z_from_p(p, t), rel=1e-9)
    table = np.array([[12, 23], [5, 30]])
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    z = _two_proportion_z(12, 35, 5, 35)
    assert z**2 == pytest.approx(chi2, rel=1e-12) and z > 0
    assert 2 * stats.norm.sf(abs(z)) == pytest.approx(p, rel=1e-9)


def test_summary_signs_by_hand():
    """A medication arm with more BE-free urines, better retention, less craving and fewer
    adverse events gives positive z for each; BE-free urines counted of the scheduled."""
    n, m = 20, 6
    treated = np.arange(n) % 2 == 1
    rng = np.random.default_rng(3)
    free = (rng.random((n, m)) < np.where(treated, 0.7, 0.3)[:, None]).astype(float)
    free[0, :2] = np.nan  # missed: not BE-free
    base = rng.integers(0, 7, n).astype(float)
    time = np.where(treated, 112.0, rng.integers(10, 100, n)).astype(float)
    dropped = ~treated
    craving = np.where(treated, 2.0, 6.0)[:, None] + rng.normal(0, 1, (n, 4))
    drowsy = np.zeros((n, 4))
    drowsy[~treated, 0] = 1.0
    s = summarise(free, treated, base, time, dropped, craving, drowsy)
    for k in ("gee_arm", "be_free_urines", "retention", "craving", "adverse_events"):
        assert s.z[k] > 1.0, k
    assert s.be_free_control == pytest.approx(np.nansum(free[~treated], axis=1).mean())
    assert s.difference == pytest.approx(s.be_free_medication - s.be_free_control)
