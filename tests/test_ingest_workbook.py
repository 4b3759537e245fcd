"""Ingest of a registration workbook that holds several tables, one a sheet: each sheet is
loaded into its table (partners before the contacts that refer to them), its provenance names
the sheet, and the workbook ingested again is skipped whole."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from brugdata.model.vocab import Lang, vocabulary
from brugdata.publish.registration.template import TEMPLATE_TABLES, write_template
from brugdata.store.results import FileIngest
from brugdata.store.store import Store
from tests.conftest import TODAY

YEAR = "2024-2025"
FIRST_DAY = dt.date(2024, 9, 2)
SHEETS = {  # table → its sheet in the Dutch template, in load order
    "partners": "ketenpartners",
    "contacts": "contacten",
    "activities": "activiteiten",
    "time_use": "tijdsbesteding",
}
runner = CliRunner()


def label(vocab: str, code: str, lang: Lang = "nl") -> str:
    """The drop-down label an officer picks for ``code``."""
    return vocabulary(vocab).label(code, lang)


# what the officer registers, as codes (the workbook gets their labels)
CONTACTS: list[dict[str, Any]] = [
    {"id": "C001", "counterpart": "parent", "theme": "armoede", "minutes": 20, "person": "K1"},
    {"id": "C002", "counterpart": "pupil", "theme": "taal", "minutes": 10, "person": "K2"},
    {"id": "C003", "counterpart": "colleague", "theme": "opvoeding", "minutes": 15},
    {"id": "C004", "counterpart": "partner", "theme": "armoede", "minutes": 30},
    {"id": "C005", "counterpart": "parent", "theme": "taal", "minutes": 25, "person": "K1"},
]
ACTIVITIES = [("A001", "koffieochtend", 8), ("A002", "taalcafe", 12), ("A003", "inloop", 5)]
TIME_USE = [("social_domain", 50.0), ("school_team", 30.0), ("pupil_contact", 20.0)]
PARTNERS = [("PA-10", "Buurthuis Noord", "wijkteam"), ("PA-11", "Jeugdloket", "ggd")]


def officer_rows(
    bad_activity_date: str | None = None, lang: Lang = "nl"
) -> dict[str, list[dict[str, Any]]]:
    """The rows of every sheet as an officer fills them in (labels from the drop-downs of
    ``lang``); ``bad_activity_date`` replaces the date of the second activity."""
    contacts = []
    for i, c in enumerate(CONTACTS):
        row: dict[str, Any] = {
            "contact_id": c["id"],
            "date": FIRST_DAY + dt.timedelta(days=i),
            "officer_id": "O-1",
            "school_id": "91AB00",
            "counterpart": label("counterpart", c["counterpart"], lang),
            "themes": [label("theme", c["theme"], lang)],
            "channel": label("channel", "phone", lang),
            "duration_min": c["minutes"],
        }
        if "person" in c:
            row["person_key"] = c["person"]
        if c["counterpart"] == "colleague":
            row["colleague_role"] = label("colleague_role", "mentor", lang)
        if c["counterpart"] == "partner":
            row["partner_id"] = "PA-1"  # of the store
            row["referred_to"] = "PA-10"  # of the workbook's own partners sheet
        contacts.append(row)
    activities: list[dict[str, Any]] = [
        {
            "activity_id": activity_id,
            "date": FIRST_DAY + dt.timedelta(days=7 * i),
            "officer_id": "O-1",
            "school_id": "91AB01",
            "kind": label("activity_kind", kind, lang),
            "attendees": attendees,
        }
        for i, (activity_id, kind, attendees) in enumerate(ACTIVITIES)
    ]
    if bad_activity_date is not None:
        activities[1]["date"] = bad_activity_date
    time_use = [
        {
            "officer_id": "O-1",
            "school_year": YEAR,
            "task": label("task", task, lang),
            "share_pct": pct,
        }
        for task, pct in TIME_USE
    ]
    partners = [
        {"partner_id": pid, "name": name, "kind": label("partner_kind", kind, lang)}
        for pid, name, kind in PARTNERS
    ]
    return {
        "contacts": contacts,
        "activities": activities,
        "time_use": time_use,
        "partners": partners,
    }


@pytest.fixture
def db(tmp_path: Path, refs: Path) -> Path:
    """A store file holding the schools, officers and partners the workbook refers to."""
    path = tmp_path / "brug.duckdb"
    with brugdata.open(path) as store:
        assert store.ingest(refs).rows_rejected == 0
    return path


def workbook(
    folder: Path, name: str = "registratie.xlsx", lang: Lang = "nl", **kwargs: Any
) -> Path:
    """A registration workbook in ``lang`` filled in as an officer would."""
    rows = officer_rows(lang=lang, **kwargs)
    return write_template(folder / name, lang=lang, school_year=YEAR, rows=rows)


def check_counts(f: FileIngest) -> None:
    """Nothing read is lost: every row read is loaded, rejected, unchanged or skipped."""
    assert f.rows_read == f.rows_loaded + f.rows_rejected + f.rows_unchanged + f.rows_skipped


def workbook_ingests(store: Store, name: str = "registratie.xlsx") -> list[tuple[Any, ...]]:
    """The workbook's provenance rows: sheet, table, rows read, loaded, rejected."""
    return store.sql(
        "SELECT sheet, table_name, rows_read, rows_loaded, rows_rejected FROM ingests "
        "WHERE file_name = ? ORDER BY ingest_id",
        [name],
    ).rows()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_sheet_is_loaded_into_its_table(tmp_path: Path, db: Path, lang: Lang) -> None:
    path = workbook(tmp_path, lang=lang)
    sheets = {name: TEMPLATE_TABLES[name][lang] for name in SHEETS}  # in load order
    with brugdata.open(db) as store:
        before, files = store.counts(), store.info()["files_ingested"]
        result = store.ingest(path, today=TODAY)
        assert store.info()["files_ingested"] == files + 1  # its sheets are one file

        assert result.errors == [] and result.rows_rejected == 0
        assert [(f.sheet, f.table, f.status) for f in result.files] == [
            (sheet, name, "loaded") for name, sheet in sheets.items()
        ]
        for f in result.files:
            check_counts(f)
            assert f.label == f"{path} [{f.sheet}]"
        written = {
            "contacts": len(CONTACTS),
            "activities": len(ACTIVITIES),
            "time_use": len(TIME_USE),
            "partners": len(PARTNERS),
        }
        after = store.counts()
        assert {n: after[n] - before[n] for n in written} == written
        assert {n for n in after if after[n] != before[n]} == set(written)

        # provenance: an ingest per sheet, in load order (the partners first), naming it
        assert workbook_ingests(store) == [
            (sheets[n], n, written[n], written[n], 0) for n in sheets
        ]
        for name, sheet in sheets.items():  # each row tells the sheet it came from
            found = store.sql(
                f"SELECT DISTINCT i.sheet FROM {name} t JOIN ingests i "
                "ON t._ingest_id = i.ingest_id WHERE i.file_name = 'registratie.xlsx'"
            ).rows()
            assert found == [(sheet,)]

        # the values read back, as codes, computed here from what the officer registered
        contacts = store.sql(
            "SELECT contact_id, counterpart, themes, duration_min, partner_id, referred_to, "
            "person_key FROM contacts ORDER BY contact_id"
        ).rows()
        assert [r[:4] for r in contacts] == [
            (c["id"], c["counterpart"], [c["theme"]], c["minutes"]) for c in CONTACTS
        ]
        assert [r[4:6] for r in contacts if r[4]] == [("PA-1", "PA-10")]
        keys = [r[6] for r in contacts]  # pseudonyms, never the code written
        assert not {"K1", "K2"} & set(keys)
        assert keys[0] == keys[4] != keys[1] and keys[0] is not None and keys[2] is None
        activities = store.sql(
            "SELECT activity_id, kind, attendees, date FROM activities ORDER BY activity_id"
        ).rows()
        assert activities == [
            (aid, kind, n, FIRST_DAY + dt.timedelta(days=7 * i))
            for i, (aid, kind, n) in enumerate(ACTIVITIES)
        ]
        time_use = store.sql(
            "SELECT task, share_pct FROM time_use WHERE officer_id = 'O-1' AND school_year = ? "
            "ORDER BY share_pct DESC",
            [YEAR],
        ).rows()
        assert time_use == TIME_USE
        partners = store.sql(
            "SELECT partner_id, name, kind FROM partners WHERE partner_id IN ('PA-10', 'PA-11') "
            "ORDER BY partner_id"
        ).rows()
        assert partners == PARTNERS


