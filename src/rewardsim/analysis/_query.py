"""A read-only SQL sandbox over a run's tables (DuckDB).

The connection is an in-memory DuckDB database that sees the run's tables only as Arrow
datasets registered under their names: DuckDB itself never opens a file. Before any user
SQL runs, external access (files, network), extension installation and auto-loading are
switched off and the configuration is locked, so that ``COPY ... TO``, ``ATTACH`` of a
file, ``read_csv``/``read_text``/``glob`` of any path, ``INSTALL``/``LOAD`` and URLs are
refused by DuckDB with a permission error. The user's statements can create temporary
in-memory objects, which vanish with the connection.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds

from .._memory import default_budget
from ..errors import AnalysisInputError

__all__ = ["sandboxed_query"]

# Set in this order: temp_directory and memory_limit cannot change once external access
# is off, and nothing can change once the configuration is locked.
_LOCKDOWN = (
    "SET temp_directory = ''",  # no spilling to disk
    "SET memory_limit = '{memory}B'",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def sandboxed_query(tables: dict[str, list[Path]], sql: str) -> pd.DataFrame:
    """Answer ``sql`` over ``tables`` (view name -> its Parquet files) in a locked connection.

    Raises
    ------
    AnalysisInputError
        Empty SQL, or DuckDB refused or failed the statement (its first line is quoted,
        with the names of the tables).
    """
    if not isinstance(sql, str) or not sql.strip().strip(";").strip():
        raise AnalysisInputError(
            "The SQL is empty; give a query such as 'SELECT arm, count(*) FROM subjects "
            f"GROUP BY arm'. Tables: {', '.join(tables)}.")
    con = duckdb.connect(":memory:")
    try:
        for statement in _LOCKDOWN:
            con.execute(statement.format(memory=int(default_budget())))
        for name, paths in tables.items():
            con.register(name, ds.dataset([str(p) for p in paths], format="parquet"))
        try:
            result = con.execute(sql)
            if result is None or con.description is None:  # a statement without rows
                return pd.DataFrame()
            return result.df()
        except duckdb.Error as exc:
            raise AnalysisInputError(
                f"SQL failed: {_first_line(exc)}. The query tool reads the run's tables only "
                f"(no files, network or extensions). Tables: {', '.join(tables)}."
            ) from None
    finally:
        con.close()
