"""CTNote primitives against hand-worked values and CTNote's own unit tests."""

import math

import numpy as np
import pytest

from rewardsim.analysis import (
    collapse_lattice,
    count_matches,
    detect_in_window,
    detect_subpattern,
    impute_missing_visits,
    measure_abstinence_period,
    measure_retention,
    recode_missing_visits,
    view_by_lattice,
    weight_positive_visits,
)
from rewardsim.analysis._ctnote import str_sub
from rewardsim.errors import AnalysisInputError


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (1, -1, "abcdef"),  # whole word
        (2, 4, "bcd"),  # 1-based, both ends inclusive
        (-3, -1, "def"),  # negative positions count from the end
        (5, 15, "ef"),  # an end past the word is clipped
        (8, 9, ""),  # a start past the word gives the empty string
        (-12, -1, "abcdef"),  # a start before the word is clipped to 1
        (1, 0, ""),  # end 0 selects nothing (measure_retention() = 0 case)
    ],
)
def test_str_sub_follows_stringr(start, end, expected):
    assert str_sub("abcdef", start, end) == expected


def test_recode_missing_visits():
    # 'o' -> '+' by default; the second call recodes mixed weeks.
    assert recode_missing_visits("-o*_+") == "-+*_+"
    assert recode_missing_visits("-o*_+", missing_is="*") == "-o+_+"
    assert recode_missing_visits("-o*_+", missing_becomes="") == "-*_+"
    with pytest.raises(AnalysisInputError, match="missing_becomes.*'x'"):
        recode_missing_visits("-o", missing_becomes="x")


def test_count_matches_by_hand():
    w = "--*+o-"
    assert count_matches(w, "-") == 3
    # 3 negatives + 0.5 for the mixed week, over 6 weeks.
    assert count_matches(w, "-", mixed_results_are="*", proportion=True) == pytest.approx(3.5 / 6)
    # Weeks 2..4 are "-*+": one negative and half a mixed week.
    assert count_matches(w, "-", 2, 4, mixed_results_are="*") == 1.5
    # CTNote returns 0, not NaN, when the trimmed word is empty.
    assert count_matches(w, "-", 10, 12, proportion=True) == 0


def test_detect_subpattern_range():
    assert detect_subpattern("+---+", "---")
    assert not detect_subpattern("+---+", "---", start=3)  # only "--+" remains
    assert detect_subpattern("+-", "-", -1, -1)  # the last week


def test_detect_in_window_offset_and_censoring():
    # Width 4, threshold 3: the first window with 3 '+' starts at position 3
    # ("o+++" in "o-o+++"); the default offset 4 - 3 = 1 moves the time to 4.
    assert detect_in_window("o-o+++") == (4, 1)
    assert detect_in_window("o-o+++", offset=0) == (3, 1)
    # No match: time = number of windows (6 - 4 + 1 = 3) + offset 1, event 0.
    assert detect_in_window("------") == (4, 0)
    # A word shorter than the window gives NA, as in CTNote.
    t, e = detect_in_window("++", 4, 4)
    assert math.isnan(t) and math.isnan(e)
    # Dropout: windows of missing visits.
    assert detect_in_window("-oooo", 4, 4, match_is="o") == (2, 1)
    with pytest.raises(AnalysisInputError, match="threshold"):
        detect_in_window("+++", 2, 3)


def test_measure_retention_and_abstinence_period():
    assert measure_retention("-+o-oo") == 4  # last non-missing week
    assert measure_retention("ooo") == 0
    assert measure_retention("") == 0
    assert measure_retention("-o_o") == 3  # '_' counts as contact in CTNote
    assert measure_abstinence_period("--+---+-") == 3
    assert measure_abstinence_period("") == 0
    assert measure_abstinence_period("+++") == 0


def test_lattice_functions():
    # CTNote's documented examples.
    assert collapse_lattice(["o", "_o"], [7, 4]) == "ooooooo_o_o_o_o"
    assert collapse_lattice(["o", "_o__"], [12, 3]) == "oooooooooooo_o___o___o__"
    # Padding with 'o' when the word is shorter than the lattice.
    assert view_by_lattice("+-", "o_o_") == "+_o_"
    with pytest.raises(AnalysisInputError, match="one repeat count"):
        collapse_lattice(["o"], [1, 2])


def test_impute_missing_visits_methods():
    # CTNote's unit test: LOCF-D leaves trailing missing weeks alone.
    assert impute_missing_visits("+oooooooooooooo", "locfD") == "+oooooooooooooo"
    # LOCF keeps leading missing weeks and carries the last value forward.
    assert impute_missing_visits("o+oo-o", "locf") == "o+++--"
    # Mode: two '+' (the '*' counts as the tiebreaker '+') vs two '-' -> '+'.
    assert impute_missing_visits("+*--oo", "mode") == "+*--++"
    # kNV examples from CTNote's documentation: ties go to the first weight.
    assert impute_missing_visits("-o*", "kNV") == "-**"
    assert impute_missing_visits("+o*", "kNV") == "++*"
    # Back-to-back missing weeks cannot be imputed with k = 1.
    assert impute_missing_visits("-oo-", "kNV") == "-oo-"
    assert impute_missing_visits("oooo", "locf") == "oooo"
    with pytest.raises(AnalysisInputError, match="'method'"):
        impute_missing_visits("-o", "mean")


def test_weight_positive_visits_matches_ctnote_unit_tests():
    # Expected values are CTNote's testthat values (tests/testthat/test-weight_positive_visits.R).
    w = "++o+*-------+--+-o-o-o+o+"
    assert weight_positive_visits(w) == pytest.approx(41.28, abs=1e-4)
    alt = {"+": 0.8, "*": 0.4, "o": 1.0, "-": 0.0}
    assert weight_positive_visits(w, alt) == pytest.approx(52.8, abs=1e-4)
    ramp = list(np.linspace(1, 5, len(w)))
    assert weight_positive_visits(w, pos_penalty=ramp) == pytest.approx(34.82667, abs=1e-4)
    miss = [3.0] * 4 + [1.0] * (len(w) - 4)
    assert weight_positive_visits(w, miss_penalty=miss) == pytest.approx(43.392, abs=1e-4)


def test_weight_positive_visits_by_hand():
    # "+o-": scores 1 + 0.22 + 0; worst case is the '+' weight (1) in each of 3 weeks.
    assert weight_positive_visits("+o-") == pytest.approx(120 * 1.22 / 3)
