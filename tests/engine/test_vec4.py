"""The Dormand-Prince lanes' vector step (four subjects in one ``<4 x double>``,
:mod:`rewardsim.engine._vec4`) held to the scalar lane loop it replaces and to the
one-subject Dormand-Prince loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numba import njit

import rewardsim as rs
from rewardsim.engine import Compartment, Model, Output, Param, _codegen
from rewardsim.engine._fcall import LANES, call14


class EveryOperation(Model):
    """Three states whose block uses every operation the vector step computes."""

    name = "vec4_every_operation"
    description = "Test model: absorption, elimination and an effect compartment"
    compartments = (
        Compartment("DEPOT", "mg", "Amount at the absorption site"),
        Compartment("CENT", "mg", "Amount in the central compartment"),
        Compartment("EFF", "1", "Effect"),
    )
    params = (
        Param("KA", 1.2, "1/h", "Absorption rate constant", source="assumed: test value"),
        Param("CL", 4.0, "L/h", "Clearance", source="assumed: test value"),
        Param("V", 30.0, "L", "Volume", source="assumed: test value"),
        Param("EMAX", 2.0, "1", "Maximal effect", source="assumed: test value"),
        Param("EC50", 0.3, "mg/L", "Half-maximal concentration", source="assumed: test value"),
        Param("GAM", 1.7, "1", "Hill coefficient", source="assumed: test value"),
        # Named as one of the vector operations: the generated step's own names start
        # with "_", which a model's cannot.
        Param("vmax", 0.5, "1/h", "Effect equilibration", source="assumed: test value"),
    )
    ode = """
    C = CENT / V
    E = EMAX * C ** GAM / (EC50 ** GAM + C ** GAM)
    dxdt_DEPOT = -KA * DEPOT
    dxdt_CENT = KA * DEPOT - CL * C - 0.01 * sqrt(abs(CENT)) + 0.001 * exp(-t / 24)
    dxdt_EFF = vmax * (log(1 + E) - EFF) + 1e-4 * C ** 2 - +EFF * 1e-3
    """
    outputs = (Output("EFFECT", "EFF", "1", "Effect"),)


def test_the_vector_step_takes_plain_arithmetic_only():
    """Assignments of + - * / **, unary signs, exp, log, sqrt and abs run on four-lane
    vectors; a block with anything else keeps the scalar lane loop."""
    assert _codegen.lane_vectors("C = CENT / V\ndxdt_A = -KA * A ** 2 + exp(log(sqrt(abs(C))))")
    for block in ("dxdt_A = min(A, 1.0)", "dxdt_A = tanh(A)", "dxdt_A = A if A > 0 else 0.0",
                  "if A > 0:\n    B = 1.0\nelse:\n    B = 2.0\ndxdt_A = B",
                  "B = 1.0\nB += A\ndxdt_A = B", "dxdt_A = -(A > 1)", "a, b = A, B"):
        assert not _codegen.lane_vectors(block), block


@njit
def _step(fn, arrays, reps):
    T, H, Y, K, U, YN, R, P, D, ERR, SN, SD = arrays
    for _ in range(reps):
        call14(fn, T, H, Y, K, U, YN, R, P, D, ERR, SN, SD, 1e-8, 1e-9)


def _kernels(model):
    """The model's module with the vector step, and with the scalar lane loop."""
    vec = _codegen.compile_model(model, 2)
    ode, hidden = _codegen.hoist_invariants(model.ode_source(), frozenset(model.param_names))
    dnames = tuple(x.name for x in model.derived) + tuple(h for h, _ in hidden)
    src = _codegen.model_source(model, 2)
    scalar_src = (src[:src.index("from rewardsim.engine._vec4")]
                  + _codegen._step_lanes(ode.splitlines(), model.param_names, dnames,
                                         model.compartment_names)
                  + src[src.index("NAMES = "):])
    assert "vload" in vec.module.__loader__.get_source(vec.module.__name__)
    scalar = _codegen.load_source(f"test_scalar_{model.name}", scalar_src)
    return vec, scalar


