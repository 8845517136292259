"""``compose``: parts under prefixes, renumbered dosing parameters, links.

Independent references: each part simulated alone; the closed-form effect compartment of
a one-compartment oral model; the parts' declarations (for renaming).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import rewardsim as rs
from rewardsim.engine import Compartment, Model, Output, Param
from rewardsim.engine._compose import compose
from rewardsim.errors import ModelSpecError
from rewardsim.models import BaclofenPK, CocainePK, pk1cmt

TIMES = np.linspace(0.0, 24.0, 97)


class Effect(Model):
    """A linear effect compartment driven by an input concentration (a circuit stand-in)."""

    name = "effect-toy"
    compartments = (Compartment("CE", "mg/L", "Effect-site concentration", dosable=False),)
    params = (
        Param("CIN", 0.0, "mg/L", "Input concentration", "default: input"),
        Param("KE0", 2.0, "1/h", "Equilibration rate", "assumed: test value"),
    )
    ode = "dxdt_CE = KE0 * (CIN - CE)"
    outputs = (Output("CE", "CE", "mg/L", "Effect-site concentration"),)
    linear = True


@pytest.fixture(autouse=True)
def _strict_numerics():
    with np.errstate(all="raise"):
        yield


@pytest.fixture(scope="module")
def trio():
    a = pk1cmt()
    b = pk1cmt().with_params(CL=2.0, V=30.0, KA=0.5)
    cls = compose("pk-trio", {"A": a, "B": b, "": Effect()}, {"CIN": "A_CP"}, linear=True)
    return cls, a, b


def test_parts_keep_their_values_names_and_order(trio):
    cls, _, b = trio
    m = cls()
    assert m.compartment_names == ("A_DEPOT", "A_CENT", "B_DEPOT", "B_CENT", "CE")
    assert m.values["B_CL"] == 2.0 and m.values["B_V"] == 30.0 and m.values["A_CL"] == 1.0
    assert "CIN" not in m.param_names  # the linked input is gone
    assert m.output_names == ("A_CP", "B_CP", "CE")
    # One Fn/ALAGn per dosable compartment of the composite, none left from the parts.
    dosing = sorted(n for n in m.param_names if n.startswith(("F", "ALAG")))
    assert dosing == sorted(f"{k}{i}" for k in ("F", "ALAG") for i in (1, 2, 3, 4))


def test_prefixed_parts_give_the_same_concentrations_as_each_alone(trio):
    """Doses into A_DEPOT (1) and B_DEPOT (3) of the composite vs each pk1cmt alone."""
    cls, a, b = trio
    data = pd.concat([rs.regimen(100.0, cmt=1, ids=[1]), rs.regimen(50.0, cmt=3, ids=[1])])
    both = rs.simulate(cls(), data, times=TIMES, omega=False)
    alone_a = rs.simulate(a, rs.regimen(100.0, cmt=1), times=TIMES, omega=False)
    alone_b = rs.simulate(b, rs.regimen(50.0, cmt=1), times=TIMES, omega=False)
    np.testing.assert_allclose(both["A_CP"][0], alone_a["CP"][0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(both["B_CP"][0], alone_b["CP"][0], rtol=1e-12, atol=1e-14)


def test_link_feeds_the_effect_compartment_closed_form(trio):
    """CE of an effect compartment fed by one-compartment oral CP, in closed form."""
    cls, a, _ = trio
    d, ka, k, v, ke0 = 100.0, a.values["KA"], a.values["CL"] / a.values["V"], a.values["V"], 2.0
    sol = rs.simulate(cls(), rs.regimen(d, cmt=1), times=TIMES, omega=False)
    t = TIMES
    amp = d * ka / (v * (ka - k))
    ce = ke0 * amp * ((np.exp(-k * t) - np.exp(-ke0 * t)) / (ke0 - k)
                      - (np.exp(-ka * t) - np.exp(-ke0 * t)) / (ke0 - ka))
    np.testing.assert_allclose(sol["CE"][0], ce, rtol=1e-10, atol=1e-13)


def test_declared_dosing_params_are_renumbered_with_their_sources():
    """Cocaine's F1/F2 stay F1/F2; baclofen's declared F1 (Agarwal 2015) becomes F7."""
    coc = CocainePK().with_params(CL=100.0)
    bac = BaclofenPK().with_cv(CLR=0.3)
    m = compose("coc-bac", {"COC": coc, "BAC": bac})()
    spec = {p.name: p for p in m.all_params}
    assert spec["F1"].source == next(p.source for p in CocainePK.params if p.name == "F1")
    assert spec["F7"].value == 0.74 and "Agarwal" in spec["F7"].source
    assert spec["F3"].source.startswith("default:") and spec["F8"].source.startswith("default:")
    assert "BAC_F1" not in spec and "COC_F1" not in spec
    names = m.param_names
    assert len(names) == len(set(names))
    # Values and CVs set on the parts carry over; clashing Q's are apart.
    assert m.values["COC_CL"] == 100.0 and m.cvs["BAC_CLR"] == 0.3
    assert m.values["COC_Q"] != m.values["BAC_Q"]
    assert "BAC_CRCL" in m.covariate_names
    assert m.compartments[6].name == "BAC_DEPOT" and m.default_dose_cmt == 3  # cocaine IV
    assert math.isclose(m.values["F7"], BaclofenPK().values["F1"])


def test_bad_compositions_are_refused_with_the_names():
    with pytest.raises(ModelSpecError, match="not parameters of the composite; valid"):
        compose("x", {"A": pk1cmt(), "": Effect()}, {"NOPE": "A_CP"})
    with pytest.raises(ModelSpecError, match="must be a Model instance"):
        compose("x", {"A": pk1cmt})  # the class, not an instance
    with pytest.raises(ModelSpecError, match="letters and digits"):
        compose("x", {"A_B": pk1cmt()})


def test_link_using_states_cannot_feed_a_derived_quantity():
    class Derivedish(Effect):
        name = "effect-derived"
        derived = (rs.Derived("K2", "2.0 * CIN", "1/h", "uses the input"),)

    with pytest.raises(ModelSpecError, match="derived quantity 'K2'"):
        compose("x", {"A": pk1cmt(), "": Derivedish()}, {"CIN": "A_CP"})


def test_names_clash_without_distinct_prefixes():
    class Clash(Effect):
        name = "clash"
        params = (*Effect.params, Param("A_CL", 1.0, "L/h", "clashes", "assumed: test"))

    with pytest.raises(ModelSpecError, match=r"names clash between parts: \['A_CL'\]"):
        compose("x", {"A": pk1cmt(), "": Clash()})
