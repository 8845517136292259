"""The endpoint library and its one entry point, :func:`compute_endpoints`.

The library holds CTNote's 54 published opioid-trial endpoints (abstinence,
relapse, dropout and reduction; Odom et al. 2023, doi:10.1371/journal.pone.0291248)
and four endpoints common in cocaine trials. Every endpoint carries the paper that
defined it (:attr:`Endpoint.citation`) and the recoding of missing and mixed
periods it uses (:attr:`Endpoint.missing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from ..errors import AnalysisInputError
from ._endpoint_types import Endpoint
from ._endpoints_cocaine import COCAINE
from ._endpoints_ctnote_ab_rs import ABSTINENCE_RELAPSE
from ._endpoints_ctnote_rd import REDUCTION
from ._words import validate_words

__all__ = ["Endpoint", "ENDPOINTS", "compute_endpoints", "endpoint_table", "get_endpoints"]

#: All endpoints by name, in library order (abstinence, relapse, reduction, cocaine).
ENDPOINTS: dict[str, Endpoint] = {e.name: e for e in (*ABSTINENCE_RELAPSE, *REDUCTION, *COCAINE)}


def get_endpoints(names: Iterable[str] | None = None) -> list[Endpoint]:
    """Endpoints by name (all when ``names`` is None).

    Raises
    ------
    AnalysisInputError
        For an unknown name, listing the offenders and where the valid names are.
    """
    if names is None:
        return list(ENDPOINTS.values())
    names = list(names)
    unknown = [n for n in names if n not in ENDPOINTS]
    if unknown:
        raise AnalysisInputError(
            f"Unknown endpoint(s) {unknown}; see rewardsim.analysis.endpoint_table() for the "
            f"{len(ENDPOINTS)} valid names (e.g. {', '.join(list(ENDPOINTS)[:3])})."
        )
    return [ENDPOINTS[n] for n in names]


def endpoint_table() -> pd.DataFrame:
    """One row per endpoint: name, columns, group, substance (of the trials it was defined
    in), kind, definition, missing, citation.

    Examples
    --------
    >>> t = endpoint_table()
    >>> t.loc[t.name == "Ab_ling_1998", "citation_short"].item()
    'Ling et al., 1998'
    """
    return pd.DataFrame(
        [
            {
                "name": e.name,
                "columns": ", ".join(e.columns),
                "group": e.group,
                "substance": e.substance,
                "kind": e.kind,
                "definition": e.definition,
                "missing": e.missing,
                "citation_short": e.citation.short,
                "citation": str(e.citation),
                "doi": e.citation.doi,
                "ctnote_v010_name": e.ctnote_v010,
                "name_verified": e.name_verified,
                "higher_is_better": e.higher_is_better,
                "note": e.note,
            }
            for e in ENDPOINTS.values()
        ]
    )


#: Columns that identify a participant in a words table: CTNote's ``who`` or a run
#: folder's ``id`` (with ``replicate``).
ID_COLUMNS = ("who", "id")


def _as_words(words: object, who: Sequence[object] | None) -> tuple[pd.DataFrame, list[str]]:
    """The columns carried into the output (ids, arm, ...) and the validated words."""
    if isinstance(words, pd.DataFrame):
        if "usePatternUDS" not in words.columns:
            raise AnalysisInputError(
                f"The words table needs a 'usePatternUDS' column; got {list(words.columns)}."
            )
        keep = words.drop(columns="usePatternUDS").reset_index(drop=True)
        if not any(c in keep.columns for c in ID_COLUMNS):
            keep.insert(0, "who", range(1, len(words) + 1))
        label = next(c for c in ("who", "id") if c in keep.columns)
        return keep, validate_words(words["usePatternUDS"], keep[label])
    if isinstance(words, str):
        words = [words]
    seq = list(words)  # type: ignore[call-overload]
    ids = list(who) if who is not None else list(range(1, len(seq) + 1))
    if len(ids) != len(seq):
        raise AnalysisInputError(f"Got {len(seq)} words but {len(ids)} ids in 'who'.")
    return pd.DataFrame({"who": ids}), validate_words(seq, ids)


def compute_endpoints(
    words: pd.DataFrame | Sequence[str] | str,
    *,
    who: Sequence[object] | None = None,
    endpoints: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Compute endpoints for each participant's use-pattern word.

    Parameters
    ----------
    words
        A table with ``usePatternUDS`` and the participant's id (``who`` as in CTNote,
        or ``id`` with ``replicate`` as in a run folder), or a sequence of words. The
        table's other columns (``arm``, ...) are carried into the result.
    who
        Participant ids when ``words`` is a sequence (default 1..n).
    endpoints
        Endpoint names (default: all, see :func:`endpoint_table`).

    Returns
    -------
    pandas.DataFrame
        The table's columns other than the word (``who`` for a sequence, or when the
        table has no id column), then one column per endpoint; survival endpoints give a
        time and an
        event column (e.g. ``RsT_ctnNinetyFour_2023`` and ``RsE_ctnNinetyFour_2023``).
        Logical endpoints are booleans; a survival endpoint on a word shorter than
        its window is NaN, as in CTNote.

    Raises
    ------
    AnalysisInputError
        On a word with an unknown symbol or an unknown endpoint name.

    Examples
    --------
    >>> compute_endpoints(["----+", "o+++"], endpoints=["Ab_ling_1998", "Rd_fiellin_2006"])
       who  Ab_ling_1998  Rd_fiellin_2006
    0    1          True              0.8
    1    2         False              0.0
    """
    chosen = get_endpoints(endpoints)
    carried, checked = _as_words(words, who)
    out: dict[str, list[object]] = {}
    for e in chosen:
        values = [e.func(w) for w in checked]
        if e.kind == "survival":
            time_col, event_col = e.columns
            out[time_col] = [float(v[0]) for v in values]  # type: ignore[index]
            out[event_col] = [float(v[1]) for v in values]  # type: ignore[index]
        elif e.kind == "logical":
            out[e.name] = [bool(v) for v in values]
        else:
            out[e.name] = [float(v) for v in values]  # type: ignore[arg-type]
    df = pd.concat([carried, pd.DataFrame(out, index=carried.index)], axis=1)
    for e in chosen:
        if e.kind == "survival":
            event = e.columns[1]
            if not df[event].isna().any():
                df[event] = df[event].astype("int64")
    return df