@pytest.mark.parametrize("model, exact", [(rs.models.pk2cmt_mm(), True),
                                          (EveryOperation(), False)],
                         ids=["pk2cmt_mm", "every-operation"])
def test_the_vector_step_is_the_scalar_lanes_step(model, exact):
    """At random states, stages, step sizes, parameters and infusion rates, one step of
    four lanes on vectors gives the scalar lane loop's stages, new states, error and
    stiffness sums: the same IEEE operations in the same order, exp, log and pow from the
    same C library. For ``pk2cmt_mm`` (W2's model) bit for bit. In a sum of several
    products (``a * b + c * d - e * f``) the compiler may fuse a different product into a
    multiply-add for vectors than for scalars: within 1e-13 relative there."""
    vec, scalar = _kernels(model)
    nx, n_p, nd = (int(x) for x in vec.dims[:3])
    typical = np.ones(n_p)  # the model's values; F1, ALAG1, ... 1
    typical[:len(model.params)] = [p.value for p in model.params]
    rng = np.random.default_rng(7)
    differing = finite = 0
    for _ in range(300):
        arrays = [rng.uniform(0.0, 48.0, LANES), rng.uniform(1e-3, 0.5, LANES),
                  rng.uniform(0.0, 20.0, (nx, LANES)), np.zeros((7, nx, LANES)),
                  np.zeros((nx, LANES)), np.zeros((nx, LANES)),
                  rng.uniform(0.0, 2.0, (nx, LANES)) * (rng.random((nx, LANES)) < 0.3),
                  rng.uniform(0.5, 1.5, (n_p, LANES)) * typical[:, None],
                  rng.uniform(0.02, 0.5, (nd, LANES)), np.zeros(LANES), np.zeros(LANES),
                  np.zeros(LANES)]
        arrays[3][0] = rng.normal(size=(nx, LANES))
        other = [a.copy() for a in arrays]
        _step(vec.fns[5], tuple(arrays), 1)
        _step(scalar.step_lanes.address, tuple(other), 1)
        for a, b in zip(arrays, other, strict=True):
            if exact:
                differing += not np.array_equal(a, b, equal_nan=True)
            else:
                scale = np.nanmax(np.abs(b)) if np.isfinite(b).any() else 1.0
                np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13 * scale)
        finite += np.isfinite(arrays[9]).sum()
    assert differing == 0
    assert finite > 0.6 * 300 * LANES  # some stages leave log's domain: NaN in both


def test_a_model_of_every_operation_steps_in_lanes_as_one_subject_does(
        lanes_and_one_subject):
    """Twelve subjects of a model using every vector operation, on doses every 6-17 h and
    an infusion: the lanes take the one-subject loop's steps, and outputs agree within
    1e-12 relative (the two compile the model apart, so roundings may differ)."""
    model = EveryOperation()
    rows = []
    for i in range(1, 13):
        rows.append({"ID": i, "TIME": 0.25 * i, "AMT": 10.0 + i, "CMT": 1, "ADDL": 5,
                     "II": 6.0 + i, "RATE": 0.0})
        if i % 5 == 0:
            rows.append({"ID": i, "TIME": 3.0, "AMT": 8.0, "CMT": 2, "ADDL": 0, "II": 0.0,
                         "RATE": 4.0})
    data = pd.DataFrame(rows)
    kw = {"times": np.arange(0.0, 96.0, 0.5), "omega": {"KA": 0.09, "CL": 0.04},
          "seed": 5, "method": "dp5-rodas", "n_threads": 1, "rtol": 1e-8, "atol": 1e-9}
    lanes, one = lanes_and_one_subject(model, data, **kw)
    ref = np.abs(one["EFFECT"]).max()
    assert ref > 0.1
    np.testing.assert_allclose(lanes["EFFECT"], one["EFFECT"], rtol=1e-12, atol=1e-12 * ref)
