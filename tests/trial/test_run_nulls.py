"""Missing results are stored as null in the run folder's Parquet, so SQL skips them."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from rewardsim.analysis import query_run
from rewardsim.trial import run_trial


@pytest.fixture(scope="module")
def run(flagship, tmp_path_factory):
    return run_trial(flagship.with_overrides(n=20), tmp_path_factory.mktemp("nulls") / "run")


def test_missing_values_are_null_not_nan(run):
    visits = pq.read_table(run / "visits")
    for name in ("urine_positive", "be_ng_ml", "craving", "anxiety"):
        col = visits[name]
        assert col.null_count > 0, name  # rating-only visits have no urine, and vice versa
        assert not pc.any(pc.is_nan(col)).as_py(), name
    drop = pq.read_table(run / "subjects")["dropout_day"]
    completed = pq.read_table(run / "subjects")["completed"].to_numpy()
    assert drop.null_count == completed.sum()  # completers have no dropout day
    assert not pc.any(pc.is_nan(drop)).as_py()


def test_sql_aggregates_skip_missing_urines(run):
    # The README's query: averages over the urines provided, one row per arm.
    sql = ("select arm, avg(urine_positive) as p, count(urine_positive) as n from visits "
           "group by arm")
    got = query_run(run, sql).set_index("arm")
    visits = pq.read_table(run / "visits").to_pandas()
    want = visits.groupby("arm")["urine_positive"].agg(["mean", "count"])  # pandas skips NaN
    assert set(got.index) == {"placebo", "baclofen"}
    assert np.isfinite(got["p"]).all()
    np.testing.assert_allclose(got.loc[want.index, "p"], want["mean"], rtol=1e-12)
    assert (got.loc[want.index, "n"] == want["count"]).all()
