"""Reader stage: bytes on disk -> a polars DataFrame of raw strings.

`read_raw` reads a CSV/TSV/TXT export, an Excel workbook or a Parquet file and returns a
`RawTable` whose data frame holds every value as a string (empty cell -> null), with the
header names as in the file (only surrounding whitespace and a BOM removed), plus two columns:
``_line`` (where the record starts in the source) and ``_problem`` (why a row is structurally
broken, else null).

The reader does not rename columns, trim values or parse dates and numbers: validation does
that later.  Anything unreadable raises `ReadError` with one sentence that names the file.

Text files: the encoding is sniffed (UTF-8 with or without BOM, UTF-16 with BOM, otherwise
Windows-1252) and so is the delimiter (``;``, ``,`` or tab).  Files are parsed with polars
(fast); Python's `csv` module takes over for files polars cannot parse cleanly (unclosed or
stray quotes, rows with too many fields in a file that also has quoted line breaks).  Records
whose fields are all empty or whitespace (blank lines, ``;;;;`` lines, empty Excel rows) are
skipped without shifting the line numbers of later records; rows with a ``_problem`` are
always kept.
"""

from __future__ import annotations

import codecs
import collections
import csv
import gc
import hashlib
import io
import itertools
import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import fastexcel
import polars as pl

from brugdata.errors import ReadError

__all__ = ["RawTable", "file_sha256", "read_ahead", "read_raw", "read_unless_seen"]

LINE_COLUMN = "_line"
PROBLEM_COLUMN = "_problem"

_TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
_PARQUET_SUFFIXES = frozenset({".parquet"})

_DELIMITERS = (";", ",", "\t")
_QUOTE = '"'
_SNIFF_BYTES = 64 * 1024
_SNIFF_RECORDS = 50
_BINARY_PROBE = 8192
_CHUNK = 1 << 20

#: Windows-1252 text with more than one byte in this many outside ASCII is decoded whole
#: rather than run by run (see ``_cp1252_to_utf8``).
_DENSE = 64
#: The top bit of each byte of a 64-bit word: set in a word holding a byte outside ASCII.
_HIGH_BITS = 0x8080808080808080

#: Files smaller than this (bytes) are read ahead without counting towards ``read_ahead``'s
#: depth.
SMALL_FILE = 1 << 20

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PARQUET_MAGIC = b"PAR1"
# Control bytes that do not occur in text (tab, LF, VT, FF, CR and Ctrl-Z are allowed).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 26), *range(27, 32), 127])
_NON_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_LONE_CR = re.compile(rb"\r(?!\n)")

_SENTINEL = "brugdata\u2063end-of-file\u2063sentinel"
_UNCLOSED = "a quoted field is never closed"
_RUNAWAY = "a quoted field runs on too long (probably a missing closing quote)"
_NO_HEADER = "the file has no header line (it contains only blank lines)"


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode bytes undefined in cp1252 (0x81, 0x8D, ...) as Latin-1."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("brugdata-latin1", _latin1_fallback)


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


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes (streamed, so large files are fine)."""
    p = Path(path)
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

    ``sheet`` selects an Excel sheet by name or by 0-based position (default: the first
    sheet); it is ignored for other formats.  Raises `ReadError` if the file cannot be read.
    """
    p = Path(path)
    suffix = _supported_suffix(p)
    data = _read_bytes(p)
    # hashlib releases the GIL: hash on another thread while the file is parsed.
    with ThreadPoolExecutor(max_workers=1) as pool:
        sha = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        return _parse_file(p, suffix, data, sheet, sha.result)


def read_unless_seen(path: str | Path, seen: Container[str]) -> tuple[str, RawTable | None]:
    """The file's sha256, and the file read as :func:`read_raw` reads it unless that sha256
    is in ``seen`` (then None: a store skips content it holds without parsing it). The file
    is read from disk and hashed once."""
    p = Path(path)
    data = _read_bytes(p)
    sha = hashlib.sha256(data).hexdigest()
    if sha in seen:
        return sha, None
    return sha, _parse_file(p, _supported_suffix(p), data, None, lambda: sha)


