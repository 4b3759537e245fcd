"""The registration template: an Excel workbook an officer fills in every day, that brugdata
reads back as it is.

A sheet per table the officer keeps (contacts, activities, time use, the partners worked
with), named so the reader routes each sheet to its table (``contacten`` → contacts);
headers on the first row that the reader maps; drop-down lists of the shipped vocabularies
in Dutch (or English) labels, from a hidden sheet of lists; date validation and a
``dd-mm-jjjj`` format on date columns; the school, officer and partner codes of a store when
one is given (codes only, never a name); an instruction sheet explaining every column.
Written with xlsxwriter (:func:`write_template`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brugdata.errors import BrugdataError
from brugdata.model.calendar import school_year_end, school_year_start
from brugdata.model.tables import Column, table
from brugdata.model.vocab import Lang, vocabulary
from brugdata.publish.registration.labels import column_label
from brugdata.publish.registration.texts import TEXTS

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "TEMPLATE_TABLES",
    "THEME_COLUMNS",
    "TemplateColumn",
    "template_columns",
    "write_template",
]

#: the tables of the template, in sheet order, with their sheet names
TEMPLATE_TABLES: dict[str, dict[str, str]] = {
    "contacts": {"nl": "contacten", "en": "contacts"},
    "activities": {"nl": "activiteiten", "en": "activities"},
    "time_use": {"nl": "tijdsbesteding", "en": "time use"},
    "partners": {"nl": "ketenpartners", "en": "partners"},
}
#: how many theme columns a sheet has: ``thema``, ``thema 2``, ``thema 3``
THEME_COLUMNS = 3
_ROWS = 10_000  # rows of a data sheet that get the drop-downs and validations
_DATE_FORMAT = "dd-mm-yyyy"
_ID_LISTS = ("schools", "officers", "partners")  # tables whose codes a store lists


@dataclass(frozen=True)
class TemplateColumn:
    """One column of a template sheet: the table column it fills and its header."""

    table: str
    column: Column
    header: str
    theme_number: int = 1  # 2 and 3 for the extra theme columns

    def description(self, lang: Lang) -> str:
        """What the instruction sheet and the cell's input message say of the column."""
        if self.theme_number > 1:
            return TEXTS[lang]["extra_theme"]
        return column_label(self.table, self.column.name).description(lang)


def template_columns(table_name: str, lang: Lang = "nl") -> list[TemplateColumn]:
    """The columns of the template sheet of ``table_name``, in order, with their headers;
    a themes column becomes ``thema``, ``thema 2`` and ``thema 3``."""
    out: list[TemplateColumn] = []
    for col in table(table_name).columns:
        header = column_label(table_name, col.name).title(lang)
        out.append(TemplateColumn(table_name, col, header))
        if col.kind == "themes":
            out.extend(
                TemplateColumn(table_name, col, f"{header} {n}", n)
                for n in range(2, THEME_COLUMNS + 1)
            )
    return out


