"""The command line, run through typer's runner; results checked through the library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from tests.conftest import SAMPLE, write_csv

runner = CliRunner()

BAD_CONTACTS = """contact_id,date,officer_id,school_id,counterpart,person_key,themes
C-1,2025-03-14,O-1,91AB00,parent,P-001,armoede
C-2,31-02-2025,O-1,91AB00,parent,P-002,taal
"""


def test_every_command_has_help() -> None:
    commands = [
        "validate",
        "ingest",
        "rejects",
        "info",
        "analyse",
        "report",
        "sample",
        "population duo",
        "calendar holidays",
        "key new",
        "key fingerprint",
    ]
    for name in commands:
        result = runner.invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        assert "Usage" in result.output


def test_python_dash_m_brugdata_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "brugdata", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert "validate" in proc.stdout


def test_validate_sample_data_passes() -> None:
    result = runner.invoke(app, ["validate", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert " 0 rejected" in result.output


def test_validate_reports_line_column_rule_and_exits_1(refs: Path) -> None:
    write_csv(refs, "contacts.csv", BAD_CONTACTS)
    result = runner.invoke(app, ["validate", str(refs)])
    assert result.exit_code == 1
    assert "line 3, column date: '31-02-2025' is not a real date" in result.output
    assert "(invalid_date)" in result.output


def test_validate_json_and_github_formats(refs: Path) -> None:
    path = write_csv(refs, "contacts.csv", BAD_CONTACTS)
    as_json = runner.invoke(app, ["validate", str(refs), "--format", "json"])
    data = json.loads(as_json.stdout)
    assert as_json.exit_code == 1
    assert (data["rows_read"], data["rows_valid"], data["rows_rejected"]) == (9, 8, 1)
    contacts = next(f for f in data["files"] if f["table"] == "contacts")
    assert contacts["rejects"][0]["line"] == 3
    github = runner.invoke(
        app, ["validate", str(path), "--format", "github", "--table", "contacts"]
    )
    assert github.exit_code == 1
    errors = [line for line in github.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 5  # no reference tables given: 2 officers, 2 schools + the date
    assert any(",line=3," in e and "invalid_date" in e for e in errors)


@pytest.mark.parametrize(
    ("content", "name", "phrase"),
    [
        (None, "contacts.csv", "file not found"),
        (b"", "contacts.csv", "empty"),
        (bytes(range(256)) * 8, "contacts.csv", "not a text file"),
        (b"a,b\n1,2\n", "notes.csv", "which table"),
    ],
)
def test_unreadable_input_is_one_sentence_and_exit_2(
    tmp_path: Path, content: bytes | None, name: str, phrase: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert phrase in result.output
    assert "Traceback" not in result.output


def test_ingest_rejects_info(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    write_csv(refs, "contacts.csv", BAD_CONTACTS)
    first = runner.invoke(app, ["ingest", str(refs), "--db", str(db)])
    assert first.exit_code == 1, first.output
    assert "loaded 8 rows, rejected 1" in first.output
    again = runner.invoke(app, ["ingest", str(refs), "--db", str(db)])
    assert again.exit_code == 0
    assert "skipped 4 files already ingested" in again.output
    rejects = runner.invoke(app, ["rejects", "--db", str(db), "--format", "csv"])
    assert rejects.exit_code == 0
    lines = rejects.stdout.strip().splitlines()
    assert lines[0] == "file_name,table_name,line,column,rule,value,message"
    assert lines[1].startswith("contacts.csv,contacts,3,date,invalid_date,31-02-2025,")
    info = runner.invoke(app, ["info", "--db", str(db)])
    assert info.exit_code == 0
    assert "pilots: p1, p2" in info.output
    with brugdata.open(db, read_only=True) as s:
        assert s.counts()["contacts"] == 1


def test_info_on_a_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["info", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "brugdata ingest PATH --db" in result.output


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the sample data (read it; do not ingest into it)."""
    db = tmp_path_factory.mktemp("cli") / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(SAMPLE), "--db", str(db)]).exit_code == 0
    return db


