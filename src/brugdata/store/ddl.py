"""The store's layout: its version, the meta tables, the CREATE statements of the data tables,
and the migrations that bring an older store up to date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from brugdata.errors import StoreError
from brugdata.model.tables import TABLES, Table, column_sql_type
from brugdata.store.derived import DERIVED, DERIVED_STATE, derived_sql

__all__ = [
    "META_TABLES",
    "MIGRATIONS",
    "REFERENCE_TABLES",
    "SCHEMA_VERSION",
    "check_key",
    "create",
    "create_table_sql",
    "history_table",
    "history_table_sql",
    "key_fingerprint",
    "migrate",
    "rows",
    "run",
    "version_to_migrate",
]

#: Version of the store's table layout; a store with another version is migrated or refused.
#: 1: the logged tables; 2: the questionnaire tables (survey, survey_*); 3: notes on contacts
#: and activities, pseudonymised and redacted counts in ingests; 4: tables derived from
#: contacts for the analyses (:mod:`brugdata.store.derived`); 5: the derived tables keep the
#: school year's first year (``start_year``) instead of its text; 6: the fingerprint of the
#: pseudonym key (``brugdata_key``); 7: reference rows keep their history (``<table>_history``
#: for schools, officers and partners: the versions an ``update`` ingest replaced) and
#: ``ingests.rows_unchanged`` counts the rows delivered again unchanged, ``rows_skipped`` the
#: rows above a file's header row; the ``pilots`` table (display names of the pilots, itself
#: a reference table) is new in the data model, created by the migration; 8: the derived
#: table ``contacts_cases`` (the contacts of families' cases, for the referral pathways),
#: built by the rebuild that ends every migration.
SCHEMA_VERSION = 8

#: SQL that brings a store from version ``v`` to ``v + 1``, by ``v``. Tables new in the data
#: model are created by every migration, and every migration ends by rebuilding the tables
#: derived from contacts, so a version that only adds tables needs no SQL.
MIGRATIONS: dict[int, list[str]] = {
    1: [],
    2: [
        "ALTER TABLE contacts ADD COLUMN IF NOT EXISTS notes VARCHAR",
        "ALTER TABLE activities ADD COLUMN IF NOT EXISTS notes VARCHAR",
        "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS pseudonymised BIGINT DEFAULT 0",
        "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS redacted BIGINT DEFAULT 0",
    ],
    3: [],  # version 4 added the derived tables, in the layout version 5 replaces
    # version 5 keeps start_year in the derived tables: drop the old ones (rebuilt at the end)
    4: [f"DROP TABLE IF EXISTS {name}" for name in [*DERIVED, DERIVED_STATE]],
    5: [],  # brugdata_key: a meta table, created by every migration
    # the history tables are meta tables, created by every migration
    6: [
        "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS rows_unchanged BIGINT DEFAULT 0",
        "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS rows_skipped BIGINT DEFAULT 0",
    ],
    7: [],  # contacts_cases: a derived table, built by the rebuild that ends every migration
}

#: name → CREATE statement of the tables beside the data tables.
META_TABLES = {
    "brugdata_schema": """
        CREATE TABLE IF NOT EXISTS brugdata_schema (
            version INTEGER NOT NULL,
            brugdata_version VARCHAR NOT NULL,
            applied_at TIMESTAMP NOT NULL
        )""",
    "brugdata_key": """
        CREATE TABLE IF NOT EXISTS brugdata_key (
            fingerprint VARCHAR NOT NULL,
            recorded_at TIMESTAMP NOT NULL
        )""",
    "ingests": """
        CREATE TABLE IF NOT EXISTS ingests (
            ingest_id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL,
            file_name VARCHAR NOT NULL,
            path VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            table_name VARCHAR NOT NULL,
            rows_read BIGINT NOT NULL,
            rows_loaded BIGINT NOT NULL,
            rows_rejected BIGINT NOT NULL,
            unknown_columns VARCHAR[],
            encoding VARCHAR,
            delimiter VARCHAR,
            sheet VARCHAR,
            ingested_at TIMESTAMP NOT NULL,
            brugdata_version VARCHAR NOT NULL,
            pseudonymised BIGINT NOT NULL DEFAULT 0,
            redacted BIGINT NOT NULL DEFAULT 0,
            rows_unchanged BIGINT NOT NULL DEFAULT 0,
            rows_skipped BIGINT NOT NULL DEFAULT 0
        )""",
    "rejects": """
        CREATE TABLE IF NOT EXISTS rejects (
            ingest_id INTEGER NOT NULL,
            line BIGINT NOT NULL,
            "column" VARCHAR NOT NULL,
            rule VARCHAR NOT NULL,
            value VARCHAR,
            message VARCHAR NOT NULL
        )""",
    "rejected_rows": """
        CREATE TABLE IF NOT EXISTS rejected_rows (
            ingest_id INTEGER NOT NULL,
            line BIGINT NOT NULL,
            data VARCHAR NOT NULL
        )""",
}


#: The tables other tables refer to by key (schools, officers, partners), and ``pilots``
#: (whose codes the others use without a declared reference), in load order: delivered
#: again and again, their rows are compared and versioned (:mod:`brugdata.store.reference`).
REFERENCE_TABLES: tuple[str, ...] = tuple(
    name
    for name in TABLES
    if name == "pilots"
    or any(c.references == name for spec in TABLES.values() for c in spec.columns)
)


def history_table(name: str) -> str:
    """The name of the table that keeps the replaced versions of reference table ``name``."""
    return f"{name}_history"


def history_table_sql(spec: Table) -> str:
    """CREATE statement of a reference table's history: its columns, the ingest and line the
    version came from (``_ingest_id``: valid from that ingest), and ``_valid_to``: the ingest
    that replaced it (the version is valid before that ingest)."""
    cols = [f'"{c.name}" {column_sql_type(c)}' for c in spec.columns]
    cols += ["_ingest_id INTEGER NOT NULL", "_line BIGINT", "_valid_to INTEGER NOT NULL"]
    body = ",\n    ".join(cols)
    return f"CREATE TABLE IF NOT EXISTS {history_table(spec.name)} (\n    {body}\n)"


META_TABLES.update(
    {history_table(name): history_table_sql(TABLES[name]) for name in REFERENCE_TABLES}
)


def key_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the pseudonym key the store's keys were made with (None before the
    first ingest with a key)."""
    found = rows(con, "SELECT fingerprint FROM brugdata_key ORDER BY recorded_at LIMIT 1")
    return str(found[0][0]) if found else None


