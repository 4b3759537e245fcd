"""The ingest: files planned in load order, read ahead on a thread, validated against the store
and the files before them, and loaded with their provenance and rejects by one loader thread.

:func:`ingest` is what :meth:`brugdata.store.store.Store.ingest` runs: the store hands it the
write to do it in (:meth:`~brugdata.store.store.Store.transaction` without the rebuild of the
derived tables, which the loader keeps in step file by file instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from brugdata.config import key_fingerprint
from brugdata.errors import ReadError
from brugdata.ingest.read import LINE_COLUMN, RawTable, read_ahead, read_unless_seen
from brugdata.ingest.results import REFERENCED, FileError, FileResult, Known, ValidationResult
from brugdata.ingest.validate import Privacy, collect_files, plan_files, source_names, validate_raw
from brugdata.model.tables import TABLES
from brugdata.store.ddl import check_key, rows, run
from brugdata.store.derived import derived_sql, derived_state_sql, has_derived
from brugdata.store.files import file_size
from brugdata.store.results import ALREADY, FileIngest, IngestResult

__all__ = ["Loader", "ingest", "known_keys"]


def ingest(
    paths: Sequence[str | Path],
    write: AbstractContextManager[duckdb.DuckDBPyConnection],
    *,
    seen: set[str],
    commit_each_file: bool,
    privacy: Privacy,
    table: str | None = None,
    columns: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    on_file: Callable[[Path], None] | None = None,
    store_name: str = "the store",
) -> IngestResult:
    """Validate the files and folders ``paths`` and load them through the connection
    ``write`` gives (entered once the first file is being read), all-or-nothing. ``seen``:
    the sha256 of the contents the store holds (a file with one of them is hashed, not
    parsed, and skipped). ``commit_each_file``: the connection writes a private copy of the
    store, thrown away on failure, which may be committed after each file. Returns what
    happened to every file and the validation of those read. With a key in ``privacy`` the
    store's key fingerprint is checked (and recorded, the first time): one key per store.
    Provenance keeps each file's name relative to the folder given, redacted."""
    jobs, errors = plan_files(collect_files(paths), table)
    names = source_names(paths, [job[0] for job in jobs])

    def read(job: tuple[Path, str]) -> tuple[str, RawTable | None]:
        return read_unless_seen(job[0], seen)

    # the files are read from the start, on a thread, while the store gets ready to write
    ahead = read_ahead(jobs, read, depth=1, size=lambda job: file_size(job[0]))
    with ahead as reads, write as con:
        # and what another process ingested since
        seen.update(r[0] for r in rows(con, "SELECT sha256 FROM ingests"))
        if privacy.key is not None:  # one key per store
            check_key(con, key_fingerprint(privacy.key), store_name)
        outcomes = [FileIngest(e.path, None, "error", message=e.message) for e in errors]
        results: list[FileResult] = []
        read_errors: list[FileError] = list(errors)
        # keys are looked up through a connection of their own, as the file before is being
        # loaded meanwhile; it sees what is committed, the files loaded before
        lookup = con.cursor()
        try:
            with Loader(con, commit_each_file=commit_each_file) as load:
                # the keys of the files not committed yet are held in memory, not looked up
                known = known_keys(lookup, load.uncommitted)
                for (path, table_name), reading in reads:
                    if on_file is not None:
                        on_file(path)
                    try:
                        sha, raw = reading.result()
                        # seen when read, or since: the same content earlier in this call
                        if sha in seen or raw is None:
                            outcomes.append(
                                FileIngest(path, table_name, "skipped", sha, message=ALREADY)
                            )
                            continue
                    except ReadError as exc:
                        outcomes.append(FileIngest(path, table_name, "error", message=str(exc)))
                        read_errors.append(FileError(path, str(exc)))
                        continue
                    seen.add(sha)
                    try:
                        result = validate_raw(
                            raw,
                            table_name,
                            columns=columns,
                            known=known,
                            today=today,
                            privacy=privacy,
                        )
                    except ReadError as exc:  # a header row that reads like data
                        outcomes.append(FileIngest(path, table_name, "error", message=str(exc)))
                        read_errors.append(FileError(path, str(exc)))
                        continue
                    finally:
                        del raw
                    result.source = names[path]
                    # the file before is loaded and committed now: its keys are in the store
                    load.wait()
                    if load.commit_each_file:
                        known.forget_stored()
                    known.add(table_name, result.valid)
                    # loaded on the loader's thread while the next file is read and validated
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


