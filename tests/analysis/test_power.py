"""Power over replicate trials: about alpha under the null, high under an effect."""

import pytest

from rewardsim.analysis import replicate_power
from rewardsim.analysis._power import GEE_NAME
from rewardsim.analysis._synthetic import synthetic_tables

ARMS = ["placebo", "active"]
ENDPOINTS = ["Coc_tes_1997", "Coc_propNegative", "Ab_ling_1998", "Rs_ctnNinetyFour_2023"]


def test_null_design_rejects_about_five_percent():
    # Identical arms, 300 replicate trials of 2 x 40 participants.
    _, visits = synthetic_tables(
        n_per_arm=40, weeks=8, arm_log_odds=(0.0, 0.0), dropout_hazard=(0.03, 0.03),
        craving_shift=(0.0, 0.0), replicates=300, seed=2024,
    )  # fmt: skip
    result = replicate_power(visits, ARMS, endpoints=ENDPOINTS, include_gee=False)
    power = result.summary.set_index("endpoint")["power"]
    assert list(power.index) == ENDPOINTS
    assert (result.summary["replicates"] == 300).all()
    # Binomial(300, 0.05): 99.9 % of rejection rates fall in [1.7 %, 9.3 %].
    for name, p in power.items():
        assert 0.017 <= p <= 0.093, (name, p)
    assert not result.summary["detects"].any()


def test_null_design_gee_size():
    _, visits = synthetic_tables(
        n_per_arm=30, weeks=6, arm_log_odds=(0.0, 0.0), dropout_hazard=(0.03, 0.03),
        replicates=60, seed=7,
    )  # fmt: skip
    result = replicate_power(visits, ARMS, endpoints=[], include_gee=True)
    gee = result.summary.set_index("endpoint").loc[GEE_NAME]
    # Binomial(60, 0.05): P(X >= 9) < 0.01, so a size above 15 % would flag a bias.
    assert gee["power"] <= 0.15


def test_effect_is_detected():
    _, visits = synthetic_tables(
        n_per_arm=40, weeks=8, arm_log_odds=(0.0, -1.2), replicates=30, seed=3,
    )  # fmt: skip
    result = replicate_power(visits, ARMS, endpoints=["Coc_propNegative"], include_gee=True)
    s = result.summary.set_index("endpoint")
    assert s.loc["Coc_propNegative", "power"] >= 0.8
    assert s.loc["Coc_propNegative", "detects"]
    assert s.loc[GEE_NAME, "mean_estimate"] < 0  # log OR of a positive urine
    assert s.loc[GEE_NAME, "detects"]
    assert set(result.per_replicate["replicate"]) == set(range(30))


def test_bad_arguments():
    _, visits = synthetic_tables(n_per_arm=5, weeks=2, replicates=1, seed=0)
    from rewardsim.errors import AnalysisInputError

    with pytest.raises(AnalysisInputError, match="'alpha'"):
        replicate_power(visits, ARMS, alpha=1.5)
    with pytest.raises(AnalysisInputError, match="'treatment' arm"):
        replicate_power(visits, ARMS, treatment="other")
