"""Workbooks and header rows: every visible sheet of the table read, hidden and other sheets
listed, ``sheet=`` / ``--sheet`` choosing, the header row found under title rows; the real
LibreOffice month workbook; fuzzing of sheets, visibility and title rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from tests.conftest import TODAY, csv_text, write_csv

LO = Path(__file__).parent / "data" / "libreoffice"
HEADER = ["contact_id", "datum", "functionaris", "school", "gesprekspartner", "persoon", "thema"]
runner = CliRunner()


def contact(cid: str, date: str = "2024-10-01") -> list[str]:
    """A valid contact row (against the ``refs`` fixture)."""
    return [cid, date, "O-1", "91AB00", "ouder", "P-001", "taal"]


def _contacts(result: brugdata.ValidationResult) -> brugdata.FileResult:
    return next(f for f in result.files if f.table == "contacts")


def _invariant(f: brugdata.FileResult) -> None:
    assert f.rows_read == f.rows_valid + f.rows_rejected + f.rows_skipped


# --------------------------------------------------------------------------- LibreOffice


def test_every_month_sheet_is_read_and_rejects_name_sheet_and_row(refs: Path) -> None:
    f = _contacts(brugdata.validate(refs, LO / "contacten-maanden.xlsx", today=TODAY))
    _invariant(f)
    assert f.sheets_read == ["september", "oktober", "november"]
    assert f.sheets_passed == {
        "Keuzelijsten": "hidden",
        "toelichting": "no header row naming the columns of contacts",
    }
    # 110 + 110 + 133 rows, and september's title row skipped
    assert (f.rows_read, f.rows_skipped) == (110 + 110 + 133 + 1, 1)
    assert f.notes == ["sheet september: row above the header (row 2) skipped"]
    assert f.rows_valid == 110 + 110 + 133 - 2
    assert f.rejects.select("sheet", "line", "column", "rule", "value").rows() == [
        ("oktober", 12, "date", "ambiguous_date", "24-08-19"),
        ("november", 22, "date", "implausible_date", "1-1-1970"),
    ]
    assert f.rejects.get_column("message")[0].startswith("sheet oktober: '24-08-19' has")
    ids = f.valid.get_column("contact_id")
    assert ids.str.starts_with("SEP-").sum() == 110
    assert ids.str.starts_with("OKT-").sum() == 109
    assert ids.str.starts_with("NOV-").sum() == 132
    assert f.summary()["sheets_read"] == ["september", "oktober", "november"]


def test_sheet_chooses_one_sheet(refs: Path) -> None:
    f = _contacts(
        brugdata.validate(refs, LO / "contacten-maanden.xlsx", today=TODAY, sheet="oktober")
    )
    _invariant(f)
    assert (f.rows_read, f.rows_valid, f.rows_rejected) == (110, 109, 1)
    assert f.sheet == "oktober"
    assert f.rejects.select("line", "rule").rows() == [(12, "ambiguous_date")]


def test_a_sheet_that_does_not_exist_is_one_sentence(refs: Path) -> None:
    result = brugdata.validate(LO / "contacten-maanden.xlsx", table="contacts", sheet="december")
    assert not result.files
    (error,) = result.errors
    assert error.message.startswith("contacten-maanden.xlsx: there is no sheet 'december'")


def test_cli_sheet_and_date_format(refs: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(refs), str(LO / "contacten-maanden.xlsx"), "--sheet", "november"]
    )
    assert result.exit_code == 1, result.output
    assert "sheet november, row 22, column date" in result.output
    assert "1-1-1970" in result.output
    ok = runner.invoke(
        app, ["validate", str(refs), str(LO / "contacten-us.csv"), "--date-format", "%m/%d/%y"]
    )
    assert ok.exit_code == 0, ok.output
    assert "row above the header (row 3) skipped" in ok.output
    db = tmp_path / "s.duckdb"
    loaded = runner.invoke(
        app,
        ["ingest", str(refs), str(LO / "contacten-maanden.xlsx"), "--db", str(db),
         "--sheet", "september"],
    )  # fmt: skip
    assert loaded.exit_code == 0, loaded.output
    with brugdata.open(db, read_only=True) as store:
        assert store.sql("SELECT count(*) FROM contacts").item() == 110


# --------------------------------------------------------------------------- header row


def test_title_rows_above_the_header_are_skipped_not_rejected(refs: Path) -> None:
    text = "Contactregistratie 2024-2025;;;;;;\nbrugfunctionaris: O-1;;;;;;\n" + csv_text(
        HEADER, [contact("C-1"), contact("C-2")], sep=";"
    )
    f = _contacts(brugdata.validate(refs, write_csv(refs, "contacten.csv", text), today=TODAY))
    _invariant(f)
    assert (f.rows_read, f.rows_valid, f.rows_rejected, f.rows_skipped) == (4, 2, 0, 2)
    assert f.notes == ["2 rows above the header (row 3) skipped"]
    assert f.valid.get_column("_line").to_list() == [4, 5]


def test_a_file_with_no_header_row_in_its_first_20_rows_is_one_sentence(refs: Path) -> None:
    text = "".join(f"titel {i};;;\n" for i in range(20)) + csv_text(
        HEADER, [contact("C-1")], sep=";"
    )
    result = brugdata.validate(refs, write_csv(refs, "contacten.csv", text), today=TODAY)
    assert "contacten.csv" not in {f.path.name for f in result.files}
    (error,) = result.errors
    assert error.message.startswith("contacten.csv: the first row looks like data")


def test_the_header_is_found_in_the_20th_row(refs: Path) -> None:
    text = "".join(f"titel {i};;;;;;\n" for i in range(19)) + csv_text(
        HEADER, [contact("C-1")], sep=";"
    )
    f = _contacts(brugdata.validate(refs, write_csv(refs, "contacten.csv", text), today=TODAY))
    assert (f.rows_read, f.rows_valid, f.rows_skipped) == (20, 1, 19)


# --------------------------------------------------------------------------- fuzzing

SHEET = st.fixed_dictionaries(
    {
        "visible": st.booleans(),
        "table": st.sampled_from(["contacts", "contacts", "other"]),
        "titles": st.integers(0, 3),
        "rows": st.integers(0, 6),
        "bad": st.integers(0, 2),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(SHEET, min_size=1, max_size=4))
def test_fuzz_workbooks_never_lose_a_row_and_rows_land_in_their_sheet(
    refs: Path, tmp_path_factory: pytest.TempPathFactory, sheets: list[dict[str, object]]
) -> None:
    folder = tmp_path_factory.mktemp("wb")
    path = folder / "contacten.xlsx"
    book = xlsxwriter.Workbook(path)
    written: dict[str, tuple[int, int, int]] = {}  # sheet → (rows, bad rows, titles)
    sheets[0]["visible"] = sheets[0]["visible"] or not any(s["visible"] for s in sheets)
    visible = [i for i, s in enumerate(sheets) if s["visible"]]  # a workbook shows one
    for i, spec in enumerate(sheets):
        name = f"blad{i}"
        ws = book.add_worksheet(name)
        titles, n, bad = int(spec["titles"]), int(spec["rows"]), int(spec["bad"])  # type: ignore[call-overload]
        for t in range(titles):
            ws.write_string(t, 0, f"Titel {t}")
        header = HEADER if spec["table"] == "contacts" else ["activiteit", "soort"]
        ws.write_row(titles, 0, header)
        for r in range(n):
            date = "1-1-1970" if r < min(bad, n) else (dt.date(2024, 10, 1) + dt.timedelta(r))
            row = contact(f"{name}-{r}", date if isinstance(date, str) else date.isoformat())
            ws.write_row(titles + 1 + r, 0, row if spec["table"] == "contacts" else row[:2])
        if spec["table"] == "contacts" and spec["visible"]:
            written[name] = (n, min(bad, n), titles)
    book.worksheets()[visible[0]].activate()
    book.worksheets()[visible[0]].set_first_sheet()
    for i, spec in enumerate(sheets):
        if not spec["visible"]:
            book.worksheets()[i].hide()
    book.close()

    result = brugdata.validate(refs, path, today=TODAY)
    if not written:  # no visible sheet names the columns: the first visible sheet is reported
        assert [e.path.name for e in result.errors] == ["contacten.xlsx"]
        assert "contacten.xlsx: the first row looks like data" in result.errors[0].message
        return
    f = _contacts(result)
    _invariant(f)
    assert f.sheets_read == list(written)
    assert f.rows_read == sum(n + t for n, _, t in written.values())
    assert f.rows_rejected == sum(b for _, b, _ in written.values())
    assert f.rows_skipped == sum(t for _, _, t in written.values())
    # every valid row is from its own sheet, every reason names the row's sheet
    per_sheet = Counter(cid.split("-")[0] for cid in f.valid.get_column("contact_id"))
    assert per_sheet == {s: n - b for s, (n, b, _) in written.items() if n > b}
    # the bad rows are the first rows under each header: sheet row titles + 2 on
    expected = sorted(
        (sheet, titles + 2 + r) for sheet, (_, bad, titles) in written.items() for r in range(bad)
    )
    assert sorted(f.rejects.select("sheet", "line").rows()) == expected
    passed = {f"blad{i}" for i, s in enumerate(sheets)} - set(written)
    assert set(f.sheets_passed) == passed
    frame = f.rejects
    assert frame.filter(pl.col("rule") != "implausible_date").is_empty(), frame


def test_a_one_field_title_line_in_a_csv_gets_a_hint(refs: Path) -> None:
    text = "Contactregistratie\n" + csv_text(HEADER, [contact("C-1")], sep=";")
    result = brugdata.validate(refs, write_csv(refs, "contacten.csv", text), today=TODAY)
    (error,) = result.errors
    assert error.message.startswith("contacten.csv: the first row looks like data")
    assert "a title line of one field at the top?" in error.message


def test_read_raw_lists_every_sheet_and_never_defaults_to_a_hidden_one() -> None:
    raw = brugdata.read_raw(LO / "contacten-maanden.xlsx")
    assert [(s.name, s.visible) for s in raw.sheets] == [
        ("Keuzelijsten", False),
        ("toelichting", True),
        ("september", True),
        ("oktober", True),
        ("november", True),
    ]
    assert raw.sheet == "toelichting"  # the first visible sheet, not the hidden list
    # each sheet's frame as read: header row excluded, rows numbered as in the sheet
    frames = {s.name: s.frame for s in raw.sheets}
    assert frames["oktober"] is not None and frames["oktober"].height == 110
    assert frames["oktober"].get_column("_line").to_list() == list(range(2, 112))