def check_key(con: duckdb.DuckDBPyConnection, fingerprint: str, path: str) -> None:
    """Record ``fingerprint`` as the store's key when it has none; raise
    :class:`~brugdata.errors.StoreError` when the store was made with another key."""
    stored = key_fingerprint(con)
    if stored is None:
        run(con, "INSERT INTO brugdata_key VALUES (?, ?)", [fingerprint, dt.datetime.now()])
    elif stored != fingerprint:
        raise StoreError(
            f"{path}: this store's pseudonyms were made with another key (fingerprint "
            f"{stored}, this key's is {fingerprint}); use the store's key: pseudonyms of two "
            "keys cannot be linked and would split people and families in two"
        )


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> None:
    """Execute a statement and finish its result (DuckDB wants results consumed)."""
    con.execute(sql, params).fetchall()


def rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    """The rows a query gives, as tuples."""
    return con.execute(sql, params).fetchall()


def create_table_sql(spec: Table) -> str:
    """CREATE statement of a data table: its columns, then ``_ingest_id`` and ``_line``."""
    cols = [f'"{c.name}" {column_sql_type(c)}' for c in spec.columns]
    cols += ["_ingest_id INTEGER NOT NULL", "_line BIGINT"]
    return f"CREATE TABLE IF NOT EXISTS {spec.name} (\n    " + ",\n    ".join(cols) + "\n)"


def _record_version(con: duckdb.DuckDBPyConnection) -> None:
    from brugdata._version import __version__

    run(
        con,
        "INSERT INTO brugdata_schema VALUES (?, ?, ?)",
        [SCHEMA_VERSION, __version__, dt.datetime.now()],
    )


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Make a new store through ``con``: every table, the derived tables (empty, in step with
    the empty contacts table) and the layout version."""
    for sql in META_TABLES.values():
        run(con, sql)
    for spec in TABLES.values():
        run(con, create_table_sql(spec))
    for sql in derived_sql(None):
        run(con, sql)
    _record_version(con)


def version_to_migrate(con: duckdb.DuckDBPyConnection, path: str, *, read_only: bool) -> int | None:
    """The layout version of the store on ``con`` when it needs migrating (None when it is
    current). Raises :class:`~brugdata.errors.StoreError` when it is not a brugdata store, is
    newer than this brugdata reads, or needs migrating but is open ``read_only``."""
    existing = {r[0] for r in rows(con, "SELECT table_name FROM duckdb_tables()")}
    if "brugdata_schema" not in existing:
        what = f"it has tables {', '.join(sorted(existing))}" if existing else "it is empty"
        raise StoreError(
            f"{path}: this DuckDB file is not a brugdata store ({what} but no brugdata_schema)"
        )
    found = rows(con, "SELECT max(version) FROM brugdata_schema")[0][0]
    version = int(found) if found is not None else 0
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: this store has schema version {version}, made by a newer brugdata; this "
            f"brugdata reads up to version {SCHEMA_VERSION}: upgrade brugdata"
        )
    if version == SCHEMA_VERSION:
        return None
    if read_only:
        raise StoreError(
            f"{path}: this store has schema version {version} and needs migrating to version "
            f"{SCHEMA_VERSION}: open it once without read_only"
        )
    return version


def migrate(con: duckdb.DuckDBPyConnection, version: int, path: str) -> None:
    """Bring the store on ``con`` from ``version`` to :data:`SCHEMA_VERSION` inside the
    caller's transaction: the :data:`MIGRATIONS` in order, the tables new in the data model,
    the derived tables rebuilt from every contact, and the new version recorded."""
    for v in range(version, SCHEMA_VERSION):
        if v not in MIGRATIONS:
            raise StoreError(
                f"{path}: no migration from schema version {v}; open it with the brugdata "
                "release that made it and export the data"
            )
        for sql in MIGRATIONS[v]:
            run(con, sql)
    for sql in META_TABLES.values():
        run(con, sql)
    for spec in TABLES.values():
        run(con, create_table_sql(spec))
    for sql in derived_sql(None):
        run(con, sql)
    _record_version(con)
