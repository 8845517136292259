"""``rewardsim simulate`` and ``rewardsim models`` in-process (typer's CliRunner)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rewardsim.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def write(tmp_path, rows: dict) -> str:
    path = tmp_path / "data.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return str(path)


def test_simulate_data_set_to_csv_uses_individual_parameters(tmp_path):
    data = write(tmp_path, {"ID": [1, 1, 2, 2], "TIME": [0.0, 2.0, 0.0, 2.0],
                            "AMT": [100.0, 0, 100.0, 0], "CMT": [2, 0, 2, 0],
                            "EVID": [1, 0, 1, 0], "CL": [25.0, 25.0, 50.0, 50.0],
                            "V": [50.0, 50.0, 50.0, 50.0]})
    out = tmp_path / "out.csv"
    res = run("simulate", "pk1cmt", "--data", data, "--out", str(out))
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["ID", "TIME", "CP"]
    # CP = D/V exp(-CL/V t): the columns CL and V are each subject's own values.
    np.testing.assert_allclose(frame["CP"], [2 * np.exp(-1.0), 2 * np.exp(-2.0)], rtol=1e-12)


def test_simulate_regimen_to_parquet_with_seed(tmp_path):
    out = tmp_path / "out.parquet"
    args = ("simulate", "pk1cmt", "--dose", "20 mg every 8 h for 2 days", "--n", "5",
            "--cmt", "DEPOT", "--omega", "CL=0.09", "--seed", "4", "--times", "0:48:1",
            "--out", str(out))
    res = run(*args)
    assert res.exit_code == 0, res.output
    a = pd.read_parquet(out)
    assert a.shape == (5 * 49, 3)
    run(*args)
    assert pd.read_parquet(out).equals(a)


def test_models_lists_and_describes():
    res = run("models")
    assert res.exit_code == 0 and "pk2cmt_mm" in res.output
    res = run("models", "pk1cmt")
    assert res.exit_code == 0
    for word in ("CL", "L/h", "KA", "1/h", "source"):
        assert word in res.output


BAD = [
    (["simulate", "nope", "--dose", "1 mg once"], "Unknown model 'nope'"),
    (["simulate", "pk1cmt", "--dose", "1 mg once", "--param", "KYLE=1"],
     "Unknown parameter 'KYLE'"),
    (["simulate", "pk1cmt", "--dose", "1 mg once", "--omega", "CL=-0.1"],
     "not positive definite"),
]

BAD_DATA = [
    ({"ID": [1], "TIME": [0.0], "AMT": [-5.0], "CMT": [1]}, "AMT"),
    ({"ID": [1], "TIME": [0.0], "AMT": ["lots"], "CMT": [1]}, "AMT"),
    ({"ID": [1], "TIME": [0.0], "AMT": [5.0], "CMT": [9]}, "CMT"),
    ({"ID": [1], "TIME": [0.0], "AMT": [5.0], "CMT": [1], "ADDL": [3], "II": [0.0]}, "ADDL"),
    ({"ID": [1, 1], "TIME": [5.0, 1.0], "AMT": [5.0, 5.0], "CMT": [1, 1]}, "TIME"),
    ({"ID": [1], "AMT": [5.0]}, "TIME"),
]


@pytest.mark.parametrize("args, match", BAD)
def test_bad_arguments_exit_2_with_one_line(tmp_path, args, match):
    out = tmp_path / "out.csv"
    res = run(*args, "--out", str(out))
    assert res.exit_code == 2
    assert match in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("rows, field", BAD_DATA)
def test_bad_data_exit_2_naming_the_field(tmp_path, rows, field):
    out = tmp_path / "out.csv"
    res = run("simulate", "pk1cmt", "--data", write(tmp_path, rows), "--out", str(out))
    assert res.exit_code == 2, res.output
    line = res.output.strip()
    assert line.startswith("EventTableError:") and field in line
    assert len(line.splitlines()) == 1
    assert not out.exists()
