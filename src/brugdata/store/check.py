"""Is the store file sound? Every block read and its checksum verified, the length checked.

DuckDB keeps a checksum in every block of its file and verifies it whenever it reads the
block, but it reads only what a query needs: counts and minima come from the metadata, so a
flipped byte in a data block goes unnoticed until a query touches that column.
:func:`check_connection` (:func:`check_store` for a file) reads every value of every column
of every table (a hash of each row, which no statistics can answer) and compares the file's
length with the blocks in use, so a truncated file or a damaged block is found at
once. ``brugdata check``
runs it; every write (:func:`brugdata.store.files.swap`) runs it on its copy before building
on it, and :meth:`brugdata.store.store.Store.info` before it reports.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from brugdata.errors import StoreError

__all__ = [
    "HEADER_BYTES",
    "connect_quietly",
    "StoreCheck",
    "check_connection",
    "check_store",
    "first_line",
    "is_damage",
    "lock_message",
]


def connect_quietly(path: str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the store file at ``path`` that draws no progress bar (DuckDB draws one
    on the terminal for a query of more than two seconds, such as a check of a large store;
    the setting is the connection's own, not one to give at connect; in a Jupyter kernel
    without ipywidgets DuckDB refuses to change it, and draws none)."""
    con = duckdb.connect(path, read_only=read_only)
    with suppress(duckdb.Error):  # in a Jupyter kernel without ipywidgets: it draws none
        con.execute("SET enable_progress_bar = false")
    return con


#: Bytes before the first block of a DuckDB file: the main header and two database headers.
HEADER_BYTES = 3 * 4096


@dataclass(frozen=True)
class StoreCheck:
    """What :func:`check_store` found: ``sound`` when every block read back with its checksum
    and the file has every block; otherwise ``problems`` says what is wrong, one sentence
    each. ``tables`` and ``rows``: how much was read."""

    path: str
    sound: bool
    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0

    def sentence(self) -> str:
        """One sentence for the user: sound, or the first problem and what to do."""
        if self.sound:
            return (
                f"{self.path}: the store is sound ({self.tables} tables, {self.rows} rows, "
                "every block read and its checksum verified)"
            )
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        return (
            f"{self.path}: the store is damaged: {self.problems[0]}{more}; brugdata does not "
            "read or build on it: restore the file from a backup or ingest the files again "
            "into a new store"
        )


def is_damage(exc: BaseException) -> bool:
    """True when a DuckDB error says the file is damaged (a checksum that does not match, a
    block past the end of the file), not that a query is wrong."""
    if not isinstance(exc, duckdb.Error):
        return False
    text = str(exc)
    return any(
        sign in text for sign in ("Corrupt database file", "checksum", "Could not read enough")
    )


def check_connection(con: duckdb.DuckDBPyConnection, path: str, size: int | None) -> StoreCheck:
    """Read every column of every table through ``con`` (the store at ``path``, whose file
    has ``size`` bytes; None for a store in memory) and say whether all of it is sound."""
    problems: list[str] = []
    tables = rows = 0
    try:
        if size is not None:
            # the blocks in use need at least this much (free blocks at the end may be cut)
            block_size, used = con.execute(
                "SELECT block_size, used_blocks FROM pragma_database_size() "
                "WHERE database_name = current_database()"
            ).fetchall()[0]
            needed = HEADER_BYTES + int(block_size) * int(used)
            if size < needed:
                problems.append(
                    f"the file is truncated ({size} bytes, where the {used} blocks in use "
                    f"need at least {needed} bytes)"
                )
        listed = con.execute(
            "SELECT t.schema_name, t.table_name, list(c.column_name ORDER BY c.column_index) "
            "FROM duckdb_tables() t JOIN duckdb_columns() c USING (database_name, schema_name, "
            "table_name) WHERE t.database_name = current_database() GROUP BY ALL ORDER BY 2"
        ).fetchall()
    except duckdb.Error as exc:
        return StoreCheck(path, False, [_what(exc)])
    scans = {
        name: f"SELECT count(*) AS n, bit_xor(hash({', '.join(map(_quote, columns))})) AS h "
        f"FROM {_quote(schema)}.{_quote(name)}"
        for schema, name, columns in listed
    }
    if not scans:
        return StoreCheck(path, not problems, problems)
    try:  # every table in one query; when it fails, table by table to say which
        counted = con.execute(" UNION ALL ".join(scans.values())).fetchall()
        return StoreCheck(path, not problems, problems, len(scans), sum(int(r[0]) for r in counted))
    except duckdb.Error:
        pass
    for name, scan in scans.items():
        try:
            found = con.execute(scan).fetchall()[0]
        except duckdb.Error as exc:
            problems.append(f"table {name}: {_what(exc)}")
            continue
        tables += 1
        rows += int(found[0])
    return StoreCheck(path, not problems, problems, tables, rows)


def check_store(path: str | Path) -> StoreCheck:
    """Open the store file at ``path`` read-only and check it (:func:`check_connection`): every
    block read and its checksum verified, the file's length compared with its header. A file
    DuckDB cannot open at all is not sound either. Raises
    :class:`~brugdata.errors.StoreError` when there is no file or another process holds it."""
    target = Path(path)
    try:
        size = target.stat().st_size
    except OSError:
        raise StoreError(f"{path}: no store there to check") from None
    try:
        con = connect_quietly(str(target), read_only=True)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise StoreError(lock_message(str(path), exc)) from None
        return StoreCheck(str(path), False, [_what(exc)])
    try:
        return check_connection(con, str(path), size)
    finally:
        con.close()


def _what(exc: BaseException) -> str:
    """DuckDB's first line, the block's checksum numbers left out."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "checksum" in text:
        where = _LOCATION.search(text)
        at = f" at byte {where.group(1)}" if where else ""
        return f"a block{at} does not match its checksum"
    return text


_LOCATION = re.compile(r"location (\d+)")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_PID = re.compile(r"\(PID (\d+)\)")


def lock_message(path: str, exc: Exception) -> str:
    """One sentence for DuckDB's error opening ``path``: who holds the file, when a lock."""
    text = str(exc)
    if "lock" not in text.lower():
        return f"{path}: cannot open the store ({first_line(exc)})"
    pid = _PID.search(text)
    who = f"another process (PID {pid.group(1)})" if pid else "another process"
    return (
        f"{path}: the store is in use by {who}; DuckDB lets one process write a store at a "
        "time and no other process open it meanwhile, not even read-only: wait for that "
        "process to finish or close its store (store.close() in a notebook), then try again"
    )


def first_line(exc: BaseException) -> str:
    """The first line of an error's text (its type's name when it has none)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