def test_the_analyse_names_are_the_analyses() -> None:
    from brugdata.analysis import ANALYSES
    from brugdata.cli.app import AnalysisName

    assert [n.value for n in AnalysisName] == list(ANALYSES)


@pytest.mark.parametrize("name", list(__import__("brugdata.analysis").analysis.ANALYSES))
def test_analyse_prints_each_analysis_for_the_sample(sample_db: Path, name: str) -> None:
    table = runner.invoke(app, ["analyse", name, "--db", str(sample_db)])
    assert table.exit_code == 0, table.output
    as_json = runner.invoke(app, ["analyse", name, "--db", str(sample_db), "--format", "json"])
    data = json.loads(as_json.stdout)
    from brugdata.analysis import analysis, run

    with brugdata.open(sample_db, read_only=True) as store:
        expected = run(name, store)
        # the command line and run() use the function's own defaults
        function = analysis(name)
        direct = function(store)
    frames = direct if isinstance(direct, brugdata.Frames) else {function.__name__: direct}
    assert list(expected) == list(frames)
    for key, frame in frames.items():
        assert expected[key].equals(frame), key
    assert list(data) == list(expected)
    for key, frame in expected.items():
        assert len(data[key]) == frame.height, key
        assert key in table.output


def test_analyse_with_pilot_by_and_source(sample_db: Path) -> None:
    db = str(sample_db)
    result = runner.invoke(
        app,
        ["analyse", "reach", "--db", db, "--pilot", "den_bosch", "--by", "school"]
        + ["--format", "csv"],
    )
    assert result.exit_code == 0
    assert result.stdout.count("\n91D") == 12  # 6 Den Bosch schools × parent and pupil
    bad = runner.invoke(app, ["analyse", "network", "--db", db, "--by", "school"])
    assert bad.exit_code == 2
    assert "cannot group network by 'school'; choose from: pilot" in bad.output
    bad = runner.invoke(app, ["analyse", "reach", "--db", db, "--by", "bad"])
    assert bad.exit_code == 2
    assert (
        "cannot group reach by 'bad'; choose from: pilot, school, officer, school_type, "
        "municipality, school_year" in " ".join(bad.output.split())
    )
    survey = runner.invoke(
        app, ["analyse", "reach", "--db", db, "--source", "survey", "--format", "json"]
    )
    assert survey.exit_code == 0, survey.output
    rows = json.loads(survey.stdout)["reach"]
    assert {r["source"] for r in rows} == {"survey"}
    assert {r["pilot"] for r in rows} == {"gooi_vechtstreek"}
    none = runner.invoke(app, ["analyse", "seasonality", "--db", db, "--source", "survey"])
    assert none.exit_code == 2
    assert "seasonality reads the contact log only" in none.output
    year = runner.invoke(app, ["analyse", "compare", "--db", db, "--school-year", "2030-2031"])
    assert year.exit_code == 2
    assert "no school year '2030-2031' in the store; it holds: 2024-2025" in year.output


def test_analyse_publish_hides_small_counts(sample_db: Path) -> None:
    args = ["analyse", "reach", "--db", str(sample_db), "--by", "school", "--format", "json"]
    plain = json.loads(runner.invoke(app, args).stdout)["reach"]
    published = json.loads(runner.invoke(app, [*args, "--publish"]).stdout)["reach"]
    assert len(published) == len(plain)
    small = [i for i, r in enumerate(plain) if 0 < r["reached"] < 10]
    assert small, "the sample has schools with fewer than 10 pupils reached"
    for i in small:  # hidden: null, with the reason beside it; what is made from it too
        assert published[i]["reached"] is None
        assert published[i]["reached_hidden"] == "small_count"
        assert published[i]["pct"] is None
        assert published[i]["pct_hidden"] == "derived"
    for p, r in zip(published, plain, strict=True):
        if p["reached_hidden"] is None:  # shown: the number itself, as a number
            assert p["reached"] == r["reached"]
            assert type(p["reached"]) is int
            assert r["reached"] == 0 or r["reached"] >= 10
        else:
            assert p["reached_hidden"] in ("small_count", "secondary")
    table = runner.invoke(app, [*args[:-2], "--publish", "--wide"])
    assert table.exit_code == 0, table.output
    assert "<10" in table.stdout  # a terminal table shows the markers


