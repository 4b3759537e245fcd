"""An analysis's tables as data: one CSV table any reader reads, JSON with numbers as
numbers, a folder of CSV, JSON or Parquet files, and published files whose hidden cells are
null with their reason beside them. Every file is read back as its reader would."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from brugdata.analysis import run
from brugdata.cli.app import app
from brugdata.errors import BrugdataError
from brugdata.publish.protect import Publication
from brugdata.publish.tables import (
    HIDDEN_SUFFIX,
    REASONS,
    main_table,
    pick_table,
    publish_frames,
    to_jsonable,
    write_table,
    write_tables,
)
from brugdata.store.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def db(sample_store: Store) -> str:
    """The sample store's file (read only)."""
    return str(sample_store.path)


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_main_table_is_the_first_and_pick_names_the_tables() -> None:
    frames = {"monthly": pl.DataFrame({"a": [1]}), "themes": pl.DataFrame({"b": [2]})}
    assert main_table(frames) == "monthly"
    assert pick_table(frames, None) == "monthly"
    assert pick_table(frames, "themes") == "themes"
    with pytest.raises(BrugdataError, match="no table 'nope' in this analysis; it has: "
                       "monthly, themes"):  # fmt: skip
        pick_table(frames, "nope")


def test_csv_is_one_table_read_back_by_polars_and_the_csv_module(
    db: str, sample_store: Store
) -> None:
    text = _cli("analyse", "seasonality", "--db", db, "--format", "csv")
    expected = run("seasonality", sample_store)["monthly"]  # the main table: the first
    assert not text.startswith("#")
    back = pl.read_csv(io.StringIO(text))
    assert back.shape == expected.shape
    assert back.columns == expected.columns
    assert back["contacts"].to_list() == expected["contacts"].to_list()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == expected.columns
    assert len(rows) == expected.height + 1
    assert {len(r) for r in rows} == {expected.width}  # rectangular: one table only
    other = _cli("analyse", "seasonality", "--db", db, "--format", "csv", "--table", "themes")
    themes = pl.read_csv(io.StringIO(other))
    assert themes.shape == run("seasonality", sample_store)["themes"].shape


def test_unknown_table_and_parquet_on_stdout_are_one_sentence(db: str) -> None:
    bad = runner.invoke(app, ["analyse", "seasonality", "--db", db, "--table", "nope"])
    assert bad.exit_code == 2
    assert "no table 'nope' in this analysis; it has: monthly, themes" in bad.output
    assert "Traceback" not in bad.output
    binary = runner.invoke(app, ["analyse", "reach", "--db", db, "--format", "parquet"])
    assert binary.exit_code == 2
    assert "--out DIR" in binary.output


def test_json_keeps_numbers_as_numbers(db: str, sample_store: Store) -> None:
    data = json.loads(_cli("analyse", "reach", "--db", db, "--format", "json"))
    frame = run("reach", sample_store)["reach"]
    rows = data["reach"]
    assert len(rows) == frame.height
    for row, expected in zip(rows, frame.iter_rows(named=True), strict=True):
        assert type(row["reached"]) is int
        assert row["reached"] == expected["reached"]
        assert row["pct"] is None or type(row["pct"]) is float
        if expected["pct"] is not None:
            assert math.isclose(row["pct"], expected["pct"])
        # the percentage is reached / population × 100, checked here from the row itself
        if row["population"]:
            assert math.isclose(row["pct"], 100 * row["reached"] / row["population"])


