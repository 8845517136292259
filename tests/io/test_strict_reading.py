"""Strict reading of data sets: each case here was silently misread before issue 15.

A ragged CSV row was shifted into the index (``1,0,20,5,6`` under ``ID,TIME,AMT`` became
subject 20 at TIME 5 with AMT 6), a repeated column was dropped, IDs above 2**63 wrapped
to -2**63, and a negative creatinine clearance or a typical value of inf simulated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from rewardsim.cli import app
from rewardsim.errors import EventTableError, ModelSpecError
from rewardsim.io import read_dataset, validate_dataset
from rewardsim.models import get_model

runner = CliRunner()
PK1 = get_model("pk1cmt")


def _csv(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "match"), [
    ("ID,TIME,AMT\n1,0,20,5,6\n",
     r"line 2 has 5 fields but the header has 3: '1,0,20,5,6'"),
    ("ID,TIME,AMT\n1,0,20\n1,2\n", r"line 3 has 2 fields but the header has 3: '1,2'"),
    ("ID,TIME,AMT\n1,0,20\n1,1,0,\n", r"line 3 has 4 fields but the header has 3"),
])  # fmt: skip
def test_ragged_rows_are_refused_naming_the_line(tmp_path, text, match):
    with pytest.raises(EventTableError, match=match):
        read_dataset(_csv(tmp_path, text))


def test_ragged_row_far_down_is_found(tmp_path):
    rows = "".join(f"{i},0,1\n" for i in range(1, 200_001))
    path = _csv(tmp_path, "ID,TIME,AMT\n" + rows + "7,1,2,3\n")
    with pytest.raises(EventTableError, match=r"line 200002 has 4 fields"):
        read_dataset(path)


def test_repeated_columns_are_refused(tmp_path):
    with pytest.raises(EventTableError, match="column 'AMT' appears 2 times; give each column"):
        read_dataset(_csv(tmp_path, "ID,TIME,AMT,AMT\n1,0,20,30\n"))
    table = pa.Table.from_arrays([pa.array([1]), pa.array([0.0]), pa.array([5.0])],
                                 names=["ID", "TIME", "ID"])
    pq.write_table(table, tmp_path / "dup.parquet")
    with pytest.raises(EventTableError, match="column 'ID' appears 2 times"):
        read_dataset(tmp_path / "dup.parquet")


def test_csv_reading_keeps_values_and_text(tmp_path):
    path = _csv(tmp_path, "\ufeffID,TIME,AMT,DATE,NOTE\n1,0,20,2024-01-05,a b\n"
                          "1,0.1,.,2024-01-06,\n")  # fmt: skip
    df = read_dataset(path)
    assert list(df.columns) == ["ID", "TIME", "AMT", "DATE", "NOTE"]  # no byte-order mark
    assert df["TIME"].tolist() == [0.0, 0.1] and np.isnan(df["AMT"].iloc[1])
    assert df["DATE"].tolist() == ["2024-01-05", "2024-01-06"]  # dates stay text
    assert df["NOTE"].iloc[0] == "a b" and pd.isna(df["NOTE"].iloc[1])


@pytest.mark.parametrize(("ids", "match"), [
    ("9223372036854775808", r"ID at data row 1 must be a whole number in -2\*\*63..2\*\*63-1"),
    ("18446744073709551616", r"must be a whole number in -2\*\*63..2\*\*63-1"),
    ("-9223372036854775809", r"must be a whole number in -2\*\*63..2\*\*63-1"),
    ("1e30", r"must be a whole number in -2\*\*63..2\*\*63-1"),
    ("9007199254740993.0", r"of magnitude below 2\*\*53 when the ID column holds decimals"),
])  # fmt: skip
def test_ids_outside_the_64_bit_range_are_refused(tmp_path, ids, match):
    df = read_dataset(_csv(tmp_path, f"ID,TIME,AMT\n{ids},0,20\n"))
    with pytest.raises(EventTableError, match=match):
        validate_dataset(df, PK1)


def test_64_bit_ids_are_kept_exactly(tmp_path):
    top, bottom = 2**63 - 1, -(2**63)
    df = read_dataset(_csv(tmp_path, f"ID,TIME,AMT\n{top},0,20\n{bottom},0,20\n"
                                     f"9007199254740993,0,1\n"))  # fmt: skip
    ids = validate_dataset(df, PK1)["ID"].tolist()
    assert ids == [top, bottom, 2**53 + 1]
    big = pd.DataFrame({"ID": np.array([2**63], dtype=np.uint64), "TIME": [0.0]})
    with pytest.raises(EventTableError, match="got 9223372036854775808"):
        validate_dataset(big, PK1)


def test_covariates_outside_their_range_are_refused():
    bac = get_model("baclofen")
    df = pd.DataFrame({"ID": [1, 2], "TIME": [0.0, 0.0], "AMT": [20.0, 20.0],
                       "CRCL": [90.0, -30.0]})  # fmt: skip
    with pytest.raises(EventTableError, match=r"CRCL at data row 2 \(ID 2\) must be a number "
                                              r"in \[0, inf\) mL/min \(covariate of baclofen\)"):
        validate_dataset(df, bac)


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "-1"])
def test_non_finite_typical_values_are_refused(tmp_path, value):
    out = tmp_path / "o.csv"
    res = runner.invoke(app, ["simulate", "pk1cmt", "--dose", "20 mg once", "--param",
                              f"V={value}", "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.startswith("ModelSpecError: The 'V' parameter of pk1cmt must be a finite "
                                 "number in [0, inf) [L].")
    assert not out.exists()
    with pytest.raises(ModelSpecError, match="finite number"):
        PK1.with_params(V=float(value))


def test_cli_refuses_ragged_and_negative_covariate_files(tmp_path):
    out = tmp_path / "o.csv"
    for text, model, word in (("ID,TIME,AMT\n1,0,20,5,6\n", "pk1cmt", "fields"),
                              ("ID,TIME,AMT,CRCL\n1,0,20,-5\n", "baclofen", "CRCL")):
        path = _csv(tmp_path, text)
        res = runner.invoke(app, ["simulate", model, "--data", str(path), "--out", str(out)])
        assert res.exit_code == 2 and word in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1
        assert not out.exists()
