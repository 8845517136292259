"""The model's arithmetic as the generated kernel computes it: subject-constant parts of the
ODE block taken out and computed once (:func:`rewardsim.engine._codegen.hoist_invariants`)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rewardsim as rs
from rewardsim.engine._codegen import hoist_invariants

_MATH = {k: getattr(math, k) for k in ("exp", "log", "log10", "sqrt", "pi", "tanh", "sin",
                                       "cos", "floor", "ceil", "erf")}


def _derivatives(block: str, values: dict[str, float]) -> dict[str, float]:
    ns = {**_MATH, **values}
    exec(block, {}, ns)  # the model's own block, as the kernel runs it
    return {k: v for k, v in ns.items() if k.startswith("dxdt_")}


@pytest.mark.parametrize("name", ["pk2cmt_mm", "cocaine", "baclofen", "reward-circuit"])
def test_the_block_with_its_constants_taken_out_gives_the_same_derivatives(name):
    """At random parameters and states, the rewritten block (hidden quantities computed
    first, as ``derive`` does) gives the original block's derivatives within a few units
    in the last place: a quotient by a constant becomes a product with its reciprocal,
    two roundings instead of one."""
    model = rs.models.get_model(name)
    rng = np.random.default_rng(7)
    derived = tuple(x.name for x in model.derived)
    block, hidden = hoist_invariants(model.ode_source(),
                                     frozenset(model.param_names) | frozenset(derived))
    assert hidden, "every shipped ODE model has subject-constant arithmetic"
    for _ in range(20):
        values = {p.name: float(p.value) * rng.uniform(0.5, 2.0) for p in model.params}
        values.update({c: rng.uniform(50.0, 150.0) for c in model.covariate_names})
        for x in model.derived:
            values[x.name] = eval(x.expr, {**_MATH}, dict(values))
        values.update({c: rng.uniform(0.0, 10.0) for c in model.compartment_names})
        values["t"] = rng.uniform(0.0, 100.0)
        want = _derivatives(model.ode_source(), values)
        for h, expr in hidden:
            values[h] = eval(expr, {**_MATH}, dict(values))
        got = _derivatives(block, values)
        assert got.keys() == want.keys()
        for k in want:
            assert got[k] == pytest.approx(want[k], rel=1e-13, abs=1e-300), (name, k)


def test_only_arithmetic_of_parameters_is_taken_out():
    """States, time and names the block assigns (even one that is also a parameter) stay;
    a quotient by a parameter becomes a product with its reciprocal; one expression met
    twice is one hidden quantity."""
    block = "\n".join([
        "K = CL / V",
        "V = V * 2.0",
        "dxdt_A = -K * A * exp(-t / TAU) - Q / KA * A",
        "dxdt_B = CL / V * A - B / TAU + sqrt(KA * KA)",
    ])
    new, hidden = hoist_invariants(block, frozenset({"CL", "V", "TAU", "Q", "KA"}))
    assert dict(hidden) == {"_h0": "1.0 / TAU", "_h1": "Q / KA", "_h2": "sqrt(KA * KA)"}
    assert new.splitlines() == [
        "K = CL / V",
        "V = V * 2.0",
        "dxdt_A = -K * A * exp(-t * _h0) - _h1 * A",
        "dxdt_B = CL / V * A - B * _h0 + _h2",
    ]


def test_a_model_compiled_with_constants_taken_out_matches_its_closed_form():
    """End to end through the compiled kernel: a two-compartment IV bolus, its rate
    constants written as quotients of parameters in the block, against the
    bi-exponential closed form."""
    class TwoCmt(rs.Model):
        name = "two_cmt_iv_hoist"
        compartments = (rs.Compartment("CENT", "mg", ""), rs.Compartment("PERIPH", "mg", ""))
        params = (rs.Param("CL", 5.0, "L/h", "", source="assumed: test"),
                  rs.Param("V1", 20.0, "L", "", source="assumed: test"),
                  rs.Param("Q", 8.0, "L/h", "", source="assumed: test"),
                  rs.Param("V2", 40.0, "L", "", source="assumed: test"))
        ode = ("dxdt_CENT = -(CL + Q) / V1 * CENT + Q / V2 * PERIPH\n"
               "dxdt_PERIPH = Q / V1 * CENT - Q / V2 * PERIPH")
        outputs = (rs.Output("CP", "CENT / V1", "mg/L", ""),)

    t = np.linspace(0.0, 24.0, 49)
    sol = rs.simulate(TwoCmt(), rs.regimen(100.0, n_doses=1, cmt=1, n=1), times=t,
                      omega=False, method="dp5-rodas", rtol=1e-10, atol=1e-12)
    k10, k12, k21 = 5.0 / 20.0, 8.0 / 20.0, 8.0 / 40.0
    s, p = k10 + k12 + k21, k10 * k21
    a, b = (s + math.sqrt(s * s - 4 * p)) / 2, (s - math.sqrt(s * s - 4 * p)) / 2
    cp = 100.0 / 20.0 * ((a - k21) * np.exp(-a * t) + (k21 - b) * np.exp(-b * t)) / (a - b)
    np.testing.assert_allclose(sol["CP"][0], cp, rtol=1e-8)
