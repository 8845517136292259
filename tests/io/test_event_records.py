"""Which combinations of EVID, SS, RATE, ADDL and II a data set may hold (docs/events.md),
and the one-line errors for those it may not."""

from __future__ import annotations

import re
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest

from rewardsim.errors import EventTableError
from rewardsim.io import validate_dataset

LINEAR = NS(
    name="pk1",
    compartments=(NS(name="DEPOT"), NS(name="CENTRAL")),
    param_names=("CL", "V", "KA", "F1", "F2", "ALAG1", "ALAG2"),
    covariate_names=("WT",),
    default_dose_cmt=1,
    linear=True,
)
NONLINEAR = NS(**{**vars(LINEAR), "name": "mm", "linear": False})


def dose(**items) -> pd.DataFrame:
    """One subject: a dose record at 0 h (override any item) and an observation at 4 h."""
    row = {"ID": 1, "TIME": 0.0, "EVID": 1, "AMT": 100.0, "CMT": 2, "RATE": 0.0, "II": 0.0,
           "SS": 0, "ADDL": 0}
    row.update(items)
    obs = {k: 0 for k in row} | {"ID": 1, "TIME": 4.0}
    for k, v in items.items():
        if k not in row or k in ("F1", "F2", "ALAG1", "ALAG2", "D2", "R2", "WT"):
            obs[k] = v
    return pd.DataFrame([row, obs])


ACCEPTED = [
    pytest.param({"SS": 1, "II": 12.0, "RATE": 10.0, "AMT": 240.0},
                 id="ss-infusion-longer-than-ii"),
    pytest.param({"SS": 1, "II": 12.0, "RATE": 10.0, "AMT": 240.0, "F2": 0.5},
                 id="ss-infusion-f-times-amt-over-rate-equals-ii"),
    pytest.param({"SS": 2, "II": 12.0}, id="ss-2-linear-model"),
    pytest.param({"SS": 1, "II": 0.0, "AMT": 0.0, "RATE": 5.0}, id="ss-constant-rate-infusion"),
    pytest.param({"SS": 1, "II": 0.0, "AMT": 0.0, "RATE": -1.0, "R2": 5.0},
                 id="ss-constant-rate-infusion-modelled-rate"),
    pytest.param({"RATE": -2.0, "D2": 3.0}, id="modelled-duration-column"),
    pytest.param({"RATE": -1.0, "r2": 30.0}, id="modelled-rate-column-any-case"),
    pytest.param({"SS": 1, "II": 12.0, "ALAG2": 30.0, "ADDL": 3}, id="ss-lag-longer-than-ii"),
    pytest.param({"EVID": 4, "SS": 1, "II": 12.0, "ALAG2": 2.0}, id="reset-dose-ss-lag"),
]


@pytest.mark.parametrize("items", ACCEPTED)
def test_standard_nonmem_records_are_accepted(items):
    out = validate_dataset(dose(**items), LINEAR)
    assert out["SS"].tolist()[0] == items.get("SS", 0)
    assert out["RATE"].tolist()[0] == items.get("RATE", 0.0)


def test_dose_modifier_columns_may_change_record_by_record():
    data = pd.DataFrame(
        {"ID": [1, 1, 1], "TIME": [0.0, 12.0, 24.0], "AMT": [100.0, 100.0, 0.0],
         "F1": [1.0, 0.5, 0.5], "ALAG1": [0.0, 2.0, 2.0]}
    )
    out = validate_dataset(data, LINEAR)
    assert out["F1"].tolist() == [1.0, 0.5, 0.5]
    # An ordinary parameter stays one value per subject.
    with pytest.raises(EventTableError, match="CL must be constant within a subject"):
        validate_dataset(data.assign(CL=[1.0, 2.0, 2.0]), LINEAR)


def _msg(text: str) -> str:
    return re.escape(text)


REFUSED = [
    pytest.param(
        LINEAR, {"SS": 1, "II": 0.0},
        _msg("II at data row 1 (ID 1) must be > 0 h on a steady-state dose row (SS=1 or 2) "
             "with AMT > 0; got 0.") + ".*AMT=0, RATE>0 and II=0",
        id="ss-bolus-ii-0",
    ),
    pytest.param(
        LINEAR, {"SS": 1, "II": 12.0, "AMT": 0.0, "RATE": 5.0},
        _msg("AMT at data row 1 (ID 1) must be > 0 (mg) on a steady-state dose row (SS=1 or 2);"
             " got 0."),
        id="ss-amt-0-with-ii",
    ),
    pytest.param(
        LINEAR, {"AMT": 0.0, "RATE": 5.0},
        _msg("AMT at data row 1 (ID 1) must be > 0 (mg) on an infusion row"),
        id="infusion-without-amount",
    ),
    pytest.param(
        LINEAR, {"RATE": -2.0},
        _msg("RATE at data row 1 (ID 1) is -2 (infusion duration modelled as D2), but model "
             "'pk1' has no D2 and the data set has no D2 column. Add a column D2 (h)"),
        id="rate-minus-2-without-duration",
    ),
    pytest.param(
        LINEAR, {"RATE": -1.0, "D2": 3.0},
        _msg("RATE at data row 1 (ID 1) is -1 (infusion rate modelled as R2)") + ".*no R2",
        id="rate-minus-1-without-rate",
    ),
    pytest.param(
        LINEAR, {"RATE": -2.0, "D2": -3.0},
        _msg("D2 at data row 1 (ID 1) must be a duration > 0 (h) on a dose row with RATE=-2; "
             "got -3."),
        id="negative-duration",
    ),
    pytest.param(
        LINEAR, {"RATE": -2.0, "D2": 0.0},
        _msg("D2 at data row 1 (ID 1) must be a duration > 0 (h)") + ".*got 0",
        id="zero-duration",
    ),
    pytest.param(
        LINEAR, {"RATE": -1.0, "R2": np.nan},
        _msg("R2 at data row 1 (ID 1) must be a rate > 0 (mg/h)") + ".*missing value",
        id="missing-rate",
    ),
    pytest.param(
        LINEAR, {"SS": 1, "II": 0.0, "AMT": 0.0, "RATE": -2.0, "D2": 4.0},
        _msg("AMT at data row 1 (ID 1) must be > 0 (mg) on a steady-state dose row"),
        id="ss-constant-infusion-with-modelled-duration",
    ),
    pytest.param(
        LINEAR, {"RATE": -3.0},
        _msg("RATE at data row 1 (ID 1) must be a number >= 0 (mg/h; 0 for a bolus), -1 "
             "(rate modelled as R<CMT>) or -2 (duration modelled as D<CMT>); got -3."),
        id="rate-minus-3",
    ),
    pytest.param(
        NONLINEAR, {"SS": 2, "II": 12.0},
        _msg("SS at data row 1 (ID 1) must be 0 or 1 for model 'mm', which is not linear; "
             "got 2.") + ".*superpose",
        id="ss-2-nonlinear",
    ),
    pytest.param(
        LINEAR, {"SS": 3, "II": 12.0},
        _msg("SS at data row 1 (ID 1) must be 0, 1 or 2; got 3. SS=3"),
        id="ss-3",
    ),
    pytest.param(
        LINEAR, {"ALAG2": -1.0},
        _msg("ALAG2 at data row 1 (ID 1) must be a lag time >= 0 h"),
        id="negative-lag",
    ),
]


@pytest.mark.parametrize(("model", "items", "match"), REFUSED)
def test_bad_records_get_one_line_errors(model, items, match):
    with pytest.raises(EventTableError, match=match) as info:
        validate_dataset(dose(**items), model)
    assert "\n" not in str(info.value)
