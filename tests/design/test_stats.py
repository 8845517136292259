"""The rules' statistics against statsmodels and hand-computed cases, and the decision
function on hand-made evidence."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm

from rewardsim.design._rules import Evidence, decide, normalise_decision
from rewardsim.design._stats import ols, sobel_z, zscore
from rewardsim.errors import DesignSpaceError

ALL4 = ("anti_craving", "anti_anxiety", "both", "none")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ols_equals_statsmodels_hc1(seed):
    rng = np.random.default_rng(seed)
    n = 57
    X = np.column_stack([np.ones(n), rng.integers(0, 2, n), rng.normal(size=n),
                         rng.normal(size=n)])
    y = X @ [1.0, -0.4, 0.3, 0.0] + rng.normal(size=n) * (1 + X[:, 1])  # heteroscedastic
    y[[3, 10]] = np.nan  # rows with a missing outcome are dropped, as missing="drop"
    ref = sm.OLS(y, X, missing="drop").fit(cov_type="HC1")
    f = ols(y, X)
    np.testing.assert_allclose(f.beta, ref.params, rtol=1e-9)
    np.testing.assert_allclose(f.se, ref.bse, rtol=1e-9)
    assert f.n == 55
    assert math.isclose(f.sigma, math.sqrt(ref.scale), rel_tol=1e-9)


def test_ols_not_estimable_is_nan():
    x = np.arange(6.0)
    collinear = np.column_stack([np.ones(6), x, 2 * x])
    assert np.isnan(ols(x, collinear).beta).all()
    assert math.isnan(ols(x[:2], np.column_stack([np.ones(2), x[:2]])).z(1))  # n <= k


def test_sobel_by_hand():
    # a = -0.5 (SE 0.1), b = -0.2 (SE 0.05): ab = 0.1, SE sqrt(0.25 * 0.0025 + 0.04 * 0.01)
    assert math.isclose(sobel_z(-0.5, 0.1, -0.2, 0.05), 0.1 / math.sqrt(0.000625 + 0.0004))
    assert math.isnan(sobel_z(0.0, 0.1, 0.0, 0.1))


def test_zscore():
    z = zscore(np.array([1.0, 2.0, 3.0, np.nan]))
    np.testing.assert_allclose(z[:3], [-1.0, 0.0, 1.0])
    assert np.isnan(z[3])


@pytest.mark.parametrize(("ev", "named", "strong"), [
    (Evidence(3.0, 0.1), "anti_craving", True),
    (Evidence(0.1, 2.5), "anti_anxiety", True),
    (Evidence(2.0, 2.0), "both", True),
    (Evidence(2.0, 2.0, 2.5), "anti_craving", True),    # both, but craving significantly more
    (Evidence(2.0, 2.0, -2.5), "anti_anxiety", True),
    (Evidence(2.0, 2.0, 1.5), "both", True),            # difference not significant
    (Evidence(0.5, -1.0), "none", False),
    (Evidence(float("nan"), float("nan")), "none", False),
])  # fmt: skip
def test_decide_four_hypotheses(ev, named, strong):
    i, s = decide(ev, ALL4, 0.05)
    assert (ALL4[i], s) == (named, strong)


def test_decide_nearest_candidate_and_ties():
    two = ("anti_craving", "anti_anxiety")
    # Nothing significant: both candidates are one step away; the z's agree more with
    # anxiety (z_a > z_c), so anti_anxiety, on weak evidence.
    assert decide(Evidence(0.2, 1.0), two, 0.05) == (1, False)
    # Both significant, no significant difference: "both" is not a candidate; the tie
    # goes to the larger z.
    assert decide(Evidence(2.0, 3.0), two, 0.05) == (1, False)
    # Two labels of one mechanism: always the first (a rule cannot tell them apart).
    assert decide(Evidence(5.0, 5.0), ("none", "none"), 0.05) == (0, False)


def test_user_rule_decisions():
    labels = ("a", "b")
    assert normalise_decision("r", "b", labels) == (1, True)
    assert normalise_decision("r", ("a", False), labels) == (0, False)
    with pytest.raises(DesignSpaceError, match="Rule 'r' returned no decision"):
        normalise_decision("r", None, labels)
    with pytest.raises(DesignSpaceError, match="Rule 'r' returned 'c'; a rule must return"):
        normalise_decision("r", "c", labels)
