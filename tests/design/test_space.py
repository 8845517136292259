"""Design-space files: expansion into design points, their trial designs and costs, and
bad input refused with the item named before anything runs."""

from __future__ import annotations

import pytest

from rewardsim.design import load_space
from rewardsim.errors import DesignSpaceError

from .conftest import EXAMPLES, make_space


def test_full_factorial_and_trial_designs():
    s = make_space()
    assert len(s.designs) == 2 * 2 * 2
    assert s.labels == ["anti_craving", "anti_anxiety", "both", "none"]
    d = s.designs[-1]  # 3 arms, 20 per arm, the base measures
    assert d.arms == ("placebo", "baclofen", "baclofen 80") and d.n_per_arm == 20
    assert d.trial.allocation.n == 60 and [a.name for a in d.trial.arms] == list(d.arms)
    sched = d.trial.schedule()
    # The base design: 2 baseline weeks, urine Mon/Wed/Fri, ratings on Mondays.
    assert sum("urine" in k for k in sched.values()) == 6 + 48
    assert sum("rating" in k for k in sched.values()) == 2 + 16
    urine_only = s.designs[0].trial.schedule()
    assert all(k == "urine" for k in urine_only.values()) and len(urine_only) == 54


def test_planned_cost_by_hand():
    s = make_space()
    d = s.designs[-1]
    # 60 patients x (1000 + 100 x 18 weeks + 10 x 54 urines + (5 + 40) x 18 ratings)
    assert d.planned_cost == pytest.approx(60 * (1000 + 1800 + 540 + 45 * 18))
    assert s.designs[0].planned_cost == pytest.approx(20 * (1000 + 1800 + 540))


def test_listed_subset_and_names():
    s = make_space(factors=None, designs=[
        {"name": "small urine", "n_per_arm": 10, "measures": "urine"},
        {"arms": ["placebo", "baclofen 80"], "weeks": 12},
    ])
    assert [d.name for d in s.designs][0] == "small urine"
    assert s.designs[1].weeks == 12 and s.designs[1].n_per_arm == 35  # base: 35 per arm
    assert s.designs[1].trial.last_day == 84


def test_example_space_loads():
    s = load_space(EXAMPLES / "discriminate-baclofen.toml")
    assert len(s.designs) == 12
    assert {d.n_total for d in s.designs} == {70, 150, 300}


@pytest.mark.parametrize(("changes", "message"), [
    ({"factors": {"colour": ["red"]}},
     "Unknown factor 'colour'; valid factors: arms, n_per_arm, weeks, enrichment, measures"),
    ({"factors": {"n_per_arm": []}}, "The design space is empty: factors.n_per_arm has no"),
    ({"factors": None, "designs": []}, "The design space is empty: [[designs]] lists no"),
    ({"factors": {"weeks": [16, 600]}},
     "factors.weeks[1] = 600: the trial layer refuses it: Design field 'weeks'"),
    ({"factors": {"arms": [["placebo", "baclofen 90"]]}},
     "factors.arms[0]: unknown arm 'baclofen 90'; valid arms: placebo, baclofen, baclofen 80"),
    ({"factors": {"arms": [["baclofen", "placebo"]]}}, "the first arm is the comparator"),
    ({"factors": {"arms": [["placebo", "placebo"]]}}, "has no baclofen arm"),
    ({"factors": {"measures": ["weekly"]}}, "factors.measures[0]: unknown measure set "
                                            "'weekly'; valid: base, urine"),
    ({"factors": {"n_per_arm": [1]}}, "factors.n_per_arm[0]: patients per arm must be"),
    ({"arms": {"diazepam": {"medication": "diazepam", "regimen": "once daily"}}},
     "arms.diazepam.medication: Input should be 'baclofen', 'placebo' or 'none'"),
    ({"colour": 1}, "Unknown design-space field 'colour'"),
    ({"replicates": 2}, "Design-space field 'replicates': Input should be greater than or "
                        "equal to 4"),
    ({"hypotheses": ["anti_craving"]}, "needs at least two"),
    ({"hypotheses": ["anti_craving", "magic"]}, "hypotheses.magic.mechanism: unknown mechanism"),
    ({"hypotheses": {"a": {"mechanism": "anti_craving", "e_anxiety": 0.5},
                     "b": {"mechanism": "none"}}},
     "hypotheses.a.e_anxiety: the anti_craving mechanism has no such efficacy"),
    ({"hypotheses": {"a": {"mechanism": "anti_craving", "e_craving": 1.5},
                     "b": {"mechanism": "none"}}}, "hypotheses.a.e_craving must be in [0, 1]"),
    ({"hypotheses": {"a": {"mechanism": "none", "overrides": {"KYLE": 1.0}},
                     "b": {"mechanism": "none"}}},
     "hypotheses.a.overrides: unknown parameter 'KYLE'; valid: the trial kernel's B_MU"),
    ({"rules": ["domain_interaction", "telepathy"]}, "rules: unknown rule 'telepathy'"),
    ({"rules": ["no_such_module_xyz:rule"]}, "rules: 'no_such_module_xyz:rule' cannot be "
                                             "imported: ModuleNotFoundError"),
    ({"enrichment": {"anxious": {"min_baseline_hama": 99}}},
     "Design-space field 'enrichment.anxious.min_baseline_hama': Input should be less than"),
])  # fmt: skip
def test_bad_input_names_the_item(changes, message):
    with pytest.raises(DesignSpaceError) as err:
        make_space(**changes)
    assert message in str(err.value), str(err.value)


def test_factor_value_the_trial_layer_refuses_in_a_listed_design():
    with pytest.raises(DesignSpaceError, match=r"designs\[1\]\.weeks = 0: the trial layer "
                                               r"refuses it"):
        make_space(factors=None, designs=[{"n_per_arm": 10}, {"weeks": 0}])
