"""Endpoints on short words, against values worked out by hand.

Each expected value is derived in the comment next to it from the endpoint's
definition (recode, trim, count), not from running the code.
"""

import math

import pandas as pd
import pytest

from rewardsim.analysis import ENDPOINTS, compute_endpoints, endpoint_table
from rewardsim.errors import AnalysisInputError

ALL_SYMBOLS = "+-o*_--"  # every symbol once, 7 weeks
EMPTY, ALL_MISSING, ALL_UNSCHEDULED, ONE_VISIT = "", "oooo", "____", "-"


def value(word, name):
    row = compute_endpoints([word], endpoints=[name]).iloc[0]
    e = ENDPOINTS[name]
    if e.kind == "survival":
        return (row[e.columns[0]], row[e.columns[1]])
    return row[name]


def same(got, expected):
    if isinstance(expected, tuple):
        return all(same(g, x) for g, x in zip(got, expected, strict=True))
    if isinstance(expected, float) and math.isnan(expected):
        return math.isnan(got)
    return got == pytest.approx(expected)


NAN = float("nan")

CASES = [
    # ---- "+-o*_--": missing -> '+', mixed -> '+' gives "+-++_--" ----
    (ALL_SYMBOLS, "Ab_fiellin_2006", 3),  # three '-' in "+-++_--"
    (ALL_SYMBOLS, "Ab_kosten_1993", False),  # raw word has no "---"
    (ALL_SYMBOLS, "Ab_krupitskyA_2011", True),  # weeks 5-15 = "_--": no '+'
    (ALL_SYMBOLS, "Ab_krupitskyB_2011", 2),  # two '-' in "_--"
    (ALL_SYMBOLS, "Ab_ling_1998", False),  # no "----"
    (ALL_SYMBOLS, "Ab_mokri_2016", (1, 1)),  # first '+' in week 1
    (ALL_SYMBOLS, "Ab_schottenfeld_2005", 3),  # drop 'o', '*'->'+': "+-+_--" -> run "_--"
    (ALL_SYMBOLS, "Ab_schottenfeldB_2008", 3),  # "+-++_--" split at '+': longest "_--"
    (ALL_SYMBOLS, "Ab_shufman_1994", (1, 1)),  # 'o'->'-': "+--+_--", first '+' week 1
    (ALL_SYMBOLS, "Ab_ctnThirty_2011", True),  # last '-' and one '+' in weeks 4-6 "+_-"
    (ALL_SYMBOLS, "Rs_ctnNinetyFour_2023", (4, 0)),  # no "++++"; 7-4+1 = 4 windows
    (ALL_SYMBOLS, "Dr_ctnNinetyFour_2023", (4, 0)),  # only one 'o'
    (ALL_SYMBOLS, "Rs_johnson_1992", False),  # from week 4: "+_--" has no "++"
    (ALL_SYMBOLS, "Rs_krupitsky_2004", False),  # no "+++"
    (ALL_SYMBOLS, "Rs_lee_2016", (3, 1)),  # window 1 "+-++" has 3 >= 2; time 1 + (4-2)
    (ALL_SYMBOLS, "Rs_ctnFiftyOne_2018", (4, 0)),  # "++_--": 2 windows, none; 2 + 0 + 2
    (ALL_SYMBOLS, "Rs_schottenfeld_2008", (5, 0)),  # no "+++"; 5 windows of 3
    (ALL_SYMBOLS, "Rd_fiellin_2006", 3.5 / 7),  # 3 '-' + 0.5 x 1 '*' over 7 weeks
    (ALL_SYMBOLS, "Rd_comer_2006", 3.5 / 7),  # weeks 1-8 is the whole word
    (ALL_SYMBOLS, "Rd_fudala_2003", 3.5 / 6),  # 'o' dropped: 6 weeks left
    (ALL_SYMBOLS, "Rd_lingC_1998", 3.5),  # count, mixed counts half
    (ALL_SYMBOLS, "Rd_petitjean_2001", 1 - 2.5 / 7),  # 'o'->'+': 2 '+' + 0.5 '*'
    (ALL_SYMBOLS, "Rd_strain_1994", 1 - 1.5 / 7),  # raw word, 'o' stays in the denominator
    (ALL_SYMBOLS, "Rd_strain_1996", 1 - 1.5 / 6),  # 'o' dropped
    (ALL_SYMBOLS, "Rd_zaks_1972", 6 - 1.5),  # 6 weeks without 'o' minus 1.5 positive
    (ALL_SYMBOLS, "Rd_mattickA_2003", 3.5 / 7),  # retained to week 7
    (ALL_SYMBOLS, "Rd_strang_2010", True),  # last 12 weeks = whole word: 0.5 >= 0.5
    (ALL_SYMBOLS, "Ab_schwartz_2006", False),  # no week 15
    (ALL_SYMBOLS, "Rd_lingA_1976", NAN),  # '_' has no weight in Ling's index (CTNote: NA)
    (ALL_SYMBOLS, "Rd_woody_2008", 1 - 2.5 / 3),  # weeks 4, 8, 12 = '*','o','o' -> "*++"
    (ALL_SYMBOLS, "Rd_strain_1993", 1 - 0 / 2),  # weeks 6-15 = "--": no '+'
    (ALL_SYMBOLS, "Ab_ctnNinetyFour_2023", False),  # no weeks 12-15
    (ALL_SYMBOLS, "Coc_tes_1997", 3),  # three '-'
    (ALL_SYMBOLS, "Coc_propNegative", 3.5 / 6),  # '_' skipped: "+-o*--"
    (ALL_SYMBOLS, "Coc_longestNegRun", 2),  # "+-o*--": runs of 1 and 2
    (ALL_SYMBOLS, "Coc_eotAbstinence3", False),  # last three scheduled "*--"
    # ---- empty word ----
    (EMPTY, "Ab_fiellin_2006", 0),
    (EMPTY, "Ab_krupitskyA_2011", True),  # CTNote: empty window counts as 0 % use
    (EMPTY, "Ab_lofwall_2018", False),  # padded with 'o' -> all '+' after LOCF
    (EMPTY, "Ab_mokri_2016", (NAN, NAN)),  # shorter than the 1-week window
    (EMPTY, "Ab_schottenfeldB_2008", 0),
    (EMPTY, "Ab_ctnThirty_2011", False),  # no last week
    (EMPTY, "Rs_ctnNinetyFour_2023", (NAN, NAN)),
    (EMPTY, "Rd_fiellin_2006", 0),  # count_matches returns 0 for an empty word
    (EMPTY, "Rd_jaffe_1972", 0),  # retained 0 < 8 weeks
    (EMPTY, "Rd_lingA_1976", 0),  # induction failure (retained <= 3): 120 - 120
    (EMPTY, "Rd_strain_1994", 1),  # 1 - 0
    (EMPTY, "Rd_eissenberg_1997", False),
    (EMPTY, "Coc_propNegative", 0),
    (EMPTY, "Coc_eotAbstinence3", False),
    # ---- all missing ----
    (ALL_MISSING, "Ab_fiellin_2006", 0),  # "++++"
    (ALL_MISSING, "Ab_kosten_1993", False),
    (ALL_MISSING, "Ab_krupitskyA_2011", True),  # only 4 weeks: window 5-15 is empty
    (ALL_MISSING, "Ab_mokri_2016", (1, 1)),
    (ALL_MISSING, "Rs_ctnNinetyFour_2023", (1, 1)),  # "++++" is a relapse at week 1
    (ALL_MISSING, "Dr_ctnNinetyFour_2023", (1, 1)),
    (ALL_MISSING, "Rd_fiellin_2006", 0),  # 0 of 4
    (ALL_MISSING, "Rd_fudala_2003", 0),  # nothing left after dropping 'o'
    (ALL_MISSING, "Rd_strain_1996", 1),  # 1 - 0 on the empty word
    (ALL_MISSING, "Rd_jaffe_1972", 0),
    (ALL_MISSING, "Coc_propNegative", 0),  # missing is positive: 0 of 4
    (ALL_MISSING, "Coc_longestNegRun", 0),
    # ---- all unscheduled ----
    (ALL_UNSCHEDULED, "Ab_fiellin_2006", 0),
    (ALL_UNSCHEDULED, "Ab_mokri_2016", (4, 0)),  # no '+', 4 windows of 1
    (ALL_UNSCHEDULED, "Ab_schottenfeldB_2008", 4),  # CTNote never recodes '_'
    (ALL_UNSCHEDULED, "Rs_ctnNinetyFour_2023", (1, 0)),  # one window, no event
    (ALL_UNSCHEDULED, "Rd_fiellin_2006", 0),  # 0 of 4
    (ALL_UNSCHEDULED, "Rd_lingA_1976", NAN),  # retained 4 weeks but '_' has no weight
    (ALL_UNSCHEDULED, "Coc_tes_1997", 0),
    (ALL_UNSCHEDULED, "Coc_propNegative", 0),  # no scheduled week
    # ---- one negative visit ----
    (ONE_VISIT, "Ab_fiellin_2006", 1),
    (ONE_VISIT, "Ab_ling_1998", False),
    (ONE_VISIT, "Ab_mokri_2016", (1, 0)),  # one window, no '+'
    (ONE_VISIT, "Ab_schottenfeldB_2008", 1),
    (ONE_VISIT, "Rs_lee_2016", (NAN, NAN)),  # shorter than the 4-week window
    (ONE_VISIT, "Rd_fiellin_2006", 1.0),
    (ONE_VISIT, "Rd_jaffe_1972", 0),  # retained 1 < 8 weeks
    (ONE_VISIT, "Coc_tes_1997", 1),
    (ONE_VISIT, "Coc_propNegative", 1.0),
    (ONE_VISIT, "Coc_longestNegRun", 1),
    (ONE_VISIT, "Coc_eotAbstinence3", False),  # fewer than 3 scheduled weeks
]


