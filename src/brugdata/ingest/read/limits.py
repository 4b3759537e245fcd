"""Limits instead of exhaustion: what is checked before a file is read, and of what was read.

Takes a path, a workbook's bytes, a header's width or a parsed frame; refuses with one
:class:`~brugdata.errors.ReadError` sentence what is not a regular file
(:func:`check_regular_file`), a workbook that unpacks to more than the limit
(:func:`check_workbook`) and a header of more columns than the limit (:func:`check_columns`);
gives the problems of rows with a field longer than the limit (:func:`long_field_problems`).
The limits are the settings' ``max_unpacked_mb``, ``max_columns`` and ``max_field_length``
(:mod:`brugdata.config`).
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import polars as pl

from brugdata.errors import ReadError
from brugdata.ingest.read.frame import LINE_COLUMN, PROBLEM_COLUMN

__all__ = [
    "add_problem",
    "check_columns",
    "check_regular_file",
    "check_workbook",
    "field_limit",
    "long_field_problems",
    "passed_over",
]

_MB = 1 << 20

#: Files of the system, never data, by lower-case name.
_SYSTEM_FILES = {
    ".ds_store": "a macOS folder file",
    "thumbs.db": "a Windows thumbnail cache",
    "desktop.ini": "a Windows folder file",
    "ehthumbs.db": "a Windows thumbnail cache",
}


def passed_over(name: str) -> str | None:
    """Why a file named ``name`` is never data (an Excel or LibreOffice lock file, a
    temporary file, a file of the system), or None for any other name."""
    lower = name.lower()
    if name.startswith("~$"):
        return "an Excel lock file (the workbook is open in Excel)"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "a LibreOffice lock file (the file is open in LibreOffice)"
    if lower.endswith(".tmp") or (name.startswith("~") and "." not in name):
        return "a temporary file"
    if name.startswith("._"):
        return "a macOS metadata file"
    if name.startswith(".~") or name.endswith("~"):
        return "a temporary or backup file"
    return _SYSTEM_FILES.get(lower)


def check_regular_file(path: Path) -> int:
    """The size of ``path`` when it is a regular file (a symlink is followed); else a
    ReadError: a device (``/dev/zero``), a FIFO, a socket or a folder is never opened, as
    reading it would never end or eat all memory."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise ReadError(f"{path.name}: file not found") from exc
    except PermissionError as exc:
        raise ReadError(f"{path.name}: permission denied") from exc
    except OSError as exc:
        raise ReadError(f"{path.name}: the file cannot be opened ({exc.strerror or exc})") from exc
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return info.st_size
    if stat.S_ISDIR(mode):
        what = "a folder"
    elif stat.S_ISFIFO(mode):
        what = "a pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    else:
        what = "not a regular file"
    link = " (the name is a link to it)" if path.is_symlink() else ""
    raise ReadError(f"{path.name}: this is {what}, not a file{link}; it is not read")


def _settings_limit(name: str) -> int:
    """A limit of the settings in force."""
    from brugdata.config import settings

    return int(getattr(settings, name))


def check_workbook(name: str, source: bytes | Path) -> None:
    """Raise when the zip workbook ``source`` (its bytes, or its path: then only the zip's
    directory is read) declares that it unpacks to more than the limit
    (``BRUGDATA_MAX_UNPACKED_MB``): a zip bomb is refused before the Excel reader opens it.
    What is no readable zip is left for the Excel reader to refuse."""
    limit = _settings_limit("max_unpacked_mb")
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    unpacked = sum(member.file_size for member in members)
    if unpacked > limit * _MB:
        raise ReadError(
            f"{name}: the workbook unpacks to {unpacked / _MB:,.0f} MB, more than the limit of "
            f"{limit:,} MB (BRUGDATA_MAX_UNPACKED_MB); it is not read"
        )


def check_columns(name: str, width: int) -> None:
    """Raise when a header of ``width`` columns is over the limit (``BRUGDATA_MAX_COLUMNS``)."""
    limit = _settings_limit("max_columns")
    if width > limit:
        raise ReadError(
            f"{name}: the header has {width:,} columns, more than the limit of {limit:,} "
            "(BRUGDATA_MAX_COLUMNS); it is not read"
        )


def field_limit() -> int:
    """The most characters of one field (``BRUGDATA_MAX_FIELD_LENGTH``)."""
    return _settings_limit("max_field_length")


def long_field_problems(frame: pl.DataFrame, limit: int) -> pl.DataFrame:
    """``frame`` (a raw table) with a ``_problem`` on each row that has a field longer than
    ``limit`` characters, naming the column (the value is kept). Unchanged when no field is."""
    columns = [c for c in frame.columns if c not in (LINE_COLUMN, PROBLEM_COLUMN)]
    if not columns or frame.height == 0:
        return frame
    # bytes are at least as many as characters: only when some field has more bytes than
    # the limit are characters counted
    widest = frame.select(pl.max_horizontal(pl.col(columns).str.len_bytes().max())).item()
    if widest is None or widest <= limit:
        return frame
    problem: pl.Expr = pl.lit(None, pl.String)
    for column in reversed(columns):  # the first long column of a row is named
        too_long = pl.col(column).str.len_chars() > limit
        problem = (
            pl.when(too_long)
            .then(pl.lit(f"the field {column!r} is longer than the limit of {limit:,} characters"))
            .otherwise(problem)
        )
    return add_problem(frame, problem)


def add_problem(frame: pl.DataFrame, problem: pl.Expr) -> pl.DataFrame:
    """``frame`` with the String expression ``problem`` (null: none) joined to each row's
    ``_problem`` by ``; ``."""
    old = pl.col(PROBLEM_COLUMN)
    return frame.with_columns(
        pl.when(problem.is_null())
        .then(old)
        .when(old.is_null())
        .then(problem)
        .otherwise(pl.concat_str(old, pl.lit("; "), problem))
        .alias(PROBLEM_COLUMN)
    )
