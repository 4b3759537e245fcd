"""The exact (slow) parser of delimited text, with Python's csv module.

Takes decoded text and its delimiter; gives the raw frame with the line where each record
starts, and a ``_problem`` for records that are ragged or whose quote never closes
(:func:`parse_slow`). Used where polars cannot parse a file cleanly. A field longer than the
limit (``BRUGDATA_MAX_FIELD_LENGTH``) stops the csv module at that record only: the record is
kept as its first line split at the delimiters, and the reader then rejects it.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools

import polars as pl

from brugdata.errors import ReadError
from brugdata.ingest.read.frame import (
    LINE_COLUMN,
    NO_HEADER,
    PROBLEM_COLUMN,
    finish,
    generic_columns,
    is_blank,
    used_width,
)
from brugdata.ingest.read.limits import field_limit
from brugdata.ingest.read.sniff import QUOTE

__all__ = ["parse_slow"]

_SENTINEL = "brugdata\u2063end-of-file\u2063sentinel"
_UNCLOSED = "a quoted field is never closed"
_RUNAWAY = "a quoted field runs on too long (probably a missing closing quote)"


def _literal_fields(line: str, delimiter: str) -> list[str]:
    """Fields of one physical line, quotes taken literally."""
    try:
        return next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
    except csv.Error:  # a field over the limit
        return line.rstrip("\r\n").split(delimiter)


def _overflows(fields: list[str], width: int) -> bool:
    """True when a record has non-empty fields beyond the header's width."""
    return len(fields) > width and used_width(fields) > width


def parse_slow(name: str, text: str, delimiter: str) -> pl.DataFrame:
    """Exact parse with the csv module: record start lines, ragged rows, unclosed quotes."""
    was_enabled = gc.isenabled()
    gc.disable()  # millions of small lists and tuples: the cyclic GC would only slow this down
    # a field over the limit is an error of its record (the csv module allows fields of up
    # to its limit)
    limit = csv.field_size_limit(field_limit())
    try:
        return _parse_records(name, *_csv_records(text, delimiter))
    finally:
        csv.field_size_limit(limit)
        if was_enabled:
            gc.enable()


def _parse_records(
    name: str, rows: list[list[str]], starts: list[int], problems: dict[int, str]
) -> pl.DataFrame:
    """Build the frame from csv-module records (header first) and their start lines."""
    if not rows:
        raise ReadError(f"{name}: {NO_HEADER}")
    header = rows[0]
    width = len(header)
    body_rows = rows[1:]
    for index, fields in enumerate(body_rows):
        if len(fields) == width:
            continue
        if len(fields) > width:
            used = used_width(fields)
            if used > width:
                extra = f"the row has {used} fields where the header has {width}"
                problems[index + 1] = (
                    f"{problems[index + 1]}; {extra}" if problems.get(index + 1) else extra
                )
            body_rows[index] = fields[:width]
        else:
            body_rows[index] = fields + [""] * (width - len(fields))

    columns = generic_columns(width)
    data: dict[str, pl.Series] = {
        c: pl.Series(c, values, dtype=pl.String)
        for c, values in zip(
            columns, zip(*body_rows, strict=True) if body_rows else [()] * width, strict=True
        )
    }
    problem_list: list[str | None] = [None] * len(body_rows)
    for index, problem in problems.items():
        if index > 0:
            problem_list[index - 1] = problem
    body = pl.DataFrame(
        [
            *data.values(),
            pl.Series(LINE_COLUMN, starts[1:], dtype=pl.Int64),
            pl.Series(PROBLEM_COLUMN, problem_list, dtype=pl.String),
        ]
    )
    return finish(header, body)


def _csv_records(text: str, delimiter: str) -> tuple[list[list[str]], list[int], dict[int, str]]:
    """Non-blank records (header first), their 1-based start lines and problems by index.

    A quoted field that never closes swallows the rest of the file; a stray quote merges
    lines until the next quote.  Both are recovered by taking the record's first line with
    literal quotes and parsing again from the next line.
    """
    lines = io.StringIO(text, newline="").readlines()
    rows: list[list[str]] = []
    starts: list[int] = []
    problems: dict[int, str] = {}
    position = 0  # 0-based index of the next unread line
    while position < len(lines):
        reader = csv.reader(
            itertools.islice(lines, position, None),
            delimiter=delimiter,
            quotechar=QUOTE,
            strict=False,
        )
        consumed = position  # lines consumed so far
        restart = last_start = 0
        try:
            for fields in reader:
                start = consumed + 1
                consumed = position + reader.line_num
                if not fields:
                    continue
                last_start = start
                if not fields[0].strip() and is_blank(fields):
                    continue
                if consumed > start and rows and _overflows(fields, len(rows[0])):
                    restart = start  # a stray quote merged several lines
                    break
                rows.append(fields)
                starts.append(start)
        except csv.Error as exc:
            start = consumed + 1
            fields = _literal_fields(lines[start - 1], delimiter)
            if "field limit" not in str(exc):
                problems[len(rows)] = f"the row cannot be read ({exc})"
            elif max(map(len, fields), default=0) <= field_limit():
                problems[len(rows)] = _RUNAWAY
            # else the field over the limit is named by the reader (limits.long_field_problems)
            rows.append(fields)
            starts.append(start)
            position = start
            continue
        if not restart:
            if not last_start or not _quote_left_open(lines[last_start - 1 :], delimiter):
                break
            restart = last_start
            if starts and starts[-1] == last_start:
                starts.pop()
                rows.pop()
        problems[len(rows)] = _UNCLOSED
        rows.append(_literal_fields(lines[restart - 1], delimiter))
        starts.append(restart)
        position = restart
    return rows, starts, problems


def _quote_left_open(tail: list[str], delimiter: str) -> bool:
    """True when the record starting at tail[0] is still inside quotes at the end of the file."""
    probe = list(tail)
    if probe and not probe[-1].endswith(("\n", "\r")):
        probe[-1] += "\n"
    probe.append(_SENTINEL + "\n")
    reader = csv.reader(probe, delimiter=delimiter, quotechar=QUOTE, strict=False)
    try:
        return not any(fields == [_SENTINEL] for fields in reader)
    except csv.Error:
        return True
