"""The reader of Excel workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods), with calamine.

Takes the workbook's bytes and a sheet (name or 0-based position); gives the sheet's raw
frame, every cell as a string, with its sheet row in ``_line`` (:func:`read_excel`); or every
sheet of the workbook with whether it is visible (:func:`read_sheets`), for validation to
choose the sheets whose header matches the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import fastexcel
import polars as pl

from brugdata.errors import ReadError
from brugdata.ingest.read.frame import (
    LINE_COLUMN,
    drop_blank_rows,
    finish,
    generic_columns,
    short,
)

__all__ = ["Sheet", "read_excel", "read_sheets"]


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its name, whether it is visible, and its raw frame (as
    :func:`read_excel` gives it; None when the sheet is empty)."""

    name: str
    visible: bool
    frame: pl.DataFrame | None


def _pick_sheet(name: str, sheets: list[str], sheet: str | int | None) -> str:
    """Resolve the ``sheet`` argument against the workbook's sheet names."""
    if not sheets:
        raise ReadError(f"{name}: the workbook has no sheets")
    listing = ", ".join(sheets)
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheets[sheet]
        raise ReadError(
            f"{name}: there is no sheet number {sheet} (0-based; the sheets are: {listing})"
        )
    if sheet in sheets:
        return sheet
    folded = {s.strip().casefold(): s for s in sheets}
    found = folded.get(str(sheet).strip().casefold())
    if found is not None:
        return found
    raise ReadError(f"{name}: there is no sheet {sheet!r} (the sheets are: {listing})")


def _open(name: str, data: bytes) -> tuple[fastexcel.ExcelReader, list[str]]:
    """The workbook's reader and its sheet names."""
    try:
        reader = fastexcel.read_excel(data)
        return reader, list(reader.sheet_names)
    except Exception as exc:
        raise ReadError(f"{name}: the workbook cannot be opened ({short(exc)})") from exc


def read_excel(name: str, data: bytes, sheet: str | int | None) -> tuple[pl.DataFrame, str]:
    """Read one sheet with calamine (fastexcel), every cell as a string."""
    reader, sheets = _open(name, data)
    sheet_name = _pick_sheet(name, sheets, sheet)
    frame, _visible = _load(name, reader, sheet_name)
    if frame is None:
        raise ReadError(f"{name}: sheet {sheet_name!r} is empty (no header row)")
    return frame, sheet_name


def read_sheets(name: str, data: bytes) -> list[Sheet]:
    """Every sheet of the workbook, in order, with its visibility and raw frame."""
    reader, sheets = _open(name, data)
    if not sheets:
        raise ReadError(f"{name}: the workbook has no sheets")
    out = []
    for sheet_name in sheets:
        frame, visible = _load(name, reader, sheet_name)
        out.append(Sheet(sheet_name, visible, frame))
    return out


def _load(
    name: str, reader: fastexcel.ExcelReader, sheet_name: str
) -> tuple[pl.DataFrame | None, bool]:
    """The sheet's raw frame (None when it is empty) and whether the sheet is visible."""
    try:
        loaded = reader.load_sheet(sheet_name, header_row=None, skip_rows=0, dtypes="string")
        frame = loaded.to_polars()
        visible = str(loaded.visible) == "visible"  # not "hidden" nor "veryhidden"
    except Exception as exc:
        raise ReadError(f"{name}: sheet {sheet_name!r} cannot be read ({short(exc)})") from exc
    if frame.width == 0 or frame.height == 0:
        return None, visible

    columns = generic_columns(frame.width)
    # With skip_rows=0, row i of the frame is sheet row i + 1, also when the sheet's used
    # range starts further down.
    frame = frame.select(
        *[
            pl.col(old).cast(pl.String).alias(new)
            for old, new in zip(frame.columns, columns, strict=True)
        ]
    ).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE_COLUMN),
    )
    frame = drop_blank_rows(frame, columns)
    if frame.height == 0:
        return None, visible
    header = list(frame.row(0))[: len(columns)]
    return finish(header, frame.slice(1)), visible
