"""DUO pupil counts: the layouts read, ``<5`` bounds, filling the store and the CLI.

The files in tests/data/duo/ are hand-made in DUO's layouts: Windows-1252, ``;``-separated,
text quoted, CRLF line ends.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

import brugdata
from brugdata.cli.reference import calendar_app, population_app
from brugdata.errors import BrugdataError
from brugdata.ingest.duo import read_duo
from brugdata.store.population import fill_population
from brugdata.store.store import Store
from tests.conftest import write_csv

DUO = Path(__file__).parent / "data" / "duo"
PO_CURRENT = DUO / "po_current.csv"
PO_OLD = DUO / "po_old.csv"
VO = DUO / "vo.csv"


def totals(path: Path) -> dict[str, tuple[int, int, int, int]]:
    frame = read_duo(path).frame
    return {
        r["school_id"]: (r["pupils_low"], r["pupils_high"], r["suppressed_cells"], r["source_rows"])
        for r in frame.iter_rows(named=True)
    }


# --------------------------------------------------------------------------- reading


def test_the_test_files_are_cp1252_semicolon_quoted() -> None:
    for path in (PO_CURRENT, PO_OLD, VO):
        data = path.read_bytes()
        assert b'";"' in data and b"\r\n" in data
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # Windows-1252 bytes (ë, ’, –) are not UTF-8


def test_po_current_layout() -> None:
    duo = read_duo(PO_CURRENT)
    assert (duo.sector, duo.layout, duo.rows_read) == ("po", "po", 3)
    assert duo.frame.columns == [
        "school_id",
        "sector",
        "pupils_low",
        "pupils_high",
        "suppressed_cells",
        "source_rows",
    ]
    assert duo.frame.schema["pupils_low"] == pl.Int64
    assert set(duo.frame["sector"]) == {"po"}
    assert totals(PO_CURRENT) == {
        # 20+22+25+24+21+23+22+20+23
        "91AB00": (200, 200, 0, 1),
        # 10+12+11+13+12+11+14+10 = 93, and one <5 cell: 94..97
        "91AB01": (94, 97, 1, 1),
        "93CD00": (270, 270, 0, 1),
    }


def test_po_old_layout_pads_the_vestigingsnummer() -> None:
    duo = read_duo(PO_OLD)
    assert (duo.sector, duo.layout) == ("po", "po-old")
    assert totals(PO_OLD) == {
        # VESTIGINGSNUMMER 0 -> 91AB00: 18+20+22+6*20
        "91AB00": (180, 180, 0, 1),
        # VESTIGINGSNUMMER 1 -> 91AB01 on two rows: BO 100, SBO two <5 cells: 2..8
        "91AB01": (102, 108, 2, 2),
    }


def test_vo_layout_totals_per_brin4() -> None:
    duo = read_duo(VO)
    assert (duo.sector, duo.layout) == ("vo", "vo")
    assert len(duo.count_columns) == 12  # LJ1..LJ6 by MAN/VROUW
    assert totals(VO) == {
        # vestiging 00: havo 232 + vwo 172; vestiging 01: vmbo 187 and one <5 cell
        "92EF": (592, 595, 1, 3),
        "94GH": (22, 22, 0, 1),
    }


def test_po_with_a_totaal_column_counts_only_that(tmp_path: Path) -> None:
    text = (
        '"INSTELLINGSCODE";"VESTIGINGSCODE";"SOORT_PO";"LEEFTIJD_4";"TOTAAL"\r\n'
        '"12AB";"01";"BO";"10";"55"\r\n'
        '"12AB";"2";"BO";"<5";"<5"\r\n'
    )
    path = write_csv(tmp_path, "totaal.csv", text, encoding="cp1252")
    assert totals(path) == {"12AB01": (55, 55, 0, 1), "12AB02": (1, 4, 1, 1)}


def test_vo_leerjaar_spelling(tmp_path: Path) -> None:
    text = (
        '"BRIN NUMMER";"VESTIGINGSNUMMER";"LEERJAAR 1 MAN";"LEERJAAR 1 VROUW";"LEERJAAR 2 MAN"\n'
        '"30XY";0;5;6;"<5"\n"30XY";1;1;;2\n'
    )
    duo = read_duo(write_csv(tmp_path, "vo_oud.csv", text, encoding="cp1252"))
    assert (duo.sector, duo.layout) == ("vo", "vo-old")
    assert totals(duo.path) == {"30XY": (15, 18, 1, 2)}


def test_an_unknown_layout_is_one_sentence(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "leerlingen.csv", '"NAAM";"AANTAL"\n"De Vlinder";12\n')
    with pytest.raises(BrugdataError) as info:
        read_duo(path)
    message = str(info.value)
    assert message.startswith("leerlingen.csv: not a DUO pupil file this version knows")
    assert "NAAM, AANTAL" in message
    assert "\n" not in message and message.count(". ") == 0


def test_a_cell_that_is_not_a_count_names_line_and_column(tmp_path: Path) -> None:
    text = '"INSTELLINGSCODE";"VESTIGINGSCODE";"LEEFTIJD_4"\n"12AB";"00";"10"\n"12AB";"01";"veel"\n'
    with pytest.raises(BrugdataError, match=r"bad\.csv, line 3: 'veel' in LEEFTIJD_4"):
        read_duo(write_csv(tmp_path, "bad.csv", text))


def test_a_bad_brin_names_the_line(tmp_path: Path) -> None:
    text = '"INSTELLINGSCODE";"VESTIGINGSCODE";"LEEFTIJD_4"\n"12AB";"00";"10"\n"XYZ";"01";"3"\n'
    with pytest.raises(BrugdataError, match=r"line 3: 'XYZ' in INSTELLINGSCODE is not a BRIN4"):
        read_duo(write_csv(tmp_path, "brin.csv", text))


def test_an_unreadable_file_is_a_brugdata_error(tmp_path: Path) -> None:
    with pytest.raises(BrugdataError):
        read_duo(tmp_path / "absent.csv")


# --------------------------------------------------------------------------- the store

SCHOOLS = """school_id,school_year,name,pilot,municipality,school_type,pupils,families,region
91AB00,2024-2025,De Vlinder,p1,Utrecht,po,,,
91AB01,2024-2025,De Zeeën,p1,Utrecht,po,120,,
91AB02,2024-2025,De Regenboog,p1,Utrecht,po,150,,
93CD00,2024-2025,'t Kwetternest,p2,'s-Hertogenbosch,po,270,,
92EF,2024-2025,Het Lyceum,p2,Zeist,vo,800,600,
91AB00,2023-2024,De Vlinder,p1,Utrecht,po,190,,
"""


def load_schools(store: Store, tmp_path: Path) -> None:
    result = store.ingest(write_csv(tmp_path, "schools.csv", SCHOOLS))
    assert result.rows_rejected == 0, result.validation.files[0].rejects


def pupils(store: Store, year: str = "2024-2025") -> dict[str, int | None]:
    frame = store.sql("SELECT school_id, pupils FROM schools WHERE school_year = ?", [year])
    return dict(zip(frame["school_id"], frame["pupils"], strict=True))


def bounds(store: Store) -> dict[tuple[str, str], tuple[int, int]]:
    frame = store.sql("SELECT * FROM population_bounds ORDER BY school_id")
    return {
        (r["school_id"], r["school_year"]): (r["pupils_low"], r["pupils_high"])
        for r in frame.iter_rows(named=True)
    }


def test_fill_population_without_replace(store: Store, tmp_path: Path) -> None:
    load_schools(store, tmp_path)
    update = fill_population(store, read_duo(PO_CURRENT), school_year="2024-2025")
    assert update.count_date == dt.date(2024, 10, 1)
    assert update.filled.to_dicts() == [
        {"school_id": "91AB00", "old_pupils": None, "new_pupils_low": 200, "new_pupils_high": 200}
    ]
    assert update.changed.to_dicts() == [
        {
            "school_id": "91AB01",
            "old_pupils": 120,
            "new_pupils_low": 94,
            "new_pupils_high": 97,
            "applied": False,
        }
    ]
    assert update.unchanged["school_id"].to_list() == ["93CD00"]
    # 91AB02 is po and not in the file; the vo school 92EF is not expected in a po file
    assert update.missing["school_id"].to_list() == ["91AB02"]
    assert update.not_in_store == 0
    assert update.refused == 1
    assert pupils(store) == {
        "91AB00": 200,
        "91AB01": 120,  # refused: not overwritten
        "91AB02": 150,
        "93CD00": 270,
        "92EF": 800,
    }
    assert pupils(store, "2023-2024") == {"91AB00": 190}  # another year is left alone
    assert bounds(store) == {
        ("91AB00", "2024-2025"): (200, 200),
        ("93CD00", "2024-2025"): (270, 270),
    }
    row = store.sql("SELECT * FROM population_bounds WHERE school_id = '91AB00'").row(0, named=True)
    assert row["source"] == "DUO po (po_current.csv)"
    assert row["count_date"] == dt.date(2024, 10, 1)
    assert isinstance(row["loaded_at"], dt.datetime)


def test_fill_population_with_replace(store: Store, tmp_path: Path) -> None:
    load_schools(store, tmp_path)
    fill_population(store, read_duo(PO_CURRENT), school_year="2024-2025")
    update = fill_population(store, read_duo(PO_CURRENT), school_year="2024-2025", replace=True)
    assert update.changed["applied"].to_list() == [True]
    assert update.refused == 0
    # the second run finds 91AB00 filled before, now within the bounds
    assert set(update.unchanged["school_id"]) == {"91AB00", "93CD00"}
    assert pupils(store)["91AB01"] == 94  # the low bound
    assert bounds(store) == {
        ("91AB00", "2024-2025"): (200, 200),
        ("91AB01", "2024-2025"): (94, 97),
        ("93CD00", "2024-2025"): (270, 270),
    }
    # one bounds row per school and year, however often it is loaded
    assert store.sql("SELECT count(*) AS n FROM population_bounds")["n"][0] == 3


def test_a_count_within_the_bounds_is_kept(store: Store, tmp_path: Path) -> None:
    load_schools(store, tmp_path)
    # 96 lies within DUO's 94..97 for 91AB01 (an in-memory store's connection can write)
    store.con.execute(
        "UPDATE schools SET pupils = 96 WHERE school_id = '91AB01' AND school_year = ?",
        ["2024-2025"],
    ).fetchall()
    update = fill_population(store, read_duo(PO_CURRENT), school_year="2024-2025")
    assert "91AB01" in update.unchanged["school_id"].to_list()
    assert update.refused == 0
    assert pupils(store)["91AB01"] == 96
    assert bounds(store)[("91AB01", "2024-2025")] == (94, 97)


def test_fill_population_vo_and_old_po(store: Store, tmp_path: Path) -> None:
    load_schools(store, tmp_path)
    vo = fill_population(store, read_duo(VO), school_year="2024-2025", replace=True)
    assert vo.changed.to_dicts()[0] == {
        "school_id": "92EF",
        "old_pupils": 800,
        "new_pupils_low": 592,
        "new_pupils_high": 595,
        "applied": True,
    }
    assert vo.missing.is_empty()  # no other vo school in the store
    assert vo.not_in_store == 1  # 94GH
    old = fill_population(store, read_duo(PO_OLD), school_year="2023-2024")
    assert old.changed["school_id"].to_list() == ["91AB00"]  # 190 in the store, 180 in the file
    assert old.refused == 1
    assert pupils(store, "2023-2024") == {"91AB00": 190}


def test_fill_population_refuses_a_read_only_store(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with brugdata.open(path) as s:
        load_schools(s, tmp_path)
    with brugdata.open(path, read_only=True) as s, pytest.raises(BrugdataError):
        fill_population(s, read_duo(PO_CURRENT), school_year="2024-2025")


# --------------------------------------------------------------------------- the CLI

runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(population_app, name="population")
    app.add_typer(calendar_app, name="calendar")
    return app


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    with brugdata.open(path) as s:
        load_schools(s, tmp_path)
    return path


def test_cli_population_refused_then_replaced(db: Path) -> None:
    args = ["population", "duo", str(PO_CURRENT), "--school-year", "2024-2025", "--db", str(db)]
    result = runner.invoke(cli(), args)
    assert result.exit_code == 1, result.output
    assert "1 filled, 1 changed (1 refused), 1 unchanged, 1 missing" in result.output
    assert "--replace" in result.output
    assert "91AB02" in result.output  # listed as missing
    result = runner.invoke(cli(), [*args, "--replace"])
    assert result.exit_code == 0, result.output
    with brugdata.open(db, read_only=True) as s:
        assert pupils(s)["91AB01"] == 94
        assert bounds(s)[("91AB01", "2024-2025")] == (94, 97)


def test_cli_population_exit_0_when_nothing_is_refused(db: Path) -> None:
    args = ["population", "duo", str(VO), "--school-year", "2024-2025", "--db", str(db)]
    result = runner.invoke(cli(), [*args, "--replace"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("file", "school_year", "phrase"),
    [
        ("unknown", "2024-2025", "not a DUO pupil file this version knows"),
        ("po", "2024", "is not a school year"),
        ("absent", "2024-2025", "absent.csv"),
    ],
)
def test_cli_population_unreadable_input_exits_2(
    db: Path, tmp_path: Path, file: str, school_year: str, phrase: str
) -> None:
    paths = {
        "unknown": write_csv(tmp_path, "x.csv", '"NAAM";"AANTAL"\n"A";1\n'),
        "po": PO_CURRENT,
        "absent": tmp_path / "absent.csv",
    }
    args = ["population", "duo", str(paths[file]), "--school-year", school_year, "--db", str(db)]
    result = runner.invoke(cli(), args)
    assert result.exit_code == 2, result.output
    assert phrase in result.output
    assert "Traceback" not in result.output


def test_cli_population_needs_an_existing_store(tmp_path: Path) -> None:
    args = ["population", "duo", str(PO_CURRENT), "--school-year", "2024-2025"]
    result = runner.invoke(cli(), [*args, "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "no store there" in result.output


def test_cli_calendar_holidays(tmp_path: Path) -> None:
    result = runner.invoke(
        cli(), ["calendar", "holidays", "--region", "midden", "--school-year", "2024-2025"]
    )
    assert result.exit_code == 0, result.output
    assert "zomervakantie" in result.output and "2025-07-19" in result.output
    assert "noord" not in result.output
    result = runner.invoke(cli(), ["calendar", "holidays", "--region", "oost"])
    assert result.exit_code == 2
    assert "not a holiday region" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"foo": 1}', encoding="utf-8")
    result = runner.invoke(cli(), ["calendar", "holidays", "--add", str(bad)])
    assert result.exit_code == 2
    assert "not the Rijksoverheid school holiday format" in result.output
