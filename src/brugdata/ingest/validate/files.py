"""Which files to validate, and in which order.

Takes paths of files and folders; gives the data files in them with the lock, temporary and
system files passed over (:func:`gather_files`, :func:`collect_files`), files whose content
another file has too read once (:func:`same_content`), and each file paired with its table,
in load order (:func:`plan_files`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from brugdata.errors import ReadError
from brugdata.ingest.privacy import redact_label
from brugdata.ingest.read import file_sha256
from brugdata.ingest.read.limits import passed_over
from brugdata.ingest.results import FileError
from brugdata.model.tables import TABLES, table, table_for_file, table_names

__all__ = [
    "DATA_EXTENSIONS",
    "collect_files",
    "gather_files",
    "plan_files",
    "same_content",
    "source_names",
]

#: Extensions picked up when a folder is given.
DATA_EXTENSIONS = (".csv", ".tsv", ".xlsx", ".xlsm", ".parquet")


def gather_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileError]]:
    """The files to read and the files passed over, each with one sentence saying why.

    Folders are expanded recursively (data files only, sorted; hidden folders are not
    entered); their lock files of Excel (``~$…``) and LibreOffice (``.~lock.…#``), temporary
    files (``*.tmp``) and system files (``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) are
    passed over and named. Files given are kept as given (a lock file given is refused when
    planned, :func:`plan_files`); a file given twice is read once."""
    out: list[Path] = []
    skipped: list[FileError] = []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append(p)
            continue
        for f in sorted(p.rglob("*")):
            parts = f.relative_to(p).parts
            if any(part.startswith(".") for part in parts[:-1]) or f.is_dir():
                continue
            reason = passed_over(f.name)
            if reason is not None:
                skipped.append(FileError(f, f"{f.name}: {reason}, passed over"))
            elif f.suffix.lower() in DATA_EXTENSIONS and not f.name.startswith("."):
                out.append(f)  # not a regular file (a FIFO, a link to a device): refused on read
    unique: dict[Path, Path] = {}
    for f in out:
        unique.setdefault(_identity(f), f)
    return list(unique.values()), skipped


def _identity(path: Path) -> Path:
    """What tells two paths of one file apart from two files: the resolved path."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop: the reader says so
        return path.absolute()


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read of :func:`gather_files` (without the files passed over)."""
    return gather_files(paths)[0]


def same_content(files: Sequence[Path]) -> tuple[list[Path], list[FileError]]:
    """``files`` with each content once, and the files left out, each named with the file
    of the same content that is read (reading both would count every row twice). Of files
    with the same bytes the one with the shortest name is read (``contacten.csv``, not
    ``contacten (1).csv``). Only files of equal size are hashed."""
    by_size: dict[int, list[int]] = {}
    for index, f in enumerate(files):
        try:
            info = os.stat(f)
        except OSError:
            continue  # the reader says why
        if os.path.isfile(f) and info.st_size > 0:
            by_size.setdefault(info.st_size, []).append(index)
    left_out: dict[int, int] = {}  # index of a file left out -> index of the one read
    for indexes in by_size.values():
        if len(indexes) < 2:
            continue
        by_hash: dict[str, list[int]] = {}
        for index in indexes:
            try:
                by_hash.setdefault(file_sha256(files[index]), []).append(index)
            except ReadError:
                continue  # the reader says why
        for group in by_hash.values():
            kept = min(group, key=lambda i: (len(files[i].name), i))
            left_out.update((i, kept) for i in group if i != kept)
    out = [f for i, f in enumerate(files) if i not in left_out]
    skipped = [
        FileError(
            files[i],
            f"{_shown(files[i], files[k])} has the same content as {_shown(files[k], files[i])}"
            ": read once",
        )
        for i, k in sorted(left_out.items())
    ]
    return out, skipped


def _shown(path: Path, other: Path) -> str:
    """``path``'s name, or the whole path when ``other`` has the same name."""
    return str(path) if path.name == other.name else path.name


def plan_files(
    files: list[Path], forced: str | None = None
) -> tuple[list[tuple[Path, str]], list[FileError]]:
    """Pair each file with its table, in load order (a table after the tables it refers to);
    files whose table cannot be told become errors."""
    order = {name: i for i, name in enumerate(table_names())}
    if forced is not None:
        table(forced)  # ValueError for an unknown name
    jobs: list[tuple[Path, str]] = []
    errors: list[FileError] = []
    for path in files:
        reason = passed_over(path.name)
        if reason is not None:
            errors.append(
                FileError(path, f"{path.name}: this is {reason}, not data; it is not read")
            )
            continue
        if not path.exists():
            errors.append(FileError(path, f"{path}: file not found"))
            continue
        name = forced or table_for_file(path)
        if name is None:
            hint = ", ".join(t.prefixes[0] + "*" for t in TABLES.values())
            errors.append(
                FileError(
                    path,
                    f"{path.name}: cannot tell which table this file "
                    f"holds from its name (name it {hint}, or give the "
                    "table explicitly)",
                )
            )
        else:
            jobs.append((path, name))
    jobs.sort(key=lambda job: order[job[1]])  # stable: files keep their order within a table
    return jobs, errors


def source_names(paths: Iterable[str | Path], files: Sequence[Path]) -> dict[Path, str]:
    """Each file's name as provenance keeps it: relative to the folder given that holds it
    (its own name when given as a file), each part redacted (:func:`redact_label`), so a
    folder named after a child is not kept."""
    folders = [Path(p) for p in paths if Path(p).is_dir()]
    out: dict[Path, str] = {}
    for f in files:
        parts: tuple[str, ...] = (f.name,)
        for folder in folders:
            if f.is_relative_to(folder):
                parts = f.relative_to(folder).parts
                break
        out[f] = "/".join(redact_label(part) for part in parts)
    return out
