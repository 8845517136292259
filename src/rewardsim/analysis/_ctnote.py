"""Use-pattern word primitives, ported from the CTNote R package.

Each function reproduces one exported CTNote function (Odom, Brandt, Balise,
Bouzoubaa; CTNote 0.1.0, CRAN 2022, GPL-3, doi:10.32614/CRAN.package.CTNote),
including its edge cases, because published endpoint values depend on them.
Positions are 1-based and negative positions count from the end of the word, as
in ``stringr::str_sub``; the conventions that matter are restated per function.

Reference: Odom GJ, Brandt L, Castro C, Luo SX, Feaster DJ, Balise RR (2023).
Capturing drug use patterns at a glance: an n-ary word sufficient statistic for
repeated univariate categorical values. PLOS ONE 18(10): e0291248.
doi:10.1371/journal.pone.0291248
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..errors import AnalysisInputError

__all__ = [
    "str_sub",
    "recode_missing_visits",
    "count_matches",
    "detect_subpattern",
    "detect_in_window",
    "measure_retention",
    "measure_abstinence_period",
    "collapse_lattice",
    "view_by_lattice",
    "impute_missing_visits",
    "weight_positive_visits",
]


def str_sub(word: str, start: int = 1, end: int = -1) -> str:
    """Substring with R/stringr ``str_sub`` semantics (1-based, inclusive, negative from end).

    >>> str_sub("abcdef", 2, 4), str_sub("abcdef", -3), str_sub("ab", 5, 9)
    ('bcd', 'def', '')
    """
    n = len(word)
    first = n + start + 1 if start < 0 else start
    last = n + end + 1 if end < 0 else end
    first = max(first, 1)
    last = min(last, n)
    return word[first - 1 : last] if last >= first else ""


def recode_missing_visits(word: str, missing_is: str = "o", missing_becomes: str = "+") -> str:
    """Replace every ``missing_is`` symbol by ``missing_becomes`` ('+', '-' or '' to drop it).

    CTNote's ``recode_missing_visits``; endpoints call it twice, first for ``'o'``
    and then with ``missing_is='*'`` to treat mixed weeks as positive.

    >>> recode_missing_visits("-o*+"), recode_missing_visits("-o*+", missing_becomes="")
    ('-+*+', '-*+')
    """
    if missing_becomes not in ("+", "-", ""):
        raise AnalysisInputError(
            f"The 'missing_becomes' parameter of recode_missing_visits must be '+', '-' or ''. "
            f"Got {missing_becomes!r} instead."
        )
    return word.replace(missing_is, missing_becomes)


def count_matches(
    word: str,
    match_is: str,
    start: int = 1,
    end: int = -1,
    *,
    mixed_results_are: str | None = None,
    mixed_weight: float = 0.5,
    proportion: bool = False,
) -> float:
    """Count (or the proportion of) periods equal to ``match_is`` in ``word[start..end]``.

    As in CTNote: an empty trimmed word returns 0 (not NaN); each ``mixed_results_are``
    symbol adds ``mixed_weight``; the proportion's denominator is the trimmed length.

    >>> count_matches("--*+o", "-", mixed_results_are="*", proportion=True)
    0.5
    """
    trimmed = str_sub(word, start, end)
    if not trimmed:
        return 0.0
    count = float(trimmed.count(match_is))
    if mixed_results_are is not None:
        count += mixed_weight * trimmed.count(mixed_results_are)
    return count / len(trimmed) if proportion else count


def detect_subpattern(word: str, subpattern: str, start: int = 1, end: int = -1) -> bool:
    """True if ``subpattern`` occurs in ``word[start..end]`` (CTNote ``detect_subpattern``).

    >>> detect_subpattern("+---+", "---"), detect_subpattern("+---+", "---", start=3)
    (True, False)
    """
    return subpattern in str_sub(word, start, end)


def detect_in_window(
    word: str,
    window_width: int = 4,
    threshold: int = 3,
    *,
    offset: int | None = None,
    match_is: str = "+",
) -> tuple[float, float]:
    """Time to the first window holding ``threshold`` matches, and the event flag.

    CTNote ``detect_in_window``: windows of ``window_width`` periods start at
    1, 2, ..., n - width + 1. The time is the start of the first matching window
    plus ``offset`` (default ``window_width - threshold``, i.e. the start of the
    pattern itself); without a match the time is the number of windows plus
    ``offset`` and the event is 0. A word shorter than the window gives
    ``(nan, nan)`` (CTNote returns NA with a warning).

    >>> detect_in_window("o-o+++")
    (4, 1)
    """
    if threshold > window_width:
        raise AnalysisInputError(
            f"The 'threshold' parameter of detect_in_window must be <= window_width "
            f"({window_width}). Got {threshold} instead."
        )
    if offset is None:
        offset = window_width - threshold
    n_windows = len(word) - window_width + 1
    if n_windows < 1:
        return (math.nan, math.nan)
    for idx in range(n_windows):
        if word[idx : idx + window_width].count(match_is) >= threshold:
            return (idx + 1 + offset, 1)
    return (n_windows + offset, 0)


def measure_retention(word: str, missing_is: str = "o") -> int:
    """Position of the last period that is not ``missing_is`` (0 if none).

    CTNote ``measure_retention``; note that ``'_'`` counts as contact.

    >>> measure_retention("-+o-oo"), measure_retention("ooo")
    (4, 0)
    """
    for pos in range(len(word), 0, -1):
        if word[pos - 1] != missing_is:
            return pos
    return 0


def measure_abstinence_period(word: str, use_is: str = "+") -> int:
    """Longest run of periods between ``use_is`` symbols (CTNote ``measure_abstinence_period``).

    The word must already be binary (recode 'o', '*' and '_' first); an empty
    word gives 0.

    >>> measure_abstinence_period("--+---+-")
    3
    """
    return max(len(part) for part in word.split(use_is))


def collapse_lattice(lattice_patterns: list[str], times: list[int]) -> str:
    """Concatenate repeated visit-schedule patterns (CTNote ``collapse_lattice``).

    >>> collapse_lattice(["o", "_o"], [7, 4])
    'ooooooo_o_o_o_o'
    """
    if len(lattice_patterns) != len(times):
        raise AnalysisInputError(
            f"collapse_lattice needs one repeat count per pattern; got {len(lattice_patterns)} "
            f"patterns and {len(times)} counts."
        )
    return "".join(p * t for p, t in zip(lattice_patterns, times, strict=True))


def view_by_lattice(word: str, lattice: str, visit_is: str = "o", no_visit_is: str = "_") -> str:
    """Keep only the periods the schedule ``lattice`` would have observed.

    CTNote ``view_by_lattice``: the word is padded with ``visit_is`` or cut to the
    lattice length, then unscheduled periods become ``no_visit_is``.

    >>> view_by_lattice("+-+-+", "o_o")
    '+_+'
    """
    padded = (word + visit_is * max(0, len(lattice) - len(word)))[: len(lattice)]
    return "".join(
        no_visit_is if lat == no_visit_is else c for c, lat in zip(padded, lattice, strict=True)
    )


def _locf(chars: list[str], missing_is: str) -> list[str]:
    out = list(chars)
    for i in range(1, len(out)):
        if out[i] == missing_is:
            out[i] = out[i - 1]
    return out


def _mode_impute(chars: list[str], missing_is: str, mixed_is: str, tiebreaker: str) -> list[str]:
    clean = [tiebreaker if c == mixed_is else c for c in chars if c != missing_is]
    # R's table() orders levels by sort(); the C locale order is the byte order.
    levels = sorted(set(clean))
    counts = [clean.count(level) for level in levels]
    top = max(counts)
    first = levels[counts.index(top)]
    last = levels[len(counts) - 1 - counts[::-1].index(top)]
    mode = tiebreaker if tiebreaker in (first, last) else first
    return [mode if c == missing_is else c for c in chars]


def _knv_impute(
    chars: list[str], missing_is: str, k: int, weights: Mapping[str, float]
) -> list[str]:
    n = len(chars)
    # NaN marks missing or unmapped symbols, as as.numeric() does in R.
    num = [float(weights[c]) if c in weights else math.nan for c in chars]
    num = [math.nan if c == missing_is else v for c, v in zip(chars, num, strict=True)]

    def at(pos: int) -> list[float]:
        # R indexing: position 0 selects nothing, positions past the end give NA.
        if pos == 0:
            return []
        return [num[pos - 1]] if 1 <= pos <= n else [math.nan]

    lo, hi = 1 + k, n - k
    domain = range(lo, hi + 1) if lo <= hi else range(lo, hi - 1, -1)  # seq.int may run backwards
    imputed = list(num)
    for i in (p for p in domain if 1 <= p <= n and math.isnan(num[p - 1])):
        vals = [v for j in range(i - k, i + k + 1) if j != i for v in at(j)]
        has_na = not vals or any(math.isnan(v) for v in vals)  # mean(na.rm = FALSE)
        imputed[i - 1] = math.nan if has_na else sum(vals) / len(vals)
    targets = [(s, w) for s, w in weights.items() if not math.isnan(w)]
    out = []
    for v in imputed:
        if math.isnan(v):
            out.append(missing_is)
            continue
        # which.min keeps the first of tied distances, in the order of the weights.
        dists = [abs(v - w) for _, w in targets]
        out.append(targets[dists.index(min(dists))][0])
    return out


def impute_missing_visits(
    word: str,
    method: str = "locf",
    *,
    missing_is: str = "o",
    mixed_is: str = "*",
    tiebreaker: str = "+",
    k: int = 1,
    knv_weights: Mapping[str, float] | None = None,
) -> str:
    """Naive imputation of missing periods (CTNote ``impute_missing_visits``).

    Methods: ``"locf"`` (leading missing periods stay missing), ``"locfD"``
    (LOCF up to the last observed period), ``"mode"`` (the participant's most
    common result; mixed results count as ``tiebreaker``, ties go to
    ``tiebreaker``) and ``"kNV"`` (mean of the k nearest periods on each side,
    rounded to the nearest symbol weight; default weights '+'=1, '*'=0.5, '-'=0).
    A word with no observed period is returned unchanged.

    >>> impute_missing_visits("o+oo-o"), impute_missing_visits("o+oo-o", "locfD")
    ('o+++--', 'o+++-o')
    """
    chars = list(word)
    if all(c == missing_is for c in chars):
        return word
    if method == "locf":
        first = next(i for i, c in enumerate(chars) if c != missing_is)
        return "".join(chars[:first] + _locf(chars[first:], missing_is))
    if method == "locfD":
        observed = [i for i, c in enumerate(chars) if c != missing_is]
        first, last = observed[0], observed[-1]
        middle = _locf(chars[first : last + 1], missing_is)
        return "".join(chars[:first] + middle + chars[last + 1 :])
    if method == "mode":
        return "".join(_mode_impute(chars, missing_is, mixed_is, tiebreaker))
    if method == "kNV":
        weights = dict(knv_weights) if knv_weights is not None else {"+": 1.0, "*": 0.5, "-": 0.0}
        return "".join(_knv_impute(chars, missing_is, k, weights))
    raise AnalysisInputError(
        f"The 'method' parameter of impute_missing_visits must be one of 'locf', 'locfD', "
        f"'mode', 'kNV'. Got {method!r} instead."
    )


def weight_positive_visits(
    word: str,
    weights: Mapping[str, float] | None = None,
    *,
    pos_penalty: list[float] | None = None,
    miss_penalty: list[float] | None = None,
    scale_max: float = 120.0,
) -> float:
    """Weighted use score scaled to ``[0, scale_max]`` (CTNote ``weight_positive_visits``).

    Written by CTNote for Ling et al. (1976): each period scores its weight
    ('+' 1, '*' 0.5, 'o' 0.22, '-' 0 by default), times a per-period penalty for
    positive/mixed or missing periods; the sum is divided by the worst case
    (per period, the larger of the '+' and 'o' weights times their penalties).

    >>> round(weight_positive_visits("++o+*-------+--+-o-o-o+o+"), 2)
    41.28
    """
    w = dict(weights) if weights is not None else {"+": 1.0, "*": 0.5, "o": 0.22, "-": 0.0}
    n = len(word)
    pos = list(pos_penalty) if pos_penalty is not None else [1.0] * n
    miss = list(miss_penalty) if miss_penalty is not None else [1.0] * n
    if len(pos) != n or len(miss) != n:
        raise AnalysisInputError(
            f"weight_positive_visits needs one penalty per period ({n}); got "
            f"{len(pos)} positive and {len(miss)} missing penalties."
        )
    score = 0.0
    for i, c in enumerate(word):
        value = w.get(c, math.nan)
        factor = (pos[i] if c in ("+", "*") else 1.0) * (miss[i] if c == "o" else 1.0)
        score += value * factor
    worst = sum(max(w["+"] * p, w["o"] * m) for p, m in zip(pos, miss, strict=True))
    return scale_max * score / worst if worst else math.nan
