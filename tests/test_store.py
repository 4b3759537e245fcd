"""The store: provenance, rejects kept, all-or-nothing ingest, idempotence, versions, locks."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest

import brugdata
from brugdata.errors import StoreError
from brugdata.store import ddl, pipeline
from brugdata.store.store import Store
from tests.conftest import TODAY, write_csv

CONTACTS = """contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema;kanaal;duur
C-1;14-03-2025;O-1;91AB00;ouder;P-001;G-001;armoede;telefoon;15
C-2;31-02-2025;O-1;91AB00;ouder;P-002;G-002;taal;telefoon;10
C-3;15-03-2025;O-1;91AB00;leerling;P-003;G-001;pesten|gedrag;persoonlijk;20
C-4;15-03-2025;O-9;91AB00;leerling;P-004;G-003;pesten;persoonlijk;600
"""


def snapshot(s: Store) -> dict[str, object]:
    """Everything a store holds, for comparing before and after."""
    tables = [*brugdata.TABLES, "ingests", "rejects", "rejected_rows"]
    return {t: s.sql(f"SELECT * FROM {t}").sort(pl.all()).to_dicts() for t in tables}


def test_ingest_loads_valid_rows_and_keeps_rejects_with_provenance(
    store: Store, refs: Path
) -> None:
    write_csv(refs, "contacten.csv", CONTACTS)
    result = store.ingest(refs, today=TODAY)
    counts = store.counts()
    assert set(counts) == set(brugdata.TABLES)
    assert {k: v for k, v in counts.items() if v} == {
        "schools": 3,
        "officers": 2,
        "partners": 2,
        "contacts": 2,
    }
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (11, 9, 2)
    ingests = store.ingests()
    assert ingests["table_name"].to_list() == ["schools", "officers", "partners", "contacts"]
    assert ingests.filter(
        pl.col("rows_read") != pl.col("rows_loaded") + pl.col("rows_rejected")
    ).is_empty()
    assert ingests["batch_id"].unique().to_list() == [1]
    assert all(len(s) == 64 for s in ingests["sha256"])
    rejects = store.rejects().select("file_name", "line", "column", "rule", "value")
    assert rejects.to_dicts() == [
        {
            "file_name": "contacten.csv",
            "line": 3,
            "column": "date",
            "rule": "invalid_date",
            "value": "31-02-2025",
        },
        {
            "file_name": "contacten.csv",
            "line": 5,
            "column": "officer_id",
            "rule": "unknown_reference",
            "value": "O-9",
        },
    ]
    rows = store.rejected_rows()
    assert rows["line"].to_list() == [3, 5]
    assert '"date":"31-02-2025"' in rows["data"][0]
    contacts = store.table("contacts", provenance=True)
    assert contacts["contact_id"].to_list() == ["C-1", "C-3"]
    assert contacts["_line"].to_list() == [2, 4]
    assert contacts["themes"].to_list() == [["armoede"], ["pesten", "gedrag"]]


def test_ingesting_the_same_file_twice_changes_nothing(store: Store, refs: Path) -> None:
    write_csv(refs, "contacten.csv", CONTACTS)
    store.ingest(refs, today=TODAY)
    before = snapshot(store)
    again = store.ingest(refs, today=TODAY)
    assert [f.status for f in again.files] == ["skipped"] * 4
    assert all("already ingested" in f.message for f in again.files)
    assert again.rows_loaded == 0
    assert snapshot(store) == before


def test_references_resolve_against_the_store(store: Store, refs: Path, tmp_path: Path) -> None:
    store.ingest(refs, today=TODAY)
    later = tmp_path / "later"
    later.mkdir()
    write_csv(later, "contacten.csv", CONTACTS)
    result = store.ingest(later, today=TODAY)
    assert result.rows_loaded == 2
    # the same contact ids in another file are rejected as already stored
    write_csv(later, "contacten_2.csv", CONTACTS.replace("15-03", "16-03"))
    second = store.ingest(later / "contacten_2.csv", today=TODAY)
    rules = store.rejects().filter(pl.col("file_name") == "contacten_2.csv")["rule"].to_list()
    assert second.rows_loaded == 0
    assert rules.count("already_stored") == 2


@pytest.mark.parametrize("where", ["memory", "file"])
def test_the_same_contact_in_files_of_one_ingest_is_loaded_once(
    where: str, refs: Path, tmp_path: Path
) -> None:
    """A file is loaded on a thread while the next is checked: its keys are held until it is
    committed, then looked up in the store. Either way a contact id of an earlier file is
    "already stored" for a later one, the file right after it or one further on."""
    write_csv(refs, "contacten_a.csv", CONTACTS)
    write_csv(refs, "contacten_b.csv", CONTACTS.replace("C-4;", "C-5;").replace("O-9", "O-1"))
    third = "contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema\n"
    for contact_id in ("C-1", "C-6", "C-5"):  # C-1 from file a, C-5 from file b
        third += f"{contact_id};16-03-2025;O-1;91AB00;ouder;P-9;G-9;taal\n"
    write_csv(refs, "contacten_c.csv", third)
    with brugdata.open(":memory:" if where == "memory" else tmp_path / "s.duckdb") as store:
        result = store.ingest(refs, today=TODAY)
        by_name = {f.path.name: f.rows_loaded for f in result.files}
        assert [by_name[f"contacten_{x}.csv"] for x in "abc"] == [2, 1, 1]
        rejects = store.rejects()
        second = rejects.filter(pl.col("file_name") == "contacten_b.csv")
        assert second.filter(pl.col("rule") == "already_stored")["line"].to_list() == [2, 4]
        last = rejects.filter(pl.col("file_name") == "contacten_c.csv")
        assert last.select("line", "rule").rows() == [(2, "already_stored"), (4, "already_stored")]
        assert store.table("contacts")["contact_id"].sort().to_list() == [
            "C-1",
            "C-3",
            "C-5",
            "C-6",
        ]
        # the valid rows are in the store; the result keeps only their lines
        files = {f.path.name: f for f in result.validation.files}
        assert files["contacten_a.csv"].valid.columns == ["_line"]
        assert files["contacten_a.csv"].valid["_line"].to_list() == [2, 4]
        assert files["contacten_b.csv"].rows_valid == 1
        assert [f.ingest_id for f in result.files] == sorted(f.ingest_id for f in result.files)


def test_a_failing_ingest_leaves_the_store_exactly_as_it_was(
    tmp_path: Path, refs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs / "schools.csv", today=TODAY)
        before = snapshot(s)
    write_csv(refs, "contacten.csv", CONTACTS)
    calls = {"n": 0}
    original = pipeline.Loader.file

    def failing(self: pipeline.Loader, *args: object, **kwargs: object) -> int:
        calls["n"] += 1
        if calls["n"] == 3:  # officers and partners went in; fail half-way
            raise RuntimeError("disk full (simulated)")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.Loader, "file", failing)
    with brugdata.open(db) as s:
        with pytest.raises(RuntimeError, match="simulated"):
            s.ingest(refs, today=TODAY)
        assert snapshot(s) == before
    monkeypatch.undo()
    with brugdata.open(db) as s:
        assert snapshot(s) == before
        assert s.ingest(refs, today=TODAY).rows_loaded == 2 + 2 + 2


def test_a_store_reopened_from_disk_has_everything(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "store.duckdb"
    write_csv(refs, "contacten.csv", CONTACTS)
    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY)
        before = snapshot(s)
        info = s.info()
    with brugdata.open(db, read_only=True) as s:
        assert snapshot(s) == before
        assert s.info() == info
    assert info["school_years"] == ["2024-2025"]
    assert info["pilots"] == ["p1", "p2"]
    assert (info["ingests"], info["files_ingested"], info["rows_rejected"]) == (1, 4, 2)


def test_a_closed_store_says_so(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "store.duckdb"
    s = brugdata.open(db)  # new: its read connection opens when first used
    s.ingest(refs, today=TODAY)
    assert s.counts()["schools"] == 3
    s.close()
    with pytest.raises(StoreError, match="the store is closed"):
        s.counts()
    with brugdata.open(db, read_only=True) as again:
        assert again.counts()["schools"] == 3


def test_read_only_store_refuses_to_ingest(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    brugdata.open(db).close()
    with brugdata.open(db, read_only=True) as s, pytest.raises(StoreError, match="read-only"):
        s.ingest(refs)


def test_newer_schema_version_is_refused_with_the_version_needed(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    brugdata.open(db).close()
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO brugdata_schema VALUES (99, '9.9', now())")
    con.close()
    with pytest.raises(
        StoreError, match=f"schema version 99.*reads up to version {ddl.SCHEMA_VERSION}"
    ):
        brugdata.open(db)


def test_a_version_1_store_gains_the_questionnaire_tables(tmp_path: Path) -> None:
    db = tmp_path / "v1.duckdb"
    brugdata.open(db).close()
    con = duckdb.connect(str(db))
    for name in ("survey", "survey_time_use", "survey_partners", "survey_themes", "survey_answers"):
        con.execute(f"DROP TABLE {name}")
    con.execute("DELETE FROM brugdata_schema")
    con.execute("INSERT INTO brugdata_schema VALUES (1, '0.1.0', now())")
    con.close()
    with pytest.raises(StoreError, match="needs migrating to version"):
        brugdata.open(db, read_only=True)
    with brugdata.open(db) as s:
        assert s.schema_version == ddl.SCHEMA_VERSION
        assert s.counts()["survey_answers"] == 0


def test_a_version_6_store_gains_the_history_and_the_new_counts(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "v6.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY)
    con = duckdb.connect(str(db))  # the layout of version 6
    for name in ddl.REFERENCE_TABLES:
        con.execute(f"DROP TABLE {ddl.history_table(name)}")
    con.execute("ALTER TABLE ingests DROP COLUMN rows_unchanged")
    con.execute("ALTER TABLE ingests DROP COLUMN rows_skipped")
    con.execute("DELETE FROM brugdata_schema")
    con.execute("INSERT INTO brugdata_schema VALUES (6, '0.1.0', now())")
    con.close()
    with brugdata.open(db) as s:
        assert s.schema_version == ddl.SCHEMA_VERSION
        ingests = s.ingests()
        assert ingests["rows_unchanged"].to_list() == [0, 0, 0]
        assert ingests["rows_skipped"].to_list() == [0, 0, 0]
        assert s.history("officers")["valid_to"].to_list() == [None, None]
        # the migrated store takes a changed officer as a new version
        changed = tmp_path / "changed"
        changed.mkdir()
        write_csv(changed, "officers.csv", "officer_id,pilot,role\nO-1,p1,other\n")
        result = s.ingest(changed, today=TODAY, update=True)
        assert (result.rows_loaded, result.rows_updated) == (1, 1)
        assert s.history("officers").filter(officer_id="O-1")["role"].to_list() == [
            "brugfunctionaris",
            "other",
        ]


def test_older_schema_version_is_migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.duckdb"
    brugdata.open(db).close()
    now = ddl.SCHEMA_VERSION
    monkeypatch.setattr(ddl, "SCHEMA_VERSION", now + 1)
    monkeypatch.setattr(ddl, "MIGRATIONS", {now: ["ALTER TABLE schools ADD COLUMN note VARCHAR"]})
    with brugdata.open(db) as s:
        assert s.schema_version == now + 1
        assert "note" in s.sql("SELECT * FROM schools").columns
    monkeypatch.setattr(ddl, "MIGRATIONS", {})
    monkeypatch.setattr(ddl, "SCHEMA_VERSION", now + 2)
    with pytest.raises(StoreError, match=f"no migration from schema version {now + 1}"):
        brugdata.open(db)


def test_a_duckdb_file_of_something_else_is_not_taken_for_a_store(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE orders (id INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a brugdata store"):
        brugdata.open(db)


def _holder(code: str) -> subprocess.Popen[str]:
    """A Python subprocess that runs ``code``, prints "ready" and waits for a line on stdin."""
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_a_foreign_writer_gives_a_clear_message_naming_its_pid(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    brugdata.open(db).close()
    holder = _holder(f"""
        import sys, duckdb
        con = duckdb.connect({str(db)!r})  # another tool holding the file for writing
        print("ready", flush=True)
        sys.stdin.readline()
    """)
    try:
        with pytest.raises(StoreError, match=rf"in use by another process \(PID {holder.pid}\)"):
            brugdata.open(db, read_only=True)
    finally:
        holder.communicate("\n", timeout=30)


def test_readers_query_while_another_process_writes(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs / "schools.csv", today=TODAY)
    writer = _holder(f"""
        import sys, brugdata
        s = brugdata.open({str(db)!r})
        with s.transaction() as con:
            con.execute("DELETE FROM schools").fetchall()
            print("ready", flush=True)
            sys.stdin.readline()
    """)
    try:
        with brugdata.open(db, read_only=True) as reader:  # opens while the writer writes
            assert reader.counts()["schools"] == 3
            with pytest.raises(StoreError, match="another process is writing to this store"):
                brugdata.open(db).ingest(refs / "officers.csv")
    finally:
        writer.communicate("\n", timeout=60)
    assert writer.returncode == 0
    with brugdata.open(db, read_only=True) as after:
        assert after.counts()["schools"] == 0


def test_a_reader_sees_new_data_after_refresh(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    brugdata.open(db).close()
    with brugdata.open(db, read_only=True) as reader:
        with brugdata.open(db) as writer:
            writer.ingest(refs / "schools.csv", today=TODAY)
        assert reader.counts()["schools"] == 0  # its snapshot
        reader.refresh()
        assert reader.counts()["schools"] == 3


def test_killing_a_writer_half_way_leaves_the_store_as_it_was(tmp_path: Path, refs: Path) -> None:
    db = tmp_path / "s.duckdb"
    with brugdata.open(db) as s:
        s.ingest(refs / "schools.csv", today=TODAY)
        before = snapshot(s)
    writer = _holder(f"""
        import sys, brugdata
        s = brugdata.open({str(db)!r})
        with s.transaction() as con:
            con.execute("DELETE FROM schools").fetchall()
            con.execute("INSERT INTO officers VALUES ('X-1', 'p', 'other', 99, 2)").fetchall()
            print("ready", flush=True)
            sys.stdin.readline()
    """)
    writer.kill()
    writer.wait(timeout=30)
    assert list(tmp_path.glob("s.duckdb.writing-*"))  # the killed writer's copy is left over
    with brugdata.open(db) as s:
        assert snapshot(s) == before
        s.ingest(refs / "officers.csv", today=TODAY)  # the next writer cleans up and goes on
        assert s.counts()["officers"] == 2
    assert not list(tmp_path.glob("s.duckdb.writing-*"))


@pytest.mark.slow
def test_killing_brugdata_ingest_mid_ingest_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    import time

    from tests.conftest import SAMPLE

    db = tmp_path / "s.duckdb"
    gv = SAMPLE / "gooi_vechtstreek"
    with brugdata.open(db) as s:
        s.ingest(*[gv / f"{t}.csv" for t in ("schools", "officers", "partners")])
        before = snapshot(s)
    big = tmp_path / "big"
    big.mkdir()
    contacts = pl.read_csv(gv / "contacts.csv", infer_schema=False)
    copies = [contacts.with_columns(pl.col("contact_id") + f"-{i}") for i in range(60)]
    pl.concat(copies).write_csv(big / "contacts.csv")  # ~250,000 rows
    proc = subprocess.Popen(
        [sys.executable, "-m", "brugdata", "ingest", str(big), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("s.duckdb.writing-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # well inside reading, validating or writing
    assert proc.poll() is None, "the ingest finished before it could be killed"
    proc.kill()
    proc.wait(timeout=30)
    with brugdata.open(db) as s:
        assert snapshot(s) == before


def test_validating_against_the_store_finds_stored_and_repeated_keys(
    store: Store, refs: Path, tmp_path: Path
) -> None:
    """store.known() looks stored contact ids up in the store; files of one validate call
    that are not loaded still see each other's keys."""
    write_csv(refs, "contacten.csv", CONTACTS)
    store.ingest(refs, today=TODAY)  # C-1 and C-3 are stored
    later = tmp_path / "later"
    later.mkdir()
    new = "contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema\n"
    write_csv(later, "contacten_a.csv", new + "C-3;16-03-2025;O-1;91AB00;ouder;P-9;G-9;taal\n")
    write_csv(later, "contacten_b.csv", new + "C-3;17-03-2025;O-1;91AB00;ouder;P-9;G-9;taal\n")
    write_csv(later, "contacten_c.csv", new + "C-7;17-03-2025;O-1;91AB00;ouder;P-9;G-9;taal\n")
    write_csv(later, "contacten_d.csv", new + "C-7;18-03-2025;O-1;91AB00;ouder;P-9;G-9;taal\n")
    result = brugdata.validate(later, today=TODAY, known=store.known())
    rules = {
        f.path.name: [(r["line"], r["column"], r["rule"]) for r in f.rejects.iter_rows(named=True)]
        for f in result.files
    }
    assert rules == {
        "contacten_a.csv": [(2, "contact_id", "already_stored")],  # in the store
        "contacten_b.csv": [(2, "contact_id", "already_stored")],
        "contacten_c.csv": [],
        "contacten_d.csv": [(2, "contact_id", "already_stored")],  # in file c of this call
    }


