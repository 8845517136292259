"""CTNote abstinence (``Ab_``), relapse (``Rs_``) and dropout (``Dr_``) endpoints.

Each function ports the R code of CTNote's vignettes "Library: Abstinence
Outcomes" and "Library: Relapse Outcomes" (Odom, Brandt, Luo, Balise; CTNote 0.1.3,
source commit cf421a0, 2023) line by line, including the adaptations CTNote made to
fit the 15-24 week CTN-0094 trials (stated per endpoint). Names are the column
names of CTNote's published outcome table ``outcomesCTN0094``. "Missing is
positive" means CTNote first recodes ``o`` to ``+`` and then ``*`` to ``+``; ``_``
is never recoded by these definitions, exactly as in CTNote.
"""

from __future__ import annotations

from ._ctnote import (
    collapse_lattice,
    count_matches,
    detect_in_window,
    detect_subpattern,
    impute_missing_visits,
    measure_abstinence_period,
    recode_missing_visits,
    str_sub,
    view_by_lattice,
)
from ._endpoint_types import Endpoint, cite, missing_and_mixed_positive

__all__ = ["ABSTINENCE_RELAPSE"]

_pos = missing_and_mixed_positive


def _ctn0094_abstinence(w: str) -> bool:
    # End-of-treatment abstinence in weeks 12-15: no positive week and at most one
    # missing week ("soft" abstinence); mixed weeks count as positive.
    x = recode_missing_visits(w, missing_is="*")
    return any(
        detect_subpattern(x, p, 12, 15) for p in ("----", "o---", "-o--", "--o-", "---o")
    )


def _fiellin_2006(w: str) -> float:
    # Weeks of confirmed abstinence; no protocol end, so longer stays score higher.
    return count_matches(_pos(w), "-")


def _kosten_1993(w: str) -> bool:
    # Missing is not imputed: an 'o' breaks the run.
    return detect_subpattern(w, "---")


def _krupitsky_a_2011(w: str) -> bool:
    # Weeks 5-24 in the paper; CTNote uses weeks 5-15. An empty window counts as 0% use.
    return count_matches(_pos(w), "+", 5, 15, proportion=True) == 0


def _krupitsky_b_2011(w: str) -> float:
    return count_matches(_pos(w), "-", 5, 15)


def _ling_1998(w: str) -> bool:
    # 13 consecutive negative urines at 3 per week is about 4 weeks.
    return detect_subpattern(w, "----")


_LOFWALL_LATTICE = collapse_lattice(["o", "_o"], [7, 4])[:15]


def _lofwall_lattice_locf(w: str) -> str:
    """View the word through Lofwall's weekly-then-alternate-week schedule, LOCF the gaps."""
    seen = view_by_lattice(w, _LOFWALL_LATTICE)
    return impute_missing_visits(seen, "locf", missing_is="_")


def _lofwall_2018(w: str) -> bool:
    # Scaled from 24 weeks to 15: 2 of 3 negative in weeks 5-7, negative in week 8,
    # and at least 5/6 negative in weeks 9-15 (proportions, as in CTNote).
    x = _lofwall_lattice_locf(_pos(w))
    return (
        count_matches(x, "-", 5, 7, proportion=True) >= 2 / 3
        and count_matches(x, "-", 8, 8) == 1
        and count_matches(x, "-", 9, 15, proportion=True) >= 5 / 6
    )


def _first_positive(w: str) -> tuple[float, float]:
    return detect_in_window(_pos(w), 1, 1)


def _schottenfeld_2005(w: str) -> float:
    # Missing weeks are dropped (joining the weeks around them); mixed is positive.
    x = recode_missing_visits(recode_missing_visits(w, missing_becomes=""), missing_is="*")
    return float(measure_abstinence_period(x))


def _schottenfeld_b_2008(w: str) -> float:
    return float(measure_abstinence_period(_pos(w)))


def _shufman_1994(w: str) -> tuple[float, float]:
    # Missing ignored but kept as negative so the weeks are still counted.
    x = recode_missing_visits(recode_missing_visits(w, missing_becomes="-"), missing_is="*")
    return detect_in_window(x, 1, 1)


