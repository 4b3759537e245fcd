"""What every reader shares: the two columns a raw table adds, and the helpers that turn
parsed cells into one.

Takes header fields and a body of generic string columns ``c0``, ``c1``, ...; gives the raw
table's frame (header names cleaned, empty cells null, ``_line`` and ``_problem`` added),
plus small tests on bytes and fields the readers use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

__all__ = [
    "LINE_COLUMN",
    "NO_HEADER",
    "PROBLEM_COLUMN",
    "column_names",
    "drop_blank_rows",
    "finish",
    "generic_columns",
    "is_blank",
    "looks_binary",
    "short",
    "used_width",
]

#: Where a record starts in its source (header = line 1; sheet row for Excel; row + 1 for
#: Parquet).
LINE_COLUMN = "_line"
#: Why a row is structurally broken (null for a sound row).
PROBLEM_COLUMN = "_problem"
#: The sentence for a text file with no header line.
NO_HEADER = "the file has no header line (it contains only blank lines)"

_BINARY_PROBE = 8192
# Control bytes that do not occur in text (tab, LF, VT, FF, CR and Ctrl-Z are allowed).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 26), *range(27, 32), 127])
_NON_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)


def short(exc: BaseException, limit: int = 160) -> str:
    """First line of an exception message, shortened."""
    message = str(exc).strip()
    text = message.splitlines()[0] if message else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def looks_binary(data: bytes) -> bool:
    """True when the first KBs contain NUL bytes or many control characters."""
    probe = data[:_BINARY_PROBE]
    if b"\x00" in probe:
        return True
    controls = len(probe.translate(None, _NON_CONTROL_BYTES))
    return controls * 20 > len(probe)


def column_names(header: Sequence[str | None]) -> list[str]:
    """Clean header names: strip whitespace/BOM, name empty ones, make duplicates unique."""
    used: set[str] = {LINE_COLUMN, PROBLEM_COLUMN}
    names: list[str] = []
    for position, raw in enumerate(header, start=1):
        name = (raw or "").strip().strip("\ufeff").strip()
        if not name:
            name = f"column_{position}"
        base, counter = name, 2
        while name in used:
            name = f"{base}_{counter}"
            counter += 1
        used.add(name)
        names.append(name)
    return names


def is_blank(fields: Iterable[str | None]) -> bool:
    """True when every field is missing, empty or whitespace only."""
    return all(field is None or not field.strip() for field in fields)


def generic_columns(width: int) -> list[str]:
    """Internal column names c0..c{width-1}."""
    return [f"c{i}" for i in range(width)]


def _not_empty(column: str) -> pl.Expr:
    """Polars expression: the column holds a non-empty string."""
    return pl.col(column).is_not_null() & (pl.col(column) != "")


def drop_blank_rows(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Drop rows whose ``columns`` are all null or whitespace and that have no problem.

    ``frame`` must have a _line column (unique per row); a _problem column is optional.
    """
    if not columns or frame.height == 0:
        return frame
    first = pl.col(columns[0])
    maybe = first.is_null() | (first.str.strip_chars() == "")
    if PROBLEM_COLUMN in frame.columns:
        maybe = maybe & pl.col(PROBLEM_COLUMN).is_null()
    candidates = frame.filter(maybe)
    if candidates.height == 0:
        return frame
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in columns]
    )
    lines = candidates.filter(blank).get_column(LINE_COLUMN)
    if lines.is_empty():
        return frame
    return frame.filter(~pl.col(LINE_COLUMN).is_in(lines.implode()))


def finish(header: Sequence[str | None], body: pl.DataFrame) -> pl.DataFrame:
    """Name the generic columns c0.. after the header, empty strings -> null, add _problem."""
    names = column_names(header)
    problem = pl.col(PROBLEM_COLUMN) if PROBLEM_COLUMN in body.columns else pl.lit(None, pl.String)
    return body.select(
        *[
            pl.when(_not_empty(f"c{i}")).then(pl.col(f"c{i}").cast(pl.String)).alias(name)
            for i, name in enumerate(names)
        ],
        pl.col(LINE_COLUMN).cast(pl.Int64),
        problem.cast(pl.String).alias(PROBLEM_COLUMN),
    )


def used_width(fields: Sequence[str]) -> int:
    """Position of the last non-blank field (0 when all are blank)."""
    return max((i + 1 for i, field in enumerate(fields) if field.strip()), default=0)