def _supported_suffix(p: Path) -> str:
    """The file's extension (lower case); ReadError when no reader takes it."""
    suffix = p.suffix.lower()
    if suffix not in _TEXT_SUFFIXES | _EXCEL_SUFFIXES | _PARQUET_SUFFIXES:
        shown = suffix or "(no extension)"
        raise ReadError(f"{p.name}: unsupported file type {shown} (use .csv, .xlsx or .parquet)")
    return suffix


def _read_bytes(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except OSError as exc:
        raise ReadError(_os_error_message(p, exc)) from exc


def _parse_file(
    p: Path, suffix: str, data: bytes, sheet: str | int | None, sha256: Callable[[], str]
) -> RawTable:
    """The raw table of the file ``p`` from its bytes; ``sha256()`` gives their hash once
    they are parsed."""
    if not data:
        raise ReadError(f"{p.name}: the file is empty")
    frame, encoding, delimiter, sheet_name = _read_any(p.name, suffix, data, sheet)
    return RawTable(p, frame, encoding, delimiter, sheet_name, sha256())


_Job = TypeVar("_Job")
_Out = TypeVar("_Out")


class read_ahead(Generic[_Job, _Out]):  # noqa: N801 - used like a function
    """Iterate ``(job, future of read(job))`` for each job in order. Reading starts at once
    and stays ``depth`` jobs ahead of the caller, the files read one after the other on a
    thread while the caller works on this one (parsing releases the GIL: the next files are
    read while this one is validated and loaded). With ``size`` (a job's size in bytes),
    only jobs of at least :data:`SMALL_FILE` bytes count towards ``depth``: small files never
    hold up reading the large ones after them. ``future.result()`` gives what ``read``
    returned or raises what it raised. Use it in a ``with`` block: leaving it cancels the
    reads not begun and waits for the one under way."""

    def __init__(
        self,
        jobs: Iterable[_Job],
        read: Callable[[_Job], _Out],
        *,
        depth: int = 1,
        size: Callable[[_Job], int] | None = None,
    ) -> None:
        self._read = read
        self._pending = iter(jobs)
        self._depth = depth
        self._counts = (lambda job: size(job) >= SMALL_FILE) if size else (lambda job: True)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brugdata-read")
        self._ahead: collections.deque[tuple[_Job, Future[_Out], bool]] = collections.deque()
        self._fill(self._depth + 1)

    def _fill(self, limit: int) -> None:
        """Submit jobs while fewer than ``limit`` submitted and not yet taken count."""
        while sum(counts for *_, counts in self._ahead) < limit:
            job = next(self._pending, None)
            if job is None:
                return
            self._ahead.append((job, self._pool.submit(self._read, job), self._counts(job)))

    def __iter__(self) -> Iterator[tuple[_Job, Future[_Out]]]:
        return self

    def __next__(self) -> tuple[_Job, Future[_Out]]:
        if not self._ahead:
            raise StopIteration
        job, future, _ = self._ahead.popleft()
        self._fill(self._depth)
        return job, future

    def __enter__(self) -> read_ahead[_Job, _Out]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Cancel the reads not begun and wait for the one under way."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _read_any(
    name: str, suffix: str, data: bytes, sheet: str | int | None
) -> tuple[pl.DataFrame, str | None, str | None, str | None]:
    """Dispatch on extension and content: (frame, encoding, delimiter, sheet name)."""
    try:
        if suffix in _PARQUET_SUFFIXES:
            return _read_parquet(name, data), None, None, None
        if suffix in _EXCEL_SUFFIXES and data.startswith((_ZIP_MAGIC, _OLE2_MAGIC)):
            frame, sheet_name = _read_excel(name, data, sheet)
            return frame, None, None, sheet_name
        if suffix in _TEXT_SUFFIXES:
            _reject_other_formats(name, data)
        elif _looks_binary(data):
            raise ReadError(f"{name}: the workbook cannot be opened (it is not an Excel file)")
        frame, encoding, delimiter = _read_text(name, data)
        return frame, encoding, delimiter, None
    except ReadError:
        raise
    except Exception as exc:  # safety net: never let a parser's own exception escape
        raise ReadError(f"{name}: the file cannot be read ({_short(exc)})") from exc