def _weiss_2011(w: str) -> bool:
    # Negative in the last week and at most one positive in the three weeks before.
    x = _pos(w)
    return detect_subpattern(x, "-", -1, -1) and count_matches(x, "+", -4, -2) <= 1


def _ctn0094_relapse(w: str) -> tuple[float, float]:
    return detect_in_window(_pos(w), 4, 4)


def _ctn0094_dropout(w: str) -> tuple[float, float]:
    # Missing visits are not recoded: the event is 4 consecutive missing weeks.
    return detect_in_window(w, 4, 4, match_is="o")


def _johnson_1992(w: str) -> bool:
    return detect_subpattern(_pos(w), "++", start=4)


def _krupitsky_2004(w: str) -> bool:
    return detect_subpattern(_pos(w), "+++")


def _lee_2016(w: str) -> tuple[float, float]:
    # ">=10 use days in 28 days, a positive urine counting 5 days": 2 of 4 weeks positive.
    return detect_in_window(_pos(w), 4, 2)


def _lee_2018(w: str) -> tuple[float, float]:
    # Relapse counted from day 21: drop the first two weeks, then add them back to the time.
    time, event = detect_in_window(str_sub(_pos(w), 3), 4, 4)
    return (time + 2, event)


def _schottenfeld_2008_rel(w: str) -> tuple[float, float]:
    return detect_in_window(_pos(w), 3, 3)


_MISS_POS = "positive ('o' and '*' recoded to '+')"
_MISS_NONE = "not imputed ('o' and '*' break a negative run)"