@pytest.mark.parametrize(("word", "name", "expected"), CASES)
def test_endpoint_by_hand(word, name, expected):
    assert same(value(word, name), expected)


def test_ctn0094_abstinence_and_strain_1993_by_hand():
    # Weeks 12-15 of "++++++++++-" + "-o--": one missing week, no positive -> abstinent.
    assert value("+" * 10 + "-" + "-o--", "Ab_ctnNinetyFour_2023")
    # Two missing weeks, or a mixed week (counted positive), is not.
    assert not value("+" * 11 + "oo--", "Ab_ctnNinetyFour_2023")
    assert not value("-" * 11 + "-*--", "Ab_ctnNinetyFour_2023")
    # Strain 1993: weeks 6-15 of "+++++" + "+-*-o------" hold 1 '+' and 1 '*' (half) in 10.
    assert value("+++++" + "+-*-o-----", "Rd_strain_1993") == pytest.approx(1 - 1.5 / 10)


def test_lofwall_responder_by_hand():
    # The 15-week schedule "ooooooo_o_o_o_o" observes weeks 1-7, 9, 11, 13, 15; the
    # unobserved weeks copy the previous observed week (LOCF).
    # Weeks 5-7 "-+-" (2/3 negative), week 8 copies week 7 ('-'), and weeks 9-15
    # copy the negative odd weeks -> 7/7 negative: a responder, whatever the
    # even weeks after week 7 hold.
    assert value("++++-+-+-+-+-+-", "Ab_lofwall_2018")
    # Week 7 positive: weeks 5-7 are still 2/3 negative but week 8 becomes '+'.
    assert not value("++++--++-+-+-+-", "Ab_lofwall_2018")


