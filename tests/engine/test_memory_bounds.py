"""Memory bounds: requests too large for the budget are refused before they start, and the
streamed (chunked) path gives the same numbers as the in-memory path.

Before issue 15, TIME 1e9, ADDL 1e9, ``--times 0:1e12:1``, a dose every minute for
100,000 weeks and ``--n 1000000000`` ended in MemoryError or OverflowError tracebacks
(or would have exhausted the machine), and ``--seed -1`` in an OverflowError.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import rewardsim as rs
from rewardsim._memory import format_size, parse_size
from rewardsim.cli import _simulate as cli_simulate
from rewardsim.cli import app
from rewardsim.errors import ModelSpecError, ResourceError

runner = CliRunner()
PK1 = rs.models.pk1cmt()


def _mixed_data() -> pd.DataFrame:
    """Seven subjects with different records and uneven numbers of observation rows."""
    rows = []
    for i in range(1, 8):
        rows.append({"ID": 10 * i, "TIME": 0.0, "EVID": 1, "AMT": 10.0 * i, "CMT": 1,
                     "ADDL": i % 3, "II": 12.0})  # fmt: skip
        rows += [{"ID": 10 * i, "TIME": float(t), "EVID": 0, "AMT": 0.0, "CMT": 0}
                 for t in range(1, 2 + i)]  # fmt: skip
    return pd.DataFrame(rows).fillna(0.0)


@pytest.mark.parametrize("grid", [True, False])
def test_chunks_equal_one_simulation(grid):
    data = _mixed_data()
    kwargs = dict(times=np.arange(0.0, 30.0, 0.5) if grid else None, seed=11,
                  residual=rs.Residual("CP", add=0.01, prop=0.1),
                  omega={"CL": 0.09, "V": 0.04})  # fmt: skip
    whole = rs.simulate(PK1, data, **kwargs)
    parts = list(rs.simulate_chunks(PK1, data, chunk_size=3, **kwargs))
    assert [p.ids.tolist() for p in parts] == [[10, 20, 30], [40, 50, 60], [70]]
    joined = pd.concat([p.to_frame() for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole.to_frame(), check_exact=True)
    params = pd.concat([p.params for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(params, whole.params, check_exact=True)
    assert np.array_equal(np.concatenate([p.status for p in parts]), whole.status)


def test_streamed_file_equals_the_in_memory_result(tmp_path, monkeypatch):
    # Force chunks of 7 subjects so that the writer appends several of them.
    real = cli_simulate.simulate_chunks
    sizes = []

    def seven(*args, **kw):
        for sol in real(*args, **{**kw, "chunk_size": 7}):
            sizes.append(sol.ids.shape[0])
            yield sol

    monkeypatch.setattr(cli_simulate, "simulate_chunks", seven)
    args = ["simulate", "pk1cmt", "--dose", "20 mg every 12 h for 3 days", "--n", "30",
            "--cmt", "DEPOT", "--omega", "CL=0.09,V=0.04", "--seed", "3", "--times", "0:72:0.5"]
    for suffix in (".parquet", ".csv"):
        out = tmp_path / f"o{suffix}"
        res = runner.invoke(app, [*args, "--out", str(out)])
        assert res.exit_code == 0, res.output
        got = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
        expected = rs.simulate(
            PK1, rs.regimen(20.0, every=12.0, n_doses=6, n=30, cmt=1), times=np.arange(
                0.0, 72.25, 0.5), omega={"CL": 0.09, "V": 0.04}, seed=3).to_frame()
        pd.testing.assert_frame_equal(got, expected, check_exact=suffix == ".parquet",
                                      rtol=1e-15)  # CSV text holds shortest round-trip floats
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert sizes == [7, 7, 7, 7, 2] * 2


def _refused(tmp_path, args, match, kind="ResourceError"):
    out = tmp_path / "o.parquet"
    res = runner.invoke(app, ["simulate", "pk1cmt", *args, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert res.output.startswith(f"{kind}: "), res.output
    assert len(res.output.strip().splitlines()) == 1
    assert match in res.output, res.output
    assert list(tmp_path.iterdir()) == [p for p in tmp_path.iterdir() if p.suffix == ".csv"]


@pytest.mark.parametrize(("rows", "args", "match"), [
    ("ID,TIME,AMT,CMT\n1,1e9,20,1\n", [], "default hourly output grid"),
    ("ID,TIME,AMT,CMT,ADDL,II\n1,0,20,1,1000000000,1\n", ["--times", "0:10:1"],
     "up to 1,000,000,001 dose events a subject"),
])  # fmt: skip
def test_huge_data_sets_are_refused_before_they_start(tmp_path, rows, args, match):
    path = tmp_path / "d.csv"
    path.write_text(rows)
    _refused(tmp_path, ["--data", str(path), *args], match)


@pytest.mark.parametrize(("args", "match"), [
    (["--dose", "20 mg once", "--times", "0:1e12:1"],
     "The output grid --times of 1,000,000,000,001 points needs about 29.1 TiB"),
    (["--dose", "1 mg every 1 min for 100000 weeks"], "dose events a subject"),
    (["--dose", "1 mg once", "--n", "1000000000"], "A data set of 1,000,000,000 subjects"),
    (["--dose", "1 mg once", "--n", "100", "--times", "0:2688:1", "--max-memory", "64K"],
     "more than the budget of 64 KiB"),
])  # fmt: skip
def test_huge_requests_are_refused_before_they_start(tmp_path, args, match):
    _refused(tmp_path, args, match)


@pytest.mark.parametrize(("args", "match", "kind"), [
    (["--seed", "-1"], "must be a whole number in 0..2**64-1. Got -1", "ModelSpecError"),
    (["--seed", str(2**64)], f"Got {2**64} instead", "ModelSpecError"),
    (["--max-memory", "lots"], "--max-memory must be a size such as 4G", "ResourceError"),
    (["--max-memory", "0"], "Got '0' instead", "ResourceError"),
])  # fmt: skip
def test_bad_seed_and_budget(tmp_path, args, match, kind):
    _refused(tmp_path, ["--dose", "1 mg once", *args], match, kind)


def test_library_refuses_a_result_over_the_budget():
    data = rs.regimen(1.0, n=2000, cmt=1)
    with pytest.raises(ResourceError, match=r"Simulating 2,000 subject\(s\) \(2,689 output rows "
                                            r"a subject.*more than the budget of 1 MiB"):
        rs.simulate(PK1, data, times=np.arange(2689.0), max_memory="1M")
    for seed in (-1, 2**64, 1.5, True):
        with pytest.raises(ModelSpecError, match="'seed' argument of simulate"):
            rs.simulate(PK1, data.iloc[:1], times=[0.0], seed=seed)
    # The largest seed is allowed.
    assert rs.simulate(PK1, data.iloc[:1], times=[0.0], seed=2**64 - 1).status.tolist() == [0]


def test_sizes_read_and_written():
    assert parse_size("4G") == 4 * 2**30 and parse_size("512 MiB") == 512 * 2**20
    assert parse_size("1.5k") == 1536 and parse_size("1000") == 1000
    assert format_size(1536) == "1.5 KiB" and format_size(29.1 * 2**40) == "29.1 TiB"
