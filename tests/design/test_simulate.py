"""The shared simulation against the trial kernel run on each design alone: a design's
records are those of its own trial (own arms, weeks, visit schedule and scales) for the
same patients, so sharing patients between designs changes nothing they record."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rewardsim.design._hypotheses import replicate_key
from rewardsim.design._simulate import Plan
from rewardsim.trial._cohort import kernel_inputs
from rewardsim.trial._efficacy import with_efficacy
from rewardsim.trial._layout import NAMES, S_DROP
from rewardsim.trial._run import simulate_patients

from .conftest import make_space


@pytest.fixture(scope="module")
def plan():
    space = make_space(
        hypotheses={"craving": {"mechanism": "anti_craving", "e_craving": 0.7},
                    "anxiety": {"mechanism": "anti_anxiety", "e_anxiety": {"uniform": [0.4, 1.0]},
                                "overrides": {"WW": 0.5}}},
        measures={"urine": {"scales": []},
                  "anxiety twice": {"scales": ["anxiety"], "rating_days": ["Tue", "Fri"],
                                    "urine_days": ["Mon", "Thu"]}},
        enrichment={"anxious": {"min_baseline_hama": 9.0}},
        factors=None, designs=[
            {"arms": ["placebo", "baclofen", "baclofen 80"], "n_per_arm": 12,
             "measures": "base"},
            {"arms": ["placebo", "baclofen 80"], "n_per_arm": 7, "weeks": 6,
             "measures": "anxiety twice"},
            {"arms": ["placebo", "baclofen"], "n_per_arm": 6, "measures": "urine"},
            {"arms": ["placebo", "baclofen 80"], "n_per_arm": 5, "measures": "base",
             "enrichment": "anxious"},
        ])  # fmt: skip
    return Plan(space)


def _alone(plan, d, h, r, td):
    """The design's own trial (its kernel inputs, schedule and weeks), same patients."""
    space = plan.space
    p = space.designs[d]
    e_c, e_a = plan.draws[h][r]
    inp = with_efficacy(kernel_inputs(p.trial), float(e_c), float(e_a))
    over = space.hypotheses[h].overrides
    if over:
        P = inp.P.copy()
        for k, v in over.items():
            P[NAMES.index(k)] = v
        inp = replace(inp, P=P)
    design = p.trial.model_copy(update={"seed": space.seed})
    out = simulate_patients(design, inp, replicate_key(space.hypotheses[h].label, r), td.ids,
                            td.arm, np.full(td.n, -1), n_threads=1)
    return inp, out


@pytest.mark.parametrize(("h", "r"), [(0, 0), (1, 3)])
def test_records_equal_each_design_run_alone(plan, h, r):
    trials, screened, (patients, _) = plan.simulate(h, r)
    assert patients >= 12 * 3  # every arm's pool at least as large as its largest design
    for d, td in trials.items():
        p = plan.space.designs[d]
        inp, out = _alone(plan, d, h, r, td)
        days = inp.visit_days
        kinds = inp.visit_kinds
        u = [j for j, x in enumerate(days) if x >= 1 and "urine" in kinds[j]]
        ub = [j for j, x in enumerate(days) if x <= 0 and "urine" in kinds[j]]
        rt = [j for j, x in enumerate(days) if x >= 1 and "rating" in kinds[j]]
        cut = p.trial.urine_cutoff_ng_ml

        def pos(j, out=out, cut=cut):
            be = out.vbe[:, j]
            return np.where(np.isnan(be), np.nan, (be >= cut).astype(float))

        np.testing.assert_array_equal(td.urine_days, days[u])
        np.testing.assert_array_equal(td.urine, pos(u))
        np.testing.assert_array_equal(td.baseline_urine, pos(ub))
        scales = plan.space.measure_sets[p.measures].scales
        for name, mat, ref in (("craving", td.craving, out.vcrave),
                               ("anxiety", td.anxiety, out.vanx)):
            if name in scales:
                np.testing.assert_array_equal(mat, ref[:, rt])
            else:
                assert mat is None
        np.testing.assert_array_equal(td.dropout_day, out.s[:, S_DROP])
        # Screening: at least one candidate per patient.
        assert screened[d][-1] >= 2 * p.n_per_arm or len(p.arms) > 2


def test_enrichment_and_nested_designs(plan):
    trials, _, _ = plan.simulate(0, 1)
    enriched = trials[3]
    assert np.all(enriched.rating_mean("anxiety", baseline=True) >= 9.0)
    # Designs 0 and 2 share the placebo and 60 mg/day arms: design 2's patients are the
    # first 6 of each of design 0's arms (common random numbers across designs).
    big, small = trials[0], trials[2]
    for a in (0, 1):
        np.testing.assert_array_equal(small.ids[small.arm == a], big.ids[big.arm == a][:6])
        np.testing.assert_array_equal(small.urine[small.arm == a],
                                      big.urine[big.arm == a][:6])
    # The arms of one trial hold different patients.
    assert len(set(big.ids.tolist())) == big.n


def test_hypotheses_are_independent_replicates(plan):
    a, _, _ = plan.simulate(0, 2)
    b, _, _ = plan.simulate(1, 2)
    # Same patient ids, other random numbers: the placebo arms differ.
    assert not np.array_equal(a[2].urine[a[2].arm == 0], b[2].urine[b[2].arm == 0])
