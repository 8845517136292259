"""Determinism across chunks and threads, and the statistics of IIV and residual error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import rewardsim as rs
from rewardsim.engine._kernels import expm, normals, philox4x64
from rewardsim.errors import ModelSpecError

OMEGA = {"CL": 0.09, "V": 0.04, "KA": 0.16}


@pytest.fixture(scope="module")
def setup():
    model = rs.models.pk1cmt().with_params(CL=25.0, V=50.0, KA=1.2)
    data = rs.regimen(20.0, every=8.0, n_doses=21, cmt=1, n=1000)
    return model, data, np.arange(0, 168.0, 1.0)


def test_one_chunk_equals_seven_chunks(setup):
    model, data, t = setup
    a = rs.simulate(model, data, times=t, omega=OMEGA, seed=11, chunk_size=1000, n_threads=1)
    b = rs.simulate(model, data, times=t, omega=OMEGA, seed=11, chunk_size=143, n_threads=2)
    assert np.array_equal(a["CP"], b["CP"])  # bit-identical
    assert np.array_equal(a.params.to_numpy(), b.params.to_numpy())


def test_a_subjects_draws_do_not_depend_on_the_others(setup):
    model, data, t = setup
    full = rs.simulate(model, data, times=t, omega=OMEGA, seed=11)
    part = rs.simulate(model, data[data.ID.isin([5, 700])], times=t, omega=OMEGA, seed=11)
    assert np.array_equal(full["CP"][[4, 699]], part["CP"])
    other = rs.simulate(model, data[data.ID.isin([5])], times=t, omega=OMEGA, seed=12)
    assert not np.array_equal(full["CP"][4], other["CP"][0])


def test_lognormal_iiv_matches_omega():
    # 20,000 subjects: the log individual parameters have mean log(TV) and the OMEGA
    # covariance; standard error of a variance estimate ~ omega2*sqrt(2/n) ~ 1 %.
    model = rs.models.pk1cmt().with_params(CL=25.0, V=50.0, KA=1.2)
    names = ("CL", "V", "KA")
    om = np.array([[0.09, 0.03, 0.0], [0.03, 0.04, 0.0], [0.0, 0.0, 0.16]])
    data = rs.regimen(1.0, cmt=1, n=20000)
    sol = rs.simulate(model, data, times=[0.0], omega=(names, om), seed=1)
    logp = np.log(sol.params[list(names)].to_numpy()) - np.log([25.0, 50.0, 1.2])
    assert np.all(np.abs(logp.mean(axis=0)) <= 4 * np.sqrt(om.diagonal() / 20000))
    np.testing.assert_allclose(np.cov(logp.T), om, atol=0.006)


def test_published_cv_converts_to_omega():
    model = rs.models.pk1cmt().with_cv(CL=0.3)
    data = rs.regimen(1.0, cmt=1, n=20000)
    cl = rs.simulate(model, data, times=[0.0], seed=2).params["CL"].to_numpy()
    # omega^2 = log(1 + CV^2) = 0.08618 for a 30 % CV.
    assert np.var(np.log(cl)) == pytest.approx(np.log1p(0.09), rel=0.03)


def test_proportional_residual_error():
    model = rs.models.pk1cmt()
    data = rs.regimen(100.0, cmt=2, n=4000)
    sol = rs.simulate(
        model, data, times=[1.0, 2.0], omega=False, seed=5, residual=rs.Residual("CP", prop=0.2)
    )
    ratio = sol["DV"] / sol["CP"] - 1.0
    assert stats.kstest(ratio.ravel() / 0.2, "norm").pvalue > 1e-3
    again = rs.simulate(
        model, data, times=[1.0, 2.0], omega=False, seed=5, residual=rs.Residual("CP", prop=0.2)
    )
    assert np.array_equal(sol["DV"], again["DV"])


def test_philox_is_bit_identical_to_numpy():
    """Salmon et al. 2011 Philox4x64-10; NumPy increments the counter before a block."""
    key = (123456789, 42)
    bg = np.random.Philox(key=np.array(key, dtype=np.uint64), counter=np.zeros(4, dtype=np.uint64))
    raw = bg.random_raw(8)
    out = np.empty(4, dtype=np.uint64)
    for block in (1, 2):
        philox4x64(
            np.uint64(block),
            np.uint64(0),
            np.uint64(0),
            np.uint64(0),
            np.uint64(key[0]),
            np.uint64(key[1]),
            out,
        )
        assert np.array_equal(out, raw[4 * (block - 1) : 4 * block])


def test_normal_draws_are_standard_normal():
    z = np.empty(100000)
    normals(7, 1, 3, z)
    assert stats.kstest(z, "norm").pvalue > 1e-3


def test_expm_matches_scipy():
    """Compartmental matrices (non-negative transfers, columns summing to <= 0), as the
    exact path sees them: rate constants up to 50 /h over steps up to 100 h."""
    from scipy.linalg import expm as sp_expm

    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(2, 6))
        k = rng.uniform(0, 50, size=(n, n)) * (rng.uniform(size=(n, n)) < 0.6)
        np.fill_diagonal(k, 0.0)
        a = k - np.diag(k.sum(axis=0) + rng.uniform(0, 5, size=n))
        for dt in (0.01, 1.0, 100.0):
            ref = sp_expm(a * dt)
            assert np.max(np.abs(expm(a * dt) - ref)) <= 1e-12 * max(1.0, np.abs(ref).max())


@pytest.mark.parametrize(
    "omega, match",
    [
        ({"KYLE": 0.1}, "unknown parameter 'KYLE'"),
        ((("CL", "V"), [[0.1, 0.2], [0.2, 0.1]]), "not positive definite"),
        ((("CL", "V"), [[0.1, 0.0]]), "must be 2x2"),
        ({"CL": "big"}, "must be a number"),
    ],
)
def test_bad_omega_is_refused(omega, match):
    with pytest.raises(ModelSpecError, match=match):
        rs.simulate(rs.models.pk1cmt(), rs.regimen(1.0), times=[0.0], omega=omega)


def test_bad_parameter_values_are_refused():
    with pytest.raises(ModelSpecError, match=r"Unknown parameter 'KYLE' for pk1cmt; valid: CL"):
        rs.models.pk1cmt().with_params(KYLE=1.0)
    finite = r"'CL' parameter of pk1cmt must be a finite number in \[0, inf\) \[L/h\]"
    for bad in (-5.0, float("inf"), float("nan")):
        with pytest.raises(ModelSpecError, match=finite):
            rs.models.pk1cmt().with_params(CL=bad)


def _mixed_schedules() -> pd.DataFrame:
    """Twelve subjects of pk2cmt_mm with different records (bolus, ADDL, infusion, SS,
    reset, lag); subject 7 absorbs 10,000 times faster, which makes it stiff."""
    rows = []
    for i in range(1, 13):
        ka = 1e4 if i == 7 else 0.5 + 0.1 * i
        base = {"ID": i, "KA": ka, "ALAG1": 0.25 * (i % 3)}
        if i % 4 == 0:  # infusions into the centre, every 12 h
            rows.append({**base, "TIME": 0.0, "AMT": 30.0, "CMT": 2, "RATE": 15.0,
                         "ADDL": 5, "II": 12.0})
        elif i % 4 == 1:  # oral steady state, then a reset and dose at 30 h
            rows.append({**base, "TIME": 0.0, "AMT": 20.0, "CMT": 1, "SS": 1, "II": 8.0,
                         "ADDL": 2})
            rows.append({**base, "TIME": 30.0, "AMT": 10.0, "CMT": 1, "EVID": 4})
        else:  # oral doses every 6 + i h
            rows.append({**base, "TIME": 0.5 * i, "AMT": 5.0 * i, "CMT": 1,
                         "ADDL": 8, "II": 6.0 + i})
    data = pd.DataFrame(rows).fillna({"RATE": 0.0, "ADDL": 0, "II": 0.0, "SS": 0})
    data["EVID"] = data["EVID"].fillna(1).astype(int)
    return data


def test_dormand_prince_subjects_do_not_depend_on_their_neighbours():
    """Small models step several subjects at once (vector lanes): each subject's result
    is the same bit for bit alone, in any chunking, and on any number of threads,
    including one that turns stiff and finishes with Rodas4."""
    model = rs.models.pk2cmt_mm()
    data = _mixed_schedules()
    t = np.arange(0.0, 72.0, 0.5)
    kw = {"times": t, "omega": {"VMAX": 0.09, "V2": 0.04}, "seed": 3, "method": "dp5-rodas"}
    full = rs.simulate(model, data, chunk_size=1000, n_threads=1, **kw)
    assert (full.status == 0).all()
    split = rs.simulate(model, data, chunk_size=5, n_threads=2, **kw)
    assert np.array_equal(full["CP"], split["CP"])
    for i in (1, 4, 7, 12):
        alone = rs.simulate(model, data[data.ID == i], n_threads=1, **kw)
        assert np.array_equal(full["CP"][i - 1], alone["CP"][0]), f"ID {i}"
    # The stiff subject switched to Rodas4: Dormand-Prince alone is stable only for steps
    # below 3.3 / KA, which over 72 h would take more than 72 * 1e4 / 3.3 = 218,000 steps.
    assert full.n_steps[6] < 10_000


def test_four_lanes_step_as_one_subject_does(lanes_and_one_subject):
    """The lanes' generated step (stages as a loop, the model's block written once) is
    held to the one-subject Dormand-Prince loop (its stages written out, the right-hand
    side a call): the same steps, and outputs within 1e-12 relative (the two compile the
    model's arithmetic apart, so roundings may differ). The subject that turns stiff
    (ID 7) goes on with Rodas4, whose forward-difference Jacobian (increments of about
    sqrt(machine epsilon) = 1.5e-8) magnifies a rounding difference in the state where it
    switches: within 1e-8 relative, 100 times below the tolerance rtol = 1e-6."""
    model = rs.models.pk2cmt_mm()
    data = _mixed_schedules()
    kw = {"times": np.arange(0.0, 72.0, 0.5), "omega": {"VMAX": 0.09, "V2": 0.04},
          "seed": 3, "method": "dp5-rodas", "n_threads": 1, "rtol": 1e-6, "atol": 1e-6}
    lanes, one = lanes_and_one_subject(model, data, **kw)
    ref = np.abs(one["CP"]).max()
    smooth = np.arange(len(lanes.ids)) != 6
    np.testing.assert_allclose(lanes["CP"][smooth], one["CP"][smooth], rtol=1e-12,
                               atol=1e-12 * ref)
    np.testing.assert_allclose(lanes["CP"][6], one["CP"][6], rtol=1e-8, atol=1e-12 * ref)


def _exact_schedules(cmt_central: int) -> pd.DataFrame:
    """Sixteen subjects in runs that share a timeline (the exact path advances up to four
    of them together) broken by subjects whose events differ: amounts that differ within
    a run, infusions, steady state with a reset, and a lag of their own."""
    rows = []
    for i in range(1, 17):
        base = {"ID": i, "ALAG1": 0.5 if i == 10 else 0.0}
        if i in (6, 7):  # infusions into the centre, every 12 h
            rows.append({**base, "TIME": 0.0, "AMT": 30.0, "CMT": cmt_central, "RATE": 15.0,
                         "ADDL": 5, "II": 12.0})
        elif i in (8, 9):  # oral steady state, then a reset and dose at 30 h
            rows.append({**base, "TIME": 0.0, "AMT": 10.0 * i, "CMT": 1, "SS": 1, "II": 8.0,
                         "ADDL": 2})
            rows.append({**base, "TIME": 30.0, "AMT": 10.0, "CMT": 1, "EVID": 4})
        else:  # oral doses every 8 h, amounts that differ from subject to subject
            rows.append({**base, "TIME": 0.0, "AMT": 5.0 + i, "CMT": 1, "ADDL": 8,
                         "II": 8.0})
    data = pd.DataFrame(rows).fillna({"RATE": 0.0, "ADDL": 0, "II": 0.0, "SS": 0})
    data["EVID"] = data["EVID"].fillna(1).astype(int)
    return data


@pytest.mark.parametrize("name, central, omega", [
    ("pk1cmt", 2, {"CL": 0.09, "V": 0.04, "KA": 0.16}),  # two states
    ("pk2cmt", 2, {"CL": 0.09, "V2": 0.04, "KA": 0.16}),  # three
    ("cocaine", 3, {"CL": 0.09, "VC": 0.04}),  # six
])
def test_exact_subjects_do_not_depend_on_their_neighbours(name, central, omega):
    """The exact path advances consecutive subjects that share a timeline together: each
    subject's result is the same bit for bit alone, in any chunking, on any number of
    threads, and whether or not its neighbours share its events."""
    model = rs.models.get_model(name)
    data = _exact_schedules(central)
    kw = {"times": np.arange(0.0, 72.0, 0.5), "omega": omega, "seed": 5, "method": "exact"}
    full = rs.simulate(model, data, chunk_size=1000, n_threads=1, **kw)
    assert (full.status == 0).all()
    split = rs.simulate(model, data, chunk_size=3, n_threads=2, **kw)
    for out in full.outputs:
        assert np.array_equal(full[out], split[out]), out
    for i in (1, 5, 6, 8, 10, 16):
        alone = rs.simulate(model, data[data.ID == i], n_threads=1, **kw)
        for out in full.outputs:
            assert np.array_equal(full[out][i - 1], alone[out][0]), f"ID {i}, {out}"