def test_eot_abstinence_skips_unscheduled_weeks():
    assert value("+-_-_-", "Coc_eotAbstinence3")  # scheduled: "+---"
    assert not value("+--o-", "Coc_eotAbstinence3")  # missing in the last three


def test_every_endpoint_runs_on_every_edge_case():
    out = compute_endpoints([ALL_SYMBOLS, EMPTY, ALL_MISSING, ALL_UNSCHEDULED, ONE_VISIT])
    assert list(out["who"]) == [1, 2, 3, 4, 5]
    n_columns = sum(len(e.columns) for e in ENDPOINTS.values())
    assert out.shape == (5, 1 + n_columns)


def test_unknown_symbol_is_refused():
    with pytest.raises(AnalysisInputError, match=r"who=2 has unknown symbol 'x' at position 3"):
        compute_endpoints(["+-", "+-x"])
    with pytest.raises(AnalysisInputError, match="Unknown endpoint"):
        compute_endpoints(["+-"], endpoints=["Ab_nobody_2099"])
    with pytest.raises(AnalysisInputError, match="usePatternUDS"):
        compute_endpoints(pd.DataFrame({"who": [1], "word": ["+"]}))


def test_every_endpoint_carries_a_citation():
    table = endpoint_table()
    assert len(table) == 58  # CTNote's 54 published endpoints + 4 cocaine-trial endpoints
    assert (table["citation"].str.len() > 20).all()
    ctnote = table[table["group"] != "cocaine"]
    assert len(ctnote) == 54
    assert ctnote["name_verified"].all() and (ctnote["substance"] == "opioid").all()
    assert (table.loc[table["group"] == "cocaine", "substance"] == "cocaine").all()
    # Every endpoint but the one CTNote added after 0.1.0 had a 0.1.0 column name.
    assert ctnote.loc[ctnote["ctnote_v010_name"].isna(), "name"].tolist() == [
        "Ab_ctnNinetyFour_2023"
    ]
    # Names the task asked for by example.
    assert {"Ab_ling_1998", "Rd_fiellin_2006", "Rs_ctnNinetyFour_2023"} <= set(table["name"])
    assert ENDPOINTS["Rs_ctnNinetyFour_2023"].columns == (
        "RsT_ctnNinetyFour_2023",
        "RsE_ctnNinetyFour_2023",
    )
