"""Workbooks that hold several tables, one a sheet, like the registration template
(``contacten``, ``activiteiten``, ``tijdsbesteding``): each sheet goes to the table its name
names.

Takes the files to validate; gives each file, or each table sheet of such a workbook, paired
with its table and sheet, in load order (:func:`plan_sheets`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from brugdata.errors import ReadError
from brugdata.ingest.read.limits import check_workbook
from brugdata.ingest.results import FileError
from brugdata.ingest.validate.files import plan_files
from brugdata.model.tables import table_for_file, table_names

if TYPE_CHECKING:
    import fastexcel

__all__ = ["WORKBOOK_EXTENSIONS", "Job", "plan_sheets", "table_sheets"]

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")

#: a file (or one sheet of it: the sheet's name, None for the reader's choice) and its table
Job = tuple[Path, str, str | None]


def plan_sheets(
    files: list[Path], forced: str | None = None, *, route: bool = True
) -> tuple[list[Job], list[FileError], list[FileError]]:
    """Like :func:`~brugdata.ingest.validate.files.plan_files`, with the sheet to read:
    a workbook whose visible sheets name several tables (or whose own name names none while
    a sheet's does) becomes one job per such sheet, other sheets (instructions, lists) are
    not read but named, one sentence each (the third list); every other file gets sheet
    None. A forced table, or ``route=False`` (a sheet chosen by the caller), routes
    nothing."""
    if forced is not None or not route:
        jobs, errors = plan_files(files, forced)
        return [(p, t, None) for p, t in jobs], errors, []
    routed: dict[Path, list[tuple[str, str]]] = {}
    passed: list[FileError] = []
    for path in files:
        if path.suffix.lower() in WORKBOOK_EXTENSIONS and path.is_file():
            sheets = table_sheets(path)
            if sheets:
                routed[path] = sheets
                read = {s for s, _ in sheets}
                for name, state in _sheet_states(path):
                    if name not in read:
                        why = "a hidden sheet" if state != "visible" else "names no table"
                        passed.append(
                            FileError(path, f"{path.name}, sheet {name}: {why}, not read")
                        )
    jobs, errors = plan_files([f for f in files if f not in routed])
    out: list[Job] = [(p, t, None) for p, t in jobs]
    out += [(p, t, sheet) for p, pairs in routed.items() for sheet, t in pairs]
    order = {name: i for i, name in enumerate(table_names())}
    position = {f: i for i, f in enumerate(files)}
    out.sort(key=lambda job: (order[job[1]], position.get(job[0], 0)))
    return out, errors, passed


def table_sheets(path: Path) -> list[tuple[str, str]]:
    """(sheet, table) for each visible sheet of the workbook ``path`` whose name names a
    table (``contacten`` → contacts), in sheet order, when the workbook holds several tables
    so: its sheets name two tables or more, or its file name names none. Empty otherwise, and
    when the workbook cannot be opened (the reader then says why)."""
    sheets = _sheet_states(path)
    named = [(s, t) for s, _ in sheets if (t := table_for_file(s)) is not None]
    tables = {t for _, t in named}
    if not (len(tables) >= 2 or (tables and table_for_file(path) is None)):
        return []
    visible = {s for s, state in sheets if state == "visible"}
    return [(s, t) for s, t in named if s in visible]


def _sheet_states(path: Path) -> list[tuple[str, str]]:
    """The workbook's sheets and their states (``visible``, ``hidden``, ``veryhidden``), in
    order; empty when it cannot be opened. An .xlsx or .xlsm gives them from its
    ``xl/workbook.xml`` alone (its sheets are not parsed twice); other workbooks through
    calamine. A workbook over the unpacked-size limit is not opened (the reader refuses it)."""
    try:
        check_workbook(path.name, path)
    except ReadError:
        return []
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with zipfile.ZipFile(path) as z:
                root = ElementTree.fromstring(z.read("xl/workbook.xml"))
        except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
            return []
        return [
            (el.get("name", ""), el.get("state", "visible"))
            for el in root.iter()
            if el.tag.rsplit("}", 1)[-1] == "sheet"
        ]
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except Exception:  # the reader reports an unreadable workbook in one sentence
        return []
    return [(s, _state(reader, s)) for s in names]


def _state(reader: fastexcel.ExcelReader, sheet: str) -> str:
    """The state of ``sheet`` as calamine reports it (an empty sheet counts as visible)."""
    try:
        return str(reader.load_sheet(sheet, header_row=None, n_rows=1).visible).lower()
    except Exception:  # an empty sheet: nothing to read either way
        return "visible"
