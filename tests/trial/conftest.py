"""Shared fixtures for the trial tests: the flagship design and small variants of it."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from rewardsim.analysis import CTN0094_DIR
from rewardsim.trial import load_design, parse_design

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "examples" / "baclofen-cocaine.toml"
CTN = CTN0094_DIR  # the CTN-0094 tables shipped with rewardsim


@pytest.fixture(scope="session")
def flagship():
    return load_design(FLAGSHIP)


@pytest.fixture(scope="session")
def flagship_dict(flagship):
    return flagship.model_dump(mode="python")


@pytest.fixture
def variant(flagship_dict):
    """``variant(**changes)``: the flagship design with top-level fields replaced."""

    def make(**changes):
        data = copy.deepcopy(flagship_dict)
        data.update(changes)
        return parse_design(data)

    return make
