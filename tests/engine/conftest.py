"""Fixtures shared by the engine's tests."""

from __future__ import annotations

import numpy as np
import pytest

import rewardsim as rs
from rewardsim.engine import _codegen


@pytest.fixture
def lanes_and_one_subject(monkeypatch):
    """``run(model, data, **kw)``: the model simulated with the Dormand-Prince lanes, and
    again one subject at a time (no model has lanes); both succeed and take the same
    steps. Returns the two solutions."""

    def run(model, data, **kw):
        lanes = rs.simulate(model, data, **kw)
        with monkeypatch.context() as m:
            m.setattr(_codegen, "LANES_MAX_STATES", 0)
            m.setattr(_codegen, "_BY_DECLARATION", {})
            one = rs.simulate(model, data, **kw)
        assert (lanes.status == 0).all() and (one.status == 0).all()
        assert np.array_equal(lanes.n_steps, one.n_steps)
        return lanes, one

    return run
