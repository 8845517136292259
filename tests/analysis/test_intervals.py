"""Confidence and Monte Carlo intervals of the report's analyses, against independent
references (statsmodels, SciPy) and hand-computed cases."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize

from rewardsim.analysis import compare_arms, power_curve, retention
from rewardsim.analysis._power import wilson_interval
from rewardsim.analysis._survival import km_confidence, logrank_peto


def test_wilson_matches_statsmodels():
    for k, n in ((0, 10), (3, 10), (10, 10), (57, 200), (1, 4)):
        lo, hi = wilson_interval(k, n)
        ref = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (lo, hi) == pytest.approx(ref, abs=1e-12)


def test_compare_arms_intervals():
    # Logical: 30/50 vs 20/50, Wald (unpooled) 0.2 +- 1.96 * sqrt(.24/50 + .24/50).
    # Count: Welch interval, checked against SciPy's.
    rng = np.random.default_rng(1)
    t_count, r_count = rng.poisson(5, 50).astype(float), rng.poisson(3, 50).astype(float)
    values = pd.DataFrame({
        "Coc_eotAbstinence3": [True] * 30 + [False] * 20 + [True] * 20 + [False] * 30,
        "Coc_tes_1997": np.r_[t_count, r_count],
    })  # fmt: skip
    arm = ["drug"] * 50 + ["placebo"] * 50
    out = compare_arms(values, arm, "drug", "placebo",
                       ["Coc_eotAbstinence3", "Coc_tes_1997"]).set_index("endpoint")  # fmt: skip
    half = stats.norm.ppf(0.975) * np.sqrt(0.24 / 50 + 0.24 / 50)
    row = out.loc["Coc_eotAbstinence3"]
    assert row["measure"] == "risk difference"
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (0.2, 0.2 - half, 0.2 + half), abs=1e-12)
    welch = stats.ttest_ind(t_count, r_count, equal_var=False)
    ci = welch.confidence_interval(0.95)
    row = out.loc["Coc_tes_1997"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert row["p_value"] == pytest.approx(welch.pvalue, rel=1e-10)


def test_peto_log_hazard_ratio_by_hand():
    # Treated events at 1, 2; control at 1, 3. Day 1: 4 at risk (2 treated), 2 events (1
    # treated): O-E = 1 - 2*2/4 = 0, V = 2 (1/2)(1/2) (4-2)/(4-1) = 1/3. Day 2: 2 at risk (1
    # treated), 1 treated event: O-E = 1 - 1/2 = 1/2, V = (1/2)(1/2) = 1/4. Day 3: no treated
    # at risk. log HR = (1/2)/(7/12) = 6/7, SE = 1/sqrt(7/12), chi2 = (1/4)/(7/12) = 3/7.
    est, se, p = logrank_peto(np.array([1.0, 2, 1, 3]), np.ones(4), np.array([1, 1, 0, 0], bool))
    assert est == pytest.approx(6 / 7) and se == pytest.approx(1 / np.sqrt(7 / 12))
    assert p == pytest.approx(stats.chi2.sf(3 / 7, 1))


def test_km_log_log_interval_by_hand():
    # n = 4, events at 1, 2, 3, 4: S(1) = 3/4, Greenwood var = S^2 * 1/(4*3) = 0.046875.
    # log(-log) limits: S ** exp(-+1.96 * se / (S |log S|)) = 0.1282 and 0.9606.
    s, se = np.array([1.0, 0.75, 0.0]), np.array([0.0, np.sqrt(0.046875), 0.0])
    lo, hi = km_confidence(s, se)
    w = stats.norm.ppf(0.975) * np.sqrt(0.046875) / (0.75 * abs(np.log(0.75)))
    assert lo[1] == pytest.approx(0.75 ** np.exp(w)) and lo[1] == pytest.approx(0.1282, abs=5e-4)
    assert hi[1] == pytest.approx(0.75 ** np.exp(-w)) and hi[1] == pytest.approx(0.9606, abs=5e-4)
    assert (lo[0], hi[0], lo[2], hi[2]) == (1.0, 1.0, 0.0, 0.0)  # S = 1 and S = 0: no width


def test_retention_bands_censoring_and_numbers_at_risk():
    # 4 weeks (28 days). Arm a: dropouts on days 3 and 10, two completers; arm b: one
    # dropout on day 20, three completers.
    subjects = pd.DataFrame({
        "arm": ["a"] * 4 + ["b"] * 4,
        "dropout_day": [3.0, 10.0, np.nan, np.nan, 20.0, np.nan, np.nan, np.nan],
        "completed": [False, False, True, True, False, True, True, True],
    })  # fmt: skip
    r = retention(subjects, ["a", "b"], weeks=4)
    a = r.curves[r.curves["arm"] == "a"]
    assert a["surv"].tolist() == pytest.approx([1.0, 0.75, 0.5, 0.5])
    assert (a["lo"] <= a["surv"]).all() and (a["surv"] <= a["hi"]).all()
    cens = r.censored[r.censored["arm"] == "a"]
    assert cens["day"].tolist() == [28.0] and cens["surv"].tolist() == pytest.approx([0.5])
    at = r.at_risk.pivot(index="day", columns="arm", values="n")
    # Weekly for a 4-week trial; at risk = still on study at the start of the day.
    assert at.index.tolist() == [0.0, 7.0, 14.0, 21.0, 28.0]
    assert at["a"].tolist() == [4, 3, 2, 2, 2] and at["b"].tolist() == [4, 4, 4, 3, 3]


def test_power_curve_null_and_against_a_closed_form():
    rng = np.random.default_rng(7)
    n_pool = 4000
    # Logical endpoint, 50 % vs 30 % (treatment vs reference), and a null count endpoint.
    values = pd.DataFrame({
        "arm": ["t"] * n_pool + ["r"] * n_pool,
        "replicate": np.tile(np.repeat(np.arange(100), 40), 2),
        "Coc_eotAbstinence3": np.r_[rng.random(n_pool) < 0.5, rng.random(n_pool) < 0.3],
        "Coc_tes_1997": rng.poisson(4, 2 * n_pool).astype(float),
    })  # fmt: skip
    curve = power_curve(values, "t", "r", endpoints=["Coc_eotAbstinence3", "Coc_tes_1997"],
                        sizes=[20, 50, 100], trials=400, seed=3).set_index(
                            ["endpoint", "n_per_arm"])  # fmt: skip
    h = proportion_effectsize(0.5, 0.3)
    for n in (20, 50, 100):
        row = curve.loc[("Coc_eotAbstinence3", n)]
        expected = NormalIndPower().power(h, nobs1=n, alpha=0.05)  # Cohen's h, normal approx.
        # Monte Carlo SD of a power estimate over 400 trials is at most 0.025; the arcsine
        # approximation adds about 0.02 at n = 20.
        assert abs(row["power"] - expected) < 0.08, (n, row["power"], expected)
        assert row["power_low"] <= row["power"] <= row["power_high"]
        null = curve.loc[("Coc_tes_1997", n)]
        assert null["power"] <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 400)  # binomial 3 SD
    powers = [curve.loc[("Coc_eotAbstinence3", n), "power"] for n in (20, 50, 100)]
    assert powers == sorted(powers)