# --------------------------------------------------------------------------- transaction()


def _open(where: str, tmp_path: Path) -> Store:
    return brugdata.open(":memory:" if where == "memory" else tmp_path / "s.duckdb")


@pytest.mark.parametrize("where", ["memory", "file"])
def test_reads_after_a_transaction_see_what_it_committed(
    where: str, tmp_path: Path, refs: Path
) -> None:
    """A read inside the block used to reopen the old file and kept reading it after the
    commit: the store then showed the state before the transaction."""
    write_csv(refs, "contacten.csv", CONTACTS)
    with _open(where, tmp_path) as s:
        s.ingest(refs, today=TODAY)
        assert s.counts()["schools"] == 3  # the read connection is open
        assert brugdata.reach(s, by="pilot")["pilot"].unique().sort().to_list() == ["p1", "p2"]
        with s.transaction() as con:
            con.execute("DELETE FROM schools WHERE school_id = '92EF'").fetchall()
            assert s.counts()["schools"] == 2  # read inside the block
        assert s.counts()["schools"] == 2
        assert s.table("schools")["school_id"].to_list() == ["91AB00", "91AB01"]
        assert brugdata.reach(s, by="pilot")["pilot"].unique().sort().to_list() == ["p1"]
    if where == "file":
        with brugdata.open(tmp_path / "s.duckdb", read_only=True) as again:
            assert again.counts()["schools"] == 2