def test_to_jsonable() -> None:
    import datetime as dt

    assert to_jsonable(float("nan")) is None
    assert to_jsonable(float("inf")) is None
    assert to_jsonable(dt.date(2025, 3, 14)) == "2025-03-14"
    assert to_jsonable([1, 2.5, None]) == [1, 2.5, None]
    assert to_jsonable(7) == 7 and type(to_jsonable(7)) is int
    from decimal import Decimal

    assert type(to_jsonable(Decimal("38"))) is int
    assert to_jsonable(Decimal("2.5")) == 2.5


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_out_dir_writes_every_table(tmp_path: Path, db: str, sample_store: Store, fmt: str) -> None:
    out = _cli("analyse", "pathways", "--db", db, "--out", str(tmp_path), "--format", fmt)
    frames = run("pathways", sample_store)
    expected = {f"pathways_{k}.{fmt}" for k in frames}
    assert {p.name for p in tmp_path.iterdir()} == expected
    assert f"wrote {len(expected)} files to" in out
    for key, frame in frames.items():
        path = tmp_path / f"pathways_{key}.{fmt}"
        if fmt == "csv":
            back = pl.read_csv(path, infer_schema_length=None) if frame.height else None
            with path.open(encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            assert rows[0] == frame.columns
            assert len(rows) == frame.height + 1
        elif fmt == "json":
            data = json.loads(path.read_text(encoding="utf-8"))
            assert len(data) == frame.height
            back = pl.DataFrame(data, infer_schema_length=None) if frame.height else None
        else:
            back = pl.read_parquet(path)
            assert back.schema == frame.schema  # the types themselves
            assert back.equals(frame)
        if back is not None and "cases" in frame.columns:
            assert back["cases"].to_list() == frame["cases"].to_list()


def test_table_mode_with_out_writes_csv(tmp_path: Path, db: str) -> None:
    _cli("analyse", "reach", "--db", db, "--out", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["reach_reach.csv"]


def test_csv_file_runs_no_formula(tmp_path: Path) -> None:
    frame = pl.DataFrame({"note": ["=HYPERLINK(1)", "-5", "plain"], "n": [1, -2, 3]})
    path = write_table(frame, tmp_path / "t.csv", "csv")
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows == [["note", "n"], ["'=HYPERLINK(1)", "1"], ["-5", "-2"], ["plain", "3"]]


def test_write_tables_refuses_a_file_as_folder(tmp_path: Path) -> None:
    file = tmp_path / "f"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(BrugdataError, match="not a folder"):
        write_tables("reach", {"reach": pl.DataFrame({"a": [1]})}, file)


def test_published_file_hides_with_a_reason_and_keeps_types(sample_store: Store) -> None:
    frames = run("reach", sample_store, by="school").frames()
    plain = frames["reach"]
    publication = Publication(threshold=10)
    done, left = publish_frames("reach", frames, publication)
    assert left == []
    out = done["reach"]
    assert out.height == plain.height
    assert out.schema["reached"] == plain.schema["reached"]  # still a number
    # every column protection may hide has its reason column right after it
    i = out.columns.index("reached")
    assert out.columns[i + 1] == "reached" + HIDDEN_SUFFIX
    reasons = set(out["reached_hidden"].drop_nulls()) | set(out["pct_hidden"].drop_nulls())
    assert reasons <= set(REASONS)
    for p, r in zip(out.iter_rows(named=True), plain.iter_rows(named=True), strict=True):
        if 0 < r["reached"] < 10:  # by hand: a count below the threshold
            assert (p["reached"], p["reached_hidden"]) == (None, "small_count")
            assert (p["pct"], p["pct_hidden"]) == (None, "derived")
        elif p["reached_hidden"] is None:
            assert p["reached"] == r["reached"]
        else:
            assert p["reached_hidden"] == "secondary" and p["reached"] is None
    # the output log holds exactly the counts hidden in the file
    counted = sum(
        out[c].is_in(["small_count", "secondary"]).sum()
        for c in out.columns
        if c.endswith(HIDDEN_SUFFIX)
    )
    assert counted == len(publication.hidden) > 0


def test_published_out_dir_has_its_output_log(tmp_path: Path, db: str) -> None:
    _cli("analyse", "seasonality", "--db", db, "--out", str(tmp_path), "--publish",
         "--format", "json")  # fmt: skip
    log = json.loads((tmp_path / "seasonality.checks.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in log["files"]}
    assert set(files) == {"seasonality_monthly.json", "seasonality_themes.json"}
    for name, entry in files.items():
        digest = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert entry["sha256"] == digest
    monthly = json.loads((tmp_path / "seasonality_monthly.json").read_text(encoding="utf-8"))
    hidden = [r for r in monthly if r["contacts_hidden"] is not None]
    assert hidden and all(r["contacts"] is None for r in hidden)
    logged = [c for c in log["hidden_cells"] if c["output"] == "seasonality.monthly"]
    assert len(logged) == len(hidden)


def test_never_published_tables_are_left_out_and_said(tmp_path: Path, db: str) -> None:
    result = runner.invoke(
        app, ["analyse", "survey", "--db", db, "--out", str(tmp_path), "--publish"]
    )
    assert result.exit_code == 0, result.output
    assert "not published: untagged_answers" in result.output
    assert not (tmp_path / "survey_untagged_answers.csv").exists()
    assert (tmp_path / "survey.checks.json").exists()
    cases = runner.invoke(app, ["analyse", "cases", "--db", db, "--publish"])
    assert cases.exit_code == 2
    assert "cannot publish 'cases': it has one row per case" in cases.output


def test_publish_to_stdout_is_one_table_with_reasons(db: str) -> None:
    result = runner.invoke(app, ["analyse", "reach", "--db", db, "--publish", "--format", "csv"])
    assert result.exit_code == 0
    back = pl.read_csv(io.StringIO(result.output))  # nothing else on stdout or stderr
    assert "reached_hidden" in back.columns


def test_csv_and_json_on_stdout_are_written_as_they_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No console markup or emoji codes are applied to data (``[b]``, ``:x:``)."""
    from brugdata.cli.app import TableFormat, print_frame

    frame = pl.DataFrame({"text": ["[b]bold[/b] :x: :smile:"], "n": [1]})
    print_frame(frame, TableFormat.csv)
    assert capsys.readouterr().out == "text,n\n[b]bold[/b] :x: :smile:,1\n"
    print_frame(frame, TableFormat.json)
    assert json.loads(capsys.readouterr().out) == [{"text": "[b]bold[/b] :x: :smile:", "n": 1}]
    print_frame(frame, TableFormat.table)
    assert "[b]bold[/b] :x: :smile:" in capsys.readouterr().out
