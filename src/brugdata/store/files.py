"""The store's file on disk: the writer lock, copy-and-swap writes, fsync, file sizes and the
sentences that say why a file cannot be opened.

DuckDB lets one process write a database file at a time; while it has the file open no other
process can open it, not even read-only. brugdata therefore never holds a store file open for
writing: a write works on a copy under ``<store>.lock`` and renames the copy over the store
when it commits (:func:`swap`). Store files are private (0600) and keep their mode.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one writer at a time is then up to the user
    fcntl = None  # type: ignore[assignment]

from brugdata.errors import StoreError, StoreFault
from brugdata.store.check import (
    check_connection,
    connect_quietly,
    first_line,
    is_damage,
    lock_message,
)

__all__ = [
    "PRIVATE",
    "WriterLock",
    "connect_read",
    "fault",
    "file_size",
    "first_line",
    "fsync",
    "lock_message",
    "os_reason",
    "real_path",
    "refuse_read_only",
    "swap",
]


class WriterLock:
    """An exclusive advisory lock on ``<store>.lock``: one writing process at a time."""

    def __init__(self, target: Path) -> None:
        self.path = target.with_name(target.name + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> WriterLock:
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, PRIVATE)
            try:
                _lock_file(fd)
            except OSError:
                os.close(fd)
                raise StoreError(
                    f"{self.path.with_suffix('')}: another process is writing to this store; "
                    "one process writes at a time (readers are not affected): try again when "
                    "it is done"
                ) from None
            if _same_file(fd, self.path):
                self.fd = fd
                return self
            os.close(fd)  # removed by the writer before us (see :meth:`remove`): again
        raise StoreError(f"{self.path}: cannot take the writer lock; try again")

    def remove(self) -> None:
        """Remove the lock file while holding it (a refused first write leaves no file);
        a process that opened it meanwhile sees it gone and takes a new one."""
        self.path.unlink(missing_ok=True)

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            _unlock_file(self.fd)
            os.close(self.fd)
            self.fd = None


def _same_file(fd: int, path: Path) -> bool:
    """True when the open file ``fd`` is the file at ``path`` still."""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


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
    commit and begin again on the copy: only the rename makes the writes visible.

    The store is private: a new file is made readable by its owner only (0600), a file keeps
    its mode, the copy and DuckDB's side files live in a folder only the owner can enter
    (0700), and a file that may not be written (no write permission) is refused. A store
    reached through a symbolic link is written at its real path, under one lock per real
    file, and the link is kept."""
    target = real_path(target)
    refuse_read_only(target)
    try:
        lock = WriterLock(target).__enter__()
    except OSError as exc:
        raise fault(target, exc) from None
    try:
        yield from _swap(target, lock)
    finally:
        lock.__exit__()


def _swap(target: Path, lock: WriterLock) -> Iterator[duckdb.DuckDBPyConnection]:
    """:func:`swap` under the writer lock ``lock``: a file-system or DuckDB failure of the
    copy, the check, the commit or the rename becomes a :class:`StoreFault`."""
    folder = target.with_name(f"{target.name}.writing-{os.getpid()}")
    work = folder / target.name

    def give_up() -> None:
        _remove(folder)
        if not target.exists():  # a refused first write leaves nothing behind
            lock.remove()

    try:
        for stale in target.parent.glob(f"{target.name}.writing-*"):
            _remove(stale)  # left by a killed writer: we hold the lock
        refuse_read_only(target)
        folder.mkdir(mode=0o700)
        os.chmod(folder, 0o700)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else PRIVATE
        if target.exists():
            _copy(target, work)
        con = connect_quietly(str(work))
    except (duckdb.Error, OSError) as exc:
        give_up()
        raise fault(target, exc) from None
    except BaseException:
        give_up()
        raise
    try:
        if target.exists():  # never build on a damaged store: its copy is read whole first
            found = check_connection(con, str(target), file_size(target))
            if not found.sound:
                raise StoreFault(found.sentence())
        con.begin()
        yield con
        con.commit()
        con.execute("CHECKPOINT").fetchall()
    except BaseException as exc:
        with suppress(duckdb.Error):
            con.rollback()
        con.close()
        give_up()
        if isinstance(exc, OSError) or is_damage(exc) or _is_io(exc):
            raise fault(target, exc) from None
        raise
    try:
        con.close()
        os.chmod(work, mode)
        fsync(work, strict=True)
        os.replace(work, target)
    except (duckdb.Error, OSError) as exc:
        give_up()
        raise fault(target, exc) from None
    fsync(target.parent)
    _remove(folder)


