"""Tests for regimens: parse_regimen, regimen and expand_addl (rewardsim.io)."""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest

from rewardsim.errors import EventTableError
from rewardsim.io import (
    NONMEM_COLUMNS,
    expand_addl,
    parse_regimen,
    regimen,
    validate_dataset,
)

MODEL = NS(
    name="pk1",
    compartments=(NS(name="DEPOT"), NS(name="CENTRAL")),
    param_names=("CL", "V", "KA", "F1", "ALAG1"),
    covariate_names=("WT",),
    default_dose_cmt=1,
)


@pytest.fixture(autouse=True)
def _strict_numpy():
    with np.errstate(all="raise"):
        yield


# -- parse_regimen ------------------------------------------------------------------------

# Expected values computed by hand; n_doses counts doses at 0, II, 2 II, ... strictly
# before the end of the period, i.e. ceil(period / II).
PARSE_CASES = [
    # 16 weeks = 16 * 7 * 24 = 2688 h; 2688 / 8 = 336 doses (last at 2680 h).
    ("20 mg every 8 h for 16 weeks", 20.0, 8.0, 336, 0.0),
    ("20 mg q8h x 16 weeks", 20.0, 8.0, 336, 0.0),
    ("20 mg three times daily for 16 weeks", 20.0, 8.0, 336, 0.0),
    # 112 days = 2688 h: the same 336 doses.
    ("20 mg tid for 112 days", 20.0, 8.0, 336, 0.0),
    ("100 mg once", 100.0, None, 1, 0.0),
    ("100 mg", 100.0, None, 1, 0.0),
    # 7 days = 168 h; 168 / 12 = 14 doses.
    ("20 mg bid for 7 days", 20.0, 12.0, 14, 0.0),
    # 1 min = 1/60 h, so 32 mg / (1/60 h) = 1920 mg/h.
    ("32 mg over 1 min", 32.0, None, 1, 1920.0),
    ("500 mg every 12 h x 10 doses", 500.0, 12.0, 10, 0.0),
    # 30 min = 0.5 h: 100 / 0.5 = 200 mg/h; 2 days = 48 h, 48 / 12 = 4 doses.
    ("100 mg over 30 min every 12 h for 2 days", 100.0, 12.0, 4, 200.0),
    ("1 g daily for 1 week", 1000.0, 24.0, 7, 0.0),
    ("250 ug qd for 3 days", 0.25, 24.0, 3, 0.0),
    ("250 µg every day for 3 days", 0.25, 24.0, 3, 0.0),
    ("50 mcg qid for 1 day", 0.05, 6.0, 4, 0.0),
    ("20 MG Q12H X 3 DAYS", 20.0, 12.0, 6, 0.0),
    ("2 g, every 8 hours, for 2 days", 2000.0, 8.0, 6, 0.0),
    ("10 mg once weekly for 4 weeks", 10.0, 168.0, 4, 0.0),
    ("5 mg twice a day x 5 doses", 5.0, 12.0, 5, 0.0),
    ("5 mg bid x 5", 5.0, 12.0, 5, 0.0),
    ("5 mg q12h for 5 doses", 5.0, 12.0, 5, 0.0),
    # 1 day / 10 h = 2.4: doses at 0, 10 and 20 h.
    ("5 mg every 10 h for 1 day", 5.0, 10.0, 3, 0.0),
]


@pytest.mark.parametrize(("text", "amt", "every", "n_doses", "rate"), PARSE_CASES)
def test_parse_regimen(text, amt, every, n_doses, rate):
    got = parse_regimen(text)
    assert set(got) == {"amt", "every", "n_doses", "rate"}
    assert got["amt"] == pytest.approx(amt, rel=1e-12)
    assert got["every"] == (None if every is None else pytest.approx(every, rel=1e-12))
    assert got["n_doses"] == n_doses and isinstance(got["n_doses"], int)
    assert got["rate"] == pytest.approx(rate, rel=1e-12)


