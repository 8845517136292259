"""Endpoints on real CTN-0094 words against CTNote's own published R output.

Reference values are transcribed from CTNote 0.1.0's vignettes as built on CRAN
(``inst/doc/library_abstinence_20220711.html``, ``library_relapse_20220711.html``
and ``library_reduction_20220630.html``; R 4.2.0, 2022-10-01). Each vignette
prints ten example participants (``examplePeople_int``) with their use-pattern
word and every endpoint column; the words are reproduced here too. Printed
numbers carry three significant digits, so the tolerance is half a unit in the
last printed digit. Survival columns are "time/event". Two endpoints reproduce
CTNote code quirks on purpose (strain1994 and strain1999: the word with missing
weeks is scored); shufman1994_absP has no reference because the vignette printed a
different column under it, and strain1993_abs none because CTNote corrected it after
0.1.0 (a count subtracted from 1 became a proportion). Every endpoint, these
included, is checked on all 3,560 participants against CTNote 0.1.3's own output in
``test_ctnote_agreement.py``.
"""

import math

import pandas as pd
import pytest

from rewardsim.analysis import ENDPOINTS, compute_endpoints

WORDS = {
    1: "ooooooooooooooo",
    4: "-------------------o-o-o",
    13: "------------o-oooooooooo",
    17: "--++*++++++-++++++-+++-",
    163: "-o---o---o--o+----------",
    210: "-++++++++-+++-----------",
    233: "*+++++++++++o++++++++++o",
    242: "-----------------------",
    1103: "++--oo--o-+-+--o----------o-o-oo++o",
    2089: "++++---+--------------o-",
}
WHO = list(WORDS)

# CTNote 0.1.0 column, then one value per participant in WHO order (T/F = TRUE/FALSE).
REFERENCE = """
fiellin2006_abs         0 21 13 5 19 13 0 23 20 18
kosten1993_isAbs        F T T F T T F T T T
krupitsky2011A_isAbs    F T F F F F F T F F
krupitsky2011B_abs      0 11 9 1 7 3 0 11 6 10
ling1998_isAbs          F T T F T T F T T T
lofwall2018_isAbs       F T F F F F F T F T
mokri2016_abs           1/1 20/1 13/1 3/1 2/1 2/1 1/1 23/0 1/1 1/1
schottenfeld2005_abs    0 21 13 2 10 11 0 23 14 15
schottenfeld2008A_abs   1/1 20/1 13/1 3/1 2/1 2/1 1/1 23/0 1/1 1/1
schottenfeld2008B_abs   0 19 12 2 10 11 0 23 10 14
shufman1994_absN        15/0 24/0 24/0 3/1 14/1 2/1 1/1 23/0 1/1 1/1
weissLingCTN0030_isAbs  F F F F T T F T F T
ctn0094_relapse         1/1 21/0 15/1 3/1 21/0 2/1 1/1 20/0 31/1 1/1
ctn0094_dropout         1/1 21/0 15/1 20/0 21/0 21/0 21/0 20/0 32/0 21/0
johnson1992_hasRel      T F T T T T T F T F
krupitsky2004_hasRel    T F T T F T T F T T
lee2016_rel             3/1 21/1 14/1 3/1 12/1 3/1 3/1 22/0 3/1 3/1
lee2018_rel             3/1 21/0 15/1 3/1 21/0 3/1 3/1 20/0 31/1 21/0
schottenfeld2008_rel    1/1 22/0 15/1 3/1 22/0 2/1 1/1 21/0 31/1 1/1
comer2006_red           0 1 1 0.312 0.75 0.125 0.0625 1 0.5 0.375
eissenberg1997_isAbs    F T F F T F F T T T
fiellin2006_red         0 0.875 0.542 0.239 0.792 0.542 0.0208 1 0.571 0.75
fudala2003_red          0 1 1 0.239 0.95 0.542 0.0227 1 0.769 0.783
haight2019_red          0 1 0.818 0.136 0.636 0.273 0 1 0.545 0.909
jaffe1972_red           0 1 1 0.239 0.958 0.542 0.0208 1 0.829 0.792
johnson1992_red         0 0.875 0.542 0.239 0.792 0.542 0.0208 1 0.571 0.75
kosten1993B_red         F T T F T F F T T F
ling1998A_red           0 1 1 0.233 0.933 0.267 0.0333 1 0.733 0.667
ling1998C_red           0 15 13 3.5 10 4 0.5 15 8 10
ling2010_red            0 1 0.867 0.233 0.667 0.267 0.0333 1 0.533 0.667
ling1976o22_abs         0 120 119. 18.7 104. 40 14.1 120 88.9 98.7
ling1976o100_abs        0 120 113. 20.6 94.2 38.5 10.4 120 82.0 96.9
lofwall2018_red         0 1 0.8 0.167 0.733 0.133 0.0333 1 0.333 0.733
mattick2003A_red        0 0.913 0.929 0.239 0.792 0.542 0.0217 1 0.588 0.75
mattick2003B_red        0 1 0.923 0.269 0.692 0.154 0.0385 1 0.462 0.615
pani2000A_red           0 1 1 0.239 0.95 0.542 0.0227 1 0.769 0.783
pani2000B_red           0 0.875 0.542 0.239 0.792 0.542 0.0208 1 0.571 0.75
petitjean2001_abs       0 0.875 0.542 0.239 0.792 0.542 0.0208 1 0.571 0.75
preston2000_red         0 1 0.923 0.269 0.692 0.154 0.0385 1 0.462 0.615
schottenfeld2005_red    0 1 1 0.239 0.95 0.542 0.0227 1 0.769 0.783
schwartz2006_isAbs      F T F F T T F T T T
soyka2008_abs           1 1 1 0.239 0.95 0.542 0.0227 1 0.769 0.783
strain1994_abs          1 1 1 0.239 0.958 0.542 0.104 1 0.829 0.792
strain1996_abs          1 1 1 0.239 0.95 0.542 0.0227 1 0.769 0.783
strain1999_abs          1 1 1 0.239 0.958 0.542 0.104 1 0.829 0.792
strang2010_hasRed       F T F F T T F T F T
strang2019_red          0 1 1 0.292 0.75 0.167 0.0417 1 0.5 0.583
tanum2017_red           0 0.913 0.929 0.239 0.792 0.542 0.0217 1 0.588 0.75
wolstein2009_red        0 1 1 0.239 0.95 0.542 0.0227 1 0.769 0.783
woody2008_abs           0 1 1 0.333 1 0 0 1 1 0.333
zaks1972_abs            0 21 13 5.5 19 13 0.5 23 20 18
"""


