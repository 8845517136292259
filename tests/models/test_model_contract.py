"""One contract for every registered model (STYLE section 5.5).

As scikit-learn's ``parametrize_with_checks`` and mrgsolve's model-library test: each
model in :data:`rewardsim.models.MODELS` declares a unit and a source for every parameter,
simulates from its defaults after one dose into its default dose compartment, and gives
finite, non-negative outputs. Compiling every model takes ~20 s each on first use.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import rewardsim as rs
from rewardsim.models import MODELS

# A source is a citation (it names a year) or says how the value was obtained.
_KINDS = ("calibrated:", "assumed:", "derived:", "default:")
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
TIMES = np.linspace(0.0, 48.0, 193)  # h
DOSE = 10.0  # mg


def _is_sourced(source: str) -> bool:
    text = source.strip()
    return text.startswith(_KINDS) or bool(_YEAR.search(text))


@pytest.fixture(params=sorted(MODELS), ids=str)
def model(request):
    return MODELS[request.param]()


def test_every_param_has_unit_and_source(model):
    """Every parameter (declared and automatic Fn/ALAGn) has a unit and a source."""
    bad = [p.name for p in model.all_params if not p.unit.strip() or not _is_sourced(p.source)]
    assert not bad, f"{model.name}: parameters without a unit or a source: {bad}"
    for c in model.covariates:
        assert c.unit.strip() and _is_sourced(c.source), (model.name, c.name)
    for o in model.outputs:
        assert o.unit.strip(), (model.name, o.name)
    for c in model.compartments:
        assert c.unit.strip(), (model.name, c.name)


def test_default_dose_compartment_is_dosable(model):
    assert 1 <= model.default_dose_cmt <= len(model.compartments)
    assert model.compartments[model.default_dose_cmt - 1].dosable


@pytest.mark.slow
def test_simulates_from_defaults(model):
    """One dose into the default compartment: solves, outputs finite and >= -1e-12."""
    data = rs.regimen(DOSE, cmt=model.default_dose_cmt, n=1)
    sol = rs.simulate(model, data, times=TIMES, omega=False)
    assert not sol.failed, sol.failed
    assert set(sol.outputs) == set(model.output_names)
    for name, out in sol.outputs.items():
        assert out.shape == (1, TIMES.size)
        assert np.all(np.isfinite(out)), (model.name, name)
        assert out.min() >= -1e-12, (model.name, name, out.min())