@pytest.mark.parametrize("where", ["memory", "file"])
def test_reads_inside_a_transaction_go_through_its_connection(
    where: str, tmp_path: Path, refs: Path
) -> None:
    with _open(where, tmp_path) as s:
        s.ingest(refs, today=TODAY)
        with s.transaction() as con:
            assert s.con is con
            con.execute("UPDATE officers SET pilot = 'p9' WHERE officer_id = 'O-1'").fetchall()
            assert s.table("officers")["pilot"].to_list() == ["p9", "p2"]  # not committed yet
            assert s.sql("SELECT pilot FROM officers ORDER BY 1")["pilot"].to_list() == [
                "p2",
                "p9",
            ]
            if where == "file":  # another reader sees the store as it was
                with brugdata.open(tmp_path / "s.duckdb", read_only=True) as other:
                    assert other.table("officers")["pilot"].to_list() == ["p1", "p2"]
        assert (s.con is con) == (where == "memory")  # a memory store has one connection
        assert s.table("officers")["pilot"].to_list() == ["p9", "p2"]


@pytest.mark.parametrize("where", ["memory", "file"])
def test_a_transaction_that_raises_changes_nothing_and_reads_go_on(
    where: str, tmp_path: Path, refs: Path
) -> None:
    with _open(where, tmp_path) as s:
        s.ingest(refs, today=TODAY)
        before = snapshot(s)
        with pytest.raises(RuntimeError, match="changed my mind"), s.transaction() as con:
            con.execute("DELETE FROM schools").fetchall()
            assert s.counts()["schools"] == 0
            raise RuntimeError("changed my mind")
        assert snapshot(s) == before
        with s.transaction() as con:  # and the store can be written again
            con.execute("DELETE FROM partners WHERE partner_id = 'PA-2'").fetchall()
        assert s.counts()["partners"] == 1


@pytest.mark.parametrize("where", ["memory", "file"])
def test_a_write_inside_a_transaction_is_refused_with_one_sentence(
    where: str, tmp_path: Path, refs: Path
) -> None:
    with _open(where, tmp_path) as s:
        with s.transaction() as con:
            with pytest.raises(StoreError, match="a transaction of this store is open"):
                s.ingest(refs, today=TODAY)
            nested = s.transaction()
            with pytest.raises(StoreError, match="a transaction of this store is open"):
                nested.__enter__()
            con.execute("SELECT 1").fetchall()  # the transaction goes on
        assert s.ingest(refs, today=TODAY).rows_loaded == 7
