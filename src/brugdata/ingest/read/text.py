"""Parsing delimited text with polars, and the reader of text files.

Takes the bytes of a CSV/TSV/TXT file; gives its raw frame, the encoding, the delimiter and
notes for the reader (:func:`read_text`). Files polars cannot parse cleanly (unclosed or stray
quotes, rows with too many fields in a file that also has quoted line breaks) go to the exact
parser (:mod:`brugdata.ingest.read.exact`). A header wider than the limit refuses the file; a
row with a field longer than the limit or with a NUL byte gets a ``_problem`` (it is
rejected, the other rows are not).
"""

from __future__ import annotations

import csv
from typing import Any

import polars as pl

from brugdata.errors import ReadError
from brugdata.ingest.read.exact import parse_slow
from brugdata.ingest.read.frame import (
    LINE_COLUMN,
    NO_HEADER,
    PROBLEM_COLUMN,
    drop_blank_rows,
    finish,
    generic_columns,
    used_width,
)
from brugdata.ingest.read.limits import (
    add_problem,
    check_columns,
    field_limit,
    long_field_problems,
)
from brugdata.ingest.read.sniff import (
    QUOTE,
    Sniff,
    decode_mixed,
    is_utf8,
    prepare_text,
    reject_markup,
    sniff_layout,
)

__all__ = ["read_text"]


_NUL_PROBLEM = "the row holds NUL bytes (\\0), a sign of a damaged file"


def read_text(name: str, raw: bytes) -> tuple[pl.DataFrame, str, str, tuple[str, ...]]:
    """Read a delimited text file; return (frame, encoding, delimiter, notes)."""
    data, encoding, verified, notes = prepare_text(name, raw)
    if not data or data.isspace():
        raise ReadError(f"{name}: " + (NO_HEADER if data else "the file is empty"))
    reject_markup(name, data[:1024].decode("utf-8", errors="ignore"))
    sniff = sniff_layout(data)
    if sniff is None:
        raise ReadError(f"{name}: {NO_HEADER}")
    _check_width(name, data, sniff)
    frame = _parse_fast(data, sniff)
    if frame is None and not verified and not is_utf8(data):
        data, encoding, notes = decode_mixed(data)  # not UTF-8 after the first 64 KB
        sniff = sniff_layout(data) or sniff
        frame = _parse_fast(data, sniff)
    if frame is None:
        frame = parse_slow(name, data.decode("utf-8"), sniff.delimiter)
    frame = long_field_problems(frame, field_limit())
    if b"\x00" in data:
        frame = _nul_problems(frame)
    return frame, encoding, sniff.delimiter, notes


def _check_width(name: str, data: bytes, sniff: Sniff) -> None:
    """Refuse a header of more columns than the limit; the sniffed header may be cut off
    (it reads the first 64 KB), so the header line's delimiters are counted too."""
    check_columns(name, len(sniff.header))
    start = 0
    for _ in range(sniff.header_start - 1):
        start = data.index(b"\n", start) + 1
    end = data.find(b"\n", start)
    line = data[start : end if end >= 0 else len(data)]
    if line.count(sniff.delimiter.encode()) >= len(sniff.header):  # cut off, or quoted
        header = line.decode("utf-8", "replace")
        try:
            fields = next(csv.reader([header], delimiter=sniff.delimiter), [])
        except csv.Error:  # a field over the csv module's limit: count every delimiter
            fields = header.split(sniff.delimiter)
        check_columns(name, len(fields))


