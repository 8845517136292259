"""The real CTN-0094 data (shipped with rewardsim): every endpoint on every opioid word,
cocaine words."""

import pandas as pd
import pytest

from rewardsim.analysis import (
    CTN0094_DIR,
    ENDPOINTS,
    compute_endpoints,
    ctn0094_words,
    load_ctn0094,
    read_words_csv,
    summarise_words,
)
from rewardsim.errors import AnalysisInputError

DATA = CTN0094_DIR


@pytest.fixture(scope="module")
def tables():
    return load_ctn0094(DATA)


def test_every_endpoint_on_all_3560_opioid_words():
    words = read_words_csv(DATA / "use_patterns_opioid.csv")
    assert len(words) == 3560  # README: one word per participant
    out = compute_endpoints(words)
    assert len(out) == 3560
    n_columns = sum(len(e.columns) for e in ENDPOINTS.values())
    assert out.shape[1] == 1 + n_columns
    # The words are 15-39 weeks long and have no '_', so the only NaN a CTNote
    # endpoint may produce is Ling 1976's index (never here: no '_').
    assert not out.drop(columns="who").isna().any().any()


def test_rederived_opioid_words_agree_with_the_ctn0094_team(tables):
    # Independent check of the word derivation: the team's own opioid words.
    mine = ctn0094_words(tables, "opioid").set_index("who")["usePatternUDS"]
    theirs = tables.opioid_words.set_index("who")["usePatternUDS"].loc[mine.index]
    assert (mine.str.len() == theirs.str.len()).all()
    symbols = sum(len(w) for w in theirs)
    agree = sum(
        a == b for x, y in zip(mine, theirs, strict=True) for a, b in zip(x, y, strict=True)
    )
    # Acceptance criterion: >= 99 % of week symbols and >= 90 % of whole words
    # (the rest trace to the team's imputed visit table, not shared).
    assert agree / symbols >= 0.99
    assert (mine == theirs).mean() >= 0.90


def test_cocaine_words_and_summary(tables):
    words = ctn0094_words(tables, "Cocaine")
    assert len(words) == 3560
    assert set("".join(words["usePatternUDS"])) <= set("+-o*")
    s = summarise_words(words)
    randomized = summarise_words(words[words["randomized"]])
    print(
        f"\nCTN-0094 cocaine words: ever positive "
        f"{s['ever_positive']:.1%} of all {s['participants']} participants, "
        f"{randomized['ever_positive']:.1%} of {randomized['participants']} randomised; "
        f"weekly positive rate {s['weekly_positive_rate']:.1%} of {s['weeks_with_result']} weeks"
    )
    # README: "about a third of the participants screened positive for cocaine at
    # some visit" (baseline included), computed directly from uds.csv here.
    any_visit = tables.uds.loc[tables.uds["what"] == "Cocaine", "who"].nunique() / 3560
    assert 0.25 <= any_visit <= 0.45
    # The words (no baseline weeks) can only have fewer positives than all visits ...
    assert s["ever_positive"] <= any_visit
    # ... and a week counts as positive only if it has a positive sample.
    assert 0 < s["weekly_positive_rate"] < s["ever_positive"]
    by_week = s["by_week"]
    assert isinstance(by_week, pd.DataFrame) and by_week["week"].iloc[0] == 1


def test_missing_table_is_named(tmp_path):
    for name in ("everybody", "randomization", "uds"):
        (tmp_path / f"{name}.csv").write_text("who\n1\n")
    with pytest.raises(AnalysisInputError, match=r"visit\.csv is missing"):
        load_ctn0094(tmp_path)
    with pytest.raises(AnalysisInputError, match="does not exist"):
        load_ctn0094(tmp_path / "nope")


def test_unknown_substance(tables):
    with pytest.raises(AnalysisInputError, match="Unknown substance 'Coffee'"):
        ctn0094_words(tables, "Coffee")