def test_the_workbook_ingested_again_is_skipped_whole(tmp_path: Path, db: Path) -> None:
    path = workbook(tmp_path)
    with brugdata.open(db) as store:
        store.ingest(path, today=TODAY)
        counts, ingests = store.counts(), store.ingests().height
        again = store.ingest(path, today=TODAY)
        assert again.rows_read == again.rows_loaded == 0
        (skipped,) = again.files  # one row for the workbook, not one per sheet
        assert (skipped.status, skipped.table, skipped.sheet) == ("skipped", None, None)
        assert skipped.message.startswith("registratie.xlsx: already ingested")
        assert skipped.message.endswith("none of its sheets is read")
        assert skipped.label == str(path)
        assert store.counts() == counts and store.ingests().height == ingests
        # updating, its partners sheet is read again, as any partners file is: unchanged
        update = store.ingest(path, today=TODAY, update=True)
        assert [(f.sheet, f.status) for f in update.files] == [
            ("ketenpartners", "loaded"),
            (None, "skipped"),
        ]
        assert (update.rows_loaded, update.rows_unchanged) == (0, len(PARTNERS))
        assert update.files[1].message.endswith("its other sheets are not read")
        assert store.counts() == counts


def test_a_copy_in_the_same_call_is_skipped_its_sheets_loaded_once(
    tmp_path: Path, db: Path
) -> None:
    path = workbook(tmp_path)
    copy = shutil.copy(path, tmp_path / "kopie.xlsx")
    with brugdata.open(db) as store:
        before = store.counts()["contacts"]
        result = store.ingest(path, copy, today=TODAY)
        assert [f.sheet for f in result.files if f.status == "loaded"] == list(SHEETS.values())
        assert all(f.path == path for f in result.files if f.status == "loaded")
        (skipped,) = result.skipped
        assert skipped.path == Path(copy) and skipped.message.startswith("kopie.xlsx: already")
        assert store.counts()["contacts"] - before == len(CONTACTS)
        assert workbook_ingests(store, "kopie.xlsx") == []