def test_calendar_holidays_through_the_main_command() -> None:
    result = runner.invoke(
        app, ["calendar", "holidays", "--region", "zuid", "--school-year", "2024-2025"]
    )
    assert result.exit_code == 0, result.output
    assert "zomervakantie" in result.output.lower()


def test_convert_form_then_ingest(tmp_path: Path) -> None:
    from tests.conftest import REPO

    export = REPO / "tests" / "data" / "forms" / "gv_msforms_export.csv"
    result = runner.invoke(
        app,
        [
            "convert-form",
            str(export),
            "--mapping",
            "gooi_vechtstreek",
            "--out",
            str(tmp_path / "survey"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "survey" / "survey.csv").exists()
    checked = runner.invoke(app, ["validate", str(tmp_path / "survey")])
    assert checked.exit_code == 0, checked.output


def _header(text: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith("┃"))
    return [c.strip() for c in line.strip("┃").split("┃")]


@pytest.mark.parametrize(
    ("name", "table", "figure"),
    [
        ("reach", "reach", "reached"),
        ("compare", "compare", "value"),
        ("network", "edges", "contacts"),
    ],  # fmt: skip
)
def test_tables_fit_the_terminal(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, name: str, table: str, figure: str
) -> None:
    """In 100 columns only whole columns are shown, none folded; --wide shows all."""
    from brugdata.analysis import run

    monkeypatch.setenv("COLUMNS", "100")
    with brugdata.open(sample_db, read_only=True) as store:
        frame = run(name, store)[table]
    args = ["analyse", name, "--db", str(sample_db), "--table", table]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    grid = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert grid and all(len(line) <= 100 for line in grid)
    shown = _header(result.stdout)
    assert len([line for line in grid if line.startswith("┃")]) == 1  # no name folded
    assert shown == [c for c in frame.columns if c in shown]  # whole names, in order
    assert shown[:2] == ["pilot", "school_year"] and figure in shown  # keys and the figure
    rows = [line for line in grid if line.startswith("│")]
    assert len(rows) == frame.height  # one line per row: no cell folded
    at = shown.index(figure)
    for line, value in zip(rows, frame[figure], strict=True):
        cell = line.strip("│").split("│")[at].strip()
        expected = str(value) if value is not None else ""
        if isinstance(value, float):  # rounded to 2 decimals, thousands grouped
            expected = f"{value:,.2f}".rstrip("0").rstrip(".")
        assert cell == expected
    rest = [c for c in frame.columns if c not in shown]
    note = next(line for line in lines if "not shown for lack of width" in line)
    assert note.startswith(f"{len(rest)} more column")
    assert note.endswith(f"{', '.join(rest)} (--wide shows them)")
    wide = runner.invoke(app, [*args, "--wide"])
    assert _header(wide.stdout) == frame.columns
    assert "not shown" not in wide.stdout


def test_plural_forms(tmp_path: Path, refs: Path) -> None:
    from brugdata.cli.console import plural

    assert [plural(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert plural(1, "rij", "rijen") == "1 rij"
    assert plural(3, "rij", "rijen") == "3 rijen"
    one = runner.invoke(app, ["validate", str(refs / "schools.csv")])
    assert "in 1 file" in one.output and "1 files" not in one.output
    assert "in 3 files" in runner.invoke(app, ["validate", str(refs)]).output
