"""Sniffing a text file: its encoding and its layout.

Takes the bytes of a CSV/TSV/TXT file; gives them as UTF-8 without BOM with the encoding
found (:func:`prepare_text`: UTF-8 with or without BOM, UTF-16 LE or BE with or without BOM,
otherwise Windows-1252, transcoded by :func:`cp1252_to_utf8`; a file of UTF-8 lines and
Windows-1252 lines is decoded line by line, :func:`mixed_to_utf8`), and the delimiter and
header record (:func:`sniff_layout`). NUL bytes do not make a file binary: the rows holding
them are rejected later (:mod:`brugdata.ingest.read.text`).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

from brugdata.errors import ReadError
from brugdata.ingest.read.frame import is_blank, used_width

__all__ = [
    "QUOTE",
    "Mixed",
    "Sniff",
    "cp1252_to_utf8",
    "decode_mixed",
    "is_utf8",
    "mixed_to_utf8",
    "prepare_text",
    "reject_markup",
    "sniff_layout",
]

_DELIMITERS = (";", ",", "\t")
#: The quote character of delimited text.
QUOTE = '"'
_SNIFF_BYTES = 64 * 1024
_SNIFF_RECORDS = 50
#: Shown of the lines of a note, at most.
_LINES_SHOWN = 10
_CHUNK = 1 << 20
_LONE_CR = re.compile(rb"\r(?!\n)")
_BINARY_PROBE = 8192
_UTF16_PROBE = 4096
# Control bytes that do not occur in text, NUL aside (tab, LF, VT, FF, CR, Ctrl-Z allowed).
_CONTROLS = bytes([*range(1, 9), *range(14, 26), *range(27, 32), 127])
_NOT_CONTROLS = bytes(b for b in range(256) if b not in _CONTROLS)


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


def _utf16_order(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``raw`` (without BOM) looks like UTF-16: NUL
    bytes at a third or more of the odd (LE) or even (BE) positions of its start and hardly
    any at the others, as Latin text in UTF-16 has; else None."""
    probe = raw[:_UTF16_PROBE]
    pairs = len(probe) // 2
    if pairs < 2 or b"\x00" not in probe:
        return None
    even, odd = probe[0 : 2 * pairs : 2].count(0), probe[1 : 2 * pairs : 2].count(0)
    if odd * 3 >= pairs and even * 20 <= pairs:
        return "utf-16-le"
    if even * 3 >= pairs and odd * 20 <= pairs:
        return "utf-16-be"
    return None


def _looks_binary(raw: bytes) -> bool:
    """True when the first KBs hold many control characters, NUL bytes not counted (a row
    with a NUL byte is rejected, wherever it is, not the file)."""
    probe = raw[:_BINARY_PROBE].replace(b"\x00", b"")
    controls = len(probe.translate(None, _NOT_CONTROLS))
    return controls * 20 > len(probe)


def prepare_text(name: str, raw: bytes) -> tuple[bytes, str, bool, tuple[str, ...]]:
    """Sniff the encoding: return (UTF-8 bytes without BOM, encoding, verified, notes).

    ``verified`` is False when only the start of the file was checked to be UTF-8; polars
    validates the rest while parsing and the caller decodes it line by line if needed
    (:func:`decode_mixed`). ``notes`` name the lines of a file of UTF-8 and Windows-1252
    lines read in the encoding of the fewer.
    """
    order = "utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else None
    order = order or _utf16_order(raw)
    if order is not None:
        try:
            text = raw.decode(order)
        except UnicodeDecodeError as exc:
            raise ReadError(f"{name}: the file looks like UTF-16 but cannot be decoded") from exc
        return _normalise_newlines(text.encode("utf-8")), order, True, ()
    encoding = "utf-8"
    if raw.startswith(codecs.BOM_UTF8):
        raw, encoding = raw[len(codecs.BOM_UTF8) :], "utf-8-sig"
    if not raw.strip(b"\x00"):
        raise ReadError(f"{name}: the file holds only NUL bytes (it is damaged)")
    if _looks_binary(raw):
        raise ReadError(f"{name}: this is not a text file (binary content)")
    data = _normalise_newlines(raw)
    if data.isascii():
        return data, encoding, True, ()
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:_SNIFF_BYTES])
    except UnicodeDecodeError:
        if _has_utf8_line(data[:_SNIFF_BYTES]) or _may_hold_utf8(data):
            mixed, found, notes = decode_mixed(data)  # UTF-8 lines and others, line by line
            return mixed, found, True, notes
        return cp1252_to_utf8(data), "windows-1252", True, ()
    return data, encoding, len(data) <= _SNIFF_BYTES, ()