def test_a_bad_row_is_rejected_naming_its_sheet_and_the_other_sheets_load(
    tmp_path: Path, db: Path
) -> None:
    path = workbook(tmp_path, bad_activity_date="31-02-2025")
    with brugdata.open(db) as store:
        result = store.ingest(path, today=TODAY)
        assert result.errors == [] and result.rows_rejected == 1
        by_sheet = {f.sheet: f for f in result.files}
        for f in result.files:
            check_counts(f)
        assert (by_sheet["activiteiten"].rows_loaded, by_sheet["activiteiten"].rows_rejected) == (
            len(ACTIVITIES) - 1,
            1,
        )
        assert workbook_ingests(store) == [
            ("ketenpartners", "partners", 2, 2, 0),
            ("contacten", "contacts", 5, 5, 0),
            ("activiteiten", "activities", 3, 2, 1),
            ("tijdsbesteding", "time_use", 3, 3, 0),
        ]
        # the reason names the sheet and the row: the third row of the sheet (header = 1)
        rejects = store.sql(
            'SELECT i.sheet, i.table_name, r.line, r."column", r.rule, r.message '
            "FROM rejects r JOIN ingests i USING (ingest_id)"
        ).rows()
        assert [r[:5] for r in rejects] == [
            ("activiteiten", "activities", 3, "date", "invalid_date")
        ]
        assert rejects[0][5].startswith("sheet activiteiten: ")
        assert store.rejects()["message"].to_list() == [rejects[0][5]]
        assert store.sql(
            "SELECT activity_id FROM activities WHERE activity_id LIKE 'A00_' ORDER BY 1"
        ).rows() == [("A001",), ("A003",)]
        # ingested again, unchanged: skipped whole, the rejected row stays rejected once
        again = store.ingest(path, today=TODAY)
        assert [f.status for f in again.files] == ["skipped"]
        assert store.rejects().height == 1
        # corrected (so changed): read whole again; the row fixed is loaded, the rows stored
        # before are rejected as already stored, the partners counted unchanged
        fixed = store.ingest(workbook(tmp_path), today=TODAY)
        by_table = {f.table: f for f in fixed.files}
        assert by_table["partners"].rows_unchanged == len(PARTNERS)
        assert by_table["activities"].rows_loaded == 1
        assert fixed.rows_loaded == 1
        assert fixed.rows_rejected == len(CONTACTS) + len(ACTIVITIES) - 1 + len(TIME_USE)
        assert set(fixed.validation.rejects()["rule"]) == {"already_stored"}
        assert store.sql(
            "SELECT activity_id FROM activities WHERE activity_id LIKE 'A00_' ORDER BY 1"
        ).rows() == [("A001",), ("A002",), ("A003",)]


