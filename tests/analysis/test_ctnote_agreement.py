"""Every CTNote endpoint against CTNote's own output on the 3,560 real CTN-0094 words.

Reference: ``tests/analysis/data/ctnote_reference_ctn0094.csv``, written by
``tools/ctnote_reference.R``, which runs the endpoint code of CTNote's three library
vignettes unchanged with CTNote 0.1.3 (source commit cf421a0) on the shipped opioid
words (see ``tests/analysis/data/README.md`` for versions). At generation the table
equalled CTNote's published ``outcomesCTN0094`` data set in all 62 columns. The R code
is independent of this package: a disagreement here is a porting error.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rewardsim.analysis import CTN0094_DIR, ENDPOINTS, compute_endpoints, read_words_csv

REFERENCE = Path(__file__).parent / "data" / "ctnote_reference_ctn0094.csv"
CTNOTE = [e for e in ENDPOINTS.values() if e.group != "cocaine"]


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(REFERENCE, dtype={"usePatternUDS": str}, keep_default_na=False,
                       na_values=["NA"]).set_index("who")  # fmt: skip


@pytest.fixture(scope="module")
def computed():
    words = read_words_csv(CTN0094_DIR / "use_patterns_opioid.csv")
    return compute_endpoints(words, endpoints=[e.name for e in CTNOTE]).set_index("who")


def test_reference_covers_every_participant_and_endpoint(reference, computed):
    words = read_words_csv(CTN0094_DIR / "use_patterns_opioid.csv").set_index("who")
    assert len(reference) == 3560
    assert (reference["usePatternUDS"] == words.loc[reference.index, "usePatternUDS"]).all()
    # The library's CTNote endpoints are exactly CTNote's published columns.
    ours = [c for e in CTNOTE for c in e.columns]
    theirs = [c for c in reference.columns if c != "usePatternUDS"]
    assert sorted(ours) == sorted(theirs)
    assert len(theirs) == 62 and len(CTNOTE) == 54


@pytest.mark.parametrize("endpoint", [e.name for e in CTNOTE])
def test_endpoint_matches_ctnote_for_all_participants(reference, computed, endpoint):
    e = ENDPOINTS[endpoint]
    for col in e.columns:
        want, got = reference[col], computed.loc[reference.index, col]
        if e.kind == "logical":
            bad = want.astype(bool).to_numpy() != got.astype(bool).to_numpy()
        else:
            # R writes doubles with 17 significant digits; both sides do the same
            # arithmetic, so only the last-bit rounding of sums and divisions may differ.
            bad = ~np.isclose(got.to_numpy(float), want.to_numpy(float), rtol=1e-12,
                              atol=1e-12, equal_nan=True)  # fmt: skip
        examples = reference.loc[bad, "usePatternUDS"][:3].tolist()
        assert not bad.any(), (
            f"{col}: {int(bad.sum())} of 3560 participants differ, e.g. words {examples}: "
            f"CTNote {want[bad][:3].tolist()}, rewardsim {got[bad][:3].tolist()}"
        )
