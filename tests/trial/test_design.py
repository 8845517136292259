"""Design files: the flagship example, and refusals that name the field (nothing written)."""

from __future__ import annotations

import copy

import pytest

from rewardsim.errors import TrialDesignError
from rewardsim.trial import design_hash, load_design, parse_design


def test_flagship_design(flagship):
    assert flagship.arm_sizes() == [35, 35]
    assert [a.name for a in flagship.arms] == ["placebo", "baclofen"]
    assert flagship.weeks == 16 and flagship.baseline_weeks == 2
    sched = flagship.schedule()
    # Mon/Wed/Fri urine for 18 weeks (2 baseline + 16), ratings on Mondays.
    assert len(sched) == 18 * 3
    assert sum(k == "urine+rating" for k in sched.values()) == 18
    assert min(sched) == -13 and max(sched) == 112 - 2  # first baseline Monday, last Friday
    assert flagship.arms[1].dose_mg == 20 and flagship.arms[1].regimen == "three times daily"


def test_hash_depends_on_content(flagship):
    h = design_hash(flagship, "0.1.0")
    assert h == design_hash(load_design_again(flagship), "0.1.0")
    assert h != design_hash(flagship.with_overrides(seed=1), "0.1.0")
    assert h != design_hash(flagship, "0.2.0")


def load_design_again(d):
    return parse_design(d.model_dump(mode="python"))


def test_overrides(flagship):
    d = flagship.with_overrides(n_per_arm=100, hypothesis="anti_anxiety")
    assert d.arm_sizes() == [100, 100] and d.hypothesis == "anti_anxiety"
    with pytest.raises(TrialDesignError, match="--n override must be a positive integer"):
        flagship.with_overrides(n_per_arm=0)
    with pytest.raises(TrialDesignError, match=r"'hypothesis'.*allowed: anti_craving"):
        flagship.with_overrides(hypothesis="magic")


def _set(data, path, value):
    """Set ``data[path]`` for a dotted path with [i] indices; value None deletes."""
    keys = path.replace("]", "").replace("[", ".").split(".")
    node = data
    for k in keys[:-1]:
        node = node[int(k)] if k.isdigit() else node[k]
    last = int(keys[-1]) if keys[-1].isdigit() else keys[-1]
    if value is None:
        del node[last]
    else:
        node[last] = value


BAD = [  # (path, value, message fragment naming the field)
    ("colour", "blue", "Unknown design field 'colour'; valid fields here: name, seed"),
    ("arms[1].colour", "red", "Unknown design field 'arms[1].colour'; valid fields here: name,"),
    ("visits.when", "now", "Unknown design field 'visits.when'"),
    ("weeks", "sixteen", "Design field 'weeks': Input should be a valid integer"),
    ("seed", [1], "Design field 'seed'"),
    ("allocation.n", -70, "Design field 'allocation.n': Input should be greater than or equal"),
    ("weeks", -16, "Design field 'weeks': Input should be greater than or equal to 1"),
    ("weeks", 0, "Design field 'weeks'"),
    ("baseline_weeks", -2, "Design field 'baseline_weeks'"),
    ("arms[1].regimen", None, "Design field 'arms[1]': arm 'baclofen' gives medication "
     "'baclofen' but no regimen; set regimen to one of"),
    ("visits.urine_study_days", [1, 3, 200], "Design: visits.urine_study_days has days [200] "
     "outside the trial; allowed: study days -13 to 112"),
    ("visits.rating_study_days", [-20], "visits.rating_study_days has days [-20] outside"),
    ("visits.urine_days", ["Mon", "Funday"], "Design field 'visits.urine_days[1]'"),
    ("urine_cutoff_ng_ml", 0, "Design field 'urine_cutoff_ng_ml'"),
    ("adherence.p_dose", 1.5, "Design field 'adherence.p_dose'"),
    ("arms[0].medication", "aspirin", "Design field 'arms[0].medication'"),
    ("allocation.ratio", [1, 1, 1], "allocation.ratio needs one entry per arm (2)"),
    ("name", None, "Design field 'name' is required and missing"),
]


@pytest.mark.parametrize("path, value, message", BAD, ids=[b[0] + str(i) for i, b in
                                                           enumerate(BAD)])
def test_bad_design_is_refused_naming_the_field(flagship_dict, path, value, message):
    data = copy.deepcopy(flagship_dict)
    _set(data, path, value)
    with pytest.raises(TrialDesignError) as info:
        parse_design(data)
    text = str(info.value)
    assert message in text
    assert "\n" not in text  # one line


def test_bad_toml_file(tmp_path):
    p = tmp_path / "d.toml"
    p.write_text("name = 'x'\nweeks = [\n")
    with pytest.raises(TrialDesignError, match="'d.toml' is not valid TOML"):
        load_design(p)
    with pytest.raises(TrialDesignError, match="does not exist"):
        load_design(tmp_path / "missing.toml")


def test_setting_and_eligibility_checks(flagship_dict):
    data = copy.deepcopy(flagship_dict)
    data["arms"][0]["setting"] = {"kind": "residential", "admission_delay_days": 200}
    with pytest.raises(TrialDesignError, match=r"arms\[0\].setting.admission_delay_days = 200"):
        parse_design(data)
    data = copy.deepcopy(flagship_dict)
    data["population"]["min_positive_baseline_urines"] = 7
    with pytest.raises(TrialDesignError, match="exceeds the 6 baseline urine visits"):
        parse_design(data)
    data["arms"][0]["setting"] = "spa"
    with pytest.raises(TrialDesignError, match=r"arms\[0\].setting.kind"):
        parse_design(data)


def test_public_surface():
    import rewardsim.trial as trial

    assert trial.__all__ == sorted(trial.__all__)
    assert {"load_design", "run_trial", "simulate_trial", "calibrate_behaviour"} <= set(
        trial.__all__)
    for name in trial.__all__:
        assert getattr(trial, name) is not None


def test_n_override_is_the_total_as_in_the_design_file(flagship):
    # allocation.n = 70 in the file is the total; n=71 overrides it the same way and
    # splits 1:1 by largest remainder (the first arm takes the odd patient).
    assert flagship.allocation.n == 70 and flagship.arm_sizes() == [35, 35]
    assert flagship.with_overrides(n=71).arm_sizes() == [36, 35]
    with pytest.raises(TrialDesignError, match="patients randomised in total"):
        flagship.with_overrides(n=0)
    with pytest.raises(TrialDesignError, match="not both"):
        flagship.with_overrides(n=10, n_per_arm=5)
