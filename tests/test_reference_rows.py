"""Reference rows delivered again: unchanged rows counted, changed rows rejected naming the
columns (or, with ``update``, stored as a new version with the history kept)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from brugdata.store.store import Store
from tests.conftest import OFFICERS, PARTNERS, SCHOOLS, TODAY, write_csv

CONTACTS = """contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema;kanaal;duur
C-1;14-03-2025;O-1;91AB00;ouder;P-001;G-001;armoede;telefoon;15
C-2;15-03-2025;O-1;91AB00;ouder;P-002;G-002;taal;telefoon;10
C-3;16-03-2025;O-1;91AB00;ouder;P-003;G-003;taal;telefoon;10
"""


def invariant_holds(store: Store) -> bool:
    """Every ingest row: rows_read == loaded + rejected + unchanged + skipped."""
    counts = ("rows_loaded", "rejected", "rows_unchanged", "rows_skipped")
    ingests = store.ingests().rename({"rows_rejected": "rejected"})
    bad = ingests.filter(pl.col("rows_read") != pl.sum_horizontal(counts))
    return ingests.height > 0 and bad.is_empty()


def test_reference_files_delivered_again_with_other_line_ends_are_unchanged(
    tmp_path: Path, refs: Path
) -> None:
    store = brugdata.open(tmp_path / "s.duckdb")
    first = store.ingest(refs, today=TODAY)
    assert (first.rows_loaded, first.rows_unchanged) == (3 + 2 + 2, 0)
    before = {name: store.table(name, provenance=True) for name in ("schools", "officers")}
    again = tmp_path / "again"
    again.mkdir()
    for name, text in (("schools.csv", SCHOOLS), ("officers.csv", OFFICERS)):
        write_csv(again, name, text, newline="\r\n")  # other bytes: not skipped by sha256
    second = store.ingest(again, today=TODAY)
    by_table = {f.table: f for f in second.files}
    assert {t: (f.status, f.rows_read) for t, f in by_table.items()} == {
        "schools": ("loaded", 3),
        "officers": ("loaded", 2),
    }
    for f in by_table.values():  # nothing rejected as already_stored, nothing loaded twice
        assert (f.rows_loaded, f.rows_rejected, f.rows_unchanged) == (0, 0, f.rows_read)
    assert second.rows_read == (
        second.rows_loaded + second.rows_rejected + second.rows_unchanged + second.rows_skipped
    )
    assert store.rejects().is_empty()
    for name, frame in before.items():
        assert store.table(name, provenance=True).equals(frame)
    assert store.ingests()["rows_unchanged"].to_list() == [0, 0, 0, 3, 2]
    assert invariant_holds(store)
    store.close()


def test_a_pilots_file_delivered_again_is_unchanged(store: Store, tmp_path: Path) -> None:
    if "pilots" not in brugdata.TABLES:
        pytest.skip("no pilots table in this data model")
    text = "pilot,name_nl,name_en\np1,Pilot Een,Pilot One\np2,Pilot Twee,\n"
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write_csv(first, "pilots.csv", text)
    write_csv(second, "pilots.csv", text, newline="\r\n")
    assert store.ingest(first, today=TODAY).rows_loaded == 2
    again = store.ingest(second, today=TODAY)
    assert (again.rows_loaded, again.rows_rejected, again.rows_unchanged) == (0, 0, 2)
    assert invariant_holds(store)


def test_unchanged_is_judged_after_normalising(store: Store, refs: Path, tmp_path: Path) -> None:
    store.ingest(refs, today=TODAY)
    other = tmp_path / "other"
    other.mkdir()
    # Dutch headers, other column order, padding spaces, another delimiter: the same rows
    write_csv(
        other,
        "functionarissen.csv",
        "rol;functionaris;pilot\n  brugfunctionaris ; O-1 ;p1\nouderfunctionaris;O-2;  p2\n",
    )
    result = store.ingest(other, today=TODAY)
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged) == (2, 0, 2)
    assert result.rows_rejected == 0


def test_a_changed_row_is_rejected_naming_the_columns_not_the_values(
    store: Store, refs: Path, tmp_path: Path
) -> None:
    store.ingest(refs, today=TODAY)
    changed = tmp_path / "changed"
    changed.mkdir()
    schools = SCHOOLS.replace("De Vlinder,p1,Utrecht,po,200,120", "De Vlinder,p1,Utrecht,po,210,60")
    write_csv(changed, "schools.csv", schools)
    before = store.table("schools", provenance=True)
    result = store.ingest(changed, today=TODAY)
    (f,) = result.files
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_unchanged) == (3, 0, 1, 2)
    rejects = store.rejects()
    assert rejects.select("line", "column", "rule", "value").rows() == [
        (2, "families", "changed_reference", None),
        (2, "pupils", "changed_reference", None),
    ]
    message = rejects["message"][0]
    assert "pupils, families" in message and "--update" in message
    assert "210" not in message and "60" not in message  # no values quoted
    assert store.table("schools", provenance=True).equals(before)
    (kept,) = store.rejected_rows()["data"].to_list()
    assert json.loads(kept)["families"] == "60"  # the row as delivered is kept, not lost
    assert invariant_holds(store)


def test_update_keeps_the_history_and_analyses_read_the_current_version(
    tmp_path: Path, refs: Path
) -> None:
    write_csv(refs, "contacten.csv", CONTACTS)
    store = brugdata.open(tmp_path / "s.duckdb")
    store.ingest(refs, today=TODAY)
    first_ingest = int(store.ingests()["ingest_id"].max())  # type: ignore[arg-type]
    reached = brugdata.reach(store, by="school", school_year="2024-2025")
    row = reached.filter(counterpart="parent", school_id="91AB00").row(0, named=True)
    assert (row["reached"], row["population"]) == (3, 120)
    assert row["pct"] == pytest.approx(3 / 120 * 100)

    changed = tmp_path / "changed"
    changed.mkdir()
    write_csv(changed, "schools.csv", SCHOOLS.replace("po,200,120", "po,200,60"))
    result = store.ingest(changed, today=TODAY, update=True)
    (f,) = result.files
    assert (f.rows_read, f.rows_loaded, f.rows_updated, f.rows_unchanged) == (3, 1, 1, 2)
    assert f.rows_rejected == 0
    update_ingest = f.ingest_id
    assert store.rejects().is_empty()

    history = store.history("schools").filter(school_id="91AB00")
    assert history.select("families", "valid_from", "valid_to").rows() == [
        (120, 1, update_ingest),
        (60, update_ingest, None),
    ]
    assert store.counts()["schools"] == 3  # one current version per key
    now = brugdata.reach(store, by="school", school_year="2024-2025")
    row = now.filter(counterpart="parent", school_id="91AB00").row(0, named=True)
    assert (row["reached"], row["population"]) == (3, 60)
    assert row["pct"] == pytest.approx(3 / 60 * 100)

    # the analysis as of the first ingest gives the figure it gave then
    then = brugdata.reach(store.frames(as_of=first_ingest), by="school", school_year="2024-2025")
    row = then.filter(counterpart="parent", school_id="91AB00").row(0, named=True)
    assert (row["reached"], row["population"]) == (3, 120)
    assert store.table("schools", as_of=first_ingest).equals(
        store.table("schools", as_of=update_ingest - 1)
    )
    assert invariant_holds(store)
    store.close()


def test_cli_update_and_the_unchanged_count(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(refs), "--db", str(db)]).exit_code == 0
    changed = tmp_path / "changed"
    changed.mkdir()
    write_csv(changed, "officers.csv", OFFICERS.replace("O-2,p2,ouderfunctionaris", "O-2,p2,other"))
    write_csv(changed, "partners.csv", PARTNERS, newline="\r\n")
    refused = runner.invoke(app, ["ingest", str(changed), "--db", str(db)])
    assert refused.exit_code == 1, refused.output
    assert "changed_reference" in refused.output
    assert "unchanged 3" in refused.output  # 1 officer + 2 partners
    # the same files again with --update: read again (not skipped), the new version stored
    updated = runner.invoke(app, ["ingest", str(changed), "--db", str(db), "--update"])
    assert updated.exit_code == 0, updated.output
    assert "loaded 1 row (1 as new versions)" in updated.output
    with brugdata.open(db, read_only=True) as store:
        roles = dict(store.table("officers").select("officer_id", "role").rows())
        assert roles == {"O-1": "brugfunctionaris", "O-2": "other"}
        assert store.history("officers").height == 3
        assert invariant_holds(store)
