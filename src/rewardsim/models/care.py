"""``care``: counselling and psychotherapy, and the settings in which patients live.

Methods
-------
Sessions. Each kind of psychosocial care (drug counselling, 12-step groups, individual or
group psychotherapy) lowers the log-odds of using at a given craving by an amount that
grows with the number of sessions the patient has attended, ``n``::

    care = sum over kinds k of  EMAX_k * n_k / (n_k + N50_k)

``care`` is non-decreasing in every ``n_k``, so attending more sessions never raises the
chance of use on a given day. A scheduled session is attended with the design's
attendance probability, with lower odds (``MISS_AFTER_USE`` per use day in the last
three days) after recent use; visits (urine, ratings) follow the same rule.

Settings. ``cue`` scales the craving drive of :mod:`rewardsim.models.behaviour`: 1 at
home (outpatient), ``CUE_TRAVEL`` away from home cues, ``CUE_RESIDENTIAL`` inside a
residential unit, where cocaine is also unavailable (``access`` 0). Before admission to a
residential unit the patient waits at home, at risk.

Values. No per-session effect size of psychosocial care on the daily chance of cocaine
use was found in the project's reference file; every value here is assumed, and a design
file can override ``EMAX``/``N50`` per co-treatment (fields ``effect_log_odds`` and
``sessions_50``). The kinds share one default so that no ranking between them is implied.
"""

from __future__ import annotations

from numba import njit

from ..engine import Param

__all__ = ["CARE_KINDS", "PARAMS", "SETTINGS", "care_effect", "care_values"]

#: Kinds of psychosocial care a design can schedule, in kernel order.
CARE_KINDS: tuple[str, ...] = (
    "counselling", "twelve_step", "individual_psychotherapy", "group_psychotherapy",
)  # fmt: skip
#: Settings a design can name.
SETTINGS: tuple[str, ...] = ("outpatient", "residential")

_SHARED = (
    "assumed: no per-session effect of psychosocial care on the daily chance of cocaine use "
    "in the reference file; one default for every kind, overridable per design"
)

PARAMS: tuple[Param, ...] = (  # name, typical value, unit, meaning, source
    Param("EMAX", 0.7, "logit", "Largest reduction of the log-odds of use by care of one kind",
          _SHARED + " (0.7 = odds ratio 0.5 after many sessions)"),
    Param("N50", 8.0, "sessions", "Sessions attended for half the largest reduction",
          _SHARED + " (about 3 weeks of thrice-weekly sessions)"),
    Param("MISS_AFTER_USE", 0.5, "logit",
          "Increase in the log-odds of missing a session or visit per use day in the last 3 "
          "days",
          "assumed: patients who used recently miss more appointments; the size is not "
          "sourced (0.5 per day: odds of attending 0.22 times lower after 3 use days)"),
    Param("CUE_TRAVEL", 0.5, "1", "Drug-cue exposure away from home (home = 1)",
          "assumed: fewer home cues while travelling; drug still available"),
    Param("CUE_RESIDENTIAL", 0.2, "1", "Drug-cue exposure inside a residential unit",
          "assumed: few drug cues inside; no access to cocaine"),
)


def care_values() -> dict[str, float]:
    """Parameter values by name."""
    return {p.name: float(p.value) for p in PARAMS}


@njit(cache=True, nogil=True)
def care_effect(sessions, emax, n50):  # pragma: no cover - compiled
    """Reduction of the log-odds of use from sessions attended (arrays over care kinds)."""
    total = 0.0
    for k in range(sessions.shape[0]):
        n = sessions[k]
        if n > 0.0 and emax[k] != 0.0:
            total += emax[k] * n / (n + n50[k])
    return total