def test_tid_is_every_8_h():
    assert parse_regimen("20 mg tid for 112 days") == parse_regimen("20 mg every 8 h for 16 weeks")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("20 mg sometimes", r"Cannot read the regimen '20 mg sometimes': cannot read 'sometimes'"),
        ("twenty mg daily", r"'twenty mg daily': it does not start with a dose"),
        ("20 mg/kg once", r"per body weight"),
        ("20 mg every 8 h", r"an interval needs a duration"),
        ("20 mg for 7 days", r"a duration needs an interval"),
        ("20 mg once for 7 days", r"'once' cannot have a duration"),
        ("20 mg q8h bid for 2 days", r"'bid' repeats a part already given"),
        ("20 mg every 0 h for 2 days", r"the dosing interval must be > 0"),
        ("20 mg over 0 min", r"the infusion time must be > 0"),
        ("20 mg every 8 h x 0 doses", r"number of doses must be > 0"),
        ("20 mg every 8 h for 1 month", r"unknown time unit 'month'; use min, h, day"),
        ("20 mg every 8 h for 3", r"cannot read 'for 3'"),  # 3 what? only "x 3" means doses
        ("20 mg every 8 secs for 1 h", r"unknown time unit 'secs'"),
    ],
)
def test_parse_regimen_errors_quote_text_and_give_examples(text, match):
    with pytest.raises(EventTableError, match=match) as info:
        parse_regimen(text)
    assert "e.g. '20 mg every 8 h for 16 weeks'" in str(info.value)


@pytest.mark.parametrize("text", ["-20 mg once", "0 mg once", "0.0 g daily for 2 days"])
def test_parse_regimen_refuses_non_positive_dose(text):
    with pytest.raises(EventTableError, match=r"must be > 0 mg; got [-0]"):
        parse_regimen(text)


# -- regimen ------------------------------------------------------------------------------


def test_regimen_one_record_per_subject():
    doses = regimen(20, every=8, n_doses=336, n=3, start=1.5, rate=40)
    assert list(doses.columns) == list(NONMEM_COLUMNS)
    assert doses["ID"].tolist() == [1, 2, 3]
    assert doses.iloc[0].to_dict() == {
        "ID": 1,
        "TIME": 1.5,
        "EVID": 1,
        "AMT": 20.0,
        "CMT": 0,  # no model: NONMEM's "default dose compartment"
        "RATE": 40.0,
        "ADDL": 335,
        "II": 8.0,
        "SS": 0,
    }
    out = validate_dataset(doses, MODEL)
    assert out["CMT"].tolist() == [1, 1, 1]
    assert out.drop(columns="CMT").equals(doses.drop(columns="CMT"))  # same dtypes too


def test_regimen_from_parsed_text_with_ids_and_compartment_name():
    doses = regimen(
        **parse_regimen("20 mg q8h x 16 weeks"), ids=[101, 205], cmt="central", model=MODEL
    )
    assert doses["ID"].tolist() == [101, 205]
    assert doses["CMT"].tolist() == [2, 2]
    assert doses["ADDL"].tolist() == [335, 335]
    assert doses["II"].tolist() == [8.0, 8.0]


def test_regimen_single_dose_and_model_default():
    doses = regimen(100, model=NS(**{**vars(MODEL), "default_dose_cmt": 2}))
    assert doses[["ADDL", "II", "CMT"]].iloc[0].tolist() == [0, 0, 2]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"amt": 0}, r"'amt' argument of regimen must be a number > 0; got 0"),
        ({"amt": -5}, r"'amt' argument .* got -5"),
        ({"amt": 20, "n_doses": 3}, r"n_doses=3 but no interval; pass every="),
        ({"amt": 20, "every": 0, "n_doses": 3}, r"'every' argument .* > 0; got 0"),
        ({"amt": 20, "n_doses": 0}, r"'n_doses' argument .* >= 1; got 0"),
        ({"amt": 20, "rate": -1}, r"'rate' argument .* >= 0; got -1"),
        ({"amt": 20, "n": 0}, r"'n' argument .* >= 1; got 0"),
        ({"amt": 20, "ids": [1, 1]}, r"distinct whole-number IDs; got \[1, 1\]"),
        ({"amt": 20, "ids": [1.5]}, r"distinct whole-number IDs; got \[1.5\]"),
        ({"amt": 20, "ids": [1, 2], "n": 3}, r"n=3 but 2 ids"),
        ({"amt": 20, "cmt": "DEPOT"}, r"cmt='DEPOT', a compartment name; pass model="),
        ({"amt": 20, "cmt": "GUT", "model": MODEL}, r"Unknown compartment 'GUT' .* DEPOT, CENTRAL"),
        ({"amt": 20, "cmt": 3, "model": MODEL}, r"must be 1\.\.2 for model 'pk1' .*; got 3"),
        ({"amt": 20, "cmt": 0}, r"'cmt' argument .* got 0"),
    ],
)
def test_regimen_errors(kwargs, match):
    with pytest.raises(EventTableError, match=match):
        regimen(**kwargs)


