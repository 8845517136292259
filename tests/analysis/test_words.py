"""Use-pattern words from visit-level results, validation and CSV input."""

import numpy as np
import pandas as pd
import pytest

from rewardsim.analysis import read_words_csv, use_pattern_words, validate_word
from rewardsim.errors import AnalysisInputError


def visits(rows):
    """rows: (id, week, day, kind, urine_positive)."""
    df = pd.DataFrame(rows, columns=["id", "week", "day", "kind", "urine_positive"])
    df["replicate"] = 0
    df["arm"] = "a"
    return df


def test_weekly_word_conventions():
    v = visits(
        [
            (1, 0, -3, "urine", 1.0),  # baseline week: not in the word
            (1, 1, 1, "urine", 1.0),
            (1, 1, 4, "urine", 0.0),  # week 1: one positive, one negative -> '*'
            (1, 2, 8, "urine+rating", 1.0),  # week 2: '+'
            (1, 3, 15, "urine", np.nan),  # week 3: scheduled, no sample -> 'o'
            (1, 4, 22, "rating", np.nan),  # week 4: rating only -> no urine due -> '_'
            (1, 5, 29, "urine", 0.0),
            (1, 5, 32, "urine", np.nan),  # week 5: one negative, one missed -> '-'
        ]
    )
    out = use_pattern_words(v, weeks=6)  # week 6 has no rows at all -> '_'
    assert out["usePatternUDS"].tolist() == ["*+o_-_"]
    assert list(out.columns) == ["replicate", "id", "arm", "usePatternUDS"]


def test_per_visit_word_has_one_symbol_per_scheduled_urine():
    v = visits(
        [
            (1, 1, 4, "urine", 0.0),
            (1, 1, 1, "urine", 1.0),  # out of order: sorted by day
            (1, 2, 8, "rating", np.nan),  # not a urine visit
            (1, 2, 11, "urine", np.nan),
        ]
    )
    assert use_pattern_words(v, by="visit")["usePatternUDS"].tolist() == ["+-o"]


def test_several_participants_and_replicates_stay_apart():
    v = pd.concat(
        [
            visits([(1, 1, 1, "urine", 1.0), (2, 1, 1, "urine", 0.0)]),
            visits([(1, 1, 1, "urine", 0.0)]).assign(replicate=1),
        ]
    )
    out = use_pattern_words(v, weeks=1)
    assert out[["replicate", "id", "usePatternUDS"]].values.tolist() == [
        [0, 1, "+"],
        [0, 2, "-"],
        [1, 1, "-"],
    ]


def test_bad_visit_tables_are_refused():
    with pytest.raises(AnalysisInputError, match=r"missing \['urine_positive'\]"):
        use_pattern_words(pd.DataFrame({"id": [1], "week": [1], "day": [1], "kind": ["urine"]}))
    with pytest.raises(AnalysisInputError, match="'by' parameter"):
        use_pattern_words(visits([(1, 1, 1, "urine", 1.0)]), by="month")


def test_validate_word_names_symbol_and_position():
    assert validate_word("+-o*_") == "+-o*_"
    with pytest.raises(
        AnalysisInputError,
        match=r"who=7 has unknown symbol 'B' at position 2 in '\+B'; allowed symbols are",
    ):
        validate_word("+B", who=7)
    with pytest.raises(AnalysisInputError, match="must be a string"):
        validate_word(3.0)


def test_read_words_csv(tmp_path):
    good = tmp_path / "w.csv"
    good.write_text("who,usePatternUDS\n1,+-o\n2,\n")
    df = read_words_csv(good)
    assert df["usePatternUDS"].tolist() == ["+-o", ""]  # an empty cell is the empty word
    bad_cols = tmp_path / "c.csv"
    bad_cols.write_text("id,word\n1,+\n")
    with pytest.raises(AnalysisInputError, match=r"needs columns 'usePatternUDS' and a "):
        read_words_csv(bad_cols)
    no_id = tmp_path / "n.csv"
    no_id.write_text("arm,usePatternUDS\na,+\n")
    with pytest.raises(AnalysisInputError, match=r"participant id \('who', or 'id'"):
        read_words_csv(no_id)
    # A run folder's words: replicate, id and arm come first and are kept.
    run = tmp_path / "r.csv"
    run.write_text("usePatternUDS,arm,id,replicate\n+-,placebo,7,0\n")
    assert list(read_words_csv(run).columns) == ["replicate", "id", "arm", "usePatternUDS"]
    bad_word = tmp_path / "b.csv"
    bad_word.write_text("who,usePatternUDS\n5,+-?\n")
    with pytest.raises(AnalysisInputError, match=r"who=5 has unknown symbol '\?' at position 3"):
        read_words_csv(bad_word)
    with pytest.raises(AnalysisInputError, match="Cannot read words CSV"):
        read_words_csv(tmp_path / "absent.csv")