def write_template(
    out: str | Path,
    *,
    lang: Lang = "nl",
    pilot: str | None = None,
    school_year: str | None = None,
    db: str | Path | None = None,
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> Path:
    """Write the registration workbook to ``out`` (``.xlsx``); return its path.

    ``pilot`` and ``school_year`` are shown on the instruction sheet; ``school_year`` also
    limits the dates to that school year and is the drop-down of the time-use sheet. ``db``:
    a store whose school, officer and partner codes (of ``pilot`` and ``school_year`` where
    given) become drop-downs. ``rows``: rows to write into the data sheets, per table, as
    column → value (themes as a list of up to three); for pre-filled sheets and tests.
    """
    import xlsxwriter
    import xlsxwriter.exceptions

    if lang not in ("nl", "en"):
        raise BrugdataError(f"language {lang!r} is not nl or en")
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise BrugdataError(f"{path.name}: the template is an Excel workbook: name it .xlsx")
    bounds = (
        (school_year_start(school_year), school_year_end(school_year))
        if school_year
        else (dt.date(2000, 1, 1), dt.date(2099, 12, 31))
    )
    ids = _store_ids(Path(db), pilot, school_year) if db is not None else {}
    rows = rows or {}
    unknown = set(rows) - set(TEMPLATE_TABLES)
    if unknown:
        raise BrugdataError(f"the template has no sheet for {', '.join(sorted(unknown))}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with xlsxwriter.Workbook(str(path)) as book:
            book.set_properties({"title": TEXTS[lang]["title"], "comments": "brugdata template"})
            builder = _Builder(book, lang, bounds, ids, school_year)
            for name in TEMPLATE_TABLES:
                builder.data_sheet(name, rows.get(name, ()))
            builder.instructions(pilot, school_year, bool(ids))
            builder.lists_sheet()
    except (OSError, xlsxwriter.exceptions.FileCreateError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise BrugdataError(f"{path}: the workbook cannot be written ({reason})") from None
    return path


def _store_ids(db: Path, pilot: str | None, school_year: str | None) -> dict[str, list[str]]:
    """The school, officer and partner codes of the store ``db`` (of ``pilot`` and
    ``school_year`` where given), sorted: codes only, never a name."""
    from brugdata.store.store import open_store

    if not db.exists():
        raise BrugdataError(f"{db}: no store there (make one with: brugdata ingest PATH --db {db})")
    with open_store(db, read_only=True) as store:
        schools = store.table("schools")
        officers = store.table("officers")
        partners = store.table("partners")
    if pilot is not None:
        schools = schools.filter(schools["pilot"] == pilot)
        officers = officers.filter(officers["pilot"] == pilot)
        if officers.is_empty() and schools.is_empty():
            raise BrugdataError(f"{db}: the store has no schools or officers of pilot {pilot!r}")
    if school_year is not None:
        year = f"{school_year_start(school_year).year}-{school_year_end(school_year).year}"
        schools = schools.filter(schools["school_year"] == year)
    return {
        "schools": sorted(set(schools["school_id"].to_list())),
        "officers": sorted(set(officers["officer_id"].to_list())),
        "partners": sorted(set(partners["partner_id"].to_list())),
    }


class _Builder:
    """Writes the sheets of one workbook and keeps the lists the drop-downs draw from."""

    def __init__(
        self,
        book: Workbook,
        lang: Lang,
        bounds: tuple[dt.date, dt.date],
        ids: dict[str, list[str]],
        school_year: str | None,
    ) -> None:
        self.book = book
        self.lang = lang
        self.bounds = bounds
        self.texts = TEXTS[lang]
        self.lists: dict[str, tuple[str, list[str]]] = {}  # key → (title, values)
        for key, values in ids.items():
            if values:
                self.lists[key] = (self.texts[key], values)
        if school_year is not None:
            first = school_year_start(school_year).year
            self.lists["school_year"] = (self.texts["school_year"], [f"{first}-{first + 1}"])
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.date = book.add_format({"num_format": _DATE_FORMAT})
        self.text = book.add_format({"num_format": "@"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.bold = book.add_format({"bold": True})
        self.sheet_name = self.texts["lists_sheet"]

    def _list_range(self, key: str) -> str:
        """The absolute range of list ``key`` on the lists sheet, for a validation source."""
        index = list(self.lists).index(key)
        letter = _column_letter(index)
        end = len(self.lists[key][1]) + 1
        return f"='{self.sheet_name}'!${letter}$2:${letter}${end}"

    def _vocab_list(self, vocab: str) -> str:
        """The key of the list of ``vocab``'s labels, added on first use."""
        if vocab not in self.lists:
            v = vocabulary(vocab)
            self.lists[vocab] = (v.title(self.lang), [c.label(self.lang) for c in v.codes])
        return vocab

    def data_sheet(self, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write the sheet of table ``name``: header, formats, validations and ``rows``."""
        sheet = self.book.add_worksheet(TEMPLATE_TABLES[name][self.lang])
        columns = template_columns(name, self.lang)
        sheet.freeze_panes(1, 0)
        for i, tc in enumerate(columns):
            sheet.write_string(0, i, tc.header, self.header)
            fmt = self._format(tc.column)
            sheet.set_column(i, i, self._width(tc), fmt)
            self._validate(sheet, i, tc)
        for r, row in enumerate(rows, start=1):
            self._write_row(sheet, r, columns, row)

    def _format(self, col: Column) -> Format | None:
        if col.kind == "date":
            return self.date
        if col.kind in ("int", "float"):
            return None
        return self.text  # codes and ids stay text: 0012 is not 12

    def _width(self, tc: TemplateColumn) -> int:
        longest = len(tc.header)
        if tc.column.vocab:
            longest = max(
                longest, *(len(c.label(self.lang)) for c in vocabulary(tc.column.vocab).codes)
            )
        if tc.column.kind == "text":
            longest = 40
        return min(max(longest + 2, 12), 45)

    def _validate(self, sheet: Worksheet, i: int, tc: TemplateColumn) -> None:
        """Add the column's data validation over the data rows."""
        col = tc.column
        check: dict[str, Any] | None = None
        if col.vocab:
            key = self._vocab_list(col.vocab)
            check = {"validate": "list", "source": self._list_range(key)}
            check["error_title"] = self.texts["not_in_list_title"]
            check["error_message"] = self.texts["not_in_list"]
        elif col.references in _ID_LISTS or col.kind == "school_year":
            key = col.references or "school_year"
            source = None
            if key in self.lists:
                source = self._list_range(key)
            elif key == "partners":  # no store: the codes on the workbook's partners sheet
                sheet_name = TEMPLATE_TABLES["partners"][self.lang]
                names = [c.column.name for c in template_columns("partners", self.lang)]
                letter = _column_letter(names.index("partner_id"))
                source = f"='{sheet_name}'!${letter}$2:${letter}${_ROWS + 1}"
            if source is not None:
                check = {"validate": "list", "source": source, "error_type": "warning"}
                check["error_message"] = self.texts["not_in_store"]
        elif col.kind == "date":
            low, high = self.bounds
            check = {"validate": "date", "criteria": "between", "minimum": low, "maximum": high}
            check["error_title"] = self.texts["bad_date_title"]
            check["error_message"] = self.texts["bad_date"].format(
                low=low.strftime("%d-%m-%Y"), high=high.strftime("%d-%m-%Y")
            )
        elif col.kind in ("int", "float"):
            low_n = col.min if col.min is not None else 0
            high_n = col.max if col.max is not None else 1_000_000
            check = {
                "validate": "integer" if col.kind == "int" else "decimal",
                "criteria": "between",
                "minimum": low_n,
                "maximum": high_n,
                "error_message": self.texts["bad_number"].format(
                    low=f"{low_n:g}", high=f"{high_n:g}"
                ),
            }
        if check is not None:
            check["input_title"] = tc.header[:32]
            check["input_message"] = tc.description(self.lang)[:255]
            sheet.data_validation(1, i, _ROWS, i, check)

    def _write_row(
        self, sheet: Worksheet, r: int, columns: list[TemplateColumn], row: Mapping[str, Any]
    ) -> None:
        """Write one row given as column → value (themes: a list of up to three)."""
        for i, tc in enumerate(columns):
            value = row.get(tc.column.name)
            if tc.column.kind == "themes":
                items = value if isinstance(value, list | tuple) else [value]
                value = items[tc.theme_number - 1] if len(items) >= tc.theme_number else None
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, i, dt.datetime.combine(value, dt.time()), self.date)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, i, value)
            else:
                sheet.write_string(r, i, str(value))

    def instructions(self, pilot: str | None, school_year: str | None, from_store: bool) -> None:
        """Write the instruction sheet: how to fill in the workbook, and every column."""
        t = self.texts
        sheet = self.book.add_worksheet(t["instructions_sheet"])
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 12)
        sheet.set_column(2, 2, 90, self.wrap)
        sheet.write_string(0, 0, t["title"], self.bold)
        r = 1
        for label, value in ((t["pilot"], pilot), (t["school_year"], school_year)):
            if value:
                sheet.write_string(r, 0, label, self.bold)
                sheet.write_string(r, 1, value)
                r += 1
        paragraphs = list(t["how"]) + ([t["from_store"]] if from_store else [])
        for line in paragraphs:
            r += 1
            sheet.merge_range(r, 0, r, 2, line, self.wrap)
            sheet.set_row(r, 15 * max(1, len(line) // 120 + 1))
        for name, sheet_names in TEMPLATE_TABLES.items():
            r += 2
            sheet.write_string(r, 0, f"{t['sheet']} {sheet_names[self.lang]}", self.bold)
            r += 1
            sheet.write_row(r, 0, [t["column"], t["required"], t["explanation"]], self.header)
            for tc in template_columns(name, self.lang):
                r += 1
                required = t["yes"] if tc.column.required and tc.theme_number == 1 else t["no"]
                sheet.write_row(r, 0, [tc.header, required, tc.description(self.lang)])

    def lists_sheet(self) -> None:
        """Write the hidden sheet of lists the drop-downs draw from."""
        sheet = self.book.add_worksheet(self.sheet_name)
        for i, (title, values) in enumerate(self.lists.values()):
            sheet.write_string(0, i, title, self.bold)
            for r, value in enumerate(values, start=1):
                sheet.write_string(r, i, value)
            sheet.set_column(i, i, min(max(len(v) for v in [title, *values]) + 2, 50))
        sheet.hide()


def _column_letter(index: int) -> str:
    """The spreadsheet column letters of a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
