"""CTNote reduction (``Rd_``) endpoints.

Ports of CTNote's vignette "Library: Reduction Outcomes" (Odom, Brandt, Luo,
Balise; CTNote 0.1.3, source commit cf421a0, 2023). Unless stated otherwise a mixed
week ``*`` counts as half a negative week (``mixed_weight = 0.5``), and "missing
ignored" means the ``o`` weeks are deleted before the proportion is taken. CTNote's
code is reproduced as published, including two quirks flagged in the endpoint notes
(``Rd_strain_1994``, ``Rd_strain_1999``). Names are the column names of CTNote's
published outcome table ``outcomesCTN0094`` (``Ab_schwartz_2006`` keeps CTNote's
abstinence prefix although it sits in the reduction library).
"""

from __future__ import annotations

import numpy as np

from . import _ctnote as ct
from ._endpoint_types import Endpoint, cite, without_missing
from ._endpoint_types import negative_proportion as _neg_prop
from ._endpoint_types import one_minus_use as _use_abs
from ._endpoints_ctnote_ab_rs import _lofwall_lattice_locf

__all__ = ["REDUCTION"]


def _eissenberg_1997(w: str) -> bool:
    # Retained >= 15 weeks (paper: 17) and 4 consecutive negative weeks in weeks 1-15,
    # after imputing single missing weeks from their neighbours (kNV, k = 1).
    completed = ct.measure_retention(w) >= 15
    imputed = ct.impute_missing_visits(
        w, "kNV", knv_weights={"o": np.nan, "+": 1, "*": 0.5, "-": 0}
    )
    return completed and ct.detect_subpattern(imputed, "----", 1, 15)


def _jaffe_1972(w: str) -> float:
    # Participants retained < 8 weeks score 0; others have missing weeks imputed to
    # their own most common result (ties go to positive).
    if ct.measure_retention(w) < 8:
        return 0.0
    return _neg_prop(ct.impute_missing_visits(w, "mode"))


