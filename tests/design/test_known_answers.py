"""Known answers: controlled hypotheses whose right answer is known in advance.

* Hypotheses whose trials have one distribution (baclofen's efficacy 0 under two
  mechanisms): every rule names each at chance.
* Two hypotheses set up to give the same urine (and retention) results: craving and
  anxiety have no weight in the decision to use (``WC = WW = 0``) nor in dropout
  (``DROP_W = 0``), and one of them lowers anxiety (``e_anxiety = 1``, 120 mg/day). A design
  that records urine only names them at chance; adding the anxiety scale, which one moves
  and the other does not (sedation's effect on the HAM-A is switched off, ``SED_HAMA = 0``:
  with it, baclofen lowers the HAM-A under every hypothesis), raises correct
  classification.
* Two identical designs get identical figures (common random numbers).

Tolerances: 4 Monte Carlo SEs plus one replicate's share (a figure near 0 or 1 has an SE
near 0); the model-based rule's SE is understated by up to a half (its decisions share the
fitted Gaussians, tests/design/test_likelihood.py), so its tolerance is 1.5 times wider.
"""

from __future__ import annotations

import pandas as pd
import pytest

from rewardsim.design import discriminate

from .conftest import make_space

R = 60
_NEUTRAL = {"WC": 0.0, "WW": 0.0, "DROP_W": 0.0, "SED_HAMA": 0.0}


def _tol(row, r=R):
    k = 1.5 if row["rule"] == "synthetic_likelihood" else 1.0
    return 4 * k * row["se_correct"] + 1.0 / r


@pytest.fixture(scope="module")
def identical():
    space = make_space(
        replicates=R, curve_n_per_arm=[25],
        hypotheses={"anti_craving": {"e_craving": 0.0}, "anti_anxiety": {"e_anxiety": 0.0}},
        factors={"arms": [["placebo", "baclofen", "baclofen 80"]], "n_per_arm": [25]})
    return discriminate(space, n_threads=2)


def test_identical_observables_every_rule_at_chance(identical):
    perf = identical.performance
    assert set(perf["rule"]) == {"domain_interaction", "mediation", "dose_response",
                                 "moderation", "synthetic_likelihood"}
    for _, row in perf.iterrows():
        assert abs(row["p_correct"] - 0.5) <= _tol(row), row.to_dict()


@pytest.fixture(scope="module")
def urine_vs_scale():
    space = make_space(
        replicates=R, curve_n_per_arm=[20, 40],
        rules=["domain_interaction", "moderation", "synthetic_likelihood"],
        hypotheses={"none": {"overrides": _NEUTRAL},
                    "anti_anxiety": {"e_anxiety": 1.0, "overrides": _NEUTRAL}},
        arms={"baclofen 120": {"medication": "baclofen", "dose_mg": 40,
                               "regimen": "three times daily"}},
        measures={"urine": {"scales": []}, "anxiety": {"scales": ["anxiety"]}},
        factors=None, designs=[
            {"name": "urine", "arms": ["placebo", "baclofen 120"], "n_per_arm": 40,
             "measures": "urine"},
            {"name": "anxiety", "arms": ["placebo", "baclofen 120"], "n_per_arm": 40,
             "measures": "anxiety"},
            {"name": "anxiety again", "arms": ["placebo", "baclofen 120"], "n_per_arm": 40,
             "measures": "anxiety"},
        ])  # fmt: skip
    return discriminate(space, n_threads=2)


def test_urine_only_at_chance_between_hypotheses_with_the_same_urine(urine_vs_scale):
    perf = urine_vs_scale.performance
    urine = perf[perf["design"] == "D01"]
    assert set(urine["rule"]) == {"moderation", "synthetic_likelihood"}  # no scale: no others
    for _, row in urine.iterrows():
        assert abs(row["p_correct"] - 0.5) <= _tol(row), row.to_dict()
    curves = urine_vs_scale.curves
    for _, row in curves[(curves["design"] == "D01") & (curves["rule"] != "urine power")
                         ].iterrows():
        assert abs(row["p"] - 0.5) <= _tol(row.rename({"se": "se_correct"})), row.to_dict()


def test_adding_the_scale_one_hypothesis_moves_raises_classification(urine_vs_scale):
    perf = urine_vs_scale.performance.set_index(["design", "rule"])
    base = perf.loc[("D01", "synthetic_likelihood")]
    for rule in ("synthetic_likelihood", "domain_interaction"):
        with_scale = perf.loc[("D02", rule)]
        se = (with_scale["se_correct"] ** 2 + base["se_correct"] ** 2) ** 0.5
        assert with_scale["p_correct"] - base["p_correct"] > 3 * se, (rule, with_scale)
        assert with_scale["p_correct"] > 0.5 + 3 * with_scale["se_correct"]
    # The ranking puts a design with the scale first.
    assert urine_vs_scale.ranking.iloc[0]["design"] in ("D02", "D03")


def test_two_identical_designs_get_identical_figures(urine_vs_scale):
    res = urine_vs_scale
    for name in ("performance", "confusion", "curves", "power"):
        t = getattr(res, name)
        a = t[t["design"] == "D02"].drop(columns="design").reset_index(drop=True)
        b = t[t["design"] == "D03"].drop(columns="design").reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    d = res.designs.set_index("id").drop(columns="name")
    pd.testing.assert_series_equal(d.loc["D02"], d.loc["D03"], check_names=False)