def test_a_sheet_given_routes_nothing(tmp_path: Path, db: Path) -> None:
    path = workbook(tmp_path)  # "registratie" names the contacts table
    with brugdata.open(db) as store:
        result = store.ingest(path, today=TODAY, sheet="contacten")
        (f,) = result.files  # that sheet only, as the table the file name names
        assert (f.table, f.sheet, f.rows_loaded) == ("contacts", None, len(CONTACTS) - 1)
        assert workbook_ingests(store) == [("contacten", "contacts", 5, 4, 1)]
        # the partners sheet was not read: the partner it refers a contact to is unknown
        rejects = store.rejects().select("column", "rule").rows()
        assert rejects == [("referred_to", "unknown_reference")]
        # a workbook whose name names no table: an error, not routed
        other = write_template(tmp_path / "week12.xlsx", rows=officer_rows())
        (error,) = store.ingest(other, today=TODAY, sheet="activiteiten").errors
        assert "week12.xlsx: cannot tell which table" in error.message
        assert store.ingests().height == 4  # the three reference files, and that sheet


def test_cli_ingest_names_each_sheet(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["ingest", "registratie.xlsx", "--db", str(db)])
    assert result.exit_code == 0, result.output
    for sheet in SHEETS.values():
        assert f"registratie.xlsx [{sheet}]" in result.output
    total = len(CONTACTS) + len(ACTIVITIES) + len(TIME_USE) + len(PARTNERS)
    assert f"loaded {total} rows, rejected 0" in result.output
    again = runner.invoke(app, ["ingest", "registratie.xlsx", "--db", str(db)])
    assert again.exit_code == 0, again.output
    assert "skipped 1 file already ingested" in again.output


def test_cli_validate_names_each_sheet(
    tmp_path: Path, refs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workbook(tmp_path, bad_activity_date="31-02-2025")
    monkeypatch.chdir(tmp_path)
    # with the schools, officers and partners the workbook refers to
    result = runner.invoke(app, ["validate", refs.name, "registratie.xlsx"])
    assert result.exit_code == 1, result.output
    for sheet in SHEETS.values():
        assert f"registratie.xlsx [{sheet}]" in result.output
    assert "registratie.xlsx [activiteiten]: 1 of 3 rows rejected" in result.output
    assert "sheet activiteiten, row 3, column date" in result.output
    assert "[partners.csv" not in result.output  # a file read whole: its name alone
    rows = sum(len(f.read_text().splitlines()) - 1 for f in refs.iterdir())  # headers
    rows += len(CONTACTS) + len(ACTIVITIES) + len(TIME_USE) + len(PARTNERS)
    assert f"{rows} rows read: {rows - 1} valid, 1 rejected, in 7 files" in result.output