# --------------------------------------------------------------------------- helpers


def _os_error_message(path: Path, exc: OSError) -> str:
    """One sentence for an OSError raised while opening ``path``."""
    if isinstance(exc, FileNotFoundError):
        return f"{path.name}: file not found"
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return f"{path.name}: this is a folder, not a file"
    if isinstance(exc, PermissionError):
        return f"{path.name}: permission denied"
    return f"{path.name}: the file cannot be opened ({exc.strerror or exc})"


def _short(exc: BaseException, limit: int = 160) -> str:
    """First line of an exception message, shortened."""
    message = str(exc).strip()
    text = message.splitlines()[0] if message else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _looks_binary(data: bytes) -> bool:
    """True when the first KBs contain NUL bytes or many control characters."""
    probe = data[:_BINARY_PROBE]
    if b"\x00" in probe:
        return True
    controls = len(probe.translate(None, _NON_CONTROL_BYTES))
    return controls * 20 > len(probe)


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
    if data.startswith(_PARQUET_MAGIC):
        raise ReadError(
            f"{name}: this looks like a Parquet file, not a CSV file; "
            "give it the extension .parquet"
        )


def _column_names(header: Sequence[str | None]) -> list[str]:
    """Clean header names: strip whitespace/BOM, name empty ones, make duplicates unique."""
    used: set[str] = {LINE_COLUMN, PROBLEM_COLUMN}
    names: list[str] = []
    for position, raw in enumerate(header, start=1):
        name = (raw or "").strip().strip("\ufeff").strip()
        if not name:
            name = f"column_{position}"
        base, counter = name, 2
        while name in used:
            name = f"{base}_{counter}"
            counter += 1
        used.add(name)
        names.append(name)
    return names


def _is_blank(fields: Iterable[str | None]) -> bool:
    """True when every field is missing, empty or whitespace only."""
    return all(field is None or not field.strip() for field in fields)


def _generic(width: int) -> list[str]:
    """Internal column names c0..c{width-1}."""
    return [f"c{i}" for i in range(width)]


def _not_empty(column: str) -> pl.Expr:
    """Polars expression: the column holds a non-empty string."""
    return pl.col(column).is_not_null() & (pl.col(column) != "")


