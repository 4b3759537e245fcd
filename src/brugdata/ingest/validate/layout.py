"""Where a file's table is: its header row, and for a workbook the sheets that hold it.

Takes a :class:`~brugdata.ingest.read.RawTable` and the table; gives a :class:`Layout`: one
frame of the rows under the header (of every sheet read, named by ``_sheet``), how many rows
above a header were skipped, the sheets read and the sheets passed over with why
(:func:`find_layout`).

- The header row is the first row, among the first 20, that names at least two of the
  table's columns (or their aliases); the rows above it are skipped, not rejected.
- A workbook read without a sheet chosen: every visible sheet whose header names the table's
  columns is read; hidden sheets, empty sheets and sheets of other tables are listed, not
  read. When no visible sheet has such a header, the first visible sheet with content is read
  as before (and its header is reported).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from brugdata.ingest.read import LINE_COLUMN, PROBLEM_COLUMN, RawTable
from brugdata.ingest.read.frame import column_names
from brugdata.ingest.validate.headers import map_headers
from brugdata.model.tables import Table

__all__ = ["HEADER_SEARCH_ROWS", "SHEET_COLUMN", "Layout", "find_layout"]

#: How many rows from the top the header row is looked for in.
HEADER_SEARCH_ROWS = 20
#: The column naming the sheet of each row, in a frame of several sheets.
SHEET_COLUMN = "_sheet"


@dataclass
class Layout:
    """The rows of the table as found: ``data`` (a raw frame; ``_sheet`` added when a
    workbook's sheets were read), ``rows_skipped`` (rows above a header row), ``notes`` (one
    sentence each about what was skipped), ``sheets_read`` and ``sheets_passed`` (sheet →
    why it was not read)."""

    data: pl.DataFrame
    rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    sheets_read: list[str] = field(default_factory=list)
    sheets_passed: dict[str, str] = field(default_factory=dict)


def _values(frame: pl.DataFrame) -> list[str]:
    """The frame's value columns (without ``_line`` and ``_problem``)."""
    return [c for c in frame.columns if c not in (LINE_COLUMN, PROBLEM_COLUMN)]


def _names_table(header: list[str], spec: Table, extra: Mapping[str, str]) -> bool:
    """True when ``header`` names at least two of the table's columns (all, for a table of
    one column)."""
    mapping, _unknown = map_headers(header, spec, extra)
    return len(mapping) >= min(2, len(spec.columns))


def _reheaded(
    frame: pl.DataFrame, spec: Table, extra: Mapping[str, str]
) -> tuple[pl.DataFrame, int, int] | None:
    """The frame under its header row: (frame, rows skipped, line of the header). The frame
    as it is (0 skipped) when its header names the table; None when no row among the first
    20 does."""
    values = _values(frame)
    if _names_table(values, spec, extra):
        return frame, 0, 0
    top = frame.head(HEADER_SEARCH_ROWS - 1)
    for position, row in enumerate(top.select(values).iter_rows()):
        header = column_names(list(row))
        if not _names_table(header, spec, extra):
            continue
        body = frame.slice(position + 1).rename(dict(zip(values, header, strict=True)))
        line = int(top.get_column(LINE_COLUMN)[position])
        # the reader's header row and the rows under it, above this one
        return body, position + 1, line
    return None


def _skipped_note(where: str, skipped: int, line: int) -> str:
    """The sentence about the rows above a header row."""
    rows = "row" if skipped == 1 else f"{skipped} rows"
    return f"{where}{rows} above the header (row {line}) skipped"


def find_layout(raw: RawTable, spec: Table, extra: Mapping[str, str]) -> Layout:
    """The rows of table ``spec`` in ``raw``: under the header row, over the sheets read."""
    if not raw.sheets:
        found = _reheaded(raw.data, spec, extra)
        if found is None or found[1] == 0:
            return Layout(raw.data)
        body, skipped, line = found
        return Layout(body, skipped, [_skipped_note("", skipped, line)])
    layout = Layout(raw.data)
    parts: list[pl.DataFrame] = []
    for sheet in raw.sheets:
        if not sheet.visible:
            layout.sheets_passed[sheet.name] = "hidden"
            continue
        if sheet.frame is None:
            layout.sheets_passed[sheet.name] = "empty"
            continue
        found = _reheaded(sheet.frame, spec, extra)
        if found is None:
            layout.sheets_passed[sheet.name] = f"no header row naming the columns of {spec.name}"
            continue
        body, skipped, line = found
        if skipped:
            layout.rows_skipped += skipped
            layout.notes.append(_skipped_note(f"sheet {sheet.name}: ", skipped, line))
        mapping, unknown = map_headers(_values(body), spec, extra)
        # an unknown column named like a column another header maps to keeps its place
        taken = set(mapping.values()) | set(body.columns)
        for name in unknown:
            if name in mapping.values():
                new, n = name, 2
                while new in taken:
                    new, n = f"{name}_{n}", n + 1
                taken.add(new)
                mapping[name] = new
        parts.append(
            body.rename(mapping).with_columns(pl.lit(sheet.name, pl.String).alias(SHEET_COLUMN))
        )
        layout.sheets_read.append(sheet.name)
    if not parts:  # no sheet names the table: the first visible one, as before
        first = next((s for s in raw.sheets if s.visible and s.frame is not None), None)
        if first is None or first.frame is None:
            return layout
        layout.sheets_passed.pop(first.name, None)
        layout.sheets_read = [first.name]
        layout.data = first.frame.with_columns(pl.lit(first.name, pl.String).alias(SHEET_COLUMN))
        return layout
    layout.data = pl.concat(parts, how="diagonal_relaxed")
    return layout