def _may_hold_utf8(data: bytes) -> bool:
    """False when ``data`` has none of the bytes that start the UTF-8 of accented Latin
    letters, ``©``, ``°`` and NBSP (0xC2, 0xC3) and of ``€``, ``–`` and curly quotes
    (0xE2): then no line of it is UTF-8 read as Windows-1252 by mistake. Each is one
    ``memchr``: fast. (In Windows-1252 they are ``Â``, ``Ã`` and ``â``: rare in Dutch.)"""
    return b"\xc3" in data or b"\xc2" in data or b"\xe2" in data


def _has_utf8_line(sample: bytes) -> bool:
    """True when a complete line of ``sample`` has non-ASCII characters in valid UTF-8."""
    for line in sample.split(b"\n")[:-1]:
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


@dataclass(frozen=True)
class Mixed:
    """A text of UTF-8 lines and Windows-1252 lines, as UTF-8 (:func:`mixed_to_utf8`)."""

    data: bytes
    #: 1-based numbers of the lines read as Windows-1252, and of the non-ASCII lines read
    #: as UTF-8
    cp1252_lines: list[int]
    utf8_lines: list[int]


def mixed_to_utf8(data: bytes) -> Mixed | None:
    """``data`` decoded line by line, UTF-8 where a line is valid UTF-8 and Windows-1252
    where it is not, as UTF-8, with the lines of each. None when no line with non-ASCII
    characters is valid UTF-8: a Windows-1252 file (:func:`cp1252_to_utf8` reads it whole,
    faster)."""
    lines = data.split(b"\n")
    other: list[int] = []
    utf8: list[int] = []
    for index, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(index)
        else:
            utf8.append(index + 1)
    if not utf8:
        return None
    for index in other:
        lines[index] = lines[index].decode("cp1252", "brugdata-latin1").encode("utf-8")
    return Mixed(b"\n".join(lines), [index + 1 for index in other], utf8)


def decode_mixed(data: bytes) -> tuple[bytes, str, tuple[str, ...]]:
    """``data`` that is not all UTF-8, as UTF-8: line by line when some of its lines are
    UTF-8 (:func:`mixed_to_utf8`), else whole as Windows-1252; with the encoding and a note
    naming the lines in the encoding of the fewer."""
    mixed = mixed_to_utf8(data)
    if mixed is None:
        return cp1252_to_utf8(data), "windows-1252", ()
    if len(mixed.cp1252_lines) <= len(mixed.utf8_lines):
        found, lines, most, other = (
            "utf-8+windows-1252",
            mixed.cp1252_lines,
            "UTF-8",
            "Windows-1252",
        )
    else:
        found, lines, most, other = "windows-1252+utf-8", mixed.utf8_lines, "Windows-1252", "UTF-8"
    one = len(lines) == 1
    shown = ", ".join(str(n) for n in lines[:_LINES_SHOWN])
    more = f" and {len(lines) - _LINES_SHOWN:,} more" if len(lines) > _LINES_SHOWN else ""
    word = "line" if one else "lines"
    note = (
        f"{len(lines):,} {word} of this {most} file {'is' if one else 'are'} {other}, not "
        f"{most}, and {'was' if one else 'were'} read as {other}: {word} {shown}{more}; "
        f"check {'its' if one else 'their'} accents"
    )
    return mixed.data, found, (note,)


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