# -- expand_addl --------------------------------------------------------------------------


def explicit(times, ids=(1,), amt=20.0, cmt=1, rate=0.0) -> pd.DataFrame:
    """The same doses written out one row each."""
    rows = [(i, float(t)) for i in ids for t in times]
    return pd.DataFrame(
        {
            "ID": np.array([r[0] for r in rows], dtype="int64"),
            "TIME": [r[1] for r in rows],
            "EVID": np.ones(len(rows), dtype="int64"),
            "AMT": amt,
            "CMT": np.full(len(rows), cmt, dtype="int64"),
            "RATE": rate,
            "ADDL": np.zeros(len(rows), dtype="int64"),
            "II": 0.0,
            "SS": np.zeros(len(rows), dtype="int64"),
        }
    )


def test_addl_equals_the_same_doses_written_out():
    doses = validate_dataset(regimen(20, every=12, n_doses=4, n=2, rate=10), MODEL)
    expected = explicit([0, 12, 24, 36], ids=(1, 2), rate=10.0)
    pd.testing.assert_frame_equal(expand_addl(doses), expected)


def test_expand_addl_of_the_16_week_regimen():
    doses = regimen(**parse_regimen("20 mg every 8 h for 16 weeks"), model=MODEL)
    times = expand_addl(doses)["TIME"].to_numpy()
    assert len(times) == 336
    assert times[-1] == 2680.0  # strictly before 16 weeks = 2688 h
    np.testing.assert_array_equal(np.diff(times), 8.0)


def test_expand_addl_interleaves_observations_originals_first():
    data = pd.DataFrame(
        {
            "ID": [1, 1, 1, 2, 2],
            "TIME": [0, 12, 30, 0, 24],
            "EVID": [1, 0, 0, 4, 0],
            "AMT": [20, 0, 0, 5, 0],
            "ADDL": [2, 0, 0, 1, 0],
            "II": [12, 0, 0, 24, 0],
            "DV": [np.nan, 1.0, 2.0, np.nan, 3.0],
        }
    )
    data = validate_dataset(data, MODEL)
    before = data.copy()
    out = expand_addl(data)
    pd.testing.assert_frame_equal(data, before)  # input untouched
    # At 12 h and 24 h the observation (an original row) comes before the added dose,
    # as in NONMEM and mrgsolve's realize_addl.
    assert out["ID"].tolist() == [1, 1, 1, 1, 1, 2, 2, 2]
    assert out["TIME"].tolist() == [0, 12, 12, 24, 30, 0, 24, 24]
    assert out["EVID"].tolist() == [1, 0, 1, 1, 0, 4, 0, 1]  # the reset happens once
    assert out["AMT"].tolist() == [20, 0, 20, 20, 0, 5, 0, 5]
    assert (out["ADDL"] == 0).all() and (out["II"] == 0).all()
    assert np.isnan(out["DV"].iloc[2])  # copied from the dose row it came from
    assert out.dtypes.equals(data.dtypes)


def test_expand_addl_steady_state_row_keeps_ii_and_copies_are_plain_doses():
    data = validate_dataset(
        pd.DataFrame({"ID": [1], "TIME": [0], "AMT": [20], "SS": [1], "II": [24], "ADDL": [2]}),
        MODEL,
    )
    out = expand_addl(data)
    assert out["TIME"].tolist() == [0, 24, 48]
    assert out["SS"].tolist() == [1, 0, 0]
    assert out["II"].tolist() == [24, 0, 0]


def test_expand_addl_without_additional_doses_changes_nothing_but_ii():
    data = validate_dataset(pd.DataFrame({"ID": [1, 1], "TIME": [0, 1], "AMT": [20, 0]}), MODEL)
    pd.testing.assert_frame_equal(expand_addl(data), data)


def test_expand_addl_errors():
    with pytest.raises(EventTableError, match="missing: ADDL, II"):
        expand_addl(pd.DataFrame({"ID": [1], "TIME": [0]}))
    bad = pd.DataFrame({"ID": [1], "TIME": [0.0], "EVID": [1], "ADDL": [2], "II": [0.0]})
    with pytest.raises(EventTableError, match=r"II at data row 1 \(ID 1\) must be > 0 h"):
        expand_addl(bad)
