"""Shared helpers for the design-space tests: small spaces on the flagship design."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from rewardsim.design import parse_space

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

#: A small space on the flagship design (every test changes what it needs).
SMALL: dict = {
    "name": "small",
    "base": "baclofen-cocaine.toml",
    "replicates": 8,
    "arms": {"baclofen 80": {"medication": "baclofen", "dose_mg": 20,
                             "regimen": "four times daily"}},
    "measures": {"urine": {"scales": []}},
    "factors": {"arms": [["placebo", "baclofen"], ["placebo", "baclofen", "baclofen 80"]],
                "n_per_arm": [10, 20], "measures": ["urine", "base"]},
    "cost": {"per_patient": 1000.0, "per_patient_week": 100.0, "per_urine": 10.0,
             "per_rating": {"craving": 5.0, "anxiety": 40.0}, "per_screened": 50.0},
}


def make_space(**changes):
    data = copy.deepcopy(SMALL)
    for k, v in changes.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    return parse_space(data, base_dir=EXAMPLES)


@pytest.fixture
def space_factory():
    return make_space
