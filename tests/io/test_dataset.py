"""Tests for reading, writing and validating NONMEM-style data sets (rewardsim.io)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest

import rewardsim.io as rio
from rewardsim.errors import EventTableError
from rewardsim.io import NONMEM_COLUMNS, read_dataset, validate_dataset, write_dataset

MODEL = NS(
    name="pk1",
    compartments=(NS(name="DEPOT"), NS(name="CENTRAL")),
    param_names=("CL", "V", "KA", "F1", "F2", "ALAG1", "ALAG2"),
    covariate_names=("WT", "CRCL"),
    default_dose_cmt=1,
)
DTYPES = {
    "ID": "int64",
    "TIME": "float64",
    "EVID": "int64",
    "AMT": "float64",
    "CMT": "int64",
    "RATE": "float64",
    "ADDL": "int64",
    "II": "float64",
    "SS": "int64",
}


@pytest.fixture(autouse=True)
def _strict_numpy():
    with np.errstate(all="raise"):
        yield


def frame(**columns) -> pd.DataFrame:
    """Two subjects, a dose at 0 h and an observation at 4 h each; override any column."""
    data = {"ID": [1, 1, 2, 2], "TIME": [0.0, 4.0, 0.0, 4.0], "AMT": [20.0, 0.0, 20.0, 0.0]}
    data.update(columns)
    return pd.DataFrame(data)


def test_public_names():
    assert rio.__all__ == sorted(rio.__all__)
    assert set(rio.__all__) == {
        "NONMEM_COLUMNS",
        "expand_addl",
        "parse_regimen",
        "read_dataset",
        "regimen",
        "validate_dataset",
        "write_dataset",
    }
    assert NONMEM_COLUMNS == ("ID", "TIME", "EVID", "AMT", "CMT", "RATE", "ADDL", "II", "SS")


# -- defaults and normalisation -----------------------------------------------------------


def test_defaults_filled_and_dtypes():
    out = validate_dataset(frame(), MODEL)
    assert list(out.columns) == list(NONMEM_COLUMNS)
    assert out.dtypes.astype(str).to_dict() == DTYPES
    assert out["EVID"].tolist() == [1, 0, 1, 0]  # 1 where AMT > 0
    assert out["CMT"].tolist() == [1, 0, 1, 0]  # default dose compartment on dose rows
    for col in ("RATE", "ADDL", "II", "SS"):
        assert (out[col] == 0).all()


def test_without_amt_every_row_is_an_observation():
    out = validate_dataset(pd.DataFrame({"ID": [1, 1], "TIME": [0, 1]}), MODEL)
    assert out["EVID"].tolist() == [0, 0]
    assert out["AMT"].tolist() == [0.0, 0.0]


def test_missing_cells_read_as_zero_like_nonmem():
    out = validate_dataset(frame(RATE=[np.nan, np.nan, 5.0, np.nan], II=np.nan), MODEL)
    assert out["RATE"].tolist() == [0.0, 0.0, 5.0, 0.0]
    assert out["II"].tolist() == [0.0] * 4
    out = validate_dataset(frame(AMT=[20.0, np.nan, 20.0, np.nan]), MODEL)
    assert out["AMT"].tolist() == [20.0, 0.0, 20.0, 0.0]


def test_input_not_modified_and_extra_columns_kept():
    data = frame(
        time=[0, 4, 0, 4],  # lower case, as mrgsolve users write it
        dv=[np.nan, 1.5, np.nan, 2.5],
        NOTE=["a", "b", "c", "d"],
    ).drop(columns="TIME")
    data.index = [10, 11, 12, 13]
    before = data.copy()
    out = validate_dataset(data, MODEL)
    pd.testing.assert_frame_equal(data, before)
    assert list(out.columns) == [*NONMEM_COLUMNS, "dv", "NOTE"]
    assert out.index.tolist() == [0, 1, 2, 3]
    pd.testing.assert_series_equal(out["dv"], before["dv"].reset_index(drop=True))
    pd.testing.assert_series_equal(out["NOTE"], before["NOTE"].reset_index(drop=True))


def test_rows_keep_their_order():
    # Subjects need not be sorted by ID, nor contiguous: rows stay where they are.
    data = pd.DataFrame({"ID": [7, 3, 7, 3], "TIME": [0, 0, 1, 2], "AMT": [5, 6, 0, 0]})
    out = validate_dataset(data, MODEL)
    assert out["ID"].tolist() == [7, 3, 7, 3]
    assert out["AMT"].tolist() == [5, 6, 0, 0]


def test_cmt_names_are_converted_case_insensitively():
    out = validate_dataset(frame(CMT=["depot", "CENTRAL", "Central", "2"]), MODEL)
    assert out["CMT"].tolist() == [1, 2, 2, 2]
    assert out["CMT"].dtype == "int64"


def test_cmt_zero_or_missing_on_a_dose_row_means_default_dose_compartment():
    model = NS(**{**vars(MODEL), "default_dose_cmt": 2})
    out = validate_dataset(frame(CMT=[0, 0, np.nan, np.nan]), model)
    assert out["CMT"].tolist() == [2, 0, 2, 0]
    assert validate_dataset(frame(), model)["CMT"].tolist() == [2, 0, 2, 0]


def test_parameter_and_covariate_columns_checked_and_kept():
    data = frame(
        cl=[5, 5, 6, 6], ALAG1=[0.0, 0.0, 0.5, 0.5], WT=[70, 70, 80, 80], SITE=["x", "y", "z", "w"]
    )
    out = validate_dataset(data, MODEL)
    assert out["CL"].tolist() == [5.0, 5.0, 6.0, 6.0]  # renamed to the model's spelling
    assert out["CL"].dtype == "float64" and out["WT"].dtype == "float64"
    assert out["ALAG1"].tolist() == [0.0, 0.0, 0.5, 0.5]  # a zero lag is allowed
    assert out["SITE"].tolist() == ["x", "y", "z", "w"]  # varies within ID: not ours to check


def test_ss_infusion_as_long_as_the_interval_is_allowed():
    # 100 mg at 12.5 mg/h lasts 8 h, exactly II: back-to-back infusions, allowed.
    data = frame(SS=[1, 0, 0, 0], II=[8, 0, 0, 0], RATE=[12.5, 0, 0, 0], AMT=[100, 0, 20, 0])
    assert validate_dataset(data, MODEL)["SS"].tolist() == [1, 0, 0, 0]


def test_reset_and_dose_row_is_a_dose():
    out = validate_dataset(frame(EVID=[4, 3, 1, 2], AMT=[20, 0, 20, 0]), MODEL)
    assert out["CMT"].tolist() == [1, 0, 1, 0]


# -- errors -------------------------------------------------------------------------------


def _msg(text: str) -> str:
    return re.escape(text)


ERROR_CASES = [
    pytest.param(
        {"ID": ["A01", 1, 2, 2]},
        _msg("ID at data row 1 must be a whole number") + ".*'A01'",
        id="id-text",
    ),
    pytest.param(
        {"ID": [1, 1, np.nan, 2]},
        _msg("ID at data row 3 must be a whole number, not missing"),
        id="id-nan",
    ),
    pytest.param(
        {"ID": [1, 1, 2.5, 2.5]},
        _msg("ID at data row 3 must be a whole number") + ".*got 2.5",
        id="id-frac",
    ),
    pytest.param(
        {"TIME": [0, np.nan, 0, 4]},
        _msg(
            "TIME at data row 2 (ID 1) must be a number of hours, not missing; got a missing value"
        ),
        id="time-nan",
    ),
    pytest.param(
        {"TIME": [0, "4h", 0, 4]},
        _msg("TIME at data row 2 (ID 1) must be a number of hours; got '4h'"),
        id="time-text",
    ),
    pytest.param(
        {"TIME": [0, np.inf, 0, 4]}, _msg("TIME at data row 2 (ID 1)") + ".*got inf", id="time-inf"
    ),
    pytest.param(
        {"TIME": [0, 4, 5, 3]},
        _msg("TIME must not decrease within a subject; ID 2 goes from 5 h to 3 h at data row 4"),
        id="time-unsorted",
    ),
    pytest.param(
        {"AMT": [20, 0, -20, 0]},
        _msg("AMT at data row 3 (ID 2) must be a number >= 0 (mg); got -20"),
        id="amt-neg",
    ),
    pytest.param(
        {"AMT": ["twenty", 0, 20, 0]},
        _msg("AMT at data row 1 (ID 1) must be a number >= 0 (mg); got 'twenty'"),
        id="amt-text",
    ),
    pytest.param(
        {"EVID": [1, 0, 1, 0], "AMT": [20, 0, np.nan, 0]},
        _msg(
            "AMT at data row 3 (ID 2) must be a number >= 0 (mg) on a dose row; got a missing value"
        ),
        id="amt-missing-on-dose",
    ),
    pytest.param(
        {"EVID": [0, 0, 1, 0]},
        _msg("AMT at data row 1 (ID 1) must be 0 on a non-dose row (EVID 0, 2 or 3); got 20"),
        id="amt-on-observation",
    ),
    pytest.param(
        {"EVID": [1, 0, 5, 0]},
        _msg("EVID at data row 3 (ID 2) must be one of 0, 1, 2, 3, 4; got 5"),
        id="evid-5",
    ),
    pytest.param(
        {"EVID": [1, "obs", 1, 0]},
        _msg("EVID at data row 2 (ID 1) must be one of 0, 1, 2, 3, 4; got 'obs'"),
        id="evid-text",
    ),
    pytest.param(
        {"RATE": [-1, 0, 0, 0]},
        _msg("RATE at data row 1 (ID 1) is -1 (infusion rate modelled as R1), but model 'pk1' ")
        + _msg("has no R1 and the data set has no R1 column."),
        id="rate-minus-1-without-r",
    ),
    pytest.param(
        {"RATE": [0, 0, -2, 0]},
        _msg("RATE at data row 3 (ID 2) is -2 (infusion duration modelled as D1)")
        + ".*no D1 column",
        id="rate-minus-2-without-d",
    ),
    pytest.param(
        {"RATE": [-3.5, 0, 0, 0]},
        _msg("RATE at data row 1 (ID 1) must be a number >= 0") + ".*got -3.5",
        id="rate-neg",
    ),
    pytest.param(
        {"CMT": [3, 0, 1, 0]},
        _msg("CMT at data row 1 (ID 1) must be a compartment number 1..2 on a dose row; got 3. ")
        + _msg("Model 'pk1' has compartments 1=DEPOT, 2=CENTRAL"),
        id="cmt-range",
    ),
    pytest.param(
        {"CMT": [1, -1, 1, 0]},
        _msg("CMT at data row 2 (ID 1)") + ".*got -1.*1=DEPOT, 2=CENTRAL",
        id="cmt-negative",
    ),
    pytest.param(
        {"CMT": ["GUT", 0, 1, 0]},
        _msg("CMT at data row 1 (ID 1) must be a compartment number or name; got 'GUT'. ")
        + _msg("Model 'pk1' has compartments 1=DEPOT, 2=CENTRAL"),
        id="cmt-unknown-name",
    ),
    pytest.param(
        {"CMT": [1.5, 0, 1, 0]},
        _msg("CMT at data row 1 (ID 1) must be a whole compartment number") + ".*1.5",
        id="cmt-frac",
    ),
    pytest.param(
        {"ADDL": [3, 0, 0, 0]},
        _msg("II at data row 1 (ID 1) must be > 0 h when ADDL > 0 (ADDL=3); got 0"),
        id="addl-without-ii",
    ),
    pytest.param(
        {"ADDL": [-1, 0, 0, 0]},
        _msg("ADDL at data row 1 (ID 1) must be a whole number >= 0; got -1"),
        id="addl-neg",
    ),
    pytest.param(
        {"ADDL": [0, 2, 0, 0], "II": [0, 8, 0, 0]},
        _msg("ADDL at data row 2 (ID 1) must be 0 on a non-dose row"),
        id="addl-on-observation",
    ),
    pytest.param(
        {"II": [0, 0, -8, 0]},
        _msg("II at data row 3 (ID 2) must be a number of hours >= 0; got -8"),
        id="ii-neg",
    ),
    pytest.param(
        {"SS": [2, 0, 0, 0], "II": [8, 0, 0, 0]},
        _msg("SS at data row 1 (ID 1) must be 0 or 1 for model 'pk1', which is not linear; ")
        + _msg("got 2.") + ".*superpose",
        id="ss-2-nonlinear",
    ),
    pytest.param(
        {"SS": [0, 0, 3, 0]},
        _msg("SS at data row 3 (ID 2) must be 0, 1 or 2; got 3. SS=3") + ".*not supported",
        id="ss-3",
    ),
    pytest.param(
        {"SS": [1, 0, 0, 0]},
        _msg("II at data row 1 (ID 1) must be > 0 h on a steady-state dose row (SS=1 or 2) ")
        + _msg("with AMT > 0; got 0."),
        id="ss-without-ii",
    ),
    pytest.param(
        {"CL": [5, 5, 0, 0]},
        _msg("CL at data row 3 (ID 2) must be a number > 0") + ".*got 0",
        id="param-zero",
    ),
    pytest.param(
        {"V": [50, 50, "big", "big"]},
        _msg("V at data row 3 (ID 2) must be a number > 0") + ".*'big'",
        id="param-text",
    ),
    pytest.param(
        {"KA": [1, 1, np.nan, np.nan]},
        _msg("KA at data row 3 (ID 2) must be a number > 0") + ".*missing",
        id="param-nan",
    ),
    pytest.param(
        {"ALAG1": [0, 0, -0.5, -0.5]},
        _msg("ALAG1 at data row 3 (ID 2) must be a lag time >= 0 h") + ".*got -0.5",
        id="alag-neg",
    ),
    pytest.param(
        {"CL": [5, 5, 6, 7]},
        _msg("CL must be constant within a subject (per-subject parameter); ")
        + _msg("ID 2 has 6 at data row 3 and 7 at data row 4"),
        id="param-varies",
    ),
    pytest.param(
        {"WT": [70, 70, np.nan, 80]},
        _msg("WT at data row 3 (ID 2) must be a number (covariate of pk1); got a missing value"),
        id="cov-nan",
    ),
    pytest.param(
        {"crcl": [90, 91, 80, 80]},
        _msg("CRCL must be constant within a subject")
        + ".*ID 1 has 90 at data row 1 and 91 at data row 2",
        id="cov-varies",
    ),
]


@pytest.mark.parametrize(("columns", "match"), ERROR_CASES)
def test_errors_name_column_row_id_and_value(columns, match):
    with pytest.raises(EventTableError, match=match) as info:
        validate_dataset(frame(**columns), MODEL)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("missing", ["ID", "TIME"])
def test_missing_required_column_lists_columns_found(missing):
    data = frame().drop(columns=missing)
    found = ", ".join(data.columns)
    with pytest.raises(
        EventTableError,
        match=_msg(f"no {missing} column, which is required; columns found: {found}"),
    ):
        validate_dataset(data, MODEL)


def test_two_columns_differing_only_in_case_are_refused():
    with pytest.raises(EventTableError, match="Columns 'TIME' and 'time' both name TIME"):
        validate_dataset(frame(time=[0, 1, 0, 1]), MODEL)


def test_empty_data_set_is_refused():
    with pytest.raises(EventTableError, match="no rows"):
        validate_dataset(pd.DataFrame({"ID": [], "TIME": []}), MODEL)


def test_not_a_dataframe_is_refused():
    with pytest.raises(EventTableError, match="expects a pandas DataFrame; got dict"):
        validate_dataset({"ID": [1], "TIME": [0]}, MODEL)


# -- reading and writing ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["data.csv", "data.parquet", "data.pq", "DATA.CSV"])
def test_round_trip(tmp_path: Path, name: str):
    data = validate_dataset(
        frame(
            TIME=[0.0, 0.1, 0.0, 1 / 3],  # not exact in binary: must come back bit-for-bit
            DV=[np.nan, 1.25, np.nan, 2.5],
            CL=[5.0, 5.0, 6.0, 6.0],
            NOTE=["a", "b", "c", "d"],
        ),
        MODEL,
    )
    write_dataset(data, tmp_path / name)
    back = read_dataset(tmp_path / name)
    pd.testing.assert_frame_equal(back, data)
    pd.testing.assert_frame_equal(validate_dataset(back, MODEL), data)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


def test_read_upper_cases_nonmem_columns_only(tmp_path: Path):
    path = tmp_path / "data.csv"
    path.write_text("id,Time,amt,cmt,dv,Wt\n1,0,20,depot,.,70\n1,2,.,.,3.5,70\n")
    data = read_dataset(path)
    assert list(data.columns) == ["ID", "TIME", "AMT", "CMT", "dv", "Wt"]
    assert np.isnan(data["dv"].iloc[0]) and np.isnan(data["AMT"].iloc[1])  # "." is missing
    out = validate_dataset(data, MODEL)
    assert out["CMT"].tolist() == [1, 0]
    assert out["AMT"].tolist() == [20.0, 0.0]
    assert "WT" in out.columns  # covariate names match ignoring case


def test_read_unknown_suffix(tmp_path: Path):
    path = tmp_path / "data.txt"
    path.write_text("ID,TIME\n1,0\n")
    with pytest.raises(
        EventTableError, match=r"data\.txt.*unknown file type '\.txt'.*\.csv, \.parquet, \.pq"
    ):
        read_dataset(path)


def test_read_missing_file(tmp_path: Path):
    with pytest.raises(EventTableError, match=r"nope\.csv.*does not exist"):
        read_dataset(tmp_path / "nope.csv")


def test_read_folder_is_refused(tmp_path: Path):
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(EventTableError, match="is a folder, not a file"):
        read_dataset(tmp_path / "dir.csv")


@pytest.mark.parametrize(("name", "content"), [("bad.parquet", b"not parquet"), ("empty.csv", b"")])
def test_read_unreadable_file(tmp_path: Path, name: str, content: bytes):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(EventTableError, match=f"Cannot read data set .*{re.escape(name)}"):
        read_dataset(tmp_path / name)


def test_read_columns_differing_only_in_case(tmp_path: Path):
    path = tmp_path / "data.csv"
    path.write_text("ID,time,TIME\n1,0,0\n")
    with pytest.raises(EventTableError, match="Columns 'time' and 'TIME' both name TIME"):
        read_dataset(path)


def test_write_unknown_suffix_and_missing_folder(tmp_path: Path):
    with pytest.raises(EventTableError, match=r"unknown file type '\.xlsx'"):
        write_dataset(frame(), tmp_path / "data.xlsx")
    with pytest.raises(EventTableError, match="folder .* does not exist"):
        write_dataset(frame(), tmp_path / "missing" / "data.csv")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "data.csv"
    target.write_text("old content\n")

    def half_write(self, fh, **kwargs):
        fh.write("ID,TIME\n1,")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_write)
    with pytest.raises(OSError, match="disk full"):
        write_dataset(frame(), target)
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]
    assert target.read_text() == "old content\n"


def test_failed_parquet_write_leaves_nothing(tmp_path: Path):
    # A column mixing numbers and text cannot become a Parquet column.
    data = frame(MIXED=[1, "a", 2.5, None])
    with pytest.raises(Exception, match="MIXED|Conversion|convert"):
        write_dataset(data, tmp_path / "data.parquet")
    assert list(tmp_path.iterdir()) == []
