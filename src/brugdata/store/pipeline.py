"""The ingest: files planned in load order, read ahead on a thread, validated against the store
and the files before them, and loaded with their provenance and rejects by one loader thread.

:func:`ingest` is what :meth:`brugdata.store.store.Store.ingest` runs: the store hands it the
write to do it in (:meth:`~brugdata.store.store.Store.transaction` without the rebuild of the
derived tables, which the loader keeps in step file by file instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from brugdata.config import key_fingerprint
from brugdata.errors import ReadError
from brugdata.ingest.privacy import redact_label
from brugdata.ingest.read import LINE_COLUMN, RawTable, read_ahead, read_unless_seen
from brugdata.ingest.results import REFERENCED, FileError, FileResult, Known, ValidationResult
from brugdata.ingest.validate import Privacy, gather_files, source_names, validate_raw
from brugdata.ingest.validate.sheets import Job, plan_sheets
from brugdata.model.tables import TABLES
from brugdata.store import reference
from brugdata.store.ddl import REFERENCE_TABLES, check_key, rows, run
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
    update: bool = False,
    sheet: str | int | None = None,
    date_format: str | None = None,
) -> IngestResult:
    """Validate the files and folders ``paths`` and load them through the connection
    ``write`` gives (entered once the first file is being read), all-or-nothing. ``seen``:
    the sha256 of the contents the store holds (a file with one of them is hashed, not
    parsed, and skipped). ``commit_each_file``: the connection writes a private copy of the
    store, thrown away on failure, which may be committed after each file. Returns what
    happened to every file and the validation of those read. With a key in ``privacy`` the
    store's key fingerprint is checked (and recorded, the first time): one key per store.
    Provenance keeps each file's name relative to the folder given, redacted.

    A row of a reference table (schools, officers, partners) whose key the store holds is
    not ``already_stored``: it is set against the stored row (:mod:`brugdata.store.reference`):
    unchanged rows are counted, changed rows rejected (``changed_reference``) or, with
    ``update``, stored as the new version with the old one kept in the history (and a
    reference file is then read even when its content was ingested before).

    A workbook whose sheets are named for several tables (the registration template) is
    loaded sheet by sheet, each sheet into its table as one ingest with the sheet in its
    provenance (:func:`~brugdata.ingest.validate.sheets.plan_sheets`; ``sheet`` or ``table``
    given: not routed). Its content is seen once its first sheet is read: its other sheets are
    still loaded, a copy of it is skipped, and once stored the workbook is skipped whole."""
    # lock, temporary and system files in a folder are passed over, and named in the result
    files, passed = gather_files(paths)
    jobs, errors, sheets_passed = plan_sheets(files, table, route=sheet is None)
    passed += sheets_passed
    names = source_names(paths, [job[0] for job in jobs])
    # the file whose job first read each content in this call: its other sheets read it too
    first: dict[str, Path] = {}

    def read(job: Job) -> tuple[str, RawTable | None]:
        skip = _skip(seen, first, job, update)
        return read_unless_seen(job[0], skip, sheet=job[2] or sheet)

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
                skipped: dict[Path, str] = {}  # a file skipped, and its content
                for job, reading in reads:
                    path, table_name, routed = job
                    sheet_name = redact_label(routed) if routed is not None else None
                    if on_file is not None:
                        on_file(path)
                    try:
                        sha, raw = reading.result()
                        # seen when read, or since: the same content earlier in this call
                        if sha in _skip(seen, first, job, update) or raw is None:
                            if skipped.get(path) != sha:  # a workbook's sheets: one row
                                skipped[path] = sha
                                outcomes.append(_skipped(job, sha, names[path], outcomes))
                            continue
                    except ReadError as exc:
                        outcomes.append(
                            FileIngest(
                                path, table_name, "error", message=str(exc), sheet=sheet_name
                            )
                        )
                        read_errors.append(FileError(path, str(exc)))
                        continue
                    if sha not in seen:
                        first[sha] = path
                        seen.add(sha)
                    try:
                        result = validate_raw(
                            raw,
                            table_name,
                            columns=columns,
                            known=_others(known, table_name),
                            today=today,
                            privacy=privacy,
                            date_format=date_format,
                        )
                    except ReadError as exc:  # a header row that reads like data
                        outcomes.append(
                            FileIngest(
                                path, table_name, "error", message=str(exc), sheet=sheet_name
                            )
                        )
                        read_errors.append(FileError(path, str(exc)))
                        continue
                    finally:
                        del raw
                    result.source = names[path]
                    # the file before is loaded and committed now: its keys are in the store
                    load.wait()
                    if load.commit_each_file:
                        known.forget_stored()
                    split = None
                    if table_name in REFERENCE_TABLES:  # the loader is idle: con is ours
                        split = reference.split(con, table_name, result.valid, update=update)
                        _reject_changed(result, split)
                    known.add(table_name, result.valid)
                    # loaded on the loader's thread while the next file is read and validated
                    loaded = split.load.height if split is not None else result.rows_valid
                    ingest_id = load.submit(result, split, sheet=sheet_name)
                    outcomes.append(
                        FileIngest(
                            path,
                            table_name,
                            "loaded",
                            sha,
                            result.rows_read,
                            loaded,
                            result.rows_rejected,
                            ingest_id,
                            rows_unchanged=split.unchanged if split is not None else 0,
                            rows_updated=split.replaced.height if split is not None else 0,
                            rows_skipped=result.rows_skipped,
                            sheet=sheet_name,
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
    return IngestResult(outcomes, ValidationResult(results, read_errors, passed))


def _skip(seen: set[str], first: Mapping[str, Path], job: Job, update: bool) -> Container[str]:
    """The contents not to read again for ``job``: all ``seen`` (held by the store, or read
    earlier in this call) but the one its own file brought in this call (the other sheets of
    a workbook routed sheet by sheet); none for a reference file when updating (its changed
    rows were rejected before, and its unchanged rows are counted, not loaded again)."""
    if update and job[1] in REFERENCE_TABLES:
        return ()
    return _Seen(seen, first, job[0])


class _Seen:
    """``seen`` without the contents ``first`` read from ``path`` (see :func:`_skip`)."""

    def __init__(self, seen: set[str], first: Mapping[str, Path], path: Path) -> None:
        self.seen, self.first, self.path = seen, first, path

    def __contains__(self, sha: object) -> bool:
        return isinstance(sha, str) and sha in self.seen and self.first.get(sha) != self.path


def _skipped(job: Job, sha: str, name: str, outcomes: Sequence[FileIngest]) -> FileIngest:
    """The row of a file skipped as its content was ingested before; of a workbook routed
    sheet by sheet one row for all its sheets, naming it."""
    path, table_name, routed = job
    if routed is None:
        return FileIngest(path, table_name, "skipped", sha, message=ALREADY)
    # updating, its reference sheets were read all the same (they come first)
    read = any(o.path == path and o.status == "loaded" for o in outcomes)
    which = "its other sheets are not read" if read else "none of its sheets is read"
    return FileIngest(path, None, "skipped", sha, message=f"{name}: {ALREADY}; {which}")


def _others(known: Known, table_name: str) -> Known:
    """``known`` without the keys of ``table_name`` itself when it is a reference table: its
    rows with a stored key are set against the stored rows, not rejected as
    ``already_stored`` (repeats within the file are still ``duplicate_key``)."""
    if table_name not in REFERENCE_TABLES:
        return known
    keys = {name: frame for name, frame in known.keys.items() if name != table_name}
    stored = known.stored

    def others_stored(name: str, frame: pl.DataFrame) -> pl.DataFrame:
        if name == table_name or stored is None:
            return frame.clear()
        return stored(name, frame)

    return Known(keys, others_stored, known.school_years)


def _reject_changed(result: FileResult, split: reference.ReferenceSplit) -> None:
    """Move the changed reference rows that are not updated from ``result.valid`` to its
    rejects, as validation would have rejected them."""
    if split.rejected_rows.is_empty():
        return
    lines = split.rejected_rows.get_column(LINE_COLUMN).implode()
    result.valid = result.valid.filter(~pl.col(LINE_COLUMN).is_in(lines))
    result.rejects = pl.concat([result.rejects, split.rejects], how="diagonal_relaxed").sort(
        "line", maintain_order=True
    )
    result.rejected_rows = pl.concat(
        [result.rejected_rows, split.rejected_rows], how="diagonal_relaxed"
    ).sort(LINE_COLUMN)


#: The columns of a provenance row, in the order :meth:`Loader.file` gives them.
_INGEST_COLUMNS = (
    "ingest_id",
    "batch_id",
    "file_name",
    "path",
    "sha256",
    "table_name",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "unknown_columns",
    "encoding",
    "delimiter",
    "sheet",
    "ingested_at",
    "brugdata_version",
    "pseudonymised",
    "redacted",
    "rows_unchanged",
    "rows_skipped",
)


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

    def submit(
        self,
        result: FileResult,
        split: reference.ReferenceSplit | None = None,
        *,
        sheet: str | None = None,
    ) -> int:
        """Write one file's result on the loader's thread, after the file before it; return
        its ingest id. ``split``: a reference file's rows set against the store (only its
        ``load`` rows are written, the versions they replace moved to the history).
        ``sheet``: the sheet of a workbook loaded sheet by sheet, named in each reason (the
        same row number is on every sheet)."""
        self.wait()
        ingest_id = self.next_id
        self.next_id += 1
        self.pending = self.pool.submit(self.file, result, ingest_id, split, sheet)
        self.uncommitted.add(ingest_id)
        return ingest_id

    def wait(self) -> None:
        """Wait until the file handed over is written."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()
        if self.commit_each_file:  # each file is committed once written
            self.uncommitted.clear()

    def file(
        self,
        result: FileResult,
        ingest_id: int,
        split: reference.ReferenceSplit | None = None,
        sheet: str | None = None,
    ) -> None:
        """Load one file's result under ``ingest_id`` (``sheet``: see :meth:`submit`)."""
        con = self.con
        valid = result.valid if split is None else split.load
        run(
            con,
            f"INSERT INTO ingests ({', '.join(_INGEST_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _INGEST_COLUMNS)})",
            [
                ingest_id,
                self.batch,
                result.source.rsplit("/", 1)[-1],
                result.source,
                result.sha256,
                result.table,
                result.rows_read,
                valid.height,
                result.rows_rejected,
                result.unknown_columns,
                result.encoding,
                result.delimiter,
                result.sheet,
                self.now,
                self.version,
                sum(result.pseudonymised.values()),
                sum(result.redacted.values()),
                split.unchanged if split is not None else 0,
                result.rows_skipped,
            ],
        )
        spec = TABLES[result.table]
        tag = pl.lit(ingest_id, dtype=pl.Int32)
        if split is not None:
            reference.keep_history(con, spec.name, split.replaced, ingest_id)
        _append(
            con,
            spec.name,
            valid.with_columns(tag.alias("_ingest_id")),
            [*spec.column_names, "_ingest_id", LINE_COLUMN],
        )
        reasons = result.rejects.with_columns(tag.alias("ingest_id"))
        if sheet is not None:
            named = pl.concat_str(pl.lit(f"sheet {sheet}: "), pl.col("message"))
            reasons = reasons.with_columns(named.alias("message"))
        _append(
            con,
            "rejects",
            reasons,
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
    # two-digit years in dates are read near the school years of the dates stored
    first_year = "CASE WHEN month(date) >= 8 THEN year(date) ELSE year(date) - 1 END"
    years = rows(
        con,
        f"SELECT DISTINCT {first_year} FROM (SELECT date FROM contacts UNION ALL "
        "SELECT date FROM activities) WHERE date IS NOT NULL",
    )
    known.school_years = {int(r[0]) for r in years}
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
