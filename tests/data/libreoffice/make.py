"""Make the LibreOffice exports in this folder (see README.md); rerun to rebuild them.

Writes source workbooks with xlsxwriter (real date cells in the locale's short date format,
a title row, month sheets, a hidden sheet), then lets LibreOffice convert them headless in a
Dutch and a US locale. Needs ``soffice`` (Debian: ``libreoffice-calc-nogui``) and the locales
``nl_NL.UTF-8`` and ``en_US.UTF-8``. Every value is synthetic and pseudonymous.

    python tests/data/libreoffice/make.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
HEADER = ["contact_id", "datum", "functionaris", "school", "gesprekspartner", "persoon",
          "thema", "kanaal", "duur"]  # fmt: skip
#: rows per month sheet of the month workbook
MONTHS = {"september": 110, "oktober": 110, "november": 133}
#: rows of the single-sheet log exported as CSV
LOG_ROWS = 40
#: the source rows whose date cell is text, as an officer typed it: (sheet, row index, text)
TEXT_DATES = {
    ("log", 5): "24-08-19",  # 2019 is far from the log's school year: ambiguous_date
    ("log", 6): "45580",  # an Excel serial number typed as text: 15-10-2024
    ("oktober", 10): "24-08-19",
    ("november", 20): "1-1-1970",  # implausible_date
}


def rows(sheet: str, count: int, start: dt.date, seed: int) -> list[list[object]]:
    """``count`` synthetic contacts from ``start`` on (dates as date objects)."""
    rng = random.Random(seed)
    out: list[list[object]] = []
    for i in range(count):
        day = start + dt.timedelta(days=rng.randrange(0, 28))
        date: object = TEXT_DATES.get((sheet, i), day)
        out.append(
            [
                f"{sheet[:3].upper()}-{i + 1:03d}",
                date,
                rng.choice(["O-1", "O-2"]),
                rng.choice(["91AB00", "91AB01"]),
                "ouder",
                f"P-{rng.randrange(1, 60):03d}",
                rng.choice(["armoede", "taal", "opvoeding|taal"]),
                rng.choice(["telefoon", "face-to-face"]),
                rng.choice([5, 10, 15, 30]),
            ]
        )
    return out


def write_sheet(
    book: xlsxwriter.Workbook, sheet: xlsxwriter.worksheet.Worksheet, data: list[list[object]],
    first: int,
) -> None:  # fmt: skip
    """Header at row ``first`` (0-based), data under it; dates as date cells in the locale's
    short date format (number format 14), so LibreOffice writes them as the locale does."""
    short_date = book.add_format({"num_format": 14})
    sheet.write_row(first, 0, HEADER)
    for r, row in enumerate(data, start=first + 1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), short_date)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)  # type: ignore[arg-type]


def typed_log(path: Path, lang: str) -> None:
    """The log as an officer types it into LibreOffice in locale ``lang``: a title row, a
    blank row, the header (row 3) and the rows, dates typed the locale's way (``19-8-24`` in
    Dutch, ``8/19/24`` in US English), which LibreOffice takes as date cells."""
    dutch = lang.startswith("nl")
    sep = ";" if dutch else ","
    lines = ["Contactregistratie brugfunctionaris", "", sep.join(HEADER)]
    for row in rows("log", LOG_ROWS, dt.date(2024, 10, 1), 1):
        day = row[1]
        if isinstance(day, dt.date):
            yy = day.year % 100
            row[1] = (
                f"{day.day}-{day.month}-{yy:02d}" if dutch else f"{day.month}/{day.day}/{yy:02d}"
            )
        lines.append(sep.join(str(v) for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def months_source(path: Path) -> None:
    """A hidden list sheet first, an instructions sheet, then a sheet per month (september
    with a title row above its header)."""
    book = xlsxwriter.Workbook(path)
    lists = book.add_worksheet("Keuzelijsten")
    lists.write_column(0, 0, ["gesprekspartner", "ouder", "leerling", "collega", "partner"])
    notes = book.add_worksheet("toelichting")
    notes.write_column(0, 0, ["Vul per maand een blad in.", "Eén rij per contact."])
    starts = {"september": dt.date(2024, 9, 2), "oktober": dt.date(2024, 10, 1),
              "november": dt.date(2024, 11, 1)}  # fmt: skip
    for seed, (month, count) in enumerate(MONTHS.items(), start=2):
        sheet = book.add_worksheet(month)
        first = 0
        if month == "september":
            sheet.write_string(0, 0, "Contacten september 2024")
            first = 1
        write_sheet(book, sheet, rows(month, count, starts[month], seed), first=first)
        if month == "september":
            sheet.activate()
            sheet.set_first_sheet()
    lists.hide()
    book.close()


def convert(source: Path, target: Path, filter_: str, lang: str, infilter: str = "") -> None:
    """Convert ``source`` with LibreOffice under the locale ``lang`` into ``target``."""
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "LANG": lang, "LC_ALL": lang, "HOME": work}
        extra = [f"--infilter={infilter}"] if infilter else []
        out = Path(work, "out")
        subprocess.run(
            [
                "soffice",
                "--headless",
                *extra,
                "--convert-to",
                filter_,
                "--outdir",
                str(out),
                str(source),
            ],  # fmt: skip
            check=True,
            env=env,
            capture_output=True,
        )
        produced = next(out.iterdir())
        shutil.move(produced, target)


def main() -> None:
    """Write every file of this folder."""
    csv = "csv:Text - txt - csv (StarCalc):{},34,76,1"
    with tempfile.TemporaryDirectory() as tmp:
        for lang, code, sep in (("nl_NL.UTF-8", "nl", 59), ("en_US.UTF-8", "us", 44)):
            typed = Path(tmp, code, "contacten.csv")
            typed.parent.mkdir()
            typed_log(typed, lang)
            source = Path(tmp, code, "contacten.ods")  # the officer's own workbook
            convert(typed, source, "ods", lang, infilter=f"CSV:{sep},34,76,1")
            convert(source, HERE / f"contacten-{code}.csv", csv.format(sep), lang)
            convert(source, HERE / f"contacten-{code}.xlsx", "xlsx", lang)
        months = Path(tmp, "months.xlsx")
        months_source(months)
        convert(months, HERE / "contacten-maanden.xlsx", "xlsx", "nl_NL.UTF-8")
    # lock files next to an open workbook: Excel's owner file and LibreOffice's lock file
    owner = b"\x0bTest Gebruiker" + b" " * 40 + b"\x00" * 110
    (HERE / "~$contacten-maanden.xlsx").write_bytes(owner[:162])
    (HERE / ".~lock.contacten-maanden.xlsx#").write_text(
        "Test Gebruiker,testhost,testhost,06.12.2026 12:00,file:///home/test/.config/libreoffice/4;",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
