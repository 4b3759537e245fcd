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

The modules, one job each: :mod:`~brugdata.ingest.read.raw` (a file → :class:`RawTable`, by
format), :mod:`~brugdata.ingest.read.sniff` (encoding and delimiter of text),
:mod:`~brugdata.ingest.read.text` (text with polars), :mod:`~brugdata.ingest.read.exact`
(text with the csv module), :mod:`~brugdata.ingest.read.excel`,
:mod:`~brugdata.ingest.read.parquet`, :mod:`~brugdata.ingest.read.frame` (what they share) and
:mod:`~brugdata.ingest.read.ahead` (reading the next files on a thread).
"""

from __future__ import annotations

from brugdata.ingest.read.ahead import SMALL_FILE, read_ahead
from brugdata.ingest.read.frame import LINE_COLUMN, PROBLEM_COLUMN
from brugdata.ingest.read.raw import RawTable, file_sha256, read_raw, read_unless_seen

__all__ = [
    "LINE_COLUMN",
    "PROBLEM_COLUMN",
    "SMALL_FILE",
    "RawTable",
    "file_sha256",
    "read_ahead",
    "read_raw",
    "read_unless_seen",
]
