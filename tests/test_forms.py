"""Form exports → survey tables: the shipped Gooi en Vechtstreek mapping on a hand-made
Microsoft Forms export (tests/data/forms/gv_msforms_export.csv), as CSV and as .xlsx.

The export has 4 respondents (ID 1-4), the MS Forms columns ID, Begintijd, Tijd van voltooien,
E-mail and Naam, then one column per question; some headers differ from the mapping in case,
accents, apostrophes and a missing "?" on purpose. Multi-select answers are joined by ";".
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

import brugdata
from brugdata.errors import BrugdataError
from brugdata.ingest.forms import (
    SURVEY_FILES,
    FormConversion,
    FormMapping,
    MappingFile,
    convert_form,
    load_mapping,
    question_key,
    shipped_mappings,
)
from brugdata.ingest.forms.schema import SURVEY_COLUMNS
from brugdata.model.tables import table

EXPORT = Path(__file__).parent / "data" / "forms" / "gv_msforms_export.csv"
PARENTS_Q = "Hoeveel ouders heeft u dit schooljaar geholpen?"
MINIMAL = """
[form]
pilot = "p"
school_year = "2024-2025"
officer_id = { column = "ID", prefix = "R" }

[survey]
"Hoeveel ouders?" = "parents_helped"
"""


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def export_rows() -> list[list[str]]:
    with EXPORT.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_export(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> brugdata.ingest.forms.FormConversion:
    out = tmp_path_factory.mktemp("gv")
    return convert_form(EXPORT, "gooi_vechtstreek", out_dir=out)


def test_question_key_ignores_case_accents_spaces_and_punctuation() -> None:
    assert question_key("Hoeveel ouders heeft u dit schooljaar geholpen?") == question_key(
        "  hoeveel ouders heeft u  dit schooljaar geholpen "
    )
    assert question_key("Met hoeveel collega’s werkt u samen?") == question_key(
        "Met hoeveel collega's werkt u samen"
    )
    assert question_key("Één-op-één contact:") == "een_op_een_contact"


def test_shipped_mapping_loads_by_name() -> None:
    assert "gooi_vechtstreek" in shipped_mappings()
    mapping = load_mapping("gooi_vechtstreek")
    assert isinstance(mapping, FormMapping)
    assert mapping.pilot == "gooi_vechtstreek" and mapping.school_year == "2024-2025"
    assert mapping.officer_column == "ID" and mapping.officer_prefix == "GV-R"
    assert {q.column for q in mapping.survey} == set(table("survey").column_names) - {
        "officer_id",
        "pilot",
        "school_year",
    }
    assert [t.task for t in mapping.time_use] == [
        "social_domain",
        "school_team",
        "parent_contact_social",
        "one_on_one_parent",
        "pupil_contact",
        "talent_development",
        "other",
    ]
    assert [t.asker for t in mapping.themes] == ["parent", "pupil", "colleague", "partner"]
    assert len(mapping.answers) == 8
    assert {(a.relation, a.kind) for a in mapping.answers} == {
        (r, k)
        for r in ("parents", "pupils", "internal_partners", "external_partners")
        for k in ("works", "bottleneck")
    }


def test_convert_writes_the_five_tables(converted: FormConversion) -> None:
    assert [p.name for p in converted.files] == [f"{t}.csv" for t in SURVEY_FILES]
    assert converted.respondents == 4
    # survey: one row per respondent; time use: 7 + 7 + 3 answered shares (R4 none);
    # partners: 3 + 3 + 2; themes: R1 4 parent (practical = 2 themes) + 2 pupil + 1 + 1,
    # R2 2 parent (Verslaving → other) + 3 pupil ("Geen" = no theme), R3 2 parent;
    # answers: R1 4 ("-" skipped), R2 3, R3 1 ("nvt" skipped), R4 0.
    assert converted.rows == {
        "survey": 4,
        "survey_time_use": 17,
        "survey_partners": 8,
        "survey_themes": 15,
        "survey_answers": 8,
    }
    assert converted.skipped_answers == 2
    for path, name in zip(converted.files, SURVEY_FILES, strict=True):
        with path.open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == table(name).column_names


def test_survey_values(converted: FormConversion) -> None:
    survey = read_rows(converted.files[0])
    assert [r["officer_id"] for r in survey] == ["GV-R01", "GV-R02", "GV-R03", "GV-R04"]
    assert {r["pilot"] for r in survey} == {"gooi_vechtstreek"}
    assert {r["school_year"] for r in survey} == {"2024-2025"}
    assert [r["school_type"] for r in survey] == ["po", "vo", "gbo", "po"]  # value map
    assert [r["parents_helped"] for r in survey] == ["30", "60", "25", "35"]
    assert [r["families_total"] for r in survey] == ["100", "725", "", "90"]  # "Weet ik niet"
    # "70%" → 70, "75,5" → 75.5
    assert [r["pct_pupil_cases_parents_spoken"] for r in survey] == ["80", "70", "90", "75.5"]
    assert [r["internal_contacts"] for r in survey] == ["12", "25", "8", "10"]


def test_multi_selects_and_unmapped_answers(
    converted: FormConversion,
) -> None:
    partners = read_rows(converted.files[2])
    assert [(r["officer_id"], r["organisation"], r["kind"]) for r in partners] == [
        ("GV-R01", "Versa Welzijn", "welzijn"),
        ("GV-R01", "GGD / jeugdgezondheidszorg", "ggd"),
        ("GV-R01", "Veilig Thuis", "veilig_thuis"),
        ("GV-R02", "Versa Welzijn", "welzijn"),
        ("GV-R02", "Jeugdhulp of jeugd-GGZ", "jeugdzorg"),
        ("GV-R02", "Buurtsportcoach Huizen", "other"),  # not in the mapping: kept as other
        ("GV-R03", "Sociaal loket van de gemeente", "gemeente_loket"),
        ("GV-R03", "Stichting Leergeld", "fonds"),
    ]
    themes = read_rows(converted.files[3])
    r1_parent = [
        r["theme"] for r in themes if r["officer_id"] == "GV-R01" and r["asker"] == "parent"
    ]
    assert r1_parent == ["armoede", "opvoeding", "schoolprocedures", "leerlingenvervoer"]
    r2 = [(r["asker"], r["theme"]) for r in themes if r["officer_id"] == "GV-R02"]
    assert r2 == [
        ("parent", "opvoeding"),
        ("parent", "other"),
        ("pupil", "sociale_media"),
        ("pupil", "pesten"),
        ("pupil", "gedrag"),
    ]
    assert converted.unmapped.sort("table").to_dicts() == [
        {
            "table": "survey_partners",
            "question": "Met welke externe partners werkt u samen?",
            "value": "Buurtsportcoach Huizen",
            "count": 1,
            "written_as": "other",
        },
        {
            "table": "survey_themes",
            "question": "Over welke onderwerpen stellen ouders u vragen?",
            "value": "Verslaving",
            "count": 1,
            "written_as": "other",
        },
    ]


def test_no_names_or_emails_are_copied(converted: FormConversion) -> None:
    assert converted.dropped == ["E-mail", "Naam"]
    assert converted.unused == ["Heeft u nog opmerkingen?"]
    written = "".join(p.read_text(encoding="utf-8") for p in converted.files)
    for secret in ("Jansen", "Petra", "Bakker", "Smit", "@school.example", "06-12345678"):
        assert secret not in written
    assert converted.redacted == {"phone": 1}  # the phone number in R2's open answer
    answers = read_rows(converted.files[4])
    assert any("[telefoon]" in r["text"] for r in answers)
    assert "Buurtsportcoach" in converted.summary()


def test_converted_files_ingest_without_rejects(
    converted: FormConversion,
) -> None:
    with brugdata.open(":memory:") as store:
        result = store.ingest(converted.files[0].parent)
        assert result.rows_rejected == 0
        counts = store.counts()
        assert counts["survey"] == 4 and counts["survey_answers"] == 8
        from brugdata.analysis.reach import reach

        pilot = reach(store, by="pilot", source="survey").filter(pl.col("counterpart") == "parent")
        assert pilot["reached"].to_list() == [150]  # 30 + 60 + 25 + 35


def test_xlsx_export_gives_the_same_files(tmp_path: Path, converted: FormConversion) -> None:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    rows = export_rows()
    path = tmp_path / "Vragenlijst brugfunctionarissen(1-4).xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    numeric = {0, 6, 7, 8, 9, 11, 12}  # ID and plain counts are numbers in an Excel export
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if r and c in numeric and value.isdigit():
                sheet.write_number(r, c, int(value))
            elif value:
                sheet.write_string(r, c, value)
    book.close()
    result = convert_form(path, "gooi_vechtstreek", out_dir=tmp_path / "out")
    assert result.rows == converted.rows
    for ours, theirs in zip(result.files, converted.files, strict=True):
        assert ours.read_bytes() == theirs.read_bytes(), ours.name


def test_missing_question_is_named(tmp_path: Path) -> None:
    rows = export_rows()
    column = next(i for i, h in enumerate(rows[0]) if h.startswith("hoeveel ouders"))
    cut = [[v for i, v in enumerate(row) if i != column] for row in rows]
    path = write_export(tmp_path / "export.csv", cut)
    with pytest.raises(BrugdataError) as info:
        convert_form(path, "gooi_vechtstreek", out_dir=tmp_path / "out")
    message = str(info.value)
    assert PARENTS_Q in message and "export.csv" in message
    assert "\n" not in message
    assert not (tmp_path / "out").exists()  # nothing written


def test_optional_question_may_be_missing(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        MINIMAL + '"Hoeveel leerlingen?" = { column = "pupils_helped", optional = true }\n',
        encoding="utf-8",
    )
    export = write_export(tmp_path / "e.csv", [["ID", "Hoeveel ouders"], ["7", "12"]])
    result = convert_form(export, mapping, out_dir=tmp_path / "out", school_year="2025-2026")
    row = read_rows(result.files[0])[0]
    assert row["officer_id"] == "R07" and row["parents_helped"] == "12"
    assert row["pupils_helped"] == "" and row["school_year"] == "2025-2026"


def test_count_that_is_not_a_number_is_kept_and_reported(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(MINIMAL, encoding="utf-8")
    export = write_export(
        tmp_path / "e.csv", [["ID", "Hoeveel ouders?"], ["1", "Meer dan 30"], ["2", "12"]]
    )
    result = convert_form(export, mapping, out_dir=tmp_path / "out")
    assert [r["parents_helped"] for r in read_rows(result.files[0])] == ["Meer dan 30", "12"]
    assert result.unmapped["value"].to_list() == ["Meer dan 30"]
    validation = brugdata.validate(result.files[0])
    assert validation.rows_rejected == 1
    assert validation.rejects()["rule"].to_list() == ["not_a_number"]


def test_school_year_and_pilot_from_columns_and_officer_codes(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        """
[form]
pilot = { column = "Regio" }
school_year = { column = "Schooljaar" }
officer_id = { column = "Uw functiecode" }