ABSTINENCE_RELAPSE: list[Endpoint] = [
    Endpoint(
        "Ab_ctnNinetyFour_2023",
        "abstinence",
        "logical",
        "End-of-treatment abstinence: no positive week and at most one missing week in "
        "weeks 12-15",
        "one missing week allowed; mixed weeks are positive",
        cite("odom_2023"),
        _ctn0094_abstinence,
        None,
        True,
        note="CTN-0094 research group definition as coded in CTNote (added after 0.1.0).",
    ),
    Endpoint(
        "Ab_fiellin_2006",
        "abstinence",
        "count",
        "Weeks of confirmed opioid abstinence",
        _MISS_POS,
        cite("fiellin_2006"),
        _fiellin_2006,
        "fiellin2006_abs",
        True,
    ),
    Endpoint(
        "Ab_kosten_1993",
        "abstinence",
        "logical",
        "At least 3 consecutive weeks of negative urines",
        _MISS_NONE,
        cite("kosten_1993"),
        _kosten_1993,
        "kosten1993_isAbs",
        True,
    ),
    Endpoint(
        "Ab_krupitskyA_2011",
        "abstinence",
        "logical",
        "Confirmed abstinence (no positive week) in weeks 5-15 (paper: 5-24)",
        _MISS_POS,
        cite("krupitsky_2011"),
        _krupitsky_a_2011,
        "krupitsky2011A_isAbs",
        True,
        note="An empty window (word shorter than 5 weeks) counts as abstinent, as in CTNote.",
    ),
    Endpoint(
        "Ab_krupitskyB_2011",
        "abstinence",
        "count",
        "Weeks of confirmed abstinence in weeks 5-15",
        _MISS_POS,
        cite("krupitsky_2011"),
        _krupitsky_b_2011,
        "krupitsky2011B_abs",
        True,
    ),
    Endpoint(
        "Ab_ling_1998",
        "abstinence",
        "logical",
        "13 consecutive negative urines at 3/week, coded as 4 consecutive negative weeks",
        _MISS_NONE,
        cite("ling_1998"),
        _ling_1998,
        "ling1998_isAbs",
        True,
    ),
    Endpoint(
        "Ab_lofwall_2018",
        "abstinence",
        "logical",
        "Responder: >=2/3 negative in weeks 5-7, negative in week 8, >=5/6 negative in "
        "weeks 9-15 on a weekly-then-alternate-week schedule (scaled from 24 weeks)",
        _MISS_POS,
        cite("lofwall_2018"),
        _lofwall_2018,
        "lofwall2018_isAbs",
        True,
    ),
    Endpoint(
        "Ab_mokri_2016",
        "abstinence",
        "survival",
        "Weeks to first positive urine (length of initial abstinence)",
        _MISS_POS,
        cite("mokri_2016"),
        _first_positive,
        "mokri2016_abs",
        True,
    ),
    Endpoint(
        "Ab_schottenfeld_2005",
        "abstinence",
        "count",
        "Longest run of consecutive negative weeks",
        "ignored (missing weeks dropped)",
        cite("schottenfeld_2005"),
        _schottenfeld_2005,
        "schottenfeld2005_abs",
        True,
    ),
    Endpoint(
        "Ab_schottenfeldA_2008",
        "abstinence",
        "survival",
        "Weeks to first positive urine after randomisation",
        _MISS_POS,
        cite("schottenfeld_2008"),
        _first_positive,
        "schottenfeld2008A_abs",
        True,
    ),
    Endpoint(
        "Ab_schottenfeldB_2008",
        "abstinence",
        "count",
        "Longest period of negative urines",
        _MISS_POS,
        cite("schottenfeld_2008"),
        _schottenfeld_b_2008,
        "schottenfeld2008B_abs",
        True,
    ),
    Endpoint(
        "Ab_shufman_1994",
        "abstinence",
        "survival",
        "Weeks from first naltrexone dose to first positive urine",
        "ignored (recoded '-' so weeks are counted)",
        cite("shufman_1994"),
        _shufman_1994,
        "shufman1994_absN",
        True,
    ),
    Endpoint(
        "Ab_ctnThirty_2011",
        "abstinence",
        "logical",
        "Negative in the last week and in at least 2 of the 3 weeks before it",
        _MISS_POS,
        cite("weiss_2011"),
        _weiss_2011,
        "weissLingCTN0030_isAbs",
        True,
    ),
    Endpoint(
        "Rs_ctnNinetyFour_2023",
        "relapse",
        "survival",
        "Weeks to relapse: 4 consecutive positive weeks",
        _MISS_POS,
        cite("odom_2023"),
        _ctn0094_relapse,
        "ctn0094_relapse",
        True,
        note="CTN-0094 research group definition as coded in CTNote.",
    ),
    Endpoint(
        "Dr_ctnNinetyFour_2023",
        "relapse",
        "survival",
        "Weeks to study dropout: 4 consecutive missing weeks",
        "is the event",
        cite("odom_2023"),
        _ctn0094_dropout,
        "ctn0094_dropout",
        True,
    ),
    Endpoint(
        "Rs_johnson_1992",
        "relapse",
        "logical",
        "Failure: 2 consecutive positive weeks from week 4 on",
        _MISS_POS,
        cite("johnson_1992"),
        _johnson_1992,
        "johnson1992_hasRel",
        True,
        higher_is_better=False,
    ),
    Endpoint(
        "Rs_krupitsky_2004",
        "relapse",
        "logical",
        "Relapse: 3 consecutive positive weeks (same rule in Krupitsky et al. 2006)",
        _MISS_POS,
        cite("krupitsky_2004"),
        _krupitsky_2004,
        "krupitsky2004_hasRel",
        True,
        higher_is_better=False,
    ),
    Endpoint(
        "Rs_lee_2016",
        "relapse",
        "survival",
        "Weeks to relapse: 2 or more positive weeks in a 4-week window",
        _MISS_POS,
        cite("lee_2016"),
        _lee_2016,
        "lee2016_rel",
        True,
    ),
    Endpoint(
        "Rs_ctnFiftyOne_2018",
        "relapse",
        "survival",
        "Weeks to relapse from day 21: 4 consecutive positive weeks",
        _MISS_POS,
        cite("lee_2018"),
        _lee_2018,
        "lee2018_rel",
        True,
    ),
    Endpoint(
        "Rs_schottenfeld_2008",
        "relapse",
        "survival",
        "Weeks to relapse: 3 consecutive positive urines (coded as weeks)",
        _MISS_POS,
        cite("schottenfeld_2008"),
        _schottenfeld_2008_rel,
        "schottenfeld2008_rel",
        True,
    ),
]