def _is_io(exc: BaseException) -> bool:
    """True for DuckDB's errors writing its file (disk full, permission, read-only)."""
    return isinstance(exc, duckdb.IOException) or (
        isinstance(exc, duckdb.Error)
        and any(w in str(exc) for w in ("No space left", "Read-only file system", "ermission"))
    )


#: errno → what it means for a store, as the end of a sentence.
_FAULTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied (a read-only folder or file)",
    errno.EPERM: "the operation is not permitted (an immutable or read-only file or folder)",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EIO: "the disk reports an input/output error",
}


def os_reason(exc: OSError) -> str:
    """What a file-system error means, as the end of a sentence (``the disk is full``)."""
    return _FAULTS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def fault(target: Path | str, exc: BaseException) -> StoreFault:
    """One sentence for a file-system or DuckDB failure writing or reading the store at
    ``target``: what went wrong, and that the store is left as it was."""
    if isinstance(exc, StoreFault):
        return exc
    if is_damage(exc):
        return StoreFault(
            f"{target}: the store is damaged ({first_line(exc).split(': computed')[0]}); "
            f"brugdata check --db {target} says more: restore the file from a backup"
        )
    if isinstance(exc, OSError):
        why = os_reason(exc)
    else:
        text = first_line(exc)
        why = next(
            (m for e, m in _FAULTS.items() if os.strerror(e) in text),
            f"DuckDB could not write it ({text})",
        )
    return StoreFault(f"{target}: cannot write the store: {why}; the store is left as it was")


#: The mode of a new store file: read and written by its owner only.
PRIVATE = 0o600


def real_path(path: Path) -> Path:
    """The file ``path`` names, with symbolic links followed (the path itself when it does not
    exist yet)."""
    return Path(os.path.realpath(path))


def refuse_read_only(target: Path) -> None:
    """Raise :class:`~brugdata.errors.StoreFault` when the store file exists and may not be
    written (``chmod a-w``, or ``chattr +i``): brugdata does not replace it."""
    try:
        st = target.stat()
    except FileNotFoundError:
        return
    if not st.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise StoreFault(
            f"{target}: the store file is read-only (its permissions or an immutable flag "
            "forbid writing), so brugdata leaves it as it is: make it writable (chmod u+w, "
            "chattr -i) to write to it"
        )


def _copy(source: Path, work: Path) -> None:
    """Copy ``source`` to the new file ``work``, made readable by its owner only."""
    os.close(os.open(work, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    shutil.copyfile(source, work)  # into the file made private: its mode stays


def _remove(path: Path) -> None:
    """Remove a file or a folder and what is in it, if there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def connect_read(path: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store file at ``path``; a file another process holds
    open for writing gives a :class:`~brugdata.errors.StoreError` naming that process, a
    damaged file (truncated, a header that fails its checksum) a
    :class:`~brugdata.errors.StoreFault`."""
    try:
        return connect_quietly(path, read_only=True)
    except duckdb.Error as exc:
        if is_damage(exc) and "lock" not in str(exc).lower():
            raise fault(path, exc) from None
        if isinstance(exc, duckdb.IOException):
            raise StoreError(lock_message(path, exc)) from None
        raise StoreError(f"{path}: cannot open the store ({first_line(exc)})") from None


def file_size(path: Path) -> int:
    """Bytes in the file at ``path`` (0 when it cannot be told: reading it will say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def fsync(path: Path, *, strict: bool = False) -> None:
    """Flush a file (or a folder's entries) to disk, where the platform allows it; with
    ``strict`` a failure to flush (a full or failing disk) raises OSError."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if strict:
            raise
        return
    try:
        os.fsync(fd)
    except OSError:
        if strict:
            raise
    finally:
        os.close(fd)
