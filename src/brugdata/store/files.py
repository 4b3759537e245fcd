"""The store's file on disk: the writer lock, copy-and-swap writes, fsync, file sizes and the
sentences that say why a file cannot be opened.

DuckDB lets one process write a database file at a time; while it has the file open no other
process can open it, not even read-only. brugdata therefore never holds a store file open for
writing: a write works on a copy under ``<store>.lock`` and renames the copy over the store
when it commits (:func:`swap`).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one writer at a time is then up to the user
    fcntl = None  # type: ignore[assignment]

from brugdata.errors import StoreError

__all__ = ["WriterLock", "connect_read", "file_size", "first_line", "fsync", "lock_message", "swap"]


class WriterLock:
    """An exclusive advisory lock on ``<store>.lock``: one writing process at a time."""

    def __init__(self, target: Path) -> None:
        self.path = target.with_name(target.name + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> WriterLock:
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


@contextmanager
def swap(target: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection, in an open transaction, to a copy of the store file ``target`` (a new
    file when there is none), made under the writer lock. When the block ends the transaction
    is committed, the copy checkpointed, flushed to disk and renamed over ``target``; when it
    raises, the copy is thrown away and ``target`` is left exactly as it was. The block may
    commit and begin again on the copy: only the rename makes the writes visible."""
    with WriterLock(target):
        for stale in target.parent.glob(f"{target.name}.writing-*"):
            stale.unlink(missing_ok=True)  # left by a killed writer: we hold the lock
        work = target.with_name(f"{target.name}.writing-{os.getpid()}")
        if target.exists():
            shutil.copyfile(target, work)
        try:
            con = duckdb.connect(str(work))
        except duckdb.Error as exc:
            work.unlink(missing_ok=True)
            raise StoreError(f"{target}: cannot write the store ({first_line(exc)})") from None
        try:
            con.begin()
            yield con
            con.commit()
            con.execute("CHECKPOINT").fetchall()
        except BaseException:
            with suppress(duckdb.Error):
                con.rollback()
            con.close()
            work.unlink(missing_ok=True)
            Path(f"{work}.wal").unlink(missing_ok=True)
            raise
        con.close()
        fsync(work)
        os.replace(work, target)
        fsync(target.parent)


def connect_read(path: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store file at ``path``; a file another process holds
    open for writing gives a :class:`~brugdata.errors.StoreError` naming that process."""
    try:
        return duckdb.connect(path, read_only=True)
    except duckdb.IOException as exc:
        raise StoreError(lock_message(path, exc)) from None
    except duckdb.Error as exc:
        raise StoreError(f"{path}: cannot open the store ({first_line(exc)})") from None


def file_size(path: Path) -> int:
    """Bytes in the file at ``path`` (0 when it cannot be told: reading it will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def fsync(path: Path) -> None:
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


def first_line(exc: Exception) -> str:
    """The first line of an error's text (its type's name when it has none)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
