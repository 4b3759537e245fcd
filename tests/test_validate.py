"""Every validation rule with a failing example and its reason; nothing is lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import brugdata
from brugdata.ingest.validate import RULES
from tests.conftest import TODAY, csv_text, write_csv

CONTACT_HEADER = [
    "contact_id",
    "datum",
    "functionaris",
    "school",
    "gesprekspartner",
    "persoon",
    "gezin",
    "rol_collega",
    "partner_id",
    "thema",
    "kanaal",
    "initiatief",
    "duur",
    "doorverwezen_naar",
]
BASE = {
    "contact_id": "C-1",
    "datum": "14-03-2025",
    "functionaris": "O-1",
    "school": "91AB00",
    "gesprekspartner": "ouder",
    "persoon": "P-001",
    "gezin": "G-001",
    "rol_collega": "",
    "partner_id": "",
    "thema": "armoede|taal",
    "kanaal": "telefoon",
    "initiatief": "ouder",
    "duur": "15",
    "doorverwezen_naar": "",
}


def contacts_file(folder: Path, *rows: dict[str, str], name: str = "contacten.csv") -> Path:
    lines = [[{**BASE, **r}[h] for h in CONTACT_HEADER] for r in rows]
    return write_csv(folder, name, csv_text(CONTACT_HEADER, lines, sep=";"))


def reasons(result: brugdata.ValidationResult, table: str) -> list[tuple[int, str, str]]:
    f = next(f for f in result.files if f.table == table)
    return [(r["line"], r["column"], r["rule"]) for r in f.rejects.iter_rows(named=True)]


CONTACT_CASES = [
    ({"datum": "31-02-2025"}, "date", "invalid_date", "31-02-2025"),
    ({"datum": "2025-13-01"}, "date", "invalid_date", "2025-13-01"),
    ({"datum": "2026-06-01"}, "date", "future_date", "2026-06-01"),  # after TODAY
    ({"datum": "2099-01-01"}, "date", "implausible_date", "2099-01-01"),  # past the window
    ({"datum": ""}, "date", "required", None),
    ({"school": "9XAB00"}, "school_id", "brin_format", "9XAB00"),
    ({"school": "91ZZ00"}, "school_id", "unknown_reference", "91ZZ00"),
    ({"functionaris": "O-9"}, "officer_id", "unknown_reference", "O-9"),
    ({"gesprekspartner": "buurman"}, "counterpart", "unknown_code", "buurman"),
    ({"persoon": ""}, "person_key", "required_for_counterpart", None),
    (
        {"gesprekspartner": "collega", "persoon": ""},
        "colleague_role",
        "required_for_counterpart",
        None,
    ),
    (
        {"gesprekspartner": "collega", "rol_collega": "conciërge"},
        "colleague_role",
        "unknown_code",
        "conciërge",
    ),
    ({"gesprekspartner": "partner", "persoon": ""}, "partner_id", "required_for_counterpart", None),
    ({"partner_id": "PX"}, "partner_id", "unknown_reference", "PX"),
    ({"doorverwezen_naar": "PX"}, "referred_to", "unknown_reference", "PX"),
    ({"thema": "armoede|ruimtevaart"}, "themes", "unknown_theme", "ruimtevaart"),
    ({"thema": ""}, "themes", "required", None),
    ({"kanaal": "postduif"}, "channel", "unknown_code", "postduif"),
    ({"initiatief": "buurman"}, "initiated_by", "unknown_code", "buurman"),
    ({"duur": "601"}, "duration_min", "out_of_range", "601"),
    ({"duur": "-1"}, "duration_min", "out_of_range", "-1"),
    ({"duur": "1,5"}, "duration_min", "not_an_integer", "1,5"),
    ({"duur": "lang"}, "duration_min", "not_a_number", "lang"),
    ({"duur": "1e100"}, "duration_min", "out_of_range", "1e100"),  # found by hypothesis
    ({"contact_id": ""}, "contact_id", "required", None),
]


@pytest.mark.parametrize(("change", "column", "rule", "value"), CONTACT_CASES)
def test_contact_rule_rejects_row_with_reason(
    refs: Path, change: dict[str, str], column: str, rule: str, value: str | None
) -> None:
    path = contacts_file(refs, {"contact_id": "C-0"}, change)
    result = brugdata.validate(refs, today=TODAY)
    f = next(f for f in result.files if f.path == path)
    assert (f.rows_read, f.rows_valid, f.rows_rejected) == (2, 1, 1)
    assert f.valid["_line"].to_list() == [2]
    rejects = f.rejects.to_dicts()
    assert [(r["line"], r["column"], r["rule"], r["value"]) for r in rejects] == [
        (3, column, rule, value)
    ]
    assert rejects[0]["message"]
    assert rule in RULES


@pytest.mark.parametrize(
    ("column", "header", "value"),
    [
        ("person_key", "persoon", "Jan Jansen"),
        ("family_key", "gezin", "Jansen"),
        ("person_key", "persoon", "jan@school.nl"),
        ("person_key", "persoon", "20123456"),  # a pupil number
        ("person_key", "persoon", "P-1/2"),  # was pseudonym_format: now pseudonymised too
        ("person_key", "persoon", "Jansen2014"),
        ("family_key", "gezin", "fam-devries-1"),
    ],
)
def test_every_person_and_family_key_is_pseudonymised(
    refs: Path, column: str, header: str, value: str
) -> None:
    from brugdata.ingest.privacy import pseudonym

    key = b"validate-test-key-5hG8wQ"
    path = contacts_file(refs, {"contact_id": "C-0"}, {header: value})
    f = next(
        f for f in brugdata.validate(refs, today=TODAY, pseudonym_key=key).files if f.path == path
    )
    assert f.rows_rejected == 0
    assert f.valid[column].to_list()[1] == pseudonym(value, key)
    assert value not in str(f.valid.to_dicts())


def test_repeated_contact_id_keeps_first_and_rejects_later(refs: Path) -> None:
    contacts_file(
        refs,
        {"contact_id": "C-1"},
        {"contact_id": "C-2"},
        {"contact_id": "C-1"},
        {"contact_id": "C-1"},
    )
    result = brugdata.validate(refs, today=TODAY)
    assert reasons(result, "contacts") == [
        (4, "contact_id", "duplicate_key"),
        (5, "contact_id", "duplicate_key"),
    ]


def test_all_failures_of_a_row_are_collected(refs: Path) -> None:
    contacts_file(refs, {"datum": "31-02-2025", "kanaal": "postduif", "duur": "999"})
    result = brugdata.validate(refs, today=TODAY)
    assert reasons(result, "contacts") == [
        (2, "channel", "unknown_code"),
        (2, "date", "invalid_date"),
        (2, "duration_min", "out_of_range"),
    ]
    assert result.rows_rejected == 1


def test_dutch_values_and_headers_are_mapped(refs: Path) -> None:
    contacts_file(
        refs,
        {
            "gesprekspartner": "Leerling",
            "kanaal": "Huisbezoek",
            "thema": '"Zwemles, laptops; Armoede"',
            "initiatief": "Leerkracht",
            "datum": "4-3-2025",
            "duur": " 20 ",
        },
    )
    result = brugdata.validate(refs, today=TODAY)
    assert result.ok
    row = next(f for f in result.files if f.table == "contacts").valid.row(0, named=True)
    assert row["counterpart"] == "pupil"
    assert row["channel"] == "home_visit"
    assert row["initiated_by"] == "colleague"
    assert row["themes"] == ["sport_cultuur", "schoolspullen", "armoede"]
    assert row["date"] == dt.date(2025, 3, 4)
    assert row["duration_min"] == 20


def test_school_rules(tmp_path: Path) -> None:
    header = ["brin", "schooljaar", "naam", "pilot", "soort", "leerlingen", "gezinnen", "regio"]
    rows = [
        ["91AB00", "2024-2025", "A", "p", "Bo", "1.200", "", "zuid"],  # valid, Bo→po
        ["91AB01", "2024-2026", "B", "p", "po", "10", "5", "zuid"],
        ["91AB02", "2024-2025", "C", "p", "mbo", "10", "5", "zuid"],
        ["91AB03", "2024-2025", "D", "p", "po", "-5", "5", "zuid"],
        ["91AB04", "2024-2025", "E", "p", "po", "10", "5", "oost"],
        ["91AB05", "2024-2025", "F", "", "Sbo", "10", "5", ""],
        ["91ab00", "2024/2025", "G", "p", "po", "10", "5", "zuid"],  # same school and year
    ]
    write_csv(tmp_path, "scholen.csv", csv_text(header, rows, sep=";"))
    result = brugdata.validate(tmp_path, today=TODAY)
    assert reasons(result, "schools") == [
        (3, "school_year", "school_year_format"),
        (4, "school_type", "unknown_code"),
        (5, "pupils", "out_of_range"),
        (6, "region", "unknown_code"),
        (7, "pilot", "required"),
        (8, "school_id", "duplicate_key"),
    ]
    valid = result.files[0].valid.row(0, named=True)
    assert (valid["school_type"], valid["pupils"], valid["families"]) == ("po", 1200, None)


def test_officer_assignment_and_time_use_rules(refs: Path) -> None:
    write_csv(refs, "functionarissen_extra.csv", "officer_id,pilot,role\nO-3,p1,manager\n")
    write_csv(
        refs,
        "inzet.csv",
        "officer_id;school_id;school_year;uren_per_week\n"
        "O-1;91AB00;2024-2025;6,5\nO-1;91AB01;2024-2025;0\nO-2;92EF;2024-2025;40,5\n",
    )
    write_csv(
        refs,
        "tijdsbesteding.csv",
        "officer_id,school_year,task,share_pct\n"
        "O-1,2024-2025,Samenwerking sociaal domein,40\nO-1,2024-2025,overig,101\n",
    )
    result = brugdata.validate(refs, today=TODAY)
    assert reasons(result, "officers")[-1] == (2, "role", "unknown_code")
    assert reasons(result, "assignments") == [
        (3, "hours_per_week", "out_of_range"),
        (4, "hours_per_week", "out_of_range"),
    ]
    assert next(f for f in result.files if f.table == "assignments").valid[
        "hours_per_week"
    ].to_list() == [6.5]
    assert reasons(result, "time_use") == [(3, "share_pct", "out_of_range")]
    tu = next(f for f in result.files if f.table == "time_use").valid
    assert tu["task"].to_list() == ["social_domain"]


def test_missing_required_column_rejects_every_row_and_names_it(refs: Path) -> None:
    header = [h for h in CONTACT_HEADER if h != "datum"]
    rows = [[{**BASE, "contact_id": i}[h] for h in header] for i in ("C-1", "C-2")]
    write_csv(refs, "contacts.csv", csv_text(header, rows))
    result = brugdata.validate(refs, today=TODAY)
    assert reasons(result, "contacts") == [
        (2, "date", "missing_column"),
        (3, "date", "missing_column"),
    ]


def test_unknown_columns_are_named_and_not_kept(refs: Path) -> None:
    header = [*CONTACT_HEADER, "naam_kind"]
    write_csv(refs, "contacts.csv", csv_text(header, [[*BASE.values(), "Sanne"]]))
    result = brugdata.validate(refs, today=TODAY)
    f = next(f for f in result.files if f.table == "contacts")
    assert f.unknown_columns == ["naam_kind"]
    assert "naam_kind" not in f.valid.columns
    assert "Sanne" not in str(f.valid.to_dicts())


def test_caller_column_mapping(refs: Path) -> None:
    header = ["Registratienummer" if h == "contact_id" else h for h in CONTACT_HEADER]
    write_csv(refs, "contacts.csv", csv_text(header, [list(BASE.values())]))
    result = brugdata.validate(refs, today=TODAY, columns={"Registratienummer": "contact_id"})
    assert result.ok
    with pytest.raises(brugdata.BrugdataError, match="no table has a column 'bogus'"):
        brugdata.validate(refs, today=TODAY, columns={"x": "bogus"})


def test_references_resolve_within_the_same_call_and_against_known(tmp_path: Path) -> None:
    contacts_file(tmp_path, {})
    alone = brugdata.validate(tmp_path, today=TODAY)
    assert {r for _, c, r in reasons(alone, "contacts")} == {"unknown_reference"}
    known = brugdata.Known()
    known.add("schools", pl.DataFrame({"school_id": ["91AB00"], "school_year": ["2024-2025"]}))
    known.add("officers", pl.DataFrame({"officer_id": ["O-1"]}))
    assert brugdata.validate(tmp_path, today=TODAY, known=known).ok
    known.add("contacts", pl.DataFrame({"contact_id": ["C-1"]}))
    again = brugdata.validate(tmp_path, today=TODAY, known=known)
    assert reasons(again, "contacts") == [(2, "contact_id", "already_stored")]


def test_invalid_reference_rows_do_not_count_as_known(tmp_path: Path) -> None:
    write_csv(tmp_path, "officers.csv", "officer_id,pilot,role\nO-1,p1,astronaut\n")
    write_csv(
        tmp_path, "schools.csv", "school_id,school_year,pilot,school_type\n91AB00,2024-2025,p1,po\n"
    )
    contacts_file(tmp_path, {})
    result = brugdata.validate(tmp_path, today=TODAY)
    assert (3 - 1, "officer_id", "unknown_reference") in reasons(result, "contacts")


def test_cp1252_semicolon_crlf_file_keeps_accents(tmp_path: Path) -> None:
    text = (
        "BRIN;Schooljaar;Naam;Pilot;Gemeente;Soort;Leerlingen;Gezinnen;Regio\n"
        "91AB00;2024-2025;Basisschool De Zeeën – Noord;p;'s-Hertogenbosch;Bo;310;190;zuid\n"
    )
    write_csv(tmp_path, "scholen.csv", text, encoding="cp1252", newline="\r\n")
    result = brugdata.validate(tmp_path, today=TODAY)
    assert result.ok
    f = result.files[0]
    assert f.encoding == "windows-1252" and f.delimiter == ";"
    row = f.valid.row(0, named=True)
    assert row["name"] == "Basisschool De Zeeën – Noord"
    assert row["municipality"] == "'s-Hertogenbosch"


def test_row_status_covers_every_line(refs: Path) -> None:
    contacts_file(
        refs, {"contact_id": "C-1"}, {"contact_id": "C-2", "duur": "x"}, {"contact_id": "C-3"}
    )
    result = brugdata.validate(refs, today=TODAY)
    f = next(f for f in result.files if f.table == "contacts")
    assert f.row_status().to_dicts() == [
        {"line": 2, "valid": True},
        {"line": 3, "valid": False},
        {"line": 4, "valid": True},
    ]
    assert f.rejected_rows.row(0, named=True)["duration_min"] == "x"


def test_unreadable_and_unrecognised_files_are_errors_not_exceptions(tmp_path: Path) -> None:
    write_csv(tmp_path, "notities.csv", "a,b\n1,2\n")
    (tmp_path / "contacts.csv").write_bytes(b"")
    result = brugdata.validate(tmp_path, tmp_path / "missing.csv", today=TODAY)
    messages = sorted(e.message for e in result.errors)
    assert len(messages) == 3
    assert any("notities.csv" in m and "which table" in m for m in messages)
    assert any("contacts.csv" in m and "empty" in m for m in messages)
    assert any("missing.csv" in m and "not found" in m for m in messages)
    assert not result.ok


def test_github_annotations_name_file_and_line(refs: Path) -> None:
    path = contacts_file(refs, {"datum": "31-02-2025"})
    result = brugdata.validate(refs, today=TODAY)
    lines = result.github_annotations()
    assert lines == [
        f"::error file={str(path).replace(':', '%3A')},line=2,title=contacts.date%3A "
        "invalid_date::'31-02-2025' is not a real date (use dd-mm-yyyy or yyyy-mm-dd)"
    ]


# ----------------------------------------------------------------- property: nothing is lost

N_CONTACT_COLUMNS = len(brugdata.table("contacts").columns)

cell = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "O-1",
            "91AB00",
            "ouder",
            "pupil",
            "P-1",
            "armoede",
            "x|y",
            "31-02-2025",
            "2025-03-01",
            "7",
            "-3",
            "1,5",
            "Zoë",
            "PA-1",
            "C-1",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=6),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(cell, min_size=N_CONTACT_COLUMNS, max_size=N_CONTACT_COLUMNS),
        min_size=0,
        max_size=12,
    ),
    drop=st.sets(st.sampled_from(["contact_id", "date", "themes", "family_key"])),
)
def test_rows_read_equals_valid_plus_rejected(rows: list[list[str]], drop: set[str]) -> None:
    from brugdata.ingest.read import RawTable
    from brugdata.ingest.validate import validate_raw

    names = [c for c in brugdata.table("contacts").column_names]
    data = pl.DataFrame(
        {n: [r[i] for r in rows] for i, n in enumerate(names)}, schema={n: pl.String for n in names}
    ).drop(list(drop))
    data = data.with_columns(
        _line=pl.int_range(2, data.height + 2, dtype=pl.Int64),
        _problem=pl.lit(None, dtype=pl.String),
    )
    raw = RawTable(Path("contacts.csv"), data, "utf-8", ",", None, "0" * 64)
    known = brugdata.Known()
    known.add("officers", pl.DataFrame({"officer_id": ["O-1"]}))
    f = validate_raw(raw, "contacts", known=known, today=TODAY)
    assert f.rows_read == len(rows) == f.rows_valid + f.rows_rejected
    valid_lines = set(f.valid["_line"].to_list())
    bad_lines = set(f.rejected_rows["_line"].to_list())
    assert valid_lines.isdisjoint(bad_lines)
    assert valid_lines | bad_lines == set(range(2, len(rows) + 2))
    assert set(f.rejects["line"].to_list()) == bad_lines