class Loader:
    """Writes validated files through ``con``, inside the caller's transaction, one at a time
    on a thread of its own: each file's provenance row, valid rows, reasons and rejected rows
    under the next ingest id, and a contacts file's rows into the derived tables (one plain
    call on ``con``, right after the file's rows). With ``commit_each_file`` (only for a
    connection to a private copy of the store that is thrown away on failure) each file is
    committed and a new transaction begun.

    :meth:`submit` hands a file over and gives its ingest id; :meth:`wait` waits until the
    file handed over is written (raising what writing raised); :meth:`finish` waits for it
    and brings the derived tables' state up to date. A file's loaded rows are dropped from
    its result (``valid`` keeps only ``_line``) once written. ``uncommitted`` holds the
    ingest ids of the files handed over that other connections cannot see yet."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, commit_each_file: bool = False) -> None:
        from brugdata._version import __version__

        self.con = con
        self.commit_each_file = commit_each_file
        self.version = __version__
        self.now = dt.datetime.now()
        row = rows(
            con, "SELECT coalesce(max(ingest_id), 0), coalesce(max(batch_id), 0) FROM ingests"
        )[0]
        self.next_id, self.batch = int(row[0]) + 1, int(row[1]) + 1
        # the derived tables take each file's contacts as it is loaded when they are in step
        # with contacts now; otherwise :meth:`finish` rebuilds them from every contact
        self.in_step = has_derived(con)
        self.contacts_loaded = False
        self.pending: Future[None] | None = None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brugdata-load")
        self.uncommitted: set[int] = set()

    def submit(self, result: FileResult) -> int:
        """Write one file's result on the loader's thread, after the file before it; return
        its ingest id."""
        self.wait()
        ingest_id = self.next_id
        self.next_id += 1
        self.pending = self.pool.submit(self.file, result, ingest_id)
        self.uncommitted.add(ingest_id)
        return ingest_id

    def wait(self) -> None:
        """Wait until the file handed over is written."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()
        if self.commit_each_file:  # each file is committed once written
            self.uncommitted.clear()

    def file(self, result: FileResult, ingest_id: int) -> None:
        """Load one file's result under ``ingest_id``."""
        con = self.con
        run(
            con,
            "INSERT INTO ingests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ingest_id,
                self.batch,
                result.source.rsplit("/", 1)[-1],
                result.source,
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
        rejected = _rows_as_json(result.rejected_rows).with_columns(tag.alias("ingest_id"))
        _append(con, "rejected_rows", rejected, ["ingest_id", "line", "data"])
        result.valid = result.valid.select(LINE_COLUMN)
        if result.table == "contacts":
            self.contacts_loaded = True
            if self.in_step:  # the file's contacts into the derived tables, with the file
                self.derive(ingest_id)
        if self.commit_each_file:
            con.commit()
            con.begin()

    def derive(self, ingest_id: int) -> None:
        """Add the contacts of ``ingest_id`` (just loaded) to the derived tables."""
        for sql in derived_sql([ingest_id], state=False):
            run(self.con, sql)

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        """Let the thread finish what it is writing (an error the caller did not :meth:`wait`
        for is dropped: the caller is raising its own), then stop it."""
        self.pool.shutdown(wait=True)

    def finish(self) -> None:
        """Wait for the file handed over, then bring the derived tables' state up to date
        (rebuilding them when they were not in step with contacts before)."""
        self.wait()
        if not self.in_step:
            statements = derived_sql(None)
        elif self.contacts_loaded:
            statements = derived_state_sql()
        else:
            statements = []
        for sql in statements:
            run(self.con, sql)


# --------------------------------------------------------------------------- keys


def known_keys(con: duckdb.DuckDBPyConnection, held: Collection[int] = ()) -> Known:
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
        return keys.clear()  # held in memory by :func:`known_keys`
    source = name
    if held:  # DuckDB then skips their row groups
        ids = ", ".join(str(int(i)) for i in held)
        source = f"(SELECT * FROM {name} WHERE _ingest_id NOT IN ({ids}))"
    if not rows(con, f"SELECT EXISTS (SELECT 1 FROM {source})")[0][0]:
        return keys.clear()  # nothing stored yet: a new store, or the table's first file
    cols = ", ".join(f'"{c}"' for c in TABLES[name].key)
    view = f"_brugdata_keys_{name}"
    con.register(view, _arrow(keys))
    try:
        return con.sql(f"SELECT DISTINCT {cols} FROM {source} SEMI JOIN {view} USING ({cols})").pl()
    finally:
        con.unregister(view)


# --------------------------------------------------------------------------- rows


def _arrow(frame: pl.DataFrame) -> Any:
    """``frame`` as an Arrow table with string views, as DuckDB scans it fastest (polars
    otherwise hands it over with every string copied to the older layout)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def _append(
    con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, columns: list[str]
) -> None:
    """Insert the ``columns`` of ``frame`` into table ``name``."""
    if frame.is_empty():
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    view = f"_brugdata_{name}"
    con.register(view, _arrow(frame.select(columns)))
    try:
        run(con, f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {view}")
    finally:
        con.unregister(view)


def _rows_as_json(frame: pl.DataFrame) -> pl.DataFrame:
    """Rejected rows as (line, data): data is a JSON object of the row's values as read."""
    values = [c for c in frame.columns if c != "_line"]
    data = pl.struct(values).struct.json_encode() if values else pl.lit("{}")
    return frame.select(pl.col("_line").alias("line"), data.alias("data"))
