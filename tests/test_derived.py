"""The tables a store derives from contacts: in step after every write (ingest, transaction,
migration), giving the same numbers as the analyses computed from the contacts themselves, and
not used when a write outside brugdata left them out of step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import brugdata
from brugdata.analysis import _common
from brugdata.model.tables import TABLES
from brugdata.store import ddl, derived
from brugdata.store.store import Store
from tests.conftest import SAMPLE, TODAY

Analysis = Callable[[object], object]

#: Every analysis that reads contacts, by a name for the failure message.
ANALYSES: dict[str, Analysis] = {
    "reach_school": lambda x: brugdata.reach(x, by="school"),
    "reach_pilot": lambda x: brugdata.reach(x, by="pilot"),
    "reach_officer": lambda x: brugdata.reach(x, by="officer"),
    "reach_school_type": lambda x: brugdata.reach(x, by="school_type"),
    "reach_bands": lambda x: brugdata.reach_bands(x),
    "reach_bands_officer": lambda x: brugdata.reach_bands(x, by="officer"),
    "parents_of_pupil_cases": lambda x: brugdata.parents_of_pupil_cases(x, by="school"),
    "seasonality": lambda x: brugdata.seasonality(x),
    "network": lambda x: brugdata.network(x),
    "time_use": lambda x: brugdata.time_use(x),
    "compare": lambda x: brugdata.compare(x),
    "pathways": lambda x: brugdata.pathways(x),
    "pathways_school_theme": lambda x: brugdata.pathways(x, by=["school", "theme"]),
    "cases": lambda x: brugdata.cases(x),
    "indicators": lambda x: brugdata.indicators(x, by="pilot"),
    "indicators_municipality": lambda x: brugdata.indicators(x, by="municipality"),
}


def as_frames(result: object) -> dict[str, pl.DataFrame]:
    """An analysis' result as named frames, whatever shape it comes in: a frame, an object
    with ``.frames()``, or a mapping of frames."""
    if isinstance(result, pl.DataFrame):
        return {"": result}
    frames = getattr(result, "frames", None)
    if callable(frames):
        return dict(frames())
    if isinstance(result, Mapping):
        return dict(result)
    raise TypeError(f"cannot compare a {type(result).__name__}")


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    flat = [c for c, t in frame.schema.items() if not t.is_nested()]
    return frame.sort(flat, nulls_last=True) if flat and frame.height else frame


def assert_same_analyses(store: Store) -> None:
    """Every analysis gives the same frames on the store (which reads its derived tables
    when they are in step) as on the store's tables as frames (which never has them)."""
    frames = {name: store.table(name) for name in TABLES}
    for name, analysis in ANALYSES.items():
        on_store, on_frames = as_frames(analysis(store)), as_frames(analysis(frames))
        assert on_store.keys() == on_frames.keys(), name
        for part, frame in on_store.items():
            # sums of floats (averages over officers) are added in parallel by DuckDB, in no
            # fixed order: equal to the last few bits; integers are compared exactly
            try:
                assert_frame_equal(
                    _sorted(frame), _sorted(on_frames[part]), check_exact=False, rel_tol=1e-12
                )
            except AssertionError as exc:
                raise AssertionError(f"{name} {part}: {exc}") from None


#: Distinct parents (families: family_key, else person_key) contacted per pilot (the school's
#: that school year, else the officer's) and school year, counted straight from contacts.
PARENTS_BY_HAND = """
    WITH c AS (
        SELECT *, CASE WHEN month(date) >= 8 THEN year(date) ELSE year(date) - 1 END AS y
        FROM contacts WHERE counterpart = 'parent'
    )
    SELECT coalesce(s.pilot, o.pilot) AS pilot,
           CAST(c.y AS VARCHAR) || '-' || CAST(c.y + 1 AS VARCHAR) AS school_year,
           count(DISTINCT coalesce(c.family_key, c.person_key)) AS parents
    FROM c
    LEFT JOIN schools s
           ON s.school_id = c.school_id
          AND s.school_year = CAST(c.y AS VARCHAR) || '-' || CAST(c.y + 1 AS VARCHAR)
    LEFT JOIN officers o ON o.officer_id = c.officer_id
    GROUP BY ALL
"""