def _drop_blank_rows(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Drop rows whose ``columns`` are all null or whitespace and that have no problem.

    ``frame`` must have a _line column (unique per row); a _problem column is optional.
    """
    if not columns or frame.height == 0:
        return frame
    first = pl.col(columns[0])
    maybe = first.is_null() | (first.str.strip_chars() == "")
    if PROBLEM_COLUMN in frame.columns:
        maybe = maybe & pl.col(PROBLEM_COLUMN).is_null()
    candidates = frame.filter(maybe)
    if candidates.height == 0:
        return frame
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in columns]
    )
    lines = candidates.filter(blank).get_column(LINE_COLUMN)
    if lines.is_empty():
        return frame
    return frame.filter(~pl.col(LINE_COLUMN).is_in(lines.implode()))


def _finish(header: Sequence[str | None], body: pl.DataFrame) -> pl.DataFrame:
    """Name the generic columns c0.. after the header, empty strings -> null, add _problem."""
    names = _column_names(header)
    problem = pl.col(PROBLEM_COLUMN) if PROBLEM_COLUMN in body.columns else pl.lit(None, pl.String)
    return body.select(
        *[
            pl.when(_not_empty(f"c{i}")).then(pl.col(f"c{i}").cast(pl.String)).alias(name)
            for i, name in enumerate(names)
        ],
        pl.col(LINE_COLUMN).cast(pl.Int64),
        problem.cast(pl.String).alias(PROBLEM_COLUMN),
    )


# --------------------------------------------------------------------------- text files


def _is_utf8(data: bytes) -> bool:
    """True when ``data`` is valid UTF-8 (checked in chunks to keep memory low)."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 4 * _CHUNK):
            decoder.decode(data[start : start + 4 * _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _cp1252_to_utf8(data: bytes) -> bytes:
    """Transcode Windows-1252 bytes to UTF-8 (undefined bytes are taken as Latin-1). ASCII
    bytes stay as they are: only the runs of other bytes (:func:`_high_bytes` finds them) are
    decoded, which in a Dutch export are a few in a thousand. A file with many is decoded a
    megabyte at a time (one byte is one character): Python holds the GIL while it decodes,
    and other threads (validation, loading) get it between the pieces."""
    import numpy as np

    high = _high_bytes(data, len(data) // _DENSE)
    if high is None:
        return b"".join(_cp1252_piece(data[i : i + _CHUNK]) for i in range(0, len(data), _CHUNK))
    if not len(high):
        return data
    breaks = np.flatnonzero(np.diff(high) != 1) + 1
    starts = high[np.r_[0, breaks]].tolist()
    ends = (high[np.r_[breaks - 1, len(high) - 1]] + 1).tolist()
    view = memoryview(data)  # the ASCII between the runs is copied once, by the join
    pieces: list[bytes | memoryview] = []
    done = 0
    for start, end in zip(starts, ends, strict=True):
        pieces += [view[done:start], _cp1252_piece(data[start:end])]
        done = end
    pieces.append(view[done:])
    return b"".join(pieces)


def _high_bytes(data: bytes, limit: int) -> Any:
    """The positions of the bytes of ``data`` outside ASCII (a sorted numpy array), or None
    when there are more than ``limit``. Eight bytes are tested at a time (as one 64-bit
    word), a megabyte at a time, so no array as large as the file is made."""
    import numpy as np

    whole = len(data) - len(data) % 8
    words = np.frombuffer(data, dtype=np.uint64, count=whole // 8)
    found: list[Any] = []
    count = 0
    buffer = np.empty(_CHUNK // 8, dtype=np.uint64)
    for start in range(0, len(words), len(buffer)):
        part = words[start : start + len(buffer)]
        hits = np.flatnonzero(np.bitwise_and(part, _HIGH_BITS, out=buffer[: len(part)]))
        count += len(hits)
        if count > limit:  # each word found holds at least one such byte
            return None
        found.append(hits + start)
    hit = np.concatenate(found) if found else np.empty(0, dtype=np.intp)
    in_words = np.frombuffer(data, dtype=np.uint8, count=whole).reshape(-1, 8)
    rows, cols = np.nonzero(in_words[hit] >= 0x80)
    tail = np.flatnonzero(np.frombuffer(data, dtype=np.uint8, offset=whole) >= 0x80) + whole
    high = np.concatenate([hit[rows] * 8 + cols, tail])
    return None if len(high) > limit else high


def _cp1252_piece(data: bytes) -> bytes:
    return data.decode("cp1252", "brugdata-latin1").encode("utf-8")


def _prepare_text(name: str, raw: bytes) -> tuple[bytes, str, bool]:
    """Sniff the encoding: return (UTF-8 bytes without BOM, encoding, verified).

    ``verified`` is False when only the start of the file was checked to be UTF-8; polars
    validates the rest while parsing and the caller falls back to Windows-1252 if needed.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadError(f"{name}: the file says it is UTF-16 but cannot be decoded") from exc
        return _normalise_newlines(text.encode("utf-8")), "utf-16", True
    encoding = "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[len(codecs.BOM_UTF8) :], "utf-8-sig"
    if _looks_binary(raw):
        raise ReadError(f"{name}: this is not a text file (binary content)")
    data = _normalise_newlines(raw)
    if data.isascii():
        return data, encoding, True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:_SNIFF_BYTES])
    except UnicodeDecodeError:
        return _cp1252_to_utf8(data), "windows-1252", True
    return data, encoding, len(data) <= _SNIFF_BYTES


def _normalise_newlines(data: bytes) -> bytes:
    """Turn lone CR line ends (old Mac) into LF; CRLF is left alone. Drop a final Ctrl-Z."""
    if data.endswith(b"\x1a"):
        data = data.rstrip(b"\x1a")
    if b"\r" in data and _LONE_CR.search(data):
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def _reject_markup(name: str, text: str) -> None:
    """Raise when a 'CSV' is really an HTML page or XML document."""
    head = text[:1024].lstrip().lower()
    if head.startswith("<") and any(
        tag in head for tag in ("<html", "<!doctype", "<?xml", "<table")
    ):
        raise ReadError(
            f"{name}: this is a web page or XML document, not a table; save it as .csv or .xlsx"
        )


@dataclass(frozen=True)
class _Sniff:
    """Sniffed layout of a text file."""

    delimiter: str
    header: list[str]
    header_start: int  # 1-based line where the header record starts


def _sample_records(sample: str, delimiter: str) -> list[tuple[list[str], int]]:
    """The header (first non-blank record) and the non-empty records after it, with start lines."""
    records: list[tuple[list[str], int]] = []
    reader = csv.reader(
        io.StringIO(sample, newline=""), delimiter=delimiter, quotechar=_QUOTE, strict=False
    )
    previous = 0
    try:
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if fields if records else not _is_blank(fields):  # header: first non-blank
                records.append((fields, start))
                if len(records) > _SNIFF_RECORDS:
                    break
    except csv.Error:
        pass
    return records


def _sniff(data: bytes) -> _Sniff | None:
    """Pick the delimiter that occurs most often in the header and consistently after it.

    A header without any candidate delimiter is a single column: then the delimiter that
    splits the following lines least is used (``,`` when none of them occurs).
    """
    truncated = len(data) > _SNIFF_BYTES
    sample = data[:_SNIFF_BYTES].decode("utf-8", errors="ignore")
    if truncated and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    best: tuple[tuple[bool, bool, int, float, float, bool], _Sniff] | None = None
    for delimiter in _DELIMITERS:
        records = _sample_records(sample, delimiter)
        if truncated and len(records) > 1:
            records = records[:-1]  # the last one may be cut off
        if not records:
            continue
        header, start = records[0]
        width = len(header)
        rows = records[1:]
        exact = sum(1 for fields, _ in rows if len(fields) == width)
        # Rows with only empty extra fields (a trailing delimiter) or short rows still fit.
        fitting = sum(
            1 for fields, _ in rows if len(fields) <= width or _used_width(fields) <= width
        )
        share = fitting / len(rows) if rows else 1.0
        exact_share = exact / len(rows) if rows else 1.0
        key = (width > 1, share >= 0.8, width, share, exact_share, delimiter == ",")
        if best is None or key > best[0]:
            best = (key, _Sniff(delimiter, header, start))
    return None if best is None else best[1]


def _read_text(name: str, raw: bytes) -> tuple[pl.DataFrame, str, str]:
    """Read a delimited text file; return (frame, encoding, delimiter)."""
    data, encoding, verified = _prepare_text(name, raw)
    if not data or data.isspace():
        raise ReadError(f"{name}: " + (_NO_HEADER if data else "the file is empty"))
    _reject_markup(name, data[:1024].decode("utf-8", errors="ignore"))
    sniff = _sniff(data)
    if sniff is None:
        raise ReadError(f"{name}: {_NO_HEADER}")
    frame = _parse_fast(data, sniff)
    if frame is None and not verified and not _is_utf8(data):
        data, encoding = _cp1252_to_utf8(data), "windows-1252"
        sniff = _sniff(data) or sniff
        frame = _parse_fast(data, sniff)
    if frame is None:
        frame = _parse_slow(name, data.decode("utf-8"), sniff.delimiter)
    return frame, encoding, sniff.delimiter


def _polars_lines(data: bytes) -> pl.Series | None:
    """Every line of ``data`` as a String (blank line -> null), or None if that fails."""
    separator = next((s for s in "\x1f\x1e\x1d\x1c\x07" if s.encode() not in data), None)
    if separator is None:
        return None
    try:
        return pl.read_csv(
            data,
            has_header=False,
            separator=separator,
            quote_char=None,
            schema={"line": pl.String},
            eol_char="\n",
            raise_if_empty=False,
        ).to_series()
    except Exception:
        return None


def _read_csv_fast(data: bytes, delimiter: str, width: int) -> tuple[pl.DataFrame, bool] | None:
    """pl.read_csv into ``width`` string columns c0..; returns (frame, has_ragged_rows).

    Rows with more fields than the header are truncated (the caller flags them); None when
    polars cannot parse the file at all.
    """
    options: dict[str, Any] = {
        "has_header": False,
        "separator": delimiter,
        "quote_char": _QUOTE,
        "eol_char": "\n",
        "encoding": "utf8",
        "raise_if_empty": False,
        "schema": dict.fromkeys(_generic(width), pl.String),
    }
    try:
        return pl.read_csv(data, **options), False
    except pl.exceptions.PolarsError as exc:
        if "more fields" not in str(exc):
            return None
    except Exception:
        return None
    try:
        return pl.read_csv(data, truncate_ragged_lines=True, **options), True
    except Exception:
        return None


def _parse_fast(data: bytes, sniff: _Sniff) -> pl.DataFrame | None:
    """Parse with polars; None when the file needs the exact (slow) parser."""
    skipped = sniff.header_start - 1
    if skipped:  # blank lines before the header
        cut = 0
        for _ in range(skipped):
            cut = data.index(b"\n", cut) + 1
        data = data[cut:]
    width = len(sniff.header)
    parsed = _read_csv_fast(data, sniff.delimiter, width)
    if parsed is None or parsed[0].height == 0:
        return None
    frame, ragged = parsed

    n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    lines: pl.Series | None = None
    if frame.height == n_lines:
        lines = pl.int_range(1, n_lines + 1, dtype=pl.Int64, eager=True)
    elif frame.height < n_lines and not ragged:
        lines = _record_starts(data, n_lines)  # quoted line breaks
    if lines is None or lines.len() != frame.height:
        return None

    columns = frame.columns
    frame = frame.with_columns((lines + skipped).alias(LINE_COLUMN)).slice(1)
    if ragged:
        problems = _extra_field_problems(data, n_lines, sniff.delimiter, width)
        if problems is None:
            return None
        problem: pl.Expr = pl.lit(None, pl.String)
        if problems:
            problem = pl.col(LINE_COLUMN).replace_strict(
                [line + skipped for line in problems],
                list(problems.values()),
                default=None,
                return_dtype=pl.String,
            )
        frame = frame.with_columns(problem.alias(PROBLEM_COLUMN))
    return _finish(sniff.header, _drop_blank_rows(frame, columns))


def _extra_field_problems(
    data: bytes, n_lines: int, delimiter: str, width: int
) -> dict[int, str] | None:
    """Problems of one-line records with non-blank fields beyond the header, by line number.

    Quoted parts are removed before counting delimiters; the few suspect lines are then
    parsed exactly.  None when the lines cannot be split cleanly.
    """
    raw_lines = _polars_lines(data)
    if raw_lines is None or raw_lines.len() != n_lines:
        return None
    parts = raw_lines.fill_null("").str.replace_all(r'"[^"]*"', "").str.split(delimiter)
    suspect = (parts.list.len() > width) & (
        parts.list.slice(width).list.join("").str.strip_chars() != ""
    )
    problems: dict[int, str] = {}
    for index in suspect.arg_true().to_list():
        if index == 0:
            continue  # the header
        try:
            fields = next(csv.reader([raw_lines[index]], delimiter=delimiter, strict=False), [])
        except csv.Error:
            return None
        used = _used_width(fields)
        if used > width:
            problems[index + 1] = f"the row has {used} fields where the header has {width}"
    return problems


def _used_width(fields: Sequence[str]) -> int:
    """Position of the last non-blank field (0 when all are blank)."""
    return max((i + 1 for i, field in enumerate(fields) if field.strip()), default=0)


def _record_starts(data: bytes, n_lines: int) -> pl.Series | None:
    """Line numbers where records start when quoted fields contain line breaks.

    A line break is inside quotes when an odd number of quotes precedes it, so only lines
    with an odd quote count change the state.  None when the lines cannot be split cleanly.
    """
    raw_lines = _polars_lines(data)
    if raw_lines is None or raw_lines.len() != n_lines:
        return None
    odd = (raw_lines.str.count_matches(_QUOTE, literal=True).fill_null(0) % 2 == 1).arg_true()
    flips = odd.to_list()
    if len(flips) % 2:
        return None
    inside: list[int] = []
    for opened, closed in zip(flips[::2], flips[1::2], strict=True):
        inside.extend(range(opened + 2, closed + 2))  # 1-based lines continuing a record
    every = pl.int_range(1, n_lines + 1, dtype=pl.Int64, eager=True)
    return every.filter(~every.is_in(pl.Series(inside, dtype=pl.Int64).implode()))


def _literal_fields(line: str, delimiter: str) -> list[str]:
    """Fields of one physical line, quotes taken literally."""
    return next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])


def _overflows(fields: list[str], width: int) -> bool:
    """True when a record has non-empty fields beyond the header's width."""
    return len(fields) > width and _used_width(fields) > width


def _parse_slow(name: str, text: str, delimiter: str) -> pl.DataFrame:
    """Exact parse with the csv module: record start lines, ragged rows, unclosed quotes."""
    was_enabled = gc.isenabled()
    gc.disable()  # millions of small lists and tuples: the cyclic GC would only slow this down
    try:
        return _parse_records(name, *_csv_records(text, delimiter))
    finally:
        if was_enabled:
            gc.enable()


def _parse_records(
    name: str, rows: list[list[str]], starts: list[int], problems: dict[int, str]
) -> pl.DataFrame:
    """Build the frame from csv-module records (header first) and their start lines."""
    if not rows:
        raise ReadError(f"{name}: {_NO_HEADER}")
    header = rows[0]
    width = len(header)
    body_rows = rows[1:]
    for index, fields in enumerate(body_rows):
        if len(fields) == width:
            continue
        if len(fields) > width:
            used = _used_width(fields)
            if used > width:
                extra = f"the row has {used} fields where the header has {width}"
                problems[index + 1] = (
                    f"{problems[index + 1]}; {extra}" if problems.get(index + 1) else extra
                )
            body_rows[index] = fields[:width]
        else:
            body_rows[index] = fields + [""] * (width - len(fields))

    columns = _generic(width)
    data: dict[str, pl.Series] = {
        c: pl.Series(c, values, dtype=pl.String)
        for c, values in zip(
            columns, zip(*body_rows, strict=True) if body_rows else [()] * width, strict=True
        )
    }
    problem_list: list[str | None] = [None] * len(body_rows)
    for index, problem in problems.items():
        if index > 0:
            problem_list[index - 1] = problem
    body = pl.DataFrame(
        [
            *data.values(),
            pl.Series(LINE_COLUMN, starts[1:], dtype=pl.Int64),
            pl.Series(PROBLEM_COLUMN, problem_list, dtype=pl.String),
        ]
    )
    return _finish(header, body)


def _csv_records(text: str, delimiter: str) -> tuple[list[list[str]], list[int], dict[int, str]]:
    """Non-blank records (header first), their 1-based start lines and problems by index.

    A quoted field that never closes swallows the rest of the file; a stray quote merges
    lines until the next quote.  Both are recovered by taking the record's first line with
    literal quotes and parsing again from the next line.
    """
    lines = io.StringIO(text, newline="").readlines()
    rows: list[list[str]] = []
    starts: list[int] = []
    problems: dict[int, str] = {}
    position = 0  # 0-based index of the next unread line
    while position < len(lines):
        reader = csv.reader(
            itertools.islice(lines, position, None),
            delimiter=delimiter,
            quotechar=_QUOTE,
            strict=False,
        )
        consumed = position  # lines consumed so far
        restart = last_start = 0
        try:
            for fields in reader:
                start = consumed + 1
                consumed = position + reader.line_num
                if not fields:
                    continue
                last_start = start
                if not fields[0].strip() and _is_blank(fields):
                    continue
                if consumed > start and rows and _overflows(fields, len(rows[0])):
                    restart = start  # a stray quote merged several lines
                    break
                rows.append(fields)
                starts.append(start)
        except csv.Error as exc:
            start = consumed + 1
            reason = _RUNAWAY if "field limit" in str(exc) else f"the row cannot be read ({exc})"
            problems[len(rows)] = reason
            rows.append(_literal_fields(lines[start - 1], delimiter))
            starts.append(start)
            position = start
            continue
        if not restart:
            if not last_start or not _quote_left_open(lines[last_start - 1 :], delimiter):
                break
            restart = last_start
            if starts and starts[-1] == last_start:
                starts.pop()
                rows.pop()
        problems[len(rows)] = _UNCLOSED
        rows.append(_literal_fields(lines[restart - 1], delimiter))
        starts.append(restart)
        position = restart
    return rows, starts, problems


def _quote_left_open(tail: list[str], delimiter: str) -> bool:
    """True when the record starting at tail[0] is still inside quotes at the end of the file."""
    probe = list(tail)
    if probe and not probe[-1].endswith(("\n", "\r")):
        probe[-1] += "\n"
    probe.append(_SENTINEL + "\n")
    reader = csv.reader(probe, delimiter=delimiter, quotechar=_QUOTE, strict=False)
    try:
        return not any(fields == [_SENTINEL] for fields in reader)
    except csv.Error:
        return True


# --------------------------------------------------------------------------- Excel


def _pick_sheet(name: str, sheets: list[str], sheet: str | int | None) -> str:
    """Resolve the ``sheet`` argument against the workbook's sheet names."""
    if not sheets:
        raise ReadError(f"{name}: the workbook has no sheets")
    listing = ", ".join(sheets)
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheets[sheet]
        raise ReadError(
            f"{name}: there is no sheet number {sheet} (0-based; the sheets are: {listing})"
        )
    if sheet in sheets:
        return sheet
    folded = {s.strip().casefold(): s for s in sheets}
    found = folded.get(str(sheet).strip().casefold())
    if found is not None:
        return found
    raise ReadError(f"{name}: there is no sheet {sheet!r} (the sheets are: {listing})")


def _read_excel(name: str, data: bytes, sheet: str | int | None) -> tuple[pl.DataFrame, str]:
    """Read one sheet with calamine (fastexcel), every cell as a string."""
    try:
        reader = fastexcel.read_excel(data)
        sheets = list(reader.sheet_names)
    except Exception as exc:
        raise ReadError(f"{name}: the workbook cannot be opened ({_short(exc)})") from exc
    sheet_name = _pick_sheet(name, sheets, sheet)
    try:
        loaded = reader.load_sheet(sheet_name, header_row=None, skip_rows=0, dtypes="string")
        frame = loaded.to_polars()
    except Exception as exc:
        raise ReadError(f"{name}: sheet {sheet_name!r} cannot be read ({_short(exc)})") from exc
    if frame.width == 0 or frame.height == 0:
        raise ReadError(f"{name}: sheet {sheet_name!r} is empty (no header row)")

    columns = _generic(frame.width)
    # With skip_rows=0, row i of the frame is sheet row i + 1, also when the sheet's used
    # range starts further down.
    frame = frame.select(
        *[
            pl.col(old).cast(pl.String).alias(new)
            for old, new in zip(frame.columns, columns, strict=True)
        ]
    ).with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE_COLUMN),
    )
    frame = _drop_blank_rows(frame, columns)
    if frame.height == 0:
        raise ReadError(f"{name}: sheet {sheet_name!r} is empty (no header row)")
    header = list(frame.row(0))[: len(columns)]
    return _finish(header, frame.slice(1)), sheet_name


# --------------------------------------------------------------------------- Parquet


def _as_strings(series: pl.Series) -> pl.Series:
    """Cast any column to String (dates -> ISO); fall back to str() for nested types."""
    try:
        return series.cast(pl.String)
    except Exception:
        values = [None if v is None else str(v) for v in series.to_list()]
        return pl.Series(series.name, values, dtype=pl.String)


def _read_parquet(name: str, data: bytes) -> pl.DataFrame:
    """Read a Parquet file and turn every column into strings."""
    if not data.startswith(_PARQUET_MAGIC):
        raise ReadError(f"{name}: this is not a Parquet file")
    try:
        table = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(f"{name}: the Parquet file cannot be read ({_short(exc)})") from exc
    if table.width == 0:
        raise ReadError(f"{name}: the Parquet file has no columns")
    columns = _generic(table.width)
    frame = pl.DataFrame(
        [_as_strings(table.to_series(i)).alias(c) for i, c in enumerate(columns)]
    ).with_columns(
        pl.int_range(2, pl.len() + 2, dtype=pl.Int64).alias(LINE_COLUMN),
    )
    frame = _drop_blank_rows(frame, columns)
    return _finish(table.columns, frame)
