"""Folders at read time (issue 19): lock and temporary files of Excel and LibreOffice are
passed over and named, two files of the same content are read once and named together, and
``validate`` (which has no store) never speaks of a store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from brugdata.ingest.read.limits import passed_over
from brugdata.ingest.validate.files import gather_files, same_content
from tests.conftest import TODAY

runner = CliRunner()
LIBREOFFICE = Path(__file__).parent / "data" / "libreoffice"
CONTACTS = (
    "contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema\n"
    "C-1;14-03-2025;O-1;91AB00;ouder;P-1;G-1;armoede\n"
    "C-2;15-03-2025;O-1;91AB00;leerling;P-2;G-1;taal\n"
)
#: what a folder synced from Windows, macOS and LibreOffice holds beside the data
LITTER = {
    "~$contacten.xlsx": b"\x0bTest Gebruiker" + b" " * 40,  # Excel's owner file
    ".~lock.contacten.csv#": b"Test Gebruiker,testhost,testhost,06.12.2026 12:00,file:///x;",
    "~WRL0003.tmp": b"\x00\x01\x02",
    "contacten.tmp": b"half geschreven",
    ".DS_Store": b"\x00\x00\x00\x01Bud1",
    "Thumbs.db": b"\xd0\xcf\x11\xe0",
    "desktop.ini": b"[.ShellClassInfo]\r\n",
}


def messages(result: brugdata.ValidationResult) -> list[str]:
    """Every sentence of the result a user reads: errors, passed over, notes, rejections."""
    out = [e.message for e in [*result.errors, *result.skipped]]
    for f in result.files:
        out += [*f.notes, *f.rejects["message"].to_list()]
    return out


def test_lock_temporary_and_system_files_in_a_folder_are_passed_over_and_named(
    refs: Path,
) -> None:
    (refs / "contacten.csv").write_text(CONTACTS, encoding="utf-8")
    for name, data in LITTER.items():
        (refs / name).write_bytes(data)
    result = brugdata.validate(refs, today=TODAY)
    assert result.errors == []
    assert result.ok
    assert sorted(e.path.name for e in result.skipped) == sorted(LITTER)
    said = {e.path.name: e.message for e in result.skipped}
    assert said["~$contacten.xlsx"] == (
        "~$contacten.xlsx: an Excel lock file (the workbook is open in Excel), passed over"
    )
    assert said[".~lock.contacten.csv#"] == (
        ".~lock.contacten.csv#: a LibreOffice lock file (the file is open in LibreOffice), "
        "passed over"
    )
    assert said["~WRL0003.tmp"] == "~WRL0003.tmp: a temporary file, passed over"
    assert said["Thumbs.db"] == "Thumbs.db: a Windows thumbnail cache, passed over"
    contacts = next(f for f in result.files if f.table == "contacts")
    assert (contacts.rows_read, contacts.rows_valid) == (2, 2)
    assert result.to_dict()["skipped"][0].keys() == {"file", "message"}


def test_ingest_passes_over_the_same_files_and_names_them(refs: Path, tmp_path: Path) -> None:
    (refs / "contacten.csv").write_text(CONTACTS, encoding="utf-8")
    for name, data in LITTER.items():
        (refs / name).write_bytes(data)
    db = tmp_path / "brug.duckdb"
    with brugdata.open(db) as store:
        result = store.ingest(refs)
        assert result.errors == [] and result.rows_rejected == 0
        assert sorted(e.path.name for e in result.validation.skipped) == sorted(LITTER)
        # nothing of them reaches the store's provenance
        names = {r[0] for r in store.con.execute("SELECT file_name FROM ingests").fetchall()}
        assert not names & set(LITTER)
        assert store.con.execute("SELECT count(*) FROM contacts").fetchall() == [(2,)]
    said = runner.invoke(app, ["ingest", str(refs), "--db", str(tmp_path / "other.duckdb")])
    assert said.exit_code == 0, said.output
    assert (
        "passed over: ~$contacten.xlsx: an Excel lock file (the workbook is open in Excel), "
        "passed over" in said.stdout
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("~$Contacten 2025.xlsx", "an Excel lock file (the workbook is open in Excel)"),
        (".~lock.contacten.ods#", "a LibreOffice lock file (the file is open in LibreOffice)"),
        ("~WRL1234.tmp", "a temporary file"),
        ("contacten.TMP", "a temporary file"),
        ("~DF3A1B", "a temporary file"),
        ("._contacten.csv", "a macOS metadata file"),
        ("contacten.csv~", "a temporary or backup file"),
        ("Desktop.ini", "a Windows folder file"),
        ("contacten.csv", None),
        ("contacten (1).csv", None),
        ("~contacten.csv", None),  # a tilde alone does not make a data file temporary
        ("lock.csv", None),
    ],
)
def test_which_names_are_passed_over(name: str, reason: str | None) -> None:
    assert passed_over(name) == reason


def test_the_lock_files_libreoffice_and_excel_leave_are_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(LIBREOFFICE, folder, ignore=shutil.ignore_patterns("*.py", "*.csv"))
    locks = sorted(p.name for p in folder.iterdir() if "lock" in p.name or p.name[:2] == "~$")
    assert locks == [".~lock.contacten-maanden.xlsx#", "~$contacten-maanden.xlsx"]
    files, skipped = gather_files([folder])
    assert sorted(e.path.name for e in skipped) == locks
    assert not any(f.name in locks for f in files)


def test_the_cli_passes_over_a_lock_file_with_exit_0_and_names_it(refs: Path) -> None:
    (refs / "contacten.csv").write_text(CONTACTS, encoding="utf-8")
    (refs / "~$contacten.xlsx").write_bytes(LITTER["~$contacten.xlsx"])
    result = runner.invoke(app, ["validate", str(refs)])
    assert result.exit_code == 0, result.output
    assert "passed over: ~$contacten.xlsx: an Excel lock file" in result.output
    as_json = runner.invoke(app, ["validate", str(refs), "--format", "json"])
    skipped = json.loads(as_json.stdout)["skipped"]
    assert [Path(s["file"]).name for s in skipped] == ["~$contacten.xlsx"]


def test_a_lock_file_given_by_name_is_refused_in_one_sentence(refs: Path) -> None:
    lock = refs / "~$contacten.xlsx"
    lock.write_bytes(LITTER["~$contacten.xlsx"])
    result = brugdata.validate(lock, today=TODAY)
    assert [e.message for e in result.errors] == [
        "~$contacten.xlsx: this is an Excel lock file (the workbook is open in Excel), "
        "not data; it is not read"
    ]
    cli = runner.invoke(app, ["validate", str(lock)])
    assert cli.exit_code == 2


def test_two_files_of_the_same_content_are_read_once_and_named_together(refs: Path) -> None:
    (refs / "contacten.csv").write_text(CONTACTS, encoding="utf-8")
    (refs / "contacten (1).csv").write_text(CONTACTS, encoding="utf-8")
    result = brugdata.validate(refs, today=TODAY)
    assert result.errors == []
    contacts = [f for f in result.files if f.table == "contacts"]
    assert [f.path.name for f in contacts] == ["contacten.csv"]  # the shorter name is read
    assert (contacts[0].rows_read, contacts[0].rows_valid, contacts[0].rows_rejected) == (2, 2, 0)
    assert [e.message for e in result.skipped] == [
        "contacten (1).csv has the same content as contacten.csv: read once"
    ]
    assert result.ok
    assert not any("store" in m for m in messages(result))


def test_same_content_hashes_only_files_of_equal_size(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("x\n1\n")
    b = tmp_path / "b.csv"
    b.write_text("x\n2\n")  # same size, other content
    c = tmp_path / "sub" / "a.csv"
    c.parent.mkdir()
    c.write_text("x\n1\n")  # same content, same name, other folder
    d = tmp_path / "d.csv"
    d.write_text("x\n10\n")
    kept, skipped = same_content([a, b, c, d])
    assert kept == [a, b, d]
    assert [e.message for e in skipped] == [f"{c} has the same content as {a}: read once"]


def test_a_file_given_twice_is_read_once(refs: Path) -> None:
    path = refs / "contacten.csv"
    path.write_text(CONTACTS, encoding="utf-8")
    result = brugdata.validate(refs, path, today=TODAY)
    contacts = [f for f in result.files if f.table == "contacts"]
    assert len(contacts) == 1
    assert result.skipped == []


def test_a_key_of_an_earlier_file_names_that_file_not_a_store(refs: Path) -> None:
    (refs / "contacten.csv").write_text(CONTACTS, encoding="utf-8")
    changed = CONTACTS.replace("C-2;15-03-2025", "C-3;15-03-2025")  # C-1 in both files
    (refs / "contacten_2.csv").write_text(changed, encoding="utf-8")
    result = brugdata.validate(refs, today=TODAY)
    second = next(f for f in result.files if f.path.name == "contacten_2.csv")
    assert (second.rows_read, second.rows_valid, second.rows_rejected) == (2, 1, 1)
    reject = second.rejects.row(0, named=True)
    assert (reject["line"], reject["column"], reject["rule"]) == (2, "contact_id", "already_stored")
    assert reject["message"] == "'C-1' is already in contacten.csv"
    assert not any("store" in m for m in messages(result))


def test_a_key_in_the_store_still_says_store(refs: Path, store: brugdata.Store) -> None:
    (refs / "contacten.csv").write_text(CONTACTS, encoding="utf-8")
    store.ingest(refs, today=TODAY)
    again = refs.parent / "again"
    again.mkdir()
    (again / "contacten.csv").write_text(
        CONTACTS.replace("C-2;15-03-2025", "C-9;15-03-2025"), encoding="utf-8"
    )
    result = store.ingest(again, today=TODAY)
    rejects = result.validation.rejects().filter(pl.col("rule") == "already_stored")
    assert rejects["message"].to_list() == ["'C-1' is already in the store"]


def test_reliability_md_names_tests_of_issue_19_that_exist() -> None:
    import re

    from tests import test_folders, test_limits

    doc = (Path(__file__).parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    named = re.findall(r"`test_(limits|folders)\.py::(\w+)`", doc)
    assert len(named) >= 20
    modules = {"limits": test_limits, "folders": test_folders}
    missing = [f"{m}::{name}" for m, name in named if not hasattr(modules[m], name)]
    assert missing == []