def _reference():
    out = {}
    for line in REFERENCE.strip().splitlines():
        name, values = line.split(None, 1)
        tokens = values.split()
        if "/" in values:  # survival: time/event
            tokens = [tuple(map(float, t.split("/"))) for t in tokens]
        out[name] = dict(zip(WHO, tokens, strict=True))
    return out


REF = _reference()
BY_V010 = {e.ctnote_v010: e for e in ENDPOINTS.values() if e.ctnote_v010}


@pytest.fixture(scope="module")
def computed():
    words = pd.DataFrame({"who": WHO, "usePatternUDS": [WORDS[w] for w in WHO]})
    return compute_endpoints(words).set_index("who")


def _tolerance(printed: str) -> float:
    """Half a unit in the third significant digit (tibble prints 3 significant digits)."""
    x = float(printed.rstrip("."))
    if x == 0:
        return 1e-12
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(x))) - 2) + 1e-9  # 0.3125 prints as 0.312


def test_every_ctnote_endpoint_has_a_reference():
    missing = set(BY_V010) - set(REF) - {"shufman1994_absP", "strain1993_abs"}
    assert not missing


@pytest.mark.parametrize("v010", sorted(REF))
def test_matches_ctnote_vignette(computed, v010):
    e = BY_V010[v010]
    for who, printed in REF[v010].items():
        if e.kind == "survival":
            got = (computed.loc[who, e.columns[0]], computed.loc[who, e.columns[1]])
            assert got == (printed[0], int(printed[1])), (e.name, who)
        elif printed in ("T", "F"):
            assert bool(computed.loc[who, e.name]) == (printed == "T"), (e.name, who)
        else:
            got = computed.loc[who, e.name]
            assert got == pytest.approx(float(printed.rstrip(".")), abs=_tolerance(printed)), (
                e.name,
                who,
            )
