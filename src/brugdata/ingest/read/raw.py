"""A file on disk → a :class:`RawTable`: the reader is picked by extension and content.

Takes a path (and for Excel a sheet); gives the :class:`RawTable` (:func:`read_raw`), the
file's SHA-256 (:func:`file_sha256`), or both, skipping content already seen
(:func:`read_unless_seen`). Anything unreadable raises :class:`~brugdata.errors.ReadError`
with one sentence naming the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Container
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from brugdata.errors import ReadError
from brugdata.ingest.read.excel import Sheet, read_excel, read_sheets
from brugdata.ingest.read.frame import looks_binary, short
from brugdata.ingest.read.limits import (
    check_columns,
    check_regular_file,
    check_workbook,
    passed_over,
)
from brugdata.ingest.read.parquet import PARQUET_MAGIC, read_parquet
from brugdata.ingest.read.text import read_text

__all__ = ["RawTable", "file_sha256", "read_raw", "read_unless_seen"]

_CHUNK = 1 << 20
_TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
_PARQUET_SUFFIXES = frozenset({".parquet"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class RawTable:
    """A table as read from disk: raw string values plus where each record came from.

    ``data`` has one String column per header field, then ``_line`` (Int64: line where the
    record starts, header = line 1; sheet row number for Excel; row + 1 for Parquet) and
    ``_problem`` (String: null, or why the row is structurally broken).
    """

    path: Path
    data: pl.DataFrame
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sha256: str
    #: every sheet of a workbook read without a sheet chosen (validation reads each visible
    #: sheet whose header matches the table; ``data`` is then the first sheet with content)
    sheets: tuple[Sheet, ...] = ()
    #: what a reader of the result should know, one sentence each (lines of a text file
    #: that were not in its encoding, and how they were read)
    notes: tuple[str, ...] = ()


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes (streamed, so large files are fine)."""
    p = Path(path)
    _check_readable(p)
    digest = hashlib.sha256()
    try:
        with p.open("rb") as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
    except OSError as exc:
        raise ReadError(_os_error_message(p, exc)) from exc
    return digest.hexdigest()


def read_raw(path: str | Path, *, sheet: str | int | None = None) -> RawTable:
    """Read a CSV/TSV/TXT, Excel (.xlsx/.xlsm/.xlsb/.xls/.ods) or Parquet file as raw strings.

    ``sheet`` selects an Excel sheet by name or by 0-based position; without it every sheet
    is read into ``sheets`` (``data`` is the first with content) for validation to choose
    from. It is ignored for other formats.  Raises `ReadError` if the file cannot be read.
    """
    p = Path(path)
    suffix = _supported_suffix(p)
    data = _read_bytes(p)
    # hashlib releases the GIL: hash on another thread while the file is parsed.
    with ThreadPoolExecutor(max_workers=1) as pool:
        sha = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        return _parse_file(p, suffix, data, sheet, sha.result)


def read_unless_seen(
    path: str | Path, seen: Container[str], *, sheet: str | int | None = None
) -> tuple[str, RawTable | None]:
    """The file's sha256, and the file read as :func:`read_raw` reads it unless that sha256
    is in ``seen`` (then None: a store skips content it holds without parsing it). The file
    is read from disk and hashed once."""
    p = Path(path)
    data = _read_bytes(p)
    sha = hashlib.sha256(data).hexdigest()
    if sha in seen:
        return sha, None
    return sha, _parse_file(p, _supported_suffix(p), data, sheet, lambda: sha)


def _supported_suffix(p: Path) -> str:
    """The file's extension (lower case); ReadError when no reader takes it."""
    _check_name(p)
    suffix = p.suffix.lower()
    if suffix not in _TEXT_SUFFIXES | _EXCEL_SUFFIXES | _PARQUET_SUFFIXES:
        shown = suffix or "(no extension)"
        raise ReadError(f"{p.name}: unsupported file type {shown} (use .csv, .xlsx or .parquet)")
    return suffix


def _read_bytes(p: Path) -> bytes:
    """The file's bytes; ReadError with one sentence when it cannot be opened or is no
    regular data file."""
    _check_readable(p)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise ReadError(_os_error_message(p, exc)) from exc


def _check_readable(p: Path) -> None:
    """Raise unless ``p`` is a regular file and not a lock, temporary or system file."""
    _check_name(p)
    check_regular_file(p)


