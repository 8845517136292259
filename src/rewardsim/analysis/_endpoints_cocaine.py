"""Endpoints common in cocaine-use-disorder trials (``Coc_``).

These are not part of CTNote; their definitions on a use-pattern word are
rewardsim's and are stated in full here:

* Unscheduled periods (``_``) are skipped: they neither count nor break a run.
* Missing periods (``o``) count as positive ("missing = positive", the usual
  primary convention); mixed periods (``*``) count as positive except in the
  proportion, where they count half (as in CTNote's reduction library).
* On a weekly word the counts are weeks; on a per-visit word
  (``use_pattern_words(..., by="visit")``) they are urine samples, which is how the
  treatment-effectiveness score and the longest run were originally defined.
"""

from __future__ import annotations

from ._endpoint_types import Endpoint, cite

__all__ = ["COCAINE", "END_OF_TREATMENT_WEEKS"]

#: Length of the end-of-treatment abstinence window, in periods.
END_OF_TREATMENT_WEEKS = 3


def _scheduled(w: str) -> str:
    return w.replace("_", "")


def treatment_effectiveness_score(w: str) -> float:
    """Number of negative periods (Ling et al. 1997)."""
    return float(w.count("-"))


def proportion_negative(w: str) -> float:
    """Negative periods over scheduled periods; missing is positive, mixed is half."""
    x = _scheduled(w)
    return (x.count("-") + 0.5 * x.count("*")) / len(x) if x else 0.0


def longest_negative_run(w: str) -> float:
    """Longest run of consecutive negative periods, skipping unscheduled ones."""
    best = run = 0
    for c in _scheduled(w):
        run = run + 1 if c == "-" else 0
        best = max(best, run)
    return float(best)


def end_of_treatment_abstinence(w: str) -> bool:
    """All of the last three scheduled periods negative (missing or mixed fail)."""
    x = _scheduled(w)
    n = END_OF_TREATMENT_WEEKS
    return len(x) >= n and x[-n:] == "-" * n


COCAINE: list[Endpoint] = [
    Endpoint(
        "Coc_tes_1997",
        "cocaine",
        "count",
        "Treatment effectiveness score: number of negative urines (periods)",
        "missing and mixed do not score",
        cite("ling_1997"),
        treatment_effectiveness_score,
    ),
    Endpoint(
        "Coc_propNegative",
        "cocaine",
        "ratio",
        "Proportion of scheduled urines (periods) negative",
        "positive; mixed counts half",
        cite("donovan_2012"),
        proportion_negative,
        note="Candidate indicator reviewed by Donovan et al. 2012 and Carroll et al. 2014.",
    ),
    Endpoint(
        "Coc_longestNegRun",
        "cocaine",
        "count",
        "Longest run of consecutive negative urines (periods)",
        "positive (breaks the run); unscheduled periods skipped",
        cite("schottenfeld_2005"),
        longest_negative_run,
        note="Primary outcome of Schottenfeld et al. 2005 (cocaine and opioid dependence).",
    ),
    Endpoint(
        "Coc_eotAbstinence3",
        "cocaine",
        "logical",
        f"Abstinent in each of the last {END_OF_TREATMENT_WEEKS} scheduled weeks of treatment",
        "positive",
        cite("carroll_2014"),
        end_of_treatment_abstinence,
        note="End-of-treatment abstinence, one of the candidate indicators compared by "
        "Carroll et al. 2014; the 3-week window is rewardsim's default.",
    ),
]
