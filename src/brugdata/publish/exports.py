"""CSV that is safe to open in a spreadsheet: cells that a spreadsheet would run as a formula
are neutralised (OWASP, CSV injection).

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'`` (shown as text, never run); a text cell that is a plain number (``-5``,
``+3,5``) is left alone, and number columns stay numbers. Lists are joined with ``|``.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import polars as pl

__all__ = ["FORMULA_STARTS", "csv_safe", "write_csv"]

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = r"^[+-]?(?:\d+(?:[.,]\d+)*|\d*[.,]\d+)(?:[eE][+-]?\d+)?$"


def neutralise(values: pl.Expr) -> pl.Expr:
    """Text values with a ``'`` before those a spreadsheet would run as a formula."""
    starts = values.str.contains(r"^[=+\-@\t\r]")
    number = values.str.contains(_NUMBER)
    return pl.when(starts & ~number).then(pl.lit("'") + values).otherwise(values)


def csv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell neutralised and lists joined with ``|`` (as text,
    neutralised too); numbers, dates and booleans as they are."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List | pl.Array):
            col = col.cast(pl.List(pl.String)).list.join("|")
        elif isinstance(dtype, pl.Struct | pl.Object):
            col = col.map_elements(str, return_dtype=pl.String)
        elif not isinstance(dtype, pl.String | pl.Categorical | pl.Enum):
            out.append(col)
            continue
        out.append(neutralise(col.cast(pl.String)).alias(name))
    return frame.select(out)


def write_csv(
    frame: pl.DataFrame, file: str | Path | IO[str] | IO[bytes] | None = None
) -> str | None:
    """Write ``frame`` as CSV safe to open in a spreadsheet (:func:`csv_safe`) to ``file``;
    without one, return the text."""
    safe = csv_safe(frame)
    if file is None:
        return safe.write_csv()
    safe.write_csv(file)
    return None