def _nul_problems(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with a ``_problem`` on each row that holds a NUL byte in any field."""
    columns = [c for c in frame.columns if c not in (LINE_COLUMN, PROBLEM_COLUMN)]
    if not columns:
        return frame
    has_nul = pl.any_horizontal(pl.col(columns).str.contains("\x00", literal=True))
    return add_problem(frame, pl.when(has_nul).then(pl.lit(_NUL_PROBLEM)))


def _polars_lines(data: bytes) -> pl.Series | None:
    """Every line of ``data`` as a String (blank line -> null), or None if that fails."""
    separator = next((s for s in "\x1f\x1e\x1d\x1c\x07" if s.encode() not in data), None)
    if separator is None:
        return None
    try:
        return pl.read_csv(
            data,
            has_header=False,
            separator=separator,
            quote_char=None,
            schema={"line": pl.String},
            eol_char="\n",
            raise_if_empty=False,
        ).to_series()
    except Exception:
        return None


def _read_csv_fast(data: bytes, delimiter: str, width: int) -> tuple[pl.DataFrame, bool] | None:
    """pl.read_csv into ``width`` string columns c0..; returns (frame, has_ragged_rows).

    Rows with more fields than the header are truncated (the caller flags them); None when
    polars cannot parse the file at all.
    """
    options: dict[str, Any] = {
        "has_header": False,
        "separator": delimiter,
        "quote_char": QUOTE,
        "eol_char": "\n",
        "encoding": "utf8",
        "raise_if_empty": False,
        "schema": dict.fromkeys(generic_columns(width), pl.String),
    }
    try:
        return pl.read_csv(data, **options), False
    except pl.exceptions.PolarsError as exc:
        if "more fields" not in str(exc):
            return None
    except Exception:
        return None
    try:
        return pl.read_csv(data, truncate_ragged_lines=True, **options), True
    except Exception:
        return None


def _parse_fast(data: bytes, sniff: Sniff) -> pl.DataFrame | None:
    """Parse with polars; None when the file needs the exact (slow) parser."""
    skipped = sniff.header_start - 1
    if skipped:  # blank lines before the header
        cut = 0
        for _ in range(skipped):
            cut = data.index(b"\n", cut) + 1
        data = data[cut:]
    width = len(sniff.header)
    parsed = _read_csv_fast(data, sniff.delimiter, width)
    if parsed is None or parsed[0].height == 0:
        return None
    frame, ragged = parsed

    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    lines: pl.Series | None = None
    if frame.height == n_lines:
        lines = pl.int_range(1, n_lines + 1, dtype=pl.Int64, eager=True)
    elif frame.height < n_lines and not ragged:
        lines = _record_starts(data, n_lines)  # quoted line breaks
    if lines is None or lines.len() != frame.height:
        return None

    columns = frame.columns
    frame = frame.with_columns((lines + skipped).alias(LINE_COLUMN)).slice(1)
    if ragged:
        problems = _extra_field_problems(data, n_lines, sniff.delimiter, width)
        if problems is None:
            return None
        problem: pl.Expr = pl.lit(None, pl.String)
        if problems:
            problem = pl.col(LINE_COLUMN).replace_strict(
                [line + skipped for line in problems],
                list(problems.values()),
                default=None,
                return_dtype=pl.String,
            )
        frame = frame.with_columns(problem.alias(PROBLEM_COLUMN))
    return finish(sniff.header, drop_blank_rows(frame, columns))


def _extra_field_problems(
    data: bytes, n_lines: int, delimiter: str, width: int
) -> dict[int, str] | None:
    """Problems of one-line records with non-blank fields beyond the header, by line number.

    Quoted parts are removed before counting delimiters; the few suspect lines are then
    parsed exactly.  None when the lines cannot be split cleanly.
    """
    raw_lines = _polars_lines(data)
    if raw_lines is None or raw_lines.len() != n_lines:
        return None
    parts = raw_lines.fill_null("").str.replace_all(r'"[^"]*"', "").str.split(delimiter)
    suspect = (parts.list.len() > width) & (
        parts.list.slice(width).list.join("").str.strip_chars() != ""
    )
    problems: dict[int, str] = {}
    for index in suspect.arg_true().to_list():
        if index == 0:
            continue  # the header
        try:
            fields = next(csv.reader([raw_lines[index]], delimiter=delimiter, strict=False), [])
        except csv.Error:
            return None
        used = used_width(fields)
        if used > width:
            problems[index + 1] = f"the row has {used} fields where the header has {width}"
    return problems


def _record_starts(data: bytes, n_lines: int) -> pl.Series | None:
    """Line numbers where records start when quoted fields contain line breaks.

    A line break is inside quotes when an odd number of quotes precedes it, so only lines
    with an odd quote count change the state.  None when the lines cannot be split cleanly.
    """
    raw_lines = _polars_lines(data)
    if raw_lines is None or raw_lines.len() != n_lines:
        return None
    odd = (raw_lines.str.count_matches(QUOTE, literal=True).fill_null(0) % 2 == 1).arg_true()
    flips = odd.to_list()
    if len(flips) % 2:
        return None
    inside: list[int] = []
    for opened, closed in zip(flips[::2], flips[1::2], strict=True):
        inside.extend(range(opened + 2, closed + 2))  # 1-based lines continuing a record
    every = pl.int_range(1, n_lines + 1, dtype=pl.Int64, eager=True)
    return every.filter(~every.is_in(pl.Series(inside, dtype=pl.Int64).implode()))
