"""A Solution's short repr, Jupyter HTML and xarray view."""

import numpy as np
import pandas as pd
import pytest

import rewardsim as rs

xr = pytest.importorskip("xarray")  # in the [test] extra; optional for users


@pytest.fixture(scope="module")
def grid_solution():
    model = rs.models.pk1cmt().with_params(CL=5.0, V=50.0, KA=1.0)
    return rs.simulate(model, rs.regimen(100.0, n=1000), times=np.arange(0.0, 25.0),
                       omega=False)  # fmt: skip


def test_repr_is_one_short_line(grid_solution):
    text = repr(grid_solution)
    assert text == "Solution(model='pk1cmt', 1000 subjects x 25 times (0-24 h), outputs: CP [mg/L])"


def test_repr_html_lists_outputs_with_unit_and_range(grid_solution):
    page = grid_solution._repr_html_()
    assert "<td>CP</td><td>mg/L</td>" in page
    # Bateman peak of 100 mg, V 50 L, KA 1/h, k 0.1/h: at t = ln(10)/0.9 = 2.56 h,
    # 2 * 10/9 * (e^-0.256 - e^-2.56) = 1.5485 mg/L; the hourly grid sees t = 3 h.
    peak = 100 / 50 * 1.0 / (1.0 - 0.1) * (np.exp(-0.1 * 3) - np.exp(-1.0 * 3))
    assert f"<td>{peak:.4g}</td>" in page


def test_to_xarray_on_a_grid(grid_solution):
    ds = grid_solution.to_xarray()
    assert ds["CP"].dims == ("ID", "TIME") and ds["CP"].attrs["units"] == "mg/L"
    np.testing.assert_array_equal(ds["CP"].to_numpy(), grid_solution["CP"])
    np.testing.assert_array_equal(ds["ID"].to_numpy(), np.arange(1, 1001))
    assert ds["TIME"].attrs["units"] == "h" and (ds["status"] == 0).all()


def test_to_xarray_at_observation_rows():
    model = rs.models.pk1cmt()
    data = pd.DataFrame({"ID": [1, 1, 1, 2, 2], "TIME": [0.0, 1.0, 4.0, 0.0, 2.0],
                         "EVID": [1, 0, 0, 1, 0], "AMT": [100.0, 0, 0, 50.0, 0],
                         "CMT": [1, 2, 2, 1, 2]})  # fmt: skip
    sol = rs.simulate(model, data, omega=False)
    ds = sol.to_xarray()
    assert ds["CP"].dims == ("row",)
    assert ds["ID"].to_numpy().tolist() == [1, 1, 2]
    assert ds["TIME"].to_numpy().tolist() == [1.0, 4.0, 2.0]
    np.testing.assert_array_equal(ds["CP"].to_numpy(), sol["CP"])
