"""``brugdata export``: the store's tables as Parquet partitioned by school year, read back
with polars and DuckDB and counted against the store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from brugdata.cli.app import app
from brugdata.errors import BrugdataError
from brugdata.model.calendar import school_year_of
from brugdata.model.tables import TABLES
from brugdata.store.export import FREE_TEXT, NAMES, export_parquet
from brugdata.store.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def exported(sample_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample store exported (without free text)."""
    folder = tmp_path_factory.mktemp("export") / "parquet"
    done = export_parquet(sample_store, folder)
    counts = sample_store.counts()
    assert done.rows == {t: n for t, n in counts.items() if n}
    assert done.total_rows == sum(counts.values())
    return folder


def test_every_table_reads_back_with_polars_and_duckdb(exported: Path, sample_store: Store) -> None:
    counts = {t: n for t, n in sample_store.counts().items() if n}
    assert {p.name for p in exported.iterdir()} == set(counts)
    for table, n in counts.items():
        frame = pl.read_parquet(exported / table, hive_partitioning=True)
        assert frame.height == n, table
        pattern = str(exported / table / "**" / "*.parquet")
        found = duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{pattern}', hive_partitioning=true)"
        ).fetchall()[0][0]
        assert found == n, table


def test_partitions_are_school_years(exported: Path, sample_store: Store) -> None:
    schools = sample_store.table("schools")
    folders = {p.name for p in (exported / "schools").iterdir()}
    assert folders == {f"school_year={y}" for y in schools["school_year"].unique()}
    # contacts: the school year of each date (1 August – 31 July), counted in Python
    dates = sample_store.table("contacts")["date"].to_list()
    by_year = Counter(school_year_of(d) for d in dates)
    back = pl.read_parquet(exported / "contacts", hive_partitioning=True)
    assert dict(Counter(back["school_year"].to_list())) == dict(by_year)
    for year, n in by_year.items():
        part = pl.read_parquet(exported / "contacts" / f"school_year={year}")
        assert part.height == n
    # a table without a school year is one file
    assert [p.name for p in (exported / "officers").iterdir()] == ["data.parquet"]


def test_keys_are_the_stores_pseudonyms_and_free_text_is_left_out(
    exported: Path, sample_store: Store
) -> None:
    back = pl.read_parquet(exported / "contacts", hive_partitioning=True)
    assert "notes" not in back.columns
    assert "_ingest_id" not in back.columns and "_line" not in back.columns
    stored = sample_store.table("contacts")
    assert sorted(back["person_key"].drop_nulls()) == sorted(stored["person_key"].drop_nulls())
    assert sorted(back["contact_id"]) == sorted(stored["contact_id"])


def test_every_text_column_is_a_name_or_free_text() -> None:
    text = {(t.name, c.name) for t in TABLES.values() for c in t.columns if c.kind == "text"}
    assert text == (NAMES & text) | FREE_TEXT
    assert ("contacts", "notes") in FREE_TEXT
    assert ("survey_answers", "text") in FREE_TEXT
    assert ("survey_partners", "organisation") in FREE_TEXT  # typed by a respondent


def test_free_text_on_request(sample_store: Store, tmp_path: Path) -> None:
    done = export_parquet(sample_store, tmp_path / "all", free_text=True)
    assert done.left_out == {}
    back = pl.read_parquet(tmp_path / "all" / "contacts", hive_partitioning=True)
    assert "notes" in back.columns


def test_a_folder_with_files_is_refused(sample_store: Store, tmp_path: Path) -> None:
    (tmp_path / "old.parquet").write_bytes(b"x")
    with pytest.raises(BrugdataError, match="the folder is not empty"):
        export_parquet(sample_store, tmp_path)


def test_the_command(sample_store: Store, tmp_path: Path) -> None:
    db, folder = str(sample_store.path), tmp_path / "out"
    result = runner.invoke(app, ["export", "--db", db, "--out", str(folder)])
    assert result.exit_code == 0, result.output
    total = sum(sample_store.counts().values())
    assert f"wrote {total} rows of " in result.stdout
    assert "contacts: left out notes (free text; --free-text exports it)" in result.stdout
    again = runner.invoke(app, ["export", "--db", db, "--out", str(folder)])
    assert again.exit_code == 2
    assert "the folder is not empty" in again.output
    assert "Traceback" not in again.output
