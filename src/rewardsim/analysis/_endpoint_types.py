"""The :class:`Endpoint` record shared by the endpoint definition modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._citations import CITATIONS, Citation
from ._ctnote import count_matches, recode_missing_visits

__all__ = [
    "Endpoint", "GROUPS", "KINDS", "cite", "missing_and_mixed_positive", "without_missing",
    "negative_proportion", "one_minus_use",
]  # fmt: skip

#: Endpoint families: CTNote's three libraries plus the cocaine-trial set.
GROUPS = ("abstinence", "relapse", "reduction", "cocaine")
#: Value types: ``logical`` (bool), ``count``/``ratio``/``score`` (float),
#: ``survival`` (two columns, time in periods and event 0/1).
KINDS = ("logical", "count", "ratio", "score", "survival")


@dataclass(frozen=True)
class Endpoint:
    """One published endpoint computed from a use-pattern word.

    Attributes
    ----------
    name
        Column name, following CTNote's naming (``Ab_`` abstinence, ``Rs_`` relapse,
        ``Rd_`` reduction; survival endpoints get ``AbT_``/``AbE_`` or
        ``RsT_``/``RsE_`` time and event columns). ``Coc_`` marks the cocaine-trial set.
    name_verified
        True when this exact column name appears in CTNote's published outcome
        table; otherwise the name follows the same pattern and ``ctnote_v010`` gives
        the column name the endpoint had in CTNote 0.1.0 (CRAN, 2022).
    func
        Word -> value (``bool``/``float``) or ``(time, event)`` for survival endpoints.
    higher_is_better
        Direction of benefit, used to call a treatment effect "detected". For
        survival endpoints it refers to the time: the event (first positive,
        relapse, dropout) is always the unfavourable outcome.
    """

    name: str
    group: str
    kind: str
    definition: str
    missing: str
    citation: Citation
    func: Callable[[str], object]
    ctnote_v010: str | None = None
    name_verified: bool = False
    higher_is_better: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        if self.group not in GROUPS or self.kind not in KINDS:
            raise ValueError(f"Endpoint {self.name}: bad group {self.group!r}/kind {self.kind!r}")

    @property
    def substance(self) -> str:
        """The substance of the trials the endpoint was defined in: CTNote's library comes
        from opioid use disorder trials, the ``Coc_`` set from cocaine trials."""
        return "cocaine" if self.group == "cocaine" else "opioid"

    @property
    def columns(self) -> tuple[str, ...]:
        """Output column(s): one, or (time, event) for survival endpoints."""
        if self.kind != "survival":
            return (self.name,)
        prefix, rest = self.name.split("_", 1)
        return (f"{prefix}T_{rest}", f"{prefix}E_{rest}")

    def __call__(self, word: str) -> object:
        return self.func(word)


def cite(key: str) -> Citation:
    """Look up a reference in the bibliography by key."""
    return CITATIONS[key]


def missing_and_mixed_positive(word: str) -> str:
    """CTNote's usual recoding: ``o`` -> ``+`` and then ``*`` -> ``+``."""
    return recode_missing_visits(recode_missing_visits(word), missing_is="*")


def without_missing(word: str) -> str:
    """Drop missing periods (CTNote ``recode_missing_visits(missing_becomes = "")``)."""
    return recode_missing_visits(word, missing_becomes="")


def negative_proportion(w: str, start: int = 1, end: int = -1) -> float:
    """Share of ``-`` periods in ``w[start..end]``, a mixed period counting half."""
    return count_matches(w, "-", start, end, mixed_results_are="*", proportion=True)


def one_minus_use(w: str, start: int = 1, end: int = -1, proportion: bool = True) -> float:
    """1 minus the (share or count of) ``+`` periods, a mixed period counting half."""
    return 1.0 - count_matches(w, "+", start, end, mixed_results_are="*", proportion=proportion)
