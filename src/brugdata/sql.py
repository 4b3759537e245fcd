"""Where an analysis reads from, shared by every stage: a *source* (a store, a DuckDB
connection or a mapping of table name → polars frame), :func:`connect` turning any of them into
a DuckDB connection holding the model's tables, :func:`query`, and SQL for school years."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, Union, runtime_checkable

import duckdb
import polars as pl

from brugdata.model.tables import TABLES, column_sql_type

__all__ = [
    "Connected",
    "Source",
    "connect",
    "has_tables",
    "query",
    "school_year_sql",
    "start_year_sql",
    "year_text_sql",
]


@runtime_checkable
class Connected(Protocol):
    """Anything holding a DuckDB connection to the model's tables, as a store does."""

    @property
    def con(self) -> duckdb.DuckDBPyConnection: ...  # pragma: no cover


Source = Union[Connected, duckdb.DuckDBPyConnection, Mapping[str, pl.DataFrame]]  # noqa: UP007 (a runtime alias)


def connect(source: Source) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection on which every data table of the model can be queried by name."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        return source
    if isinstance(source, Mapping):
        return _frames_connection(source)
    if isinstance(source, Connected):
        return source.con
    raise TypeError(
        f"an analysis needs a Store, a DuckDB connection or a mapping of frames, "
        f"not {type(source).__name__}"
    )


def _frames_connection(frames: Mapping[str, pl.DataFrame]) -> duckdb.DuckDBPyConnection:
    from brugdata.model.schemas import dtype_of

    unknown = set(frames) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}; known: {', '.join(TABLES)}")
    con = duckdb.connect(":memory:")
    for name, spec in TABLES.items():
        cols = ", ".join(f'"{c.name}" {column_sql_type(c)}' for c in spec.columns)
        con.execute(f"CREATE TABLE {name} ({cols})").fetchall()
        frame = frames.get(name)
        if frame is None or frame.is_empty():
            continue
        missing = [c.name for c in spec.columns if c.name not in frame.columns]
        frame = frame.with_columns(
            pl.lit(None, dtype=dtype_of(spec.column(c))).alias(c) for c in missing
        )
        con.register("_frame", frame.select(spec.column_names))
        con.execute(f"INSERT INTO {name} SELECT * FROM _frame").fetchall()
        con.unregister("_frame")
    return con


def query(source: Source, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """Run ``sql`` on the source and return a polars frame."""
    return connect(source).sql(sql, params=list(params) if params is not None else None).pl()


def school_year_sql(date: str) -> str:
    """SQL for the school year (``2024-2025``) of a DATE expression; it starts 1 August."""
    return year_text_sql(start_year_sql(date))


def start_year_sql(date: str) -> str:
    """SQL for the first calendar year of the school year of a DATE expression."""
    return f"(year({date}) - CASE WHEN month({date}) >= 8 THEN 0 ELSE 1 END)"


def year_text_sql(start: str) -> str:
    """SQL for the school year text (``2024-2025``) of its first year ``start``."""
    return f"(CAST({start} AS VARCHAR) || '-' || CAST({start} + 1 AS VARCHAR))"


def has_tables(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> bool:
    """Whether the current database and schema of ``con`` hold every table of ``names``."""
    found = con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_tables() WHERE table_name IN "
        f"({', '.join('?' for _ in names)}) AND database_name = current_database() "
        "AND schema_name = current_schema()",
        list(names),
    ).fetchall()
    return bool(found[0][0] == len(set(names)))