def _ling_1976(w: str, weights: dict[str, float], smooth: bool) -> float:
    # Index of illicit use on [0, 120], reported here as 120 - use (higher is better).
    # Induction failures (retained <= 3 weeks) score 0. Positive urines are penalised
    # more later in treatment: a step function 1..5 over 15 weeks (original) or a
    # smooth ramp from 1 to 5 (CTNote's variant with missing weighted as 1.0).
    if ct.measure_retention(w) <= 3:
        return 0.0
    trunc = ct.str_sub(w, end=15)
    n = len(trunc)  # words under 15 weeks get a truncated penalty (R would recycle it)
    if smooth:
        penalty = list(np.linspace(1.0, 5.0, n))  # seq(1, 5, length.out = n)
    else:
        penalty = [float(1 + i // 3) for i in range(n)]  # rep(1:5, each = 3)[1:n]
    return 120.0 - ct.weight_positive_visits(trunc, weights, pos_penalty=penalty)


def _lofwall_red(w: str) -> float:
    # Missing -> positive (mixed stays mixed), view on the 15-week schedule, LOCF gaps.
    return _neg_prop(_lofwall_lattice_locf(ct.recode_missing_visits(w)), 1, 15)


def _mattick_a(w: str) -> float:
    return _neg_prop(w, 1, ct.measure_retention(w))


_WOODY_LATTICE = ct.collapse_lattice(["___o"], [3])


def _woody_2008(w: str) -> float:
    # Only weeks 4, 8 and 12 are observed; missing is positive.
    seen = ct.recode_missing_visits(ct.view_by_lattice(w, _WOODY_LATTICE), "_", "")
    use = ct.count_matches(
        ct.recode_missing_visits(seen), "+", mixed_results_are="*", proportion=True
    )
    return 1.0 - use


_POS, _IGN, _NEG = "positive", "ignored (missing weeks dropped)", "Proportion of negative weeks"
_NONE = "counted as not negative ('o' stays in the denominator)"


def _rd(
    name: str,
    kind: str,
    definition: str,
    missing: str,
    key: str,
    func,
    v010: str,
    verified: bool = True,
    note: str = "",
) -> Endpoint:
    return Endpoint(
        name, "reduction", kind, definition, missing, cite(key), func, v010, verified, True, note
    )


REDUCTION: list[Endpoint] = [
    _rd(
        "Rd_comer_2006",
        "ratio",
        f"{_NEG} in the first 8 weeks",
        _NONE,
        "comer_2006",
        lambda w: _neg_prop(w, 1, 8),
        "comer2006_red",
    ),
    _rd(
        "Rd_eissenberg_1997",
        "logical",
        "Retained >= 15 weeks (paper: 17) and 4 consecutive negative weeks in weeks 1-15",
        "imputed from neighbouring weeks (kNV)",
        "eissenberg_1997",
        _eissenberg_1997,
        "eissenberg1997_isAbs",
    ),
    _rd("Rd_fiellin_2006", "ratio", _NEG, _NONE, "fiellin_2006", _neg_prop, "fiellin2006_red"),
    _rd(
        "Rd_fudala_2003",
        "ratio",
        _NEG,
        _IGN,
        "fudala_2003",
        lambda w: _neg_prop(without_missing(w)),
        "fudala2003_red",
    ),
    _rd(
        "Rd_haight_2019",
        "ratio",
        f"{_NEG} in weeks 5-15 (paper: 5-24)",
        _NONE,
        "haight_2019",
        lambda w: _neg_prop(w, 5, 15),
        "haight2019_red",
    ),
    _rd(
        "Rd_jaffe_1972",
        "ratio",
        f"{_NEG} for participants retained >= 8 weeks, else 0",
        "imputed to the participant's mode",
        "jaffe_1972",
        _jaffe_1972,
        "jaffe1972_red",
    ),
    _rd("Rd_johnson_1992", "ratio", _NEG, _NONE, "johnson_1992", _neg_prop, "johnson1992_red"),
    _rd(
        "Rd_kostenB_1993",
        "logical",
        "At least 70% negative weeks in weeks 1-15 (paper: 24)",
        _IGN,
        "kosten_1993",
        lambda w: _neg_prop(without_missing(w), 1, 15) >= 0.7,
        "kosten1993B_red",
    ),
    _rd(
        "Rd_lingA_1998",
        "ratio",
        f"{_NEG} in the first 15 observed weeks",
        _IGN,
        "ling_1998",
        lambda w: _neg_prop(without_missing(w), 1, 15),
        "ling1998A_red",
    ),
    _rd(
        "Rd_lingC_1998",
        "count",
        "Number of negative weeks in weeks 1-15 (treatment effectiveness score)",
        _NONE,
        "ling_1998",
        lambda w: ct.count_matches(w, "-", end=15, mixed_results_are="*"),
        "ling1998C_red",
    ),
    _rd(
        "Rd_ling_2010",
        "ratio",
        f"{_NEG} in weeks 1-15 (paper: 1-16)",
        _NONE,
        "ling_2010",
        lambda w: _neg_prop(w, 1, 15),
        "ling2010_red",
    ),
    _rd(
        "Rd_lingA_1976",
        "score",
        "120 minus the weighted illicit-use index (+ 1, * 0.5, o 0.22; step penalty 1-5)",
        "weighted 0.22 of a positive",
        "ling_1976",
        lambda w: _ling_1976(w, {"+": 1.0, "*": 0.5, "o": 0.22, "-": 0.0}, smooth=False),
        "ling1976o22_abs",
    ),
    _rd(
        "Rd_lingB_1976",
        "score",
        "CTNote variant of Ling 1976: + 0.8, * 0.4, o 1.0, smooth penalty 1-5",
        "weighted as 1.0 (worse than a positive)",
        "ling_1976",
        lambda w: _ling_1976(w, {"+": 0.8, "*": 0.4, "o": 1.0, "-": 0.0}, smooth=True),
        "ling1976o100_abs",
    ),
    _rd(
        "Rd_lofwall_2018",
        "ratio",
        f"{_NEG} in weeks 1-15 on a weekly-then-alternate-week schedule (LOCF between visits)",
        _POS,
        "lofwall_2018",
        _lofwall_red,
        "lofwall2018_red",
    ),
    _rd(
        "Rd_mattickA_2003",
        "ratio",
        f"{_NEG} up to the last attended week",
        _NONE,
        "mattick_2003",
        _mattick_a,
        "mattick2003A_red",
    ),
    _rd(
        "Rd_mattickB_2003",
        "ratio",
        f"{_NEG} in weeks 1-13 (intent to treat)",
        _NONE,
        "mattick_2003",
        lambda w: _neg_prop(w, 1, 13),
        "mattick2003B_red",
    ),
    _rd(
        "Rd_paniA_2000",
        "ratio",
        f"{_NEG} among weeks with a urine",
        _IGN,
        "pani_2000",
        lambda w: _neg_prop(without_missing(w)),
        "pani2000A_red",
    ),
    _rd(
        "Rd_paniB_2000",
        "ratio",
        f"{_NEG} among protocol weeks",
        _NONE,
        "pani_2000",
        _neg_prop,
        "pani2000B_red",
    ),
    _rd(
        "Rd_petitjean_2001",
        "ratio",
        "1 minus the proportion of positive weeks",
        _POS,
        "petitjean_2001",
        lambda w: _use_abs(ct.recode_missing_visits(w)),
        "petitjean2001_abs",
    ),
    _rd(
        "Rd_preston_2000",
        "ratio",
        f"{_NEG} in weeks 1-13",
        _NONE,
        "preston_2000",
        lambda w: _neg_prop(w, 1, 13),
        "preston2000_red",
    ),
    _rd(
        "Rd_schottenfeld_2005",
        "ratio",
        _NEG,
        _IGN,
        "schottenfeld_2005",
        lambda w: _neg_prop(without_missing(w)),
        "schottenfeld2005_red",
    ),
    _rd(
        "Ab_schwartz_2006",
        "logical",
        "Negative urine in week 15 (paper: day 120)",
        _NONE,
        "schwartz_2006",
        lambda w: ct.count_matches(w, "-", 15, 15, mixed_results_are="*") == 1,
        "schwartz2006_isAbs",
    ),
    _rd(
        "Rd_shufman_1994",
        "ratio",
        "1 minus the proportion of positive weeks",
        _NONE,
        "shufman_1994",
        _use_abs,
        "shufman1994_absP",
    ),
    _rd(
        "Rd_soyka_2008",
        "ratio",
        "1 minus the proportion of positive weeks",
        _IGN,
        "soyka_2008",
        lambda w: _use_abs(without_missing(w)),
        "soyka2008_abs",
    ),
    _rd(
        "Rd_strain_1993",
        "ratio",
        "1 minus the proportion of positive weeks in weeks 6-15 (stable dosing period)",
        _NONE,
        "strain_1993",
        lambda w: _use_abs(w, 6, 15),
        "strain1993_abs",
        note="CTNote 0.1.0 subtracted a count (values below 0); CTNote corrected it to a "
        "proportion after 0.1.0 (commit e99b797, 2022-11-23), as here.",
    ),
    _rd(
        "Rd_strain_1994",
        "ratio",
        "1 minus the proportion of positive weeks",
        _IGN,
        "strain_1994",
        _use_abs,
        "strain1994_abs",
        note="CTNote 0.1.0 drops missing weeks but then scores the original word, so 'o' "
        "stays in the denominator; reproduced as published.",
    ),
    _rd(
        "Rd_strain_1996",
        "ratio",
        "1 minus the proportion of positive weeks",
        _IGN,
        "strain_1996",
        lambda w: _use_abs(without_missing(w)),
        "strain1996_abs",
    ),
    _rd(
        "Rd_strain_1999",
        "ratio",
        "1 minus the proportion of positive weeks",
        _IGN,
        "strain_1999",
        _use_abs,
        "strain1999_abs",
        note="Same as Rd_strain_1994: the original word is scored; reproduced as published.",
    ),
    _rd(
        "Rd_strang_2010",
        "logical",
        "At least 50% negative weeks in the last 12 weeks",
        _NONE,
        "strang_2010",
        lambda w: _neg_prop(w, -12, -1) >= 0.5,
        "strang2010_hasRed",
    ),
    _rd(
        "Rd_strang_2019",
        "ratio",
        f"{_NEG} in weeks 1-12",
        _NONE,
        "strang_2019",
        lambda w: _neg_prop(w, 1, 12),
        "strang2019_red",
    ),
    _rd(
        "Rd_tanum_2017",
        "ratio",
        f"{_NEG} up to the last attended week",
        _NONE,
        "tanum_2017",
        _mattick_a,
        "tanum2017_red",
    ),
    _rd(
        "Rd_wolstein_2009",
        "ratio",
        f"{_NEG} among weeks of participation",
        _IGN,
        "wolstein_2009",
        lambda w: _neg_prop(without_missing(w)),
        "wolstein2009_red",
    ),
    _rd(
        "Rd_woody_2008",
        "ratio",
        "1 minus the proportion positive at weeks 4, 8 and 12",
        _POS,
        "woody_2008",
        _woody_2008,
        "woody2008_abs",
    ),
    _rd(
        "Rd_zaks_1972",
        "count",
        "Weeks with a urine minus the number of positive weeks",
        _IGN,
        "zaks_1972",
        lambda w: (
            len(without_missing(w))
            - ct.count_matches(without_missing(w), "+", mixed_results_are="*")
        ),
        "zaks1972_abs",
    ),
]
