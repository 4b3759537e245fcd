"""The reader of Parquet files.

Takes the file's bytes; gives its raw frame, every column cast to strings (dates as ISO),
with the row + 1 in ``_line`` (:func:`read_parquet`).
"""

from __future__ import annotations

import io

import polars as pl

from brugdata.errors import ReadError
from brugdata.ingest.read.frame import LINE_COLUMN, drop_blank_rows, finish, generic_columns, short

__all__ = ["PARQUET_MAGIC", "read_parquet"]

PARQUET_MAGIC = b"PAR1"


def _as_strings(series: pl.Series) -> pl.Series:
    """Cast any column to String (dates -> ISO); fall back to str() for nested types."""
    try:
        return series.cast(pl.String)
    except Exception:
        values = [None if v is None else str(v) for v in series.to_list()]
        return pl.Series(series.name, values, dtype=pl.String)


def read_parquet(name: str, data: bytes) -> pl.DataFrame:
    """Read a Parquet file and turn every column into strings."""
    if not data.startswith(PARQUET_MAGIC):
        raise ReadError(f"{name}: this is not a Parquet file")
    try:
        table = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(f"{name}: the Parquet file cannot be read ({short(exc)})") from exc
    if table.width == 0:
        raise ReadError(f"{name}: the Parquet file has no columns")
    columns = generic_columns(table.width)
    frame = pl.DataFrame(
        [_as_strings(table.to_series(i)).alias(c) for i, c in enumerate(columns)]
    ).with_columns(
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(LINE_COLUMN),
    )
    frame = drop_blank_rows(frame, columns)
    return finish(table.columns, frame)
