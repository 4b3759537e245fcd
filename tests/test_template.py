"""The registration template: a workbook an officer fills in, read back with no rejection
(also after LibreOffice has saved it), its headers, drop-downs and lists."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import fastexcel
import polars as pl
import pytest
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from brugdata.errors import BrugdataError
from brugdata.ingest.validate.headers import map_headers
from brugdata.ingest.validate.multi import join_theme_columns
from brugdata.ingest.validate.sheets import plan_sheets, table_sheets
from brugdata.model.tables import table
from brugdata.model.vocab import vocabulary
from brugdata.publish.registration.template import (
    TEMPLATE_TABLES,
    template_columns,
    write_template,
)
from brugdata.store.store import Store
from tests.conftest import TODAY

YEAR = "2024-2025"
FIRST_DAY = dt.date(2024, 9, 2)


def labels(vocab: str, lang: str) -> list[str]:
    """The drop-down labels of ``vocab`` in ``lang``, as the template offers them."""
    return [c.nl if lang == "nl" else c.en for c in vocabulary(vocab).codes]


def officer_rows(lang: str) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[Any]]]:
    """Rows an officer would type, using every label of every drop-down at least once, and
    the codes each should become (worked out here from the vocabulary files' order)."""
    themes = labels("theme", lang)
    counterparts = labels("counterpart", lang)
    channels = labels("channel", lang)
    initiators = labels("initiated_by", lang)
    roles = labels("colleague_role", lang)
    theme_codes = vocabulary("theme").code_list
    n = max(len(themes), len(channels), len(roles) * len(counterparts))
    contacts: list[dict[str, Any]] = []
    expected_themes: list[list[str]] = []
    for i in range(n):
        counterpart = vocabulary("counterpart").code_list[i % len(counterparts)]
        row: dict[str, Any] = {
            "contact_id": f"C{i + 1:04d}",
            "date": FIRST_DAY + dt.timedelta(days=i),
            "officer_id": "O-1",
            "school_id": "91AB00" if i % 2 else "91AB01",
            "counterpart": counterparts[i % len(counterparts)],
            "channel": channels[i % len(channels)],
            "initiated_by": initiators[i % len(initiators)],
            "duration_min": 15 + i,
        }
        # one, two or three themes; the third repeats the first every fifth row (dropped)
        picked = [themes[i % len(themes)]]
        codes = [theme_codes[i % len(themes)]]
        if i % 3 >= 1:
            picked.append(themes[(i + 7) % len(themes)])
            codes.append(theme_codes[(i + 7) % len(themes)])
        if i % 3 == 2:
            j = i if i % 5 == 0 else (i + 3)
            picked.append(themes[j % len(themes)])
            if theme_codes[j % len(themes)] not in codes:
                codes.append(theme_codes[j % len(themes)])
        row["themes"] = picked
        expected_themes.append(codes)
        if counterpart in ("parent", "pupil"):
            row["person_key"] = f"K{i}"
            row["family_key"] = f"G{i}"
        if counterpart == "colleague":
            row["colleague_role"] = roles[(i // len(counterparts)) % len(roles)]
        if counterpart == "partner":
            row["partner_id"] = "PA-1"  # of the store
            row["referred_to"] = "PA-10"  # of the workbook's partners sheet
        contacts.append(row)
    kinds = labels("activity_kind", lang)
    activities = [
        {
            "activity_id": f"A{i + 1:03d}",
            "date": FIRST_DAY + dt.timedelta(days=7 * i),
            "officer_id": "O-1",
            "school_id": "91AB00",
            "kind": kind,
            "themes": [themes[i]],
            "attendees": 5 + i,
        }
        for i, kind in enumerate(kinds)
    ]
    tasks = labels("task", lang)
    time_use = [
        {"officer_id": "O-1", "school_year": YEAR, "task": task, "share_pct": 100 / len(tasks)}
        for task in tasks
    ]
    partner_kinds = labels("partner_kind", lang)
    partners = [
        {"partner_id": f"PA-{10 + i}", "name": f"Organisatie {i}", "kind": kind}
        for i, kind in enumerate(partner_kinds)
    ]
    expected = {
        "counterpart": [vocabulary("counterpart").code_list[i % 4] for i in range(n)],
        "channel": [vocabulary("channel").code_list[i % len(channels)] for i in range(n)],
        "themes": expected_themes,
        "kind": vocabulary("activity_kind").code_list,
        "task": vocabulary("task").code_list,
        "partner_kind": vocabulary("partner_kind").code_list,
    }
    tables = {"contacts": contacts, "activities": activities, "time_use": time_use}
    return tables | {"partners": partners}, expected


@pytest.fixture
def ref_store(tmp_path: Path, refs: Path) -> Path:
    """A store file holding the hand-made schools, officers and partners."""
    path = tmp_path / "refs.duckdb"
    with brugdata.open(path) as store:
        result = store.ingest(refs)
        assert result.validation.rows_rejected == 0
    return path


def validate_workbook(path: Path, db: Path) -> brugdata.ValidationResult:
    with Store(db, read_only=True) as store:
        return brugdata.validate(path, known=store.known(), today=TODAY)


def check_read_back(
    result: brugdata.ValidationResult, rows: dict[str, list[Any]], exp: Any
) -> None:
    """Every row read and valid, each sheet as its table, the codes as expected."""
    assert result.errors == []
    by_table = {f.table: f for f in result.files}
    assert sorted(by_table) == sorted(TEMPLATE_TABLES)
    for name, f in by_table.items():
        assert f.rejects.is_empty(), f.rejects
        assert f.rows_read == len(rows[name]) == f.valid.height
        assert f.unknown_columns == []
    contacts = by_table["contacts"].valid.sort("_line")
    assert contacts["counterpart"].to_list() == exp["counterpart"]
    assert contacts["channel"].to_list() == exp["channel"]
    assert contacts["themes"].to_list() == exp["themes"]
    assert contacts["date"].to_list() == [r["date"] for r in rows["contacts"]]
    assert contacts["duration_min"].to_list() == [r["duration_min"] for r in rows["contacts"]]
    assert by_table["activities"].valid.sort("_line")["kind"].to_list() == exp["kind"]
    time_use = by_table["time_use"].valid.sort("_line")
    assert time_use["task"].to_list() == exp["task"]
    assert time_use["share_pct"].sum() == pytest.approx(100.0)
    assert by_table["partners"].valid.sort("_line")["kind"].to_list() == exp["partner_kind"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_filled_template_is_read_back_with_no_rejection(
    tmp_path: Path, ref_store: Path, lang: str
) -> None:
    rows, expected = officer_rows(lang)
    path = write_template(
        tmp_path / "registratie.xlsx", lang=lang, school_year=YEAR, db=ref_store, rows=rows
    )
    check_read_back(validate_workbook(path, ref_store), rows, expected)


def test_empty_template_has_header_rows_only(tmp_path: Path) -> None:
    path = write_template(tmp_path / "leeg.xlsx")
    reader = fastexcel.read_excel(path)
    assert reader.sheet_names == [
        "contacten",
        "activiteiten",
        "tijdsbesteding",
        "ketenpartners",
        "instructie",
        "lijsten",
    ]
    for name, sheets in TEMPLATE_TABLES.items():
        sheet = reader.load_sheet(sheets["nl"], header_row=None, dtypes="string").to_polars()
        assert sheet.height == 1  # the header, no example row
        assert list(sheet.row(0)) == [c.header for c in template_columns(name, "nl")]
    result = brugdata.validate(path, today=TODAY)
    assert result.errors == []
    assert {f.table: f.rows_read for f in result.files} == dict.fromkeys(TEMPLATE_TABLES, 0)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", list(TEMPLATE_TABLES))
def test_every_header_maps_to_its_column(name: str, lang: str) -> None:
    headers = [c.header for c in template_columns(name, lang)]
    frame = pl.DataFrame({h: pl.Series([], dtype=pl.String) for h in headers})
    joined = join_theme_columns(frame, table(name))
    mapping, unknown = map_headers(joined.columns, table(name), {})
    assert unknown == []
    assert sorted(mapping.values()) == sorted(table(name).column_names)


def _lists(path: Path, sheet: str) -> dict[str, list[str]]:
    frame = fastexcel.read_excel(path).load_sheet(sheet, dtypes="string").to_polars()
    return {c: frame[c].drop_nulls().to_list() for c in frame.columns}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_drop_down_value_is_accepted_by_the_reader(tmp_path: Path, lang: str) -> None:
    path = write_template(tmp_path / "t.xlsx", lang=lang)
    lists = _lists(path, "lijsten" if lang == "nl" else "lists")
    used = {"counterpart", "channel", "initiated_by", "colleague_role", "theme"}
    used |= {"activity_kind", "task", "partner_kind"}
    assert sorted(lists) == sorted(vocabulary(v).title(lang) for v in used)  # type: ignore[arg-type]
    for name in used:
        vocab = vocabulary(name)
        values = lists[vocab.title(lang)]  # type: ignore[arg-type]
        # every value maps back to a code, and every code is offered once
        assert [vocab.to_code(v) for v in values] == vocab.code_list


def test_store_lists_hold_codes_of_the_pilot_only(tmp_path: Path, ref_store: Path) -> None:
    path = write_template(tmp_path / "t.xlsx", pilot="p1", school_year=YEAR, db=ref_store)
    lists = _lists(path, "lijsten")
    assert lists["Scholen"] == ["91AB00", "91AB01"]  # 92EF is of pilot p2
    assert lists["Functionarissen"] == ["O-1"]
    assert lists["Partners"] == ["PA-1", "PA-2"]
    assert lists["Schooljaar"] == [YEAR]
    with zipfile.ZipFile(path) as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    for name in ("De Vlinder", "De Zeeën", "Wijkteam Oost", "Utrecht"):
        assert name not in text  # codes only: no school or organisation name


def test_unknown_pilot_or_missing_store_is_one_sentence(tmp_path: Path, ref_store: Path) -> None:
    with pytest.raises(BrugdataError, match="no schools or officers of pilot 'p9'"):
        write_template(tmp_path / "t.xlsx", pilot="p9", db=ref_store)
    with pytest.raises(BrugdataError, match="no store there"):
        write_template(tmp_path / "t.xlsx", db=tmp_path / "none.duckdb")
    with pytest.raises(BrugdataError, match="not a school year"):
        write_template(tmp_path / "t.xlsx", school_year="2024-2026")
    with pytest.raises(BrugdataError, match=r"t\.csv: the template is an Excel workbook"):
        write_template(tmp_path / "t.csv")
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(BrugdataError, match="folder.xlsx: the workbook cannot be written"):
        write_template(tmp_path / "folder.xlsx")


def _xml(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each sheet's ``<sheet>`` element and its worksheet XML, by sheet name."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        tags: dict[str, str] = {}
        sheets: dict[str, str] = {}
        for el in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
            name = el.get("name", "")
            target = targets[el.get(rel)].lstrip("/")
            part = target if target.startswith("xl/") else "xl/" + target
            tags[name] = ElementTree.tostring(el, encoding="unicode")
            sheets[name] = z.read(part).decode("utf-8")
    return tags, sheets


def check_structure(path: Path, *, frozen: bool = True) -> None:
    """The lists sheet is hidden, the data sheets have list and date validations and (with
    ``frozen``) a frozen header row."""
    tags, xml = _xml(path)
    assert 'state="hidden"' in tags["lijsten"]
    assert "hidden" not in tags["contacten"]
    for name in ("contacten", "activiteiten"):
        assert re.search(r'<dataValidation [^>]*type="list"', xml[name])
        assert re.search(r'<dataValidation [^>]*type="date"', xml[name])
        assert not frozen or re.search(r'<pane [^>]*state="frozen"', xml[name])
    assert re.search(r'<dataValidation [^>]*type="list"', xml["tijdsbesteding"])
    assert re.search(r'<dataValidation [^>]*type="decimal"', xml["tijdsbesteding"])


def test_workbook_structure(tmp_path: Path) -> None:
    check_structure(write_template(tmp_path / "t.xlsx", school_year=YEAR))


def test_sheets_route_to_their_tables(tmp_path: Path) -> None:
    path = write_template(tmp_path / "week12.xlsx")  # the name names no table
    assert table_sheets(path) == [
        ("contacten", "contacts"),
        ("activiteiten", "activities"),
        ("tijdsbesteding", "time_use"),
        ("ketenpartners", "partners"),
    ]
    jobs, errors, passed = plan_sheets([path])
    assert errors == []
    assert [(j[1], j[2]) for j in jobs] == [  # in load order: the partners first
        ("partners", "ketenpartners"),
        ("contacts", "contacten"),
        ("activities", "activiteiten"),
        ("time_use", "tijdsbesteding"),
    ]
    # the instructions and the hidden lists are not read, and said so
    assert [e.message for e in passed] == [
        "week12.xlsx, sheet instructie: names no table, not read",
        "week12.xlsx, sheet lijsten: a hidden sheet, not read",
    ]
    said = [e.message for e in brugdata.validate(path).skipped]
    assert said == [e.message for e in passed]
    # a forced table, or a sheet chosen by the caller, routes nothing
    assert plan_sheets([path], "contacts")[0] == [(path, "contacts", None)]
    assert plan_sheets([path], route=False)[1] != []  # the name names no table: an error


def test_join_theme_columns() -> None:
    frame = pl.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "Thema": ["armoede", None, "taal", None],
            "thema 2": ["taal", "gezondheid", "taal", ""],
            "thema 3": [None, None, " ", None],
        }
    )
    out = join_theme_columns(frame, table("contacts"))
    assert out.columns == ["id", "Thema"]
    assert out["Thema"].to_list() == ["armoede|taal", "gezondheid", "taal", None]
    english = pl.DataFrame({"theme 2": ["taal"], "theme": ["pesten"]})
    assert join_theme_columns(english, table("activities"))["theme"].to_list() == ["pesten|taal"]
    only_numbered = pl.DataFrame({"thema 2": ["taal"]})
    assert join_theme_columns(only_numbered, table("contacts")).to_dict(as_series=False) == {
        "thema": ["taal"]
    }
    # a table without a themes column keeps its columns as they are
    survey = pl.DataFrame({"thema": ["taal"], "thema 2": ["pesten"]})
    assert join_theme_columns(survey, table("survey_themes")).equals(survey)


def test_cli_template_and_codebook(tmp_path: Path, ref_store: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "r.xlsx"
    result = runner.invoke(app, ["template", "--out", str(out), "--db", str(ref_store)])
    assert result.exit_code == 0, result.output
    assert _lists(out, "lijsten")["Functionarissen"] == ["O-1", "O-2"]
    result = runner.invoke(app, ["template", "--out", str(out), "--school-year", "2024"])
    assert result.exit_code == 2
    assert "not a school year" in result.output
    result = runner.invoke(app, ["codebook", "--out", str(tmp_path / "cb"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cb" / "datapackage.json").is_file()


def _libreoffice(src: Path, out_dir: Path, profile: Path, fmt: str = "xlsx") -> Path:
    """``src`` opened and saved again as ``fmt`` by LibreOffice (headless)."""
    soffice = shutil.which("soffice")
    assert soffice is not None
    out_dir.mkdir()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "LANG": "nl_NL.UTF-8"},
    )
    return out_dir / f"{src.stem}.{fmt}"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_round_trip(tmp_path: Path, ref_store: Path) -> None:
    rows, expected = officer_rows("nl")
    path = write_template(tmp_path / "registratie.xlsx", school_year=YEAR, db=ref_store, rows=rows)
    saved = _libreoffice(path, tmp_path / "lo", tmp_path / "profile")
    assert saved.read_bytes() != path.read_bytes()  # LibreOffice wrote a file of its own
    check_read_back(validate_workbook(saved, ref_store), rows, expected)
    # headless LibreOffice loads no view settings, so the frozen header row is not kept
    check_structure(saved, frozen=False)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_ods_is_read_sheet_by_sheet(tmp_path: Path, ref_store: Path) -> None:
    """Saved as OpenDocument, the workbook's sheets are still told apart (through calamine)
    and its hidden lists sheet is not read."""
    rows, expected = officer_rows("nl")
    path = write_template(tmp_path / "week12.xlsx", school_year=YEAR, db=ref_store, rows=rows)
    saved = _libreoffice(path, tmp_path / "lo", tmp_path / "profile", "ods")
    sheets = ["contacten", "activiteiten", "tijdsbesteding", "ketenpartners"]
    assert [s for s, _ in table_sheets(saved)] == sheets
    check_read_back(validate_workbook(saved, ref_store), rows, expected)


def test_hidden_sheets_are_not_routed(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "export.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        for name in ("contacten", "activiteiten", "scholen"):
            book.add_worksheet(name).write_row(0, 0, ["datum", "functionaris"])
        book.worksheets()[2].hide()
    assert table_sheets(path) == [("contacten", "contacts"), ("activiteiten", "activities")]
    # one table named by its sheets, and by the file name too: read as before
    single = tmp_path / "contacten.xlsx"
    with xlsxwriter.Workbook(str(single)) as book:
        book.add_worksheet("contacten").write_row(0, 0, ["datum"])
    assert table_sheets(single) == []