def parents_by_hand(store: Store) -> dict[tuple[str, str], int]:
    return {(p, y): n for p, y, n in store.sql(PARENTS_BY_HAND).rows()}


def parents_reached(store: Store) -> dict[tuple[str, str], int]:
    frame = brugdata.reach(store, by="pilot").filter(
        (pl.col("counterpart") == "parent") & (pl.col("reached") > 0)
    )
    return {(p, y): n for p, y, n in frame.select("pilot", "school_year", "reached").rows()}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("derived") / "s.duckdb"
    with brugdata.open(path) as s:
        s.ingest(SAMPLE)
    return path


def _copy(sample_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    db.write_bytes(sample_db.read_bytes())
    return db


def test_the_store_keeps_the_derived_tables_and_they_give_the_same_numbers(
    sample_db: Path,
) -> None:
    with brugdata.open(sample_db, read_only=True) as s:
        assert derived.has_derived(s.con)
        assert _common.people_x(s.con) != _common.people_x(duckdb.connect())
        assert parents_reached(s) == parents_by_hand(s)
        assert_same_analyses(s)


#: Edits of contacts that keep their row count and sum of ingest ids: the freshness check
#: cannot see them. Each picks its rows by contact id, the same rows on every run.
_UPDATES = [
    # new parents: their own person, no family
    """UPDATE contacts SET person_key = 'EDIT-P-' || contact_id, family_key = NULL
       WHERE contact_id IN (SELECT contact_id FROM contacts WHERE counterpart = 'parent'
                            ORDER BY contact_id LIMIT 150)""",
    # parents of many families become one family
    """UPDATE contacts SET family_key = 'EDIT-G-1'
       WHERE contact_id IN (SELECT contact_id FROM contacts WHERE counterpart = 'parent'
                            ORDER BY contact_id DESC LIMIT 120)""",
    # parents become pupils and pupils parents
    """UPDATE contacts SET counterpart = CASE counterpart WHEN 'parent' THEN 'pupil'
                                                         ELSE 'parent' END
       WHERE contact_id IN (
           (SELECT contact_id FROM contacts WHERE counterpart = 'parent'
            ORDER BY md5(contact_id) LIMIT 80)
           UNION ALL
           (SELECT contact_id FROM contacts WHERE counterpart = 'pupil'
            ORDER BY md5(contact_id) LIMIT 80))""",
    # other themes, one named twice and a null (as no ingest would store them)
    """UPDATE contacts SET themes = ['pesten', 'pesten', NULL, 'taal']
       WHERE contact_id IN (SELECT contact_id FROM contacts ORDER BY md5(contact_id) LIMIT 200)""",
    # referrals made and withdrawn
    """UPDATE contacts SET referred_to = (SELECT min(partner_id) FROM partners)
       WHERE contact_id IN (SELECT contact_id FROM contacts WHERE referred_to IS NULL
                            ORDER BY md5(contact_id) LIMIT 60)""",
    """UPDATE contacts SET referred_to = NULL
       WHERE contact_id IN (SELECT contact_id FROM contacts WHERE referred_to IS NOT NULL
                            ORDER BY md5(contact_id) DESC LIMIT 40)""",
]

_DELETE_AND_INSERT = [
    """DELETE FROM contacts
       WHERE contact_id IN (SELECT contact_id FROM contacts ORDER BY md5(contact_id) LIMIT 300)""",
    # a copy of a parent contact under a new contact id, with a parent nobody contacted before
    """INSERT INTO contacts
       SELECT * REPLACE ('COPY-' || contact_id AS contact_id, 'COPY-P-1' AS person_key,
                         'COPY-G-1' AS family_key)
       FROM contacts
       WHERE contact_id = (SELECT min(contact_id) FROM contacts WHERE counterpart = 'parent')""",
]


def test_contacts_edited_in_a_transaction_count_in_every_analysis(
    sample_db: Path, tmp_path: Path
) -> None:
    """Edits through store.transaction() that the freshness check (row count, sum of ingest
    ids) cannot see: the transaction rebuilds the derived tables before it commits, so the
    analyses of the store agree with the contacts, and with a count by hand."""
    db = _copy(sample_db, tmp_path)
    with brugdata.open(db) as s:
        before = parents_by_hand(s)
        state = s.sql(f"SELECT * FROM {derived.DERIVED_STATE}")
        with s.transaction() as con:
            for sql in _UPDATES:
                con.execute(sql).fetchall()
            # inside the block the analyses read the contacts as the block left them
            assert not derived.has_derived(s.con)
            assert parents_reached(s) == parents_by_hand(s)
        after = parents_by_hand(s)
        assert after != before  # the edits changed the figure
        assert s.sql(f"SELECT * FROM {derived.DERIVED_STATE}").equals(state)  # same count, sum
        assert derived.has_derived(s.con)  # so the analyses read the derived tables
        assert parents_reached(s) == after
        assert_same_analyses(s)

        with s.transaction() as con:
            for sql in _DELETE_AND_INSERT:
                con.execute(sql).fetchall()
        assert s.counts()["contacts"] == 5291 - 300 + 1
        assert derived.has_derived(s.con)
        assert parents_by_hand(s) != after
        assert parents_reached(s) == parents_by_hand(s)
        assert_same_analyses(s)


def test_contacts_edited_in_a_transaction_of_a_memory_store_count_too() -> None:
    with brugdata.open(":memory:") as s:
        s.ingest(SAMPLE / "gooi_vechtstreek")
        with s.transaction() as con:
            for sql in [*_UPDATES, *_DELETE_AND_INSERT]:
                con.execute(sql).fetchall()
        assert derived.has_derived(s.con)
        assert parents_reached(s) == parents_by_hand(s)
        assert_same_analyses(s)


def test_derived_tables_follow_every_ingest(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    gv, db_pilot = SAMPLE / "gooi_vechtstreek", SAMPLE / "den_bosch"
    with brugdata.open(db) as s:
        s.ingest(*[p for p in gv.iterdir() if "contact" not in p.name])
        assert derived.has_derived(s.con)  # no contacts yet: empty and in step
        s.ingest(gv / "contacts.csv")
        assert derived.has_derived(s.con)
        assert_same_analyses(s)
        s.ingest(db_pilot)
        assert derived.has_derived(s.con)
        assert parents_reached(s) == parents_by_hand(s)
        assert_same_analyses(s)


def test_derived_tables_out_of_step_are_not_used_and_the_next_ingest_rebuilds_them(
    tmp_path: Path, sample_db: Path
) -> None:
    """A write outside brugdata (another tool on the file) leaves them out of step: the
    analyses then read contacts, and the next ingest rebuilds them."""
    db = _copy(sample_db, tmp_path)
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM contacts WHERE counterpart = 'pupil'")
    con.close()
    with brugdata.open(db) as s:
        assert not derived.has_derived(s.con)  # so the analyses read contacts
        pupils = brugdata.reach(s, by="pilot").filter(pl.col("counterpart") == "pupil")
        assert pupils["reached"].sum() == 0
        assert parents_reached(s) == parents_by_hand(s)
        assert_same_analyses(s)
    extra = tmp_path / "more"
    extra.mkdir()
    text = (SAMPLE / "gooi_vechtstreek" / "contacts.csv").read_text(encoding="utf-8")
    header, first = text.splitlines()[0], text.splitlines()[1].split(",")
    first[0] = "GV-EXTRA-1"
    (extra / "contacts_extra.csv").write_text(header + "\n" + ",".join(first) + "\n")
    with brugdata.open(db) as s:
        s.ingest(extra, today=TODAY)  # the next ingest rebuilds them
        assert derived.has_derived(s.con)
        assert_same_analyses(s)


def test_a_version_4_store_gets_the_derived_tables_in_the_new_layout(
    tmp_path: Path, sample_db: Path
) -> None:
    """Version 4 kept the school year's text in the derived tables; version 5 keeps its first
    year. The migration rebuilds them from the contacts."""
    db = _copy(sample_db, tmp_path)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE contacts_people")
    con.execute(
        "CREATE TABLE contacts_people (officer_id VARCHAR, school_id VARCHAR, "
        "school_year VARCHAR, counterpart VARCHAR, person_key VARCHAR, family_key VARCHAR)"
    )
    con.execute("DELETE FROM brugdata_schema")
    con.execute("INSERT INTO brugdata_schema VALUES (4, '0.1.0', now())")
    con.close()
    with brugdata.open(db) as s:
        assert s.schema_version == ddl.SCHEMA_VERSION == 8
        assert derived.has_derived(s.con)
        assert "start_year" in s.sql("SELECT * FROM contacts_people LIMIT 0").columns
        assert_same_analyses(s)


def test_a_version_7_store_gains_the_cases_table(tmp_path: Path, sample_db: Path) -> None:
    """Version 8 adds ``contacts_cases``: without it a version 7 store's analyses would read
    every contact; the migration builds it from the contacts."""
    db = _copy(sample_db, tmp_path)
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE contacts_cases")
    con.execute("DELETE FROM brugdata_schema")
    con.execute("INSERT INTO brugdata_schema VALUES (7, '0.1.0', now())")
    con.close()
    with brugdata.open(db) as s:
        assert s.schema_version == 8
        assert derived.has_derived(s.con)
        # every case contact is in it once: its contact counts add up to them
        by_hand = s.sql(f"SELECT count(*) AS n FROM contacts WHERE {derived.IN_CASE}")["n"][0]
        assert s.sql("SELECT sum(contacts) AS n FROM contacts_cases")["n"][0] == by_hand > 1000
        assert_same_analyses(s)


def test_a_version_3_store_gains_the_derived_tables(tmp_path: Path, sample_db: Path) -> None:
    db = _copy(sample_db, tmp_path)
    con = duckdb.connect(str(db))
    for name in [*derived.DERIVED, derived.DERIVED_STATE]:
        con.execute(f"DROP TABLE {name}")
    con.execute("DELETE FROM brugdata_schema")
    con.execute("INSERT INTO brugdata_schema VALUES (3, '0.1.0', now())")
    con.close()
    with brugdata.open(db) as s:
        assert s.schema_version == ddl.SCHEMA_VERSION
        assert derived.has_derived(s.con)
        assert_same_analyses(s)


def test_every_migration_rebuilds_the_derived_tables(
    tmp_path: Path, sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even one whose SQL changes contacts in a way the freshness check cannot see."""
    db = _copy(sample_db, tmp_path)
    now = ddl.SCHEMA_VERSION
    monkeypatch.setattr(ddl, "SCHEMA_VERSION", now + 1)
    edit = "UPDATE contacts SET counterpart = 'pupil' WHERE counterpart = 'parent'"
    monkeypatch.setattr(ddl, "MIGRATIONS", {now: [edit]})
    with brugdata.open(db) as s:
        assert s.schema_version == now + 1
        assert derived.has_derived(s.con)
        assert parents_reached(s) == parents_by_hand(s) == {}
        assert_same_analyses(s)


def test_a_theme_named_twice_counts_once_whoever_wrote_the_contact(
    tmp_path: Path, refs: Path
) -> None:
    """An ingest adds its (validated) contacts' themes as they are: validation leaves a
    contact each theme once. Contacts written some other way may repeat a theme or hold a
    null; the rebuild at the end of a transaction counts each distinct theme of a contact
    once, as the analyses do on contacts."""
    header = "contact_id,date,officer_id,school_id,counterpart,person_key,themes\n"
    (refs / "contacts_a.csv").write_text(
        header + "C-1,2025-03-14,O-1,91AB00,parent,P-1,taal|Taal|armoede\n", encoding="utf-8"
    )
    db = tmp_path / "s.duckdb"

    def mentions(s: brugdata.Store) -> dict[str, int]:
        sql = f"SELECT theme, sum(n) FROM ({_common.themes_x(s.con)}) GROUP BY theme"
        return dict(s.con.execute(sql).fetchall())

    with brugdata.open(db) as s:
        s.ingest(refs, today=TODAY)
        assert derived.has_derived(s.con)
        assert mentions(s) == {"taal": 1, "armoede": 1}
        with s.transaction() as con:
            con.execute(
                "INSERT INTO contacts (contact_id, date, officer_id, school_id, counterpart, "
                "person_key, themes, _ingest_id) VALUES ('C-2', DATE '2025-03-15', 'O-1', "
                "'91AB00', 'parent', 'P-2', ['pesten', NULL, 'pesten', 'taal'], 99)"
            ).fetchall()
            assert not derived.has_derived(s.con)
            assert mentions(s) == {"taal": 2, "armoede": 1, "pesten": 1}  # read from contacts
        assert derived.has_derived(s.con)
        assert mentions(s) == {"taal": 2, "armoede": 1, "pesten": 1}  # from the rebuild
        more = tmp_path / "more"
        more.mkdir()
        (more / "contacts_b.csv").write_text(
            header + "C-3,2025-03-16,O-1,91AB00,pupil,P-3,pesten\n", encoding="utf-8"
        )
        s.ingest(more, today=TODAY)  # adds its contacts to the derived tables
        assert derived.has_derived(s.con)
        assert mentions(s) == {"taal": 2, "armoede": 1, "pesten": 2}


def test_one_reading_checks_the_derived_tables_once_per_connection(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """compare builds a dozen relations; inside its one reading the freshness check (a sum
    over contacts) runs once, and outside a block every relation asks again."""
    calls: list[int] = []
    real = derived._has_derived

    def counted(con: duckdb.DuckDBPyConnection) -> bool:
        calls.append(id(con))
        return real(con)

    monkeypatch.setattr(derived, "_has_derived", counted)
    with brugdata.open(sample_db, read_only=True) as s:
        brugdata.compare(s)
        assert len(calls) == 1
        calls.clear()
        for _ in range(3):
            _common.people_x(s.con)
        assert len(calls) == 3
        with derived.one_reading():
            assert derived.has_derived(s.con)
            assert derived.has_derived(duckdb.connect()) is False  # each connection apart
            assert derived.has_derived(s.con)
        assert len(calls) == 3 + 2


def test_one_reading_asks_which_pilots_log_once_per_connection_and_year(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """reach asks which pilots log (to pick each pilot's source) and again to resolve its
    own; inside its one reading the query runs once per school year, outside every time."""
    from brugdata.analysis import _contract

    asked: list[str] = []
    real = _common.counts_x

    def counted(con: duckdb.DuckDBPyConnection) -> str:
        asked.append("counts")
        return real(con)

    monkeypatch.setattr(_common, "counts_x", counted)
    with brugdata.open(sample_db, read_only=True) as s:
        brugdata.reach(s, by="school")
        assert len(asked) == 1
        asked.clear()
        year = s.con.execute("SELECT max(school_year) FROM schools").fetchall()[0][0]
        every = _contract.logged_pilots(s.con, None)
        _contract.logged_pilots(s.con, None)
        assert len(asked) == 2  # outside a reading: asked each time
        with derived.one_reading():
            assert _contract.logged_pilots(s.con, None) == every
            assert _contract.logged_pilots(s.con, None) == every
            in_year = _contract.logged_pilots(s.con, year)
            assert _contract.logged_pilots(s.con, year) == in_year
        assert len(asked) == 2 + 2
        assert in_year and in_year <= every
