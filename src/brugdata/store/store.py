"""The store: one embedded DuckDB file that loses no row and records where each came from.

``open_store(path)`` (``brugdata.open``) gives a :class:`Store`. ``Store.ingest`` validates
files against the data model and what the store already holds, then loads, in ONE
transaction per call, the valid rows (each with the ingest it came from and its source line),
the rejected rows as read with their reasons, and a provenance row per file (name, sha256,
rows read, loaded and rejected, time). A file whose content was ingested before is skipped.

DuckDB lets one process write a database file at a time; while it has the file open no other
process can open it, not even read-only. :class:`~brugdata.errors.StoreError` says so, naming
the process, instead of DuckDB's lock error.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one writer at a time is then up to the user
    fcntl = None  # type: ignore[assignment]

from brugdata.errors import ReadError, StoreError
from brugdata.ingest.read import LINE_COLUMN, RawTable, read_ahead, read_unless_seen
from brugdata.ingest.results import REFERENCED, FileError, FileResult, Known, ValidationResult
from brugdata.ingest.validate import Privacy, collect_files, plan_files, validate_raw
from brugdata.model.tables import TABLES, Table, column_sql_type
from brugdata.store.derived import DERIVED, DERIVED_STATE, derived_sql, derived_state_sql

__all__ = ["SCHEMA_VERSION", "FileIngest", "IngestResult", "Store", "open_store"]

#: Version of the store's table layout; a store with another version is migrated or refused.
#: 1: the logged tables; 2: the questionnaire tables (survey, survey_*); 3: notes on contacts
#: and activities, pseudonymised and redacted counts in ingests; 4: tables derived from
#: contacts for the analyses (see :func:`_maintain_derived`); 5: the derived tables keep the
#: school year's first year (``start_year``) instead of its text.
SCHEMA_VERSION = 5

#: SQL that brings a store from version ``v`` to ``v + 1``, by ``v``. Tables new in the data
#: model are created by every migration, so a version that only adds tables needs no SQL.
MIGRATIONS: dict[int, list[str]] = {
    1: [],
    2: [
        "ALTER TABLE contacts ADD COLUMN IF NOT EXISTS notes VARCHAR",
        "ALTER TABLE activities ADD COLUMN IF NOT EXISTS notes VARCHAR",
        "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS pseudonymised BIGINT DEFAULT 0",
        "ALTER TABLE ingests ADD COLUMN IF NOT EXISTS redacted BIGINT DEFAULT 0",
    ],
    3: [],  # version 4 added the derived tables, in the layout version 5 replaces
    # (re)build the derived tables from the contacts already stored
    4: [f"DROP TABLE IF EXISTS {name}" for name in [*DERIVED, DERIVED_STATE]] + derived_sql(),
}

_META_TABLES = {
    "brugdata_schema": """
        CREATE TABLE IF NOT EXISTS brugdata_schema (
            version INTEGER NOT NULL,
            brugdata_version VARCHAR NOT NULL,
            applied_at TIMESTAMP NOT NULL
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
            redacted BIGINT NOT NULL DEFAULT 0
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


def _create_table_sql(spec: Table) -> str:
    cols = [f'"{c.name}" {column_sql_type(c)}' for c in spec.columns]
    cols += ["_ingest_id INTEGER NOT NULL", "_line BIGINT"]
    return f"CREATE TABLE IF NOT EXISTS {spec.name} (\n    " + ",\n    ".join(cols) + "\n)"


# --------------------------------------------------------------------------- results

Status = Literal["loaded", "skipped", "error"]


@dataclass
class FileIngest:
    """What happened to one file in an ingest: ``status`` is loaded, skipped (its content was
    ingested before) or error (unreadable; ``message`` says why)."""

    path: Path
    table: str | None
    status: Status
    sha256: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    ingest_id: int | None = None
    message: str = ""


@dataclass
class IngestResult:
    """The outcome of :meth:`Store.ingest`: one :class:`FileIngest` per file, and the
    validation of the files that were read."""

    def _repr_html_(self) -> str:
        from brugdata.store.html import ingest_html

        return ingest_html(self)

    files: list[FileIngest]
    validation: ValidationResult = field(default_factory=lambda: ValidationResult([]))

    @property
    def rows_read(self) -> int:
        """Rows read from the files that were not skipped."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        """Rows loaded into the store's tables."""
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows kept in the rejects tables instead."""
        return sum(f.rows_rejected for f in self.files)

    @property
    def skipped(self) -> list[FileIngest]:
        """Files skipped because their content was ingested before."""
        return [f for f in self.files if f.status == "skipped"]

    @property
    def errors(self) -> list[FileIngest]:
        """Files that could not be read."""
        return [f for f in self.files if f.status == "error"]

    def summary(self) -> pl.DataFrame:
        """One row per file: file, table, status, rows_read, rows_loaded, rows_rejected,
        message."""
        return pl.DataFrame(
            [
                {
                    "file": str(f.path),
                    "table": f.table,
                    "status": f.status,
                    "rows_read": f.rows_read,
                    "rows_loaded": f.rows_loaded,
                    "rows_rejected": f.rows_rejected,
                    "message": f.message,
                }
                for f in self.files
            ],
            schema={
                "file": pl.String,
                "table": pl.String,
                "status": pl.String,
                "rows_read": pl.Int64,
                "rows_loaded": pl.Int64,
                "rows_rejected": pl.Int64,
                "message": pl.String,
            },
        )


# --------------------------------------------------------------------------- the store


def open_store(path: str | Path = ":memory:", *, read_only: bool = False) -> Store:
    """Open (or create) the store at ``path``; ``":memory:"`` gives a store that lives as
    long as the object. ``read_only`` refuses every write. Raises
    :class:`~brugdata.errors.StoreError` when the file is not a brugdata store of a version
    this one can read, or cannot be opened."""
    return Store(path, read_only=read_only)


class Store:
    """A brugdata store on a DuckDB file. Use as a context manager, or call :meth:`close`.

    A file store is read through a read-only connection, so any number of processes can read
    it at once. Every write (:meth:`ingest`, :meth:`transaction`) works on a copy of the file
    under an exclusive lock and swaps the copy in with one atomic rename when it commits:
    readers keep querying the old state meanwhile, and a write that fails or is killed leaves
    the file exactly as it was.
    """

    def _repr_html_(self) -> str:
        from brugdata.store.html import store_html

        return store_html(self)

    def __init__(self, path: str | Path = ":memory:", *, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        self.memory = self.path == ":memory:"
        self._con: duckdb.DuckDBPyConnection | None = None
        self._closed = False
        self._new = False  # made by this object and not written since: no ingests yet
        if self.memory:
            self._con = duckdb.connect(":memory:")
            self._create(self._con)
            return
        if not Path(self.path).exists():
            if read_only:
                raise StoreError(f"{self.path}: no store there to open read-only")
            with self._swap() as con:
                self._create(con)
            self._new = True
            return  # made by this brugdata: nothing to check, read when first used
        try:
            self._check_version()
        except BaseException:
            self.close()
            raise

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection reads go through (read-only on a file store). It is opened when
        first used, and again after a write, which replaces the file."""
        if self._con is None:
            if self._closed:
                raise StoreError(f"{self.path}: the store is closed")
            self._con = self._connect_read()
        return self._con

    # -- life cycle
    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._disconnect()
        self._closed = True

    def refresh(self) -> None:
        """See what other processes wrote since this store was opened (reconnect)."""
        if not self.memory:
            self._disconnect()

    def _disconnect(self) -> None:
        """Close the read connection; the next read opens a new one (a file store)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __repr__(self) -> str:
        return f"<brugdata.Store {self.path!r}>"

    def _connect_read(self) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(self.path, read_only=True)
        except duckdb.IOException as exc:
            raise StoreError(_lock_message(self.path, exc)) from None
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store ({_first_line(exc)})") from None

    def _check_version(self) -> None:
        """Refuse what is not a brugdata store or is too new; migrate an older store."""
        existing = {r[0] for r in _rows(self.con, "SELECT table_name FROM duckdb_tables()")}
        if "brugdata_schema" not in existing:
            what = f"it has tables {', '.join(sorted(existing))}" if existing else "it is empty"
            raise StoreError(
                f"{self.path}: this DuckDB file is not a brugdata store ({what} but no "
                "brugdata_schema)"
            )
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: this store has schema version {version}, made by a newer "
                f"brugdata; this brugdata reads up to version {SCHEMA_VERSION}: upgrade brugdata"
            )
        if version < SCHEMA_VERSION:
            if self.read_only:
                raise StoreError(
                    f"{self.path}: this store has schema version {version} and needs migrating "
                    f"to version {SCHEMA_VERSION}: open it once without read_only"
                )
            with self.transaction() as con:
                self._migrate(con, version)

    def _create(self, con: duckdb.DuckDBPyConnection) -> None:
        from brugdata._version import __version__

        for sql in _META_TABLES.values():
            _run(con, sql)
        for spec in TABLES.values():
            _run(con, _create_table_sql(spec))
        _maintain_derived(con)  # empty, and in step with the empty contacts table
        _run(
            con,
            "INSERT INTO brugdata_schema VALUES (?, ?, ?)",
            [SCHEMA_VERSION, __version__, dt.datetime.now()],
        )

    def _migrate(self, con: duckdb.DuckDBPyConnection, version: int) -> None:
        from brugdata._version import __version__

        for v in range(version, SCHEMA_VERSION):
            if v not in MIGRATIONS:
                raise StoreError(
                    f"{self.path}: no migration from schema version {v}; open it with "
                    f"the brugdata release that made it and export the data"
                )
            for sql in MIGRATIONS[v]:
                _run(con, sql)
        for spec in TABLES.values():
            _run(con, _create_table_sql(spec))
        _run(
            con,
            "INSERT INTO brugdata_schema VALUES (?, ?, ?)",
            [SCHEMA_VERSION, __version__, dt.datetime.now()],
        )

    # -- writing
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to write through: everything done with it is committed together when
        the block ends, or not at all when it raises. On a file store the writes go to a copy
        that replaces the file atomically; the store's own connection then sees them."""
        self._check_writable()
        if self.memory:
            self.con.begin()
            try:
                yield self.con
            except BaseException:
                self.con.rollback()
                raise
            self.con.commit()
            return
        self._disconnect()  # the file is replaced: the next read opens it anew
        self._new = False
        with self._swap() as con:
            yield con

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: the store is open read-only; open it to write")

    @contextmanager
    def _swap(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Write a copy of the file under the writer lock, then rename it over the file."""
        target = Path(self.path)
        with _WriterLock(target):
            for stale in target.parent.glob(f"{target.name}.writing-*"):
                stale.unlink(missing_ok=True)  # left by a killed writer: we hold the lock
            work = target.with_name(f"{target.name}.writing-{os.getpid()}")
            if target.exists():
                shutil.copyfile(target, work)
            try:
                con = duckdb.connect(str(work))
            except duckdb.Error as exc:
                work.unlink(missing_ok=True)
                raise StoreError(
                    f"{self.path}: cannot write the store ({_first_line(exc)})"
                ) from None
            try:
                con.begin()
                yield con
                con.commit()
                _run(con, "CHECKPOINT")
            except BaseException:
                with suppress(duckdb.Error):
                    con.rollback()
                con.close()
                work.unlink(missing_ok=True)
                Path(f"{work}.wal").unlink(missing_ok=True)
                raise
            con.close()
            _fsync(work)
            os.replace(work, target)
            _fsync(target.parent)

    @property
    def schema_version(self) -> int:
        """The layout version of this store's tables."""
        row = _rows(self.con, "SELECT max(version) FROM brugdata_schema")[0]
        return int(row[0]) if row[0] is not None else 0

    # -- reading
    def sql(self, query: str, params: list[Any] | None = None) -> pl.DataFrame:
        """Run a SQL query on the store and return the result as a polars frame."""
        return self.con.sql(query, params=params).pl()

    def table(self, name: str, *, provenance: bool = False) -> pl.DataFrame:
        """The rows of table ``name``; with ``provenance`` also ``_ingest_id`` and ``_line``."""
        if name not in TABLES and name not in _META_TABLES:
            known = ", ".join([*TABLES, *_META_TABLES])
            raise ValueError(f"unknown table {name!r}; known: {known}")
        if name in TABLES and not provenance:
            cols = ", ".join(f'"{c}"' for c in TABLES[name].column_names)
            return self.sql(f"SELECT {cols} FROM {name} ORDER BY _ingest_id, _line")
        order = " ORDER BY _ingest_id, _line" if name in TABLES else ""
        return self.sql(f"SELECT * FROM {name}{order}")

    def counts(self) -> dict[str, int]:
        """Rows per data table."""
        return {name: int(_rows(self.con, f"SELECT count(*) FROM {name}")[0][0]) for name in TABLES}

    def known(self) -> Known:
        """The keys the store holds, for validating new files against it."""
        return _known(self.con)

    def ingests(self) -> pl.DataFrame:
        """Provenance: one row per file ingested (ingest_id, batch_id, file_name, path,
        sha256, table_name, rows_read, rows_loaded, rows_rejected, unknown_columns, encoding,
        delimiter, sheet, ingested_at, brugdata_version)."""
        return self.sql("SELECT * FROM ingests ORDER BY ingest_id")

    def rejects(self) -> pl.DataFrame:
        """Every reason a row was rejected: file_name, table_name, line, column, rule, value,
        message, ingest_id; by ingest and line."""
        return self.sql(
            """
            SELECT i.file_name, i.table_name, r.line, r."column", r.rule, r.value, r.message,
                   r.ingest_id
            FROM rejects r JOIN ingests i USING (ingest_id)
            ORDER BY r.ingest_id, r.line, r."column", r.rule
            """
        )

    def rejected_rows(self) -> pl.DataFrame:
        """Every rejected row as it was read: file_name, table_name, line, data (JSON of the
        row's values by canonical column), ingest_id."""
        return self.sql(
            """
            SELECT i.file_name, i.table_name, r.line, r.data, r.ingest_id
            FROM rejected_rows r JOIN ingests i USING (ingest_id)
            ORDER BY r.ingest_id, r.line
            """
        )

    def info(self) -> dict[str, Any]:
        """What the store holds: path, schema_version, rows per table, school years, pilots,
        and the number of ingests and files ingested."""
        years = self.sql(
            "SELECT DISTINCT school_year FROM (SELECT school_year FROM schools UNION ALL "
            "SELECT school_year FROM assignments UNION ALL SELECT school_year FROM time_use "
            "UNION ALL SELECT school_year FROM survey) "
            "ORDER BY 1"
        )
        pilots = self.sql(
            "SELECT DISTINCT pilot FROM (SELECT pilot FROM schools UNION ALL "
            "SELECT pilot FROM officers UNION ALL SELECT pilot FROM survey) ORDER BY 1"
        )
        ing = _rows(
            self.con,
            "SELECT count(DISTINCT batch_id), count(*), coalesce(sum(rows_rejected), 0), "
            "max(ingested_at) FROM ingests",
        )[0]
        return {
            "path": self.path,
            "schema_version": self.schema_version,
            "tables": self.counts(),
            "school_years": years.get_column("school_year").to_list(),
            "pilots": pilots.get_column("pilot").to_list(),
            "ingests": int(ing[0]),
            "files_ingested": int(ing[1]),
            "rows_rejected": int(ing[2]),
            "last_ingest": ing[3],
        }

    # -- ingest
    def ingest(
        self,
        *paths: str | Path,
        table: str | None = None,
        columns: Mapping[str, str] | None = None,
        today: dt.date | None = None,
        on_file: Callable[[Path], None] | None = None,
        pseudonym_key: bytes | None = None,
        personal_data: Literal["redact", "reject"] = "redact",
    ) -> IngestResult:
        """Validate files and folders against the data model and the store, and load them.

        All files of one call are loaded all-or-nothing: an error half-way leaves the
        store as it was. Reference tables (schools, officers, partners) go first, so a folder
        with everything in it loads in one call. A file whose content (sha256) was ingested
        before is skipped. ``on_file`` is called as the ingest turns to each file (for
        progress; the next file is already being read on a thread).

        Direct identifiers in person and family columns are replaced by keyed pseudonyms
        (``pseudonym_key``, default the settings' key); without a key the ingest stops with
        one sentence and writes nothing. Personal data in free text is redacted (or the row
        rejected with ``personal_data="reject"``). Raw values are never stored.
        """
        from brugdata.config import settings

        self._check_writable()
        privacy = Privacy(pseudonym_key or settings.pseudonym_key(), "error", personal_data)
        jobs, errors = plan_files(collect_files(paths), table)
        # the files are read from the start, on a thread, while the store gets ready to
        # write; a file whose content the store holds is hashed, not parsed
        seen = set() if self._new else {r[0] for r in _rows(self.con, "SELECT sha256 FROM ingests")}

        def read(job: tuple[Path, str]) -> tuple[str, RawTable | None]:
            return read_unless_seen(job[0], seen)

        ahead = read_ahead(jobs, read, depth=1, size=lambda job: _file_size(job[0]))
        with ahead as reads, self.transaction() as con:
            # and what another process ingested since
            seen.update(r[0] for r in _rows(con, "SELECT sha256 FROM ingests"))
            outcomes = [FileIngest(e.path, None, "error", message=e.message) for e in errors]
            results: list[FileResult] = []
            read_errors: list[FileError] = list(errors)
            # keys are looked up through a connection of their own, as the files before are
            # being loaded meanwhile; it sees what is committed, the files loaded before
            lookup = con.cursor()
            # the closing checkpoint writes the new rows and leaves the earlier ones be:
            # DuckDB otherwise merges the small row groups files leave at their ends with
            # their neighbours, rewriting them (a tenth of a million-contact ingest). Only
            # this connection's database (the copy) is set; deletes are not vacuumed then
            # either, and an ingest deletes nothing but whole derived tables (dropped whole).
            if not self.memory:
                _run(con, "SET max_vacuum_tasks = 0")
            try:
                # a file store is written on a copy that replaces it only at the end:
                # committing the copy after each file frees DuckDB's transaction memory (~130
                # MB per million rows) and lets the lookups find the file's keys in the store,
                # without giving up all-or-nothing; an in-memory store has no copy
                with _Loader(con, commit_each_file=not self.memory) as load:
                    # the keys of the files not committed yet are held in memory, not looked up
                    known = _known(lookup, load.uncommitted)
                    for (path, table_name), reading in reads:
                        if on_file is not None:
                            on_file(path)
                        try:
                            sha, raw = reading.result()
                            # seen when read, or since: the same content earlier in this call
                            if sha in seen or raw is None:
                                outcomes.append(
                                    FileIngest(path, table_name, "skipped", sha, message=_ALREADY)
                                )
                                continue
                        except ReadError as exc:
                            outcomes.append(FileIngest(path, table_name, "error", message=str(exc)))
                            read_errors.append(FileError(path, str(exc)))
                            continue
                        seen.add(sha)
                        result = validate_raw(
                            raw,
                            table_name,
                            columns=columns,
                            known=known,
                            today=today,
                            privacy=privacy,
                        )
                        del raw
                        # the file before is loaded and committed now: its keys are in the store
                        load.wait()
                        if load.commit_each_file:
                            known.forget_stored()
                        known.add(table_name, result.valid)
                        # loaded on a thread while the next file is read and validated
                        ingest_id = load.submit(result)
                        outcomes.append(
                            FileIngest(
                                path,
                                table_name,
                                "loaded",
                                sha,
                                result.rows_read,
                                result.rows_valid,
                                result.rows_rejected,
                                ingest_id,
                            )
                        )
                        results.append(result)
                    load.finish()
            except BaseException:
                for o in outcomes:
                    o.ingest_id = None
                raise
            finally:
                lookup.close()
        return IngestResult(outcomes, ValidationResult(results, read_errors))


#: The derived tables a committed contacts file is added to on each of two threads: about
#: half the work each (distinct people cost about as much as theme mentions).
_DERIVE_LANES = (
    ("contacts_people", "contacts_counts"),
    ("contacts_themes", "contacts_links"),
)


class _DeriveLane:
    """Adds committed contacts files to some derived tables (``tables``), one file after
    the other on a thread of its own, each in a transaction of its own connection (a cursor
    of ``con``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
        self.con = con.cursor()
        self.tables = tables
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brugdata-derive")

    def submit(self, ingest_id: int) -> Future[None]:
        """Add the contacts of ``ingest_id`` (committed) on the lane's thread."""
        return self.pool.submit(self._derive, ingest_id)

    def _derive(self, ingest_id: int) -> None:
        self.con.begin()
        for sql in derived_sql([ingest_id], state=False, tables=self.tables):
            _run(self.con, sql)
        self.con.commit()

    def close(self) -> None:
        self.pool.shutdown()
        self.con.close()


class _Loader:
    """Writes validated files through ``con``, inside the caller's transaction, one at a time
    on a thread of its own: each file's provenance row, valid rows, reasons and rejected rows
    under the next ingest id, and the new contacts into the derived tables. With
    ``commit_each_file`` (only for a connection to a private copy of the store that is thrown
    away on failure) each file is committed and a new transaction begun, and a contacts
    file's rows are added to the derived tables while the next file is loaded, on two more
    threads (:data:`_DERIVE_LANES`), each through a connection of its own.

    :meth:`submit` hands a file over and gives its ingest id; :meth:`wait` waits until the
    files handed over are written (raising what writing raised); :meth:`finish` waits for
    everything and brings the derived tables' state up to date. A file's loaded rows are
    dropped from its result (``valid`` keeps only ``_line``) once written. ``uncommitted``
    holds the ingest ids of the files handed over that other connections cannot see yet."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, commit_each_file: bool = False) -> None:
        from brugdata._version import __version__
        from brugdata.store.derived import has_derived

        self.con = con
        self.commit_each_file = commit_each_file
        self.version = __version__
        self.now = dt.datetime.now()
        row = _rows(
            con, "SELECT coalesce(max(ingest_id), 0), coalesce(max(batch_id), 0) FROM ingests"
        )[0]
        self.next_id, self.batch = int(row[0]) + 1, int(row[1]) + 1
        # the derived tables take each file's contacts as it is loaded when they are in step
        # with contacts now; otherwise :meth:`finish` rebuilds them from every contact
        self.in_step = has_derived(con)
        self.contacts_loaded = False
        self.pending: Future[None] | None = None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brugdata-load")
        # committed contacts files are added to the derived tables on threads of their own
        self.lanes = (
            [_DeriveLane(con, tables) for tables in _DERIVE_LANES]
            if commit_each_file and self.in_step
            else []
        )
        self.deriving: list[Future[None]] = []
        self.to_derive: list[int] = []  # committed contacts files not yet handed over
        self.uncommitted: set[int] = set()

    def submit(self, result: FileResult) -> int:
        """Write one file's result on the loader's thread, after the files before it; return
        its ingest id."""
        self.wait()
        self._derive_committed()
        ingest_id = self.next_id
        self.next_id += 1
        self.pending = self.pool.submit(self.file, result, ingest_id)
        self.uncommitted.add(ingest_id)
        return ingest_id

    def _derive_committed(self) -> None:
        """Hand the contacts files committed so far to the derive threads: they then work
        while the next file is loaded, not while the one after is validated."""
        for ingest_id in self.to_derive:
            self.deriving += [lane.submit(ingest_id) for lane in self.lanes]
        self.to_derive.clear()

    def wait(self) -> None:
        """Wait until every file handed over is written (raising what went wrong in adding
        files to the derived tables so far, too)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()
        if self.commit_each_file:  # each file is committed once written
            self.uncommitted.clear()
        for future in self.deriving:
            if future.done():
                future.result()

    def file(self, result: FileResult, ingest_id: int) -> None:
        """Load one file's result under ``ingest_id``."""
        con = self.con
        _run(
            con,
            "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ingest_id,
                self.batch,
                result.path.name,
                str(result.path),
                result.sha256,
                result.table,
                result.rows_read,
                result.rows_valid,
                result.rows_rejected,
                result.unknown_columns,
                result.encoding,
                result.delimiter,
                result.sheet,
                self.now,
                self.version,
                sum(result.pseudonymised.values()),
                sum(result.redacted.values()),
            ],
        )
        spec = TABLES[result.table]
        tag = pl.lit(ingest_id, dtype=pl.Int32)
        _append(
            con,
            spec.name,
            result.valid.with_columns(tag.alias("_ingest_id")),
            [*spec.column_names, "_ingest_id", LINE_COLUMN],
        )
        _append(
            con,
            "rejects",
            result.rejects.with_columns(tag.alias("ingest_id")),
            ["ingest_id", "line", "column", "rule", "value", "message"],
        )
        rows = _rows_as_json(result.rejected_rows).with_columns(tag.alias("ingest_id"))
        _append(con, "rejected_rows", rows, ["ingest_id", "line", "data"])
        result.valid = result.valid.select(LINE_COLUMN)
        contacts = result.table == "contacts"
        self.contacts_loaded |= contacts
        if contacts and self.in_step and not self.lanes:
            _maintain_derived(con, [ingest_id])
        if self.commit_each_file:
            con.commit()
            con.begin()
        if contacts and self.lanes:  # committed: the derive threads see them
            self.to_derive.append(ingest_id)

    def __enter__(self) -> _Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        """Let the threads finish what they are writing (an error the caller did not
        :meth:`wait` for is dropped: the caller is raising its own), then stop them."""
        futures.wait([f for f in [self.pending, *self.deriving] if f is not None])
        self.pool.shutdown()
        for lane in self.lanes:
            lane.close()

    def finish(self) -> None:
        """Wait for the files handed over and the derived tables, then bring the derived
        tables' state up to date (rebuilding them when they were not in step with contacts
        before)."""
        self.wait()
        self._derive_committed()
        for future in self.deriving:
            future.result()
        if not self.in_step:
            _maintain_derived(self.con)
        elif self.contacts_loaded:
            for sql in derived_state_sql():
                _run(self.con, sql)


_ALREADY = "already ingested: same content as an earlier file"


# --------------------------------------------------------------------------- derived tables


def _maintain_derived(con: duckdb.DuckDBPyConnection, ingest_ids: list[int] | None = None) -> None:
    """Bring the tables derived from contacts up to date through ``con``, inside the
    caller's transaction: add the contacts of the ingests ``ingest_ids`` just loaded (the
    caller then records their state with :func:`derived_state_sql`), or rebuild them from
    every contact (None: a new store, or one whose derived tables are not in step with
    contacts, such as contacts written through :meth:`Store.transaction`).

    The tables and what they hold are :data:`brugdata.analysis._common.DERIVED`. They record
    the state of contacts they reflect (row count, sum of ingest ids); the analyses use them
    only while that matches and otherwise compute from contacts, so nothing written some
    other way is ever missed, only analysed more slowly until the next ingest.
    """
    for sql in derived_sql(ingest_ids, state=ingest_ids is None):
        _run(con, sql)


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> None:
    """Execute a statement and finish its result (DuckDB wants results consumed)."""
    con.execute(sql, params).fetchall()


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    return con.execute(sql, params).fetchall()


def _known(con: duckdb.DuckDBPyConnection, held: Collection[int] = ()) -> Known:
    """The store's keys for validation: those of the referenced tables (schools, officers,
    partners: small) in memory, the others looked up in the store when a file is checked,
    leaving out the rows of the ingests ``held`` (whose keys the caller holds in memory; it
    may change the collection as it goes)."""
    known = Known(stored=partial(_stored_keys, con, held))
    for name in REFERENCED:
        cols = ", ".join(f'"{c}"' for c in TABLES[name].key)
        frame = con.sql(f"SELECT {cols} FROM {name}").pl()
        if frame.height:
            known.add(name, frame)
    return known


def _stored_keys(
    con: duckdb.DuckDBPyConnection, held: Collection[int], name: str, keys: pl.DataFrame
) -> pl.DataFrame:
    """The rows of ``keys`` (key columns of table ``name``) that the table holds, outside the
    ingests ``held``."""
    if name in REFERENCED:
        return keys.clear()  # held in memory by :func:`_known`
    rows = name
    if held:  # DuckDB then skips their row groups
        ids = ", ".join(str(int(i)) for i in held)
        rows = f"(SELECT * FROM {name} WHERE _ingest_id NOT IN ({ids}))"
    if not _rows(con, f"SELECT EXISTS (SELECT 1 FROM {rows})")[0][0]:
        return keys.clear()  # nothing stored yet: a new store, or the table's first file
    cols = ", ".join(f'"{c}"' for c in TABLES[name].key)
    view = f"_brugdata_keys_{name}"
    con.register(view, _arrow(keys))
    try:
        return con.sql(f"SELECT DISTINCT {cols} FROM {rows} SEMI JOIN {view} USING ({cols})").pl()
    finally:
        con.unregister(view)


def _arrow(frame: pl.DataFrame) -> Any:
    """``frame`` as an Arrow table with string views, as DuckDB scans it fastest (polars
    otherwise hands it over with every string copied to the older layout)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def _append(
    con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, columns: list[str]
) -> None:
    if frame.is_empty():
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    view = f"_brugdata_{name}"
    con.register(view, _arrow(frame.select(columns)))
    try:
        _run(con, f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {view}")
    finally:
        con.unregister(view)


class _WriterLock:
    """An exclusive advisory lock on ``<store>.lock``: one writing process at a time."""

    def __init__(self, target: Path) -> None:
        self.path = target.with_name(target.name + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> _WriterLock:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_file(self.fd)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise StoreError(
                f"{self.path.with_suffix('')}: another process is writing to this store; "
                "one process writes at a time (readers are not affected): try again when it "
                "is done"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            _unlock_file(self.fd)
            os.close(self.fd)
            self.fd = None


def _lock_file(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _file_size(path: Path) -> int:
    """Bytes in the file at ``path`` (0 when it cannot be told: reading it will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk, where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _rows_as_json(rows: pl.DataFrame) -> pl.DataFrame:
    """Rejected rows as (line, data): data is a JSON object of the row's values as read."""
    values = [c for c in rows.columns if c != "_line"]
    data = pl.struct(values).struct.json_encode() if values else pl.lit("{}")
    return rows.select(pl.col("_line").alias("line"), data.alias("data"))


_PID = re.compile(r"\(PID (\d+)\)")


def _lock_message(path: str, exc: Exception) -> str:
    text = str(exc)
    if "lock" not in text.lower():
        return f"{path}: cannot open the store ({_first_line(exc)})"
    pid = _PID.search(text)
    who = f"another process (PID {pid.group(1)})" if pid else "another process"
    return (
        f"{path}: the store is in use by {who}; DuckDB lets one process write a store at a "
        "time and no other process open it meanwhile, not even read-only: wait for that "
        "process to finish or close its store (store.close() in a notebook), then try again"
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