[survey]
"Hoeveel ouders?" = "parents_helped"
""",
        encoding="utf-8",
    )
    export = write_export(
        tmp_path / "e.csv",
        [
            ["ID", "Naam", "Regio", "Schooljaar", "Uw functiecode", "Hoeveel ouders?"],
            ["1", "Jan Jansen", "den_bosch", "2024/2025", "DB-JVK-01", "12"],
        ],
    )
    result = convert_form(export, mapping, out_dir=tmp_path / "out")
    row = read_rows(result.files[0])[0]
    assert (row["officer_id"], row["pilot"], row["school_year"]) == (
        "DB-JVK-01",
        "den_bosch",
        "2024/2025",  # validation turns it into 2024-2025
    )
    assert result.dropped == ["Naam"]


def test_officer_codes_that_are_emails_are_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(MINIMAL.replace('{ column = "ID", prefix = "R" }', '"Code"'), "utf-8")
    export = write_export(
        tmp_path / "e.csv", [["Code", "Hoeveel ouders?"], ["jan@school.example", "3"]]
    )
    with pytest.raises(BrugdataError, match="names or e-mail addresses"):
        convert_form(export, mapping, out_dir=tmp_path / "out")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('{ column = "ID", prefix = "R" }', '{ column = "Naam" }'), "identifies a person"),
        (('"parents_helped"', '"parents"'), "'parents' should be one of 'school_type'"),
        (("[survey]", '[[time_use]]\nquestion = "Tijd?"\ntask = "koffie"\n[survey]'), "task"),
        (
            (
                "[survey]",
                '[[themes]]\nquestion = "T?"\nasker = "ouder"\nvalues = { "X" = "y" }\n[survey]',
            ),
            "not a theme code",
        ),
        (
            (
                "[survey]",
                '[[answers]]\nquestion = "A?"\nrelation = "buren"\nkind = "works"\n[survey]',
            ),
            "relation",
        ),
        (("[survey]", "[onbekend]\n[survey]"), "unknown section"),
        (('pilot = "p"\n', ""), None),  # no pilot: fine until convert_form is called
    ],
)
def test_mapping_mistakes_are_one_sentence(
    tmp_path: Path, change: tuple[str, str], message: str | None
) -> None:
    path = tmp_path / "m.toml"
    path.write_text(MINIMAL.replace(*change), encoding="utf-8")
    if message is None:
        mapping = load_mapping(path)
        export = write_export(tmp_path / "e.csv", [["ID", "Hoeveel ouders?"], ["1", "2"]])
        with pytest.raises(BrugdataError, match="no pilot"):
            convert_form(export, mapping, out_dir=tmp_path / "out")
        convert_form(export, mapping, out_dir=tmp_path / "out", pilot="p")  # given: fine
        return
    with pytest.raises(BrugdataError, match=message) as info:
        load_mapping(path)
    assert "m.toml" in str(info.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (  # an unknown key: named, with the keys the table knows
            ('school_year = "2024-2025"', 'school_year = "2024-2025"\ncolour = "blauw"'),
            "m.toml: form.colour: unknown key (known: name, pilot, school_year, officer_id, "
            "separator, drop, ignore, no_answer)",
        ),
        (  # a wrong type: text where a whole number belongs
            ('prefix = "R" }', 'prefix = "R", width = "2" }'),
            "m.toml: form.officer_id.width: should be a valid integer",
        ),
        (  # true or false in a value map
            ('"parents_helped"', '{ column = "parents_helped", values = { "Geen" = true } }'),
            'm.toml: survey."Hoeveel ouders?".values.Geen: must be text or a number, '
            "not true or false",
        ),
        (  # a list of tables where a table belongs
            ('[survey]\n"Hoeveel ouders?" = "parents_helped"', '[[survey]]\nquestion = "x"'),
            'm.toml: survey: should be a valid dictionary; write [survey] as a table of "question" '
            '= "column"',
        ),
        (  # two mistakes: the first is named, the other counted
            ('pilot = "p"', 'pilot = 3\nseparator = ";;"'),
            'm.toml: form.pilot: must be text or { column = "..." } (and 1 more problem)',
        ),
    ],
)
def test_the_declared_model_refuses_unknown_keys_and_wrong_types_in_one_sentence(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    assert MappingFile.model_config["extra"] == "forbid"
    path = tmp_path / "m.toml"
    path.write_text(MINIMAL.replace(*change), encoding="utf-8")
    with pytest.raises(BrugdataError) as info:
        load_mapping(path)
    assert str(info.value) == expected


def test_the_survey_columns_a_mapping_may_fill_are_the_survey_tables() -> None:
    keys = ("officer_id", "pilot", "school_year")
    assert tuple(c for c in table("survey").column_names if c not in keys) == SURVEY_COLUMNS


def test_unknown_mapping_name() -> None:
    with pytest.raises(BrugdataError, match="gooi_vechtstreek"):
        load_mapping("nergens")
