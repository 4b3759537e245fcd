"""Sniffing a text file: its encoding and its layout.

Takes the bytes of a CSV/TSV/TXT file; gives them as UTF-8 without BOM with the encoding
found (:func:`prepare_text`: UTF-8 with or without BOM, UTF-16 with BOM, otherwise
Windows-1252, transcoded by :func:`cp1252_to_utf8`), and the delimiter and header record
(:func:`sniff_layout`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

from brugdata.errors import ReadError
from brugdata.ingest.read.frame import is_blank, looks_binary, used_width

__all__ = [
    "QUOTE",
    "Sniff",
    "cp1252_to_utf8",
    "is_utf8",
    "prepare_text",
    "reject_markup",
    "sniff_layout",
]

_DELIMITERS = (";", ",", "\t")
#: The quote character of delimited text.
QUOTE = '"'
_SNIFF_BYTES = 64 * 1024
_SNIFF_RECORDS = 50
_CHUNK = 1 << 20
_LONE_CR = re.compile(rb"\r(?!\n)")


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode bytes undefined in cp1252 (0x81, 0x8D, ...) as Latin-1."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("brugdata-latin1", _latin1_fallback)


def cp1252_to_utf8(data: bytes) -> bytes:
    """Windows-1252 bytes as UTF-8; the five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F,
    0x90, 0x9D) are taken as Latin-1. Decoded a megabyte at a time (one byte is one
    character, so no character is cut): Python holds the GIL while it decodes, and other
    threads (validation, loading) get it between the pieces."""
    return b"".join(
        data[start : start + _CHUNK].decode("cp1252", "brugdata-latin1").encode("utf-8")
        for start in range(0, len(data), _CHUNK)
    )


def is_utf8(data: bytes) -> bool:
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


def prepare_text(name: str, raw: bytes) -> tuple[bytes, str, bool]:
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
    if looks_binary(raw):
        raise ReadError(f"{name}: this is not a text file (binary content)")
    data = _normalise_newlines(raw)
    if data.isascii():
        return data, encoding, True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:_SNIFF_BYTES])
    except UnicodeDecodeError:
        return cp1252_to_utf8(data), "windows-1252", True
    return data, encoding, len(data) <= _SNIFF_BYTES


def _normalise_newlines(data: bytes) -> bytes:
    """Turn lone CR line ends (old Mac) into LF; CRLF is left alone. Drop a final Ctrl-Z."""
    if data.endswith(b"\x1a"):
        data = data.rstrip(b"\x1a")
    if b"\r" in data and _LONE_CR.search(data):
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def reject_markup(name: str, text: str) -> None:
    """Raise when a 'CSV' is really an HTML page or XML document."""
    head = text[:1024].lstrip().lower()
    if head.startswith("<") and any(
        tag in head for tag in ("<html", "<!doctype", "<?xml", "<table")
    ):
        raise ReadError(
            f"{name}: this is a web page or XML document, not a table; save it as .csv or .xlsx"
        )


@dataclass(frozen=True)
class Sniff:
    """Sniffed layout of a text file."""

    delimiter: str
    header: list[str]
    header_start: int  # 1-based line where the header record starts


def _sample_records(sample: str, delimiter: str) -> list[tuple[list[str], int]]:
    """The header (first non-blank record) and the non-empty records after it, with start lines."""
    records: list[tuple[list[str], int]] = []
    reader = csv.reader(
        io.StringIO(sample, newline=""), delimiter=delimiter, quotechar=QUOTE, strict=False
    )
    previous = 0
    try:
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if fields if records else not is_blank(fields):  # header: first non-blank
                records.append((fields, start))
                if len(records) > _SNIFF_RECORDS:
                    break
    except csv.Error:
        pass
    return records


def sniff_layout(data: bytes) -> Sniff | None:
    """Pick the delimiter that occurs most often in the header and consistently after it.

    A header without any candidate delimiter is a single column: then the delimiter that
    splits the following lines least is used (``,`` when none of them occurs).
    """
    truncated = len(data) > _SNIFF_BYTES
    sample = data[:_SNIFF_BYTES].decode("utf-8", errors="ignore")
    if truncated and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    best: tuple[tuple[bool, bool, int, float, float, bool], Sniff] | None = None
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
            1 for fields, _ in rows if len(fields) <= width or used_width(fields) <= width
        )
        share = fitting / len(rows) if rows else 1.0
        exact_share = exact / len(rows) if rows else 1.0
        key = (width > 1, share >= 0.8, width, share, exact_share, delimiter == ",")
        if best is None or key > best[0]:
            best = (key, Sniff(delimiter, header, start))
    return None if best is None else best[1]