def _check_name(p: Path) -> None:
    """Raise when ``p`` is named as a lock, temporary or system file, never data."""
    reason = passed_over(p.name)
    if reason is not None:
        raise ReadError(f"{p.name}: this is {reason}, not data; it is not read")


def _parse_file(
    p: Path, suffix: str, data: bytes, sheet: str | int | None, sha256: Callable[[], str]
) -> RawTable:
    """The raw table of the file ``p`` from its bytes; ``sha256()`` gives their hash once
    they are parsed."""
    if not data:
        raise ReadError(f"{p.name}: the file is empty")
    if suffix in _EXCEL_SUFFIXES and data.startswith(_ZIP_MAGIC):
        check_workbook(p.name, data)  # before the Excel reader unpacks it
    if sheet is None and suffix in _EXCEL_SUFFIXES and data.startswith((_ZIP_MAGIC, _OLE2_MAGIC)):
        sheets = _read_sheets(p.name, data)
        for one in sheets:
            if one.frame is not None:
                check_columns(p.name, one.frame.width - 2)  # without _line and _problem
        with_content = [s for s in sheets if s.frame is not None]
        for frame in (s.frame for s in with_content if s.frame is not None):
            check_columns(p.name, frame.width - 2)  # without _line and _problem
        first = next((s for s in with_content if s.visible), next(iter(with_content), None))
        if first is None or first.frame is None:
            raise ReadError(f"{p.name}: every sheet of the workbook is empty (no header row)")
        return RawTable(p, first.frame, None, None, first.name, sha256(), tuple(sheets))
    frame, encoding, delimiter, sheet_name, notes = _read_any(p.name, suffix, data, sheet)
    return RawTable(p, frame, encoding, delimiter, sheet_name, sha256(), notes=notes)


def _read_sheets(name: str, data: bytes) -> list[Sheet]:
    """Every sheet of a workbook; ReadError with one sentence when it cannot be read."""
    try:
        return read_sheets(name, data)
    except ReadError:
        raise
    except Exception as exc:  # safety net: never let a parser's own exception escape
        raise ReadError(f"{name}: the workbook cannot be read ({short(exc)})") from exc


def _read_any(
    name: str, suffix: str, data: bytes, sheet: str | int | None
) -> tuple[pl.DataFrame, str | None, str | None, str | None, tuple[str, ...]]:
    """Dispatch on extension and content: (frame, encoding, delimiter, sheet name, notes)."""
    try:
        if suffix in _PARQUET_SUFFIXES:
            return read_parquet(name, data), None, None, None, ()
        if suffix in _EXCEL_SUFFIXES and data.startswith((_ZIP_MAGIC, _OLE2_MAGIC)):
            frame, sheet_name = read_excel(name, data, sheet)
            check_columns(name, frame.width - 2)  # without _line and _problem
            return frame, None, None, sheet_name, ()
        if suffix in _TEXT_SUFFIXES:
            _reject_other_formats(name, data)
        elif looks_binary(data):
            raise ReadError(f"{name}: the workbook cannot be opened (it is not an Excel file)")
        frame, encoding, delimiter, notes = read_text(name, data)
        return frame, encoding, delimiter, None, notes
    except ReadError:
        raise
    except Exception as exc:  # safety net: never let a parser's own exception escape
        raise ReadError(f"{name}: the file cannot be read ({short(exc)})") from exc


def _os_error_message(path: Path, exc: OSError) -> str:
    """One sentence for an OSError raised while opening ``path``."""
    if isinstance(exc, FileNotFoundError):
        return f"{path.name}: file not found"
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return f"{path.name}: this is a folder, not a file"
    if isinstance(exc, PermissionError):
        return f"{path.name}: permission denied"
    return f"{path.name}: the file cannot be opened ({exc.strerror or exc})"


def _reject_other_formats(name: str, data: bytes) -> None:
    """Raise for a text-named file that is really a workbook or Parquet file."""
    if data.startswith(_ZIP_MAGIC):
        raise ReadError(
            f"{name}: this looks like an Excel workbook (zip), not a CSV file; "
            "give it the extension .xlsx"
        )
    if data.startswith(_OLE2_MAGIC):
        raise ReadError(
            f"{name}: this looks like an old Excel workbook (.xls), not a CSV file; "
            "give it the extension .xls or save it as .xlsx"
        )
    if data.startswith(PARQUET_MAGIC):
        raise ReadError(
            f"{name}: this looks like a Parquet file, not a CSV file; "
            "give it the extension .parquet"
        )
