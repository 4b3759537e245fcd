"""The store: one embedded DuckDB file that loses no row and records where each came from.

``open_store(path)`` (``brugdata.open``) gives a :class:`Store`. ``Store.ingest`` validates
files against the data model and what the store already holds, then loads, all-or-nothing,
the valid rows (each with the ingest it came from and its source line), the rejected rows as
read with their reasons, and a provenance row per file (name, sha256, rows read, loaded and
rejected, time). A file whose content was ingested before is skipped. ``Store.transaction``
is the one other way to write; the tables derived from contacts are in step after both.

DuckDB lets one process write a database file at a time; while it has the file open no other
process can open it, not even read-only. :class:`~brugdata.errors.StoreError` says so, naming
the process, instead of DuckDB's lock error (:mod:`brugdata.store.files`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from brugdata.config import check_key
from brugdata.errors import StoreError, StoreFault
from brugdata.ingest.results import Known
from brugdata.ingest.validate import Privacy
from brugdata.ingest.validate.dates import check_date_format
from brugdata.model.tables import TABLES
from brugdata.store import ddl, pipeline, reference
from brugdata.store.check import StoreCheck, check_connection, is_damage
from brugdata.store.ddl import SCHEMA_VERSION
from brugdata.store.derived import derived_sql, stale_sql
from brugdata.store.files import (
    WriterLock,
    connect_read,
    fault,
    file_size,
    real_path,
    refuse_read_only,
    swap,
)
from brugdata.store.html import store_html
from brugdata.store.results import FileIngest, IngestResult

# SCHEMA_VERSION, FileIngest and IngestResult stay importable from here, where they were
__all__ = ["SCHEMA_VERSION", "FileIngest", "IngestResult", "Store", "open_store"]


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
    the file exactly as it was. After a write this store reads the new state.
    """

    def __init__(self, path: str | Path = ":memory:", *, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        self.memory = self.path == ":memory:"
        self._con: duckdb.DuckDBPyConnection | None = None
        self._writing: duckdb.DuckDBPyConnection | None = None  # inside transaction()
        self._closed = False
        self._new = False  # made by this object and not written since: no ingests yet
        if self.memory:
            self._con = duckdb.connect(":memory:")
            ddl.create(self._con)
            return
        if not Path(self.path).exists():
            if read_only:
                raise StoreError(f"{self.path}: no store there to open read-only")
            try:  # a new store in a folder that is not there yet: the folder is made
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise fault(self.path, exc) from None
            with self._write(rebuild_derived=False) as con:
                ddl.create(con)
            self._new = True  # a first ingest that is refused removes the file again
            return  # made by this brugdata: nothing to check, read when first used
        try:
            version = ddl.version_to_migrate(self.con, self.path, read_only=read_only)
            if version is not None:
                with self._write(rebuild_derived=False) as con:
                    ddl.migrate(con, version, self.path)  # rebuilds the derived tables
        except BaseException:
            self.close()
            raise

    def _repr_html_(self) -> str:
        return store_html(self)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection reads go through: inside :meth:`transaction`, the transaction's
        own; otherwise the store's (read-only on a file store), opened when first used and
        again after a write, which replaces the file."""
        if self._writing is not None:
            return self._writing
        if self._con is None:
            if self._closed:
                raise StoreError(f"{self.path}: the store is closed")
            if self._new and not Path(self.path).exists():
                self._con = duckdb.connect(":memory:")  # not written yet: an empty store
                ddl.create(self._con)
            else:
                self._con = connect_read(self.path)
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

    # -- writing
    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to write through: everything done with it is committed together when
        the block ends, or not at all when it raises. On a file store the writes go to a copy
        that replaces the file atomically.

        Before it commits, the tables derived from contacts are rebuilt from every contact,
        so whatever the block changed, the analyses count it. Reads through the store inside
        the block (:meth:`sql`, :meth:`table`, an analysis of the store) go through this
        connection and see the block's writes (the analyses read contacts, not the derived
        tables, until the block ends); after it, they see what was committed."""
        with self._write(rebuild_derived=True) as con:
            self._writing = con
            try:
                yield con
            finally:
                self._writing = None

    @contextmanager
    def _write(self, *, rebuild_derived: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """The one way the store is written: a connection in a transaction, on a copy of the
        file that replaces it when the block ends (an in-memory store: its own connection).
        With ``rebuild_derived`` the derived tables are marked stale when it begins and
        rebuilt from every contact before it commits. The next read opens the new file."""
        if self.read_only:
            raise StoreError(f"{self.path}: the store is open read-only; open it to write")
        if self._writing is not None:
            raise StoreError(f"{self.path}: a transaction of this store is open; end it first")
        if self.memory:
            con = self.con
            con.begin()
            try:
                yield from _rebuilding(con, rebuild_derived)
            except BaseException:
                con.rollback()
                raise
            con.commit()
            return
        self._disconnect()  # the file is replaced: the next read opens it anew
        try:
            with swap(Path(self.path)) as con:
                if not ddl.rows(con, _IS_STORE)[0][0]:  # a new file: the first write
                    ddl.create(con)
                    con.commit()  # on the copy: other cursors (key lookups) see the tables
                    con.begin()
                yield from _rebuilding(con, rebuild_derived)
            self._new = False
        finally:
            self._disconnect()  # a read meanwhile (during an ingest) saw the old file

    @property
    def schema_version(self) -> int:
        """The layout version of this store's tables."""
        row = ddl.rows(self.con, "SELECT max(version) FROM brugdata_schema")[0]
        return int(row[0]) if row[0] is not None else 0

    # -- reading
    def sql(self, query: str, params: list[Any] | None = None) -> pl.DataFrame:
        """Run a SQL query on the store and return the result as a polars frame. Raises
        :class:`~brugdata.errors.StoreFault` when it reads a damaged block."""
        try:
            return self.con.sql(query, params=params).pl()
        except duckdb.Error as exc:
            if is_damage(exc):
                raise fault(self.path, exc) from None
            raise

    def table(
        self, name: str, *, provenance: bool = False, as_of: int | None = None
    ) -> pl.DataFrame:
        """The rows of table ``name``; with ``provenance`` also ``_ingest_id`` and ``_line``.
        ``as_of`` (an ingest id): the rows as they were right after that ingest, the versions
        of reference rows (schools, officers, partners) valid then included."""
        if name not in TABLES and name not in ddl.META_TABLES:
            known = ", ".join([*TABLES, *ddl.META_TABLES])
            raise ValueError(f"unknown table {name!r}; known: {known}")
        if as_of is not None:
            if name not in TABLES:
                raise ValueError(f"as_of reads a data table, not {name!r}")
            wanted = [*TABLES[name].column_names, *(["_ingest_id", "_line"] if provenance else [])]
            source = (
                reference.as_of_sql(name, as_of)
                if name in ddl.REFERENCE_TABLES
                else f"SELECT * FROM {name} WHERE _ingest_id <= {int(as_of)}"
            )
            listed = ", ".join(f'"{c}"' for c in wanted)
            return self.sql(f"SELECT {listed} FROM ({source}) ORDER BY _ingest_id, _line")
        if name in TABLES and not provenance:
            cols = ", ".join(f'"{c}"' for c in TABLES[name].column_names)
            return self.sql(f"SELECT {cols} FROM {name} ORDER BY _ingest_id, _line")
        order = " ORDER BY _ingest_id, _line" if name in TABLES else ""
        return self.sql(f"SELECT * FROM {name}{order}")

    def counts(self) -> dict[str, int]:
        """Rows per data table."""
        return {
            name: int(ddl.rows(self.con, f"SELECT count(*) FROM {name}")[0][0]) for name in TABLES
        }

    def frames(self, *, as_of: int | None = None) -> dict[str, pl.DataFrame]:
        """Every data table by name, as :meth:`table` reads it; ``as_of`` (an ingest id): as
        the store was right after that ingest. Every analysis takes this mapping in place of
        the store, so ``brugdata.reach(store.frames(as_of=12))`` repeats an analysis made
        then, with the schools, officers and partners valid then."""
        return {name: self.table(name, as_of=as_of) for name in TABLES}

    def history(self, name: str) -> pl.DataFrame:
        """Every version of the rows of reference table ``name`` (schools, officers,
        partners): its columns, ``valid_from`` (the ingest that loaded the version) and
        ``valid_to`` (the ingest that replaced it; null for the current version)."""
        if name not in ddl.REFERENCE_TABLES:
            raise ValueError(
                f"{name!r} keeps no history; reference tables: {', '.join(ddl.REFERENCE_TABLES)}"
            )
        listed = ", ".join(f'"{c}"' for c in TABLES[name].column_names)
        return self.sql(
            f"SELECT {listed}, _ingest_id AS valid_from, _valid_to AS valid_to "
            f"FROM {ddl.history_table(name)} UNION ALL "
            f"SELECT {listed}, _ingest_id, NULL FROM {name} "
            f"ORDER BY {', '.join(TABLES[name].key)}, valid_from"
        )

    def check(self) -> StoreCheck:
        """Read every block of the store and verify its checksum, and the file's length:
        whether the store is sound and, if not, what is wrong (``brugdata check``)."""
        size = (
            None
            if self.memory or (self._new and not Path(self.path).exists())
            else (file_size(Path(self.path)))
        )
        return check_connection(self.con, self.path, size)

    def known(self) -> Known:
        """The keys the store holds, for validating new files against it."""
        return pipeline.known_keys(self.con)

    @property
    def key_fingerprint(self) -> str | None:
        """The fingerprint of the pseudonym key this store's pseudonyms were made with (None
        before the first ingest with a key); ``brugdata key fingerprint`` shows a key's."""
        return ddl.key_fingerprint(self.con)

    def ingests(self) -> pl.DataFrame:
        """Provenance: one row per file ingested, per sheet of a workbook loaded sheet by
        sheet (ingest_id, batch_id, file_name, path, sha256, table_name, rows_read,
        rows_loaded, rows_rejected, unknown_columns, encoding, delimiter, sheet, ingested_at,
        brugdata_version, pseudonymised, redacted, rows_unchanged, rows_skipped)."""
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

    def info(self, *, check: bool = False) -> dict[str, Any]:
        """What the store holds: path, schema_version, rows per table, school years, pilots,
        the number of ingests and files ingested, and the key's fingerprint. With ``check``
        the store is checked first (:meth:`check`, which reads every block: about 2 s for a
        store of 10 million contacts): a damaged store raises
        :class:`~brugdata.errors.StoreFault` instead of counts read from its metadata, which
        a damaged data block does not change. ``brugdata info`` checks; an analysis that
        reads a damaged block raises the same fault itself."""
        if check:
            found = self.check()
            if not found.sound:
                raise StoreFault(found.sentence())
        # plain rows, not frames: `brugdata info` then needs no pyarrow (0.14 s to import)
        years = ddl.rows(
            self.con,
            "SELECT DISTINCT school_year FROM (SELECT school_year FROM schools UNION ALL "
            "SELECT school_year FROM assignments UNION ALL SELECT school_year FROM time_use "
            "UNION ALL SELECT school_year FROM survey) WHERE school_year IS NOT NULL ORDER BY 1",
        )
        pilots = ddl.rows(
            self.con,
            "SELECT DISTINCT pilot FROM (SELECT pilot FROM schools UNION ALL "
            "SELECT pilot FROM officers UNION ALL SELECT pilot FROM survey) "
            "WHERE pilot IS NOT NULL ORDER BY 1",
        )
        # the sheets of a workbook loaded sheet by sheet are one file
        ing = ddl.rows(
            self.con,
            "SELECT count(DISTINCT batch_id), count(DISTINCT (batch_id, path, sha256)), "
            "coalesce(sum(rows_rejected), 0), max(ingested_at) FROM ingests",
        )[0]
        return {
            "path": self.path,
            "schema_version": self.schema_version,
            "tables": self.counts(),
            "school_years": [str(y) for (y,) in years],
            "pilots": [str(p) for (p,) in pilots],
            "ingests": int(ing[0]),
            "files_ingested": int(ing[1]),
            "rows_rejected": int(ing[2]),
            "last_ingest": ing[3],
            "key_fingerprint": self.key_fingerprint,
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
        update: bool = False,
        sheet: str | int | None = None,
        date_format: str | None = None,
    ) -> IngestResult:
        """Validate files and folders against the data model and the store, and load them.

        All files of one call are loaded all-or-nothing: an error half-way leaves the
        store as it was. Reference tables (schools, officers, partners) go first, so a folder
        with everything in it loads in one call. A file whose content (sha256) was ingested
        before is skipped. ``on_file`` is called as the ingest turns to each file (for
        progress; the next file is already being read on a thread). Reads through a file
        store meanwhile see it as it was before the call.

        Every value of the person and family columns is replaced by its keyed pseudonym
        (``pseudonym_key``, default the settings' key); a file holding them without a key
        stops the ingest with one sentence and writes nothing (not even a new store file).
        The store records its key's fingerprint and refuses another key. Personal data in
        free text is redacted (or the row rejected with ``personal_data="reject"``); rejected
        values and provenance are redacted too. Raw values are never stored.

        A reference row (schools, officers, partners) whose key the store holds is counted
        unchanged when it equals the stored row, and rejected (``changed_reference``, naming
        the columns that differ) when it does not, unless ``update``: then it is stored as the
        new version, valid from this ingest, and the old version kept (:meth:`history`,
        :meth:`table` with ``as_of``). The existing store is checked whole first
        (:meth:`check`): a damaged store raises :class:`~brugdata.errors.StoreFault`.

        A workbook whose visible sheets are named for two or more tables (the registration
        template: ``contacten``, ``activiteiten``, ``tijdsbesteding``, ``ketenpartners``), or
        whose own name names no table while a sheet's does, is loaded sheet by sheet, as
        :func:`brugdata.validate` reads it: each sheet into its table, in load order, as an
        ingest of its own whose ``sheet`` (:meth:`ingests`) names it, and whose reasons name
        it (``sheet contacten: ...``). Stored once, the workbook is skipped whole.

        ``sheet`` and ``date_format`` are as for :func:`brugdata.validate`: the sheet of each
        workbook to read (default: every visible sheet whose header names the table; a sheet
        given routes no workbook sheet by sheet), and how dates are written
        (``"%m/%d/%y"``); two-digit years are read near the school years the store holds.
        """
        from brugdata.config import settings

        if self.read_only:
            raise StoreError(f"{self.path}: the store is open read-only; open it to write")
        try:
            if not self.memory:
                refuse_read_only(real_path(Path(self.path)))
            check_date_format(date_format)
            key = check_key(pseudonym_key, "pseudonym_key") if pseudonym_key else None
            privacy = Privacy(key or settings.pseudonym_key(), "error", personal_data)
            # a file whose content the store holds is hashed, not parsed
            seen: set[str] = set()
            if not self._new:
                seen = {r[0] for r in ddl.rows(self.con, "SELECT sha256 FROM ingests")}
            return pipeline.ingest(
                paths,
                self._write(rebuild_derived=False),
                seen=seen,
                commit_each_file=not self.memory,
                privacy=privacy,
                table=table,
                columns=columns,
                today=today,
                on_file=on_file,
                store_name=self.path,
                update=update,
                sheet=sheet,
                date_format=date_format,
            )
        except BaseException:
            if self._new and not self.memory and self._writing is None:
                self._remove_if_empty()
            raise

    def _remove_if_empty(self) -> None:
        """Remove the store file this object made when it holds nothing yet (its first ingest
        was refused): a refused ingest leaves no empty store behind. Reads then see an empty
        store and the next write makes the file again."""
        self._disconnect()
        target = real_path(Path(self.path))
        with suppress(StoreError), WriterLock(target) as lock:
            con = connect_read(str(target))
            try:
                empty = not ddl.rows(con, "SELECT count(*) FROM ingests")[0][0]
            finally:
                con.close()
            if empty:
                target.unlink(missing_ok=True)
                Path(f"{target}.wal").unlink(missing_ok=True)
                lock.remove()


_IS_STORE = "SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'brugdata_schema'"


def _rebuilding(
    con: duckdb.DuckDBPyConnection, rebuild_derived: bool
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield ``con``; with ``rebuild_derived`` mark the derived tables stale before and
    rebuild them from every contact after (when the block does not raise)."""
    if rebuild_derived:
        for sql in stale_sql():
            ddl.run(con, sql)
    yield con
    if rebuild_derived:
        for sql in derived_sql(None):
            ddl.run(con, sql)
