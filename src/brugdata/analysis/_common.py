"""What every analysis shares: where the data comes from, enriched contacts, intervals, bands.

An analysis takes a *source*: a :class:`~brugdata.store.Store`, a DuckDB connection holding the
store's tables, or a mapping of table name → polars frame (canonical columns, as
``store.table(name)`` returns them). :func:`connect` turns any of these into a DuckDB connection
on which the analysis runs its SQL, so every analysis is written once, in SQL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import duckdb
import polars as pl

from brugdata.model import TABLES

if TYPE_CHECKING:
    from brugdata.store import Store

__all__ = [
    "BANDS",
    "CONTACTS_X",
    "Source",
    "band_label",
    "connect",
    "pilot_clause",
    "query",
    "school_year_sql",
    "wilson",
]

Source = Union["Store", duckdb.DuckDBPyConnection, Mapping[str, pl.DataFrame]]

#: Reach bands (percent) as the Gooi en Vechtstreek evaluation shows them: [low, high).
BANDS: tuple[tuple[int, int], ...] = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))


def connect(source: Source) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection on which every data table of the model can be queried by name."""
    from brugdata.store import Store

    if isinstance(source, Store):
        return source.con
    if isinstance(source, duckdb.DuckDBPyConnection):
        return source
    if isinstance(source, Mapping):
        return _frames_connection(source)
    raise TypeError(
        f"an analysis needs a Store, a DuckDB connection or a mapping of frames, "
        f"not {type(source).__name__}"
    )


def _frames_connection(frames: Mapping[str, pl.DataFrame]) -> duckdb.DuckDBPyConnection:
    from brugdata.schemas import dtype_of
    from brugdata.store import column_sql_type

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
    start = f"(year({date}) - CASE WHEN month({date}) >= 8 THEN 0 ELSE 1 END)"
    return f"(CAST({start} AS VARCHAR) || '-' || CAST({start} + 1 AS VARCHAR))"


#: Contacts with the school year of their date, their pilot (the school's pilot that year,
#: else the officer's), school type, month of the year and month of the school year (1 = Aug).
CONTACTS_X = f"""
    SELECT c.*,
           {school_year_sql("c.date")} AS school_year,
           coalesce(s.pilot, o.pilot) AS pilot,
           s.school_type,
           month(c.date) AS month,
           ((month(c.date) + 4) % 12) + 1 AS school_month,
           coalesce(c.family_key, c.person_key) AS family
    FROM contacts c
    LEFT JOIN schools s
           ON s.school_id = c.school_id AND s.school_year = {school_year_sql("c.date")}
    LEFT JOIN officers o ON o.officer_id = c.officer_id
"""


def pilot_clause(column: str, pilots: Sequence[str] | None) -> tuple[str, list[Any]]:
    """A SQL condition restricting ``column`` to ``pilots`` (always true for None)."""
    if not pilots:
        return "TRUE", []
    return f"{column} IN ({', '.join('?' for _ in pilots)})", list(pilots)


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a proportion ``k / n`` as fractions."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_exprs(k: str, n: str, z: float = 1.959964) -> tuple[pl.Expr, pl.Expr]:
    """Polars expressions for the Wilson interval (in percent) of columns ``k`` / ``n``; null
    where ``n`` is null or zero."""
    kk, nn = pl.col(k).cast(pl.Float64), pl.col(n).cast(pl.Float64)
    p = kk / nn
    denom = 1 + z * z / nn
    centre = (p + z * z / (2 * nn)) / denom
    half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).sqrt() / denom
    ok = nn.is_not_null() & (nn > 0)
    low = pl.when(ok).then(((centre - half).clip(0, 1)) * 100)
    high = pl.when(ok).then(((centre + half).clip(0, 1)) * 100)
    return low, high


def band_label(low: int, high: int) -> str:
    """``"20–40%"``."""
    return f"{low}–{high}%"


def band_expr(pct: str) -> pl.Expr:
    """The reach band label of a percentage column (100% falls in the top band)."""
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for low, high in reversed(BANDS):
        upper = pl.col(pct) <= high if high == BANDS[-1][1] else pl.col(pct) < high
        expr = (
            pl.when((pl.col(pct) >= low) & upper)
            .then(pl.lit(band_label(low, high)))
            .otherwise(expr)
        )
    return expr
