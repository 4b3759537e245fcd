"""Tests for brugdata.read: bytes on disk -> raw string tables with source line numbers."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
from pathlib import Path
from typing import Literal

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from brugdata.errors import ReadError
from brugdata.ingest.read import RawTable, file_sha256, read_raw
from brugdata.ingest.read.exact import parse_slow
from brugdata.ingest.read.sniff import cp1252_to_utf8

META = ["_line", "_problem"]


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    """Write ``content`` (str as UTF-8) to tmp_path/name and return the path."""
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def values(table: RawTable) -> list[tuple[str | None, ...]]:
    """The data rows without the _line/_problem columns."""
    return table.data.drop(META).rows()


def lines(table: RawTable) -> list[int]:
    return table.data["_line"].to_list()


def problems(table: RawTable) -> list[str | None]:
    return table.data["_problem"].to_list()


# --------------------------------------------------------------------------- encodings


def test_cp1252_semicolon_crlf(tmp_path: Path) -> None:
    raw = "Naam;Opmerking;Duur\r\nZoë;één – test;24,5\r\nJoël;;6\r\n".encode("cp1252")
    assert b"\x96" in raw  # the en dash really is a cp1252 byte
    table = read_raw(write(tmp_path, "contacts.csv", raw))
    assert table.encoding == "windows-1252"
    assert table.delimiter == ";"
    assert table.data.columns == ["Naam", "Opmerking", "Duur", "_line", "_problem"]
    assert values(table) == [("Zoë", "één – test", "24,5"), ("Joël", None, "6")]
    assert lines(table) == [2, 3]
    assert problems(table) == [None, None]


def test_cp1252_byte_undefined_in_cp1252_decodes_as_latin1(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "x.csv", b"a;b\r\nx\x81y;caf\xe9\r\n"))
    assert table.encoding == "windows-1252"
    assert values(table) == [("x\x81y", "café")]


def test_every_byte_undefined_in_cp1252_decodes_as_latin1() -> None:
    undefined = b"\x81\x8d\x8f\x90\x9d"
    assert cp1252_to_utf8(b"a" + undefined + b"\x80") == "a\x81\x8d\x8f\x90\x9d€".encode()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.binary(max_size=40).map(lambda b: bytes(x & 0x7F for x in b)),  # ASCII
            st.binary(min_size=1, max_size=6).map(lambda b: bytes(x | 0x80 for x in b)),
        ),
        max_size=40,
    )
)
def test_windows_1252_is_transcoded_as_python_decodes_it(parts: list[bytes]) -> None:
    """Few bytes outside ASCII or many: the same UTF-8 as decoding everything at once,
    undefined bytes as Latin-1."""
    data = b"".join(parts)
    expected = data.decode("cp1252", "brugdata-latin1").encode("utf-8")
    assert cp1252_to_utf8(data) == expected
    assert cp1252_to_utf8(data * 50 + b"x" * 100_000) == expected * 50 + b"x" * 100_000


def test_windows_1252_bytes_at_the_edges_of_the_megabytes_decoded() -> None:
    """Windows-1252 is decoded a megabyte at a time: bytes outside ASCII at the first and last
    byte of a megabyte, and in the part after the last whole megabyte, are all transcoded."""
    mb = 1 << 20
    data = bytearray(b"a" * (3 * mb + 5))
    for pos in (0, 1, mb - 1, mb, mb + 1, 2 * mb - 1, 2 * mb, 3 * mb - 1, 3 * mb, 3 * mb + 4):
        data[pos] = 0x80 + pos % 0x80
    expected = bytes(data).decode("cp1252", "brugdata-latin1").encode("utf-8")
    assert cp1252_to_utf8(bytes(data)) == expected
    short = bytes(data[:5])  # less than a megabyte
    assert cp1252_to_utf8(short) == short.decode("cp1252", "brugdata-latin1").encode("utf-8")


def test_cp1252_after_a_long_utf8_looking_start(tmp_path: Path) -> None:
    # The first 64 KB are pure ASCII; the only non-ASCII byte (cp1252 ë) comes much later.
    body = "".join(f"{i};tekst\r\n" for i in range(20_000))
    raw = ("nr;opmerking\r\n" + body).encode("ascii") + "999;Zoë\r\n".encode("cp1252")
    table = read_raw(write(tmp_path, "late.csv", raw))
    assert table.encoding == "windows-1252"
    assert table.data.height == 20_001
    assert table.data.row(-1) == ("999", "Zoë", 20_002, None)


def test_utf8_with_bom(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "bom.csv", "\ufeffDatum,School\n2024-03-01,12AB\n"))
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ","
    assert table.data.columns == ["Datum", "School", "_line", "_problem"]
    assert values(table) == [("2024-03-01", "12AB")]


def test_plain_utf8(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "u.csv", "naam;plaats\nZoë;Den Haag – Zuid\n"))
    assert table.encoding == "utf-8"
    assert values(table) == [("Zoë", "Den Haag – Zuid")]


def test_utf16_with_bom(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "u16.txt", "a\tb\r\nZoë\t2\r\n".encode("utf-16")))
    assert table.encoding == "utf-16"
    assert table.delimiter == "\t"
    assert values(table) == [("Zoë", "2")]


# --------------------------------------------------------------------------- delimiters


def test_tab_delimited(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "t.tsv", "a\tb\tc\n1\t2,5\t3;4\n"))
    assert table.delimiter == "\t"
    assert values(table) == [("1", "2,5", "3;4")]


def test_decimal_commas_survive_as_text(tmp_path: Path) -> None:
    content = "duur;uren;aandeel\n24,5;1,25;0,5\n6;2,0;1\n"
    table = read_raw(write(tmp_path, "d.csv", content))
    assert table.delimiter == ";"
    assert values(table) == [("24,5", "1,25", "0,5"), ("6", "2,0", "1")]


def test_comma_delimited_with_quoted_delimiters_and_doubled_quotes(tmp_path: Path) -> None:
    content = 'id,note,n\n1,"a, b",2\n3,"zei ""ja""",4\n'
    table = read_raw(write(tmp_path, "q.csv", content))
    assert table.delimiter == ","
    assert values(table) == [("1", "a, b", "2"), ("3", 'zei "ja"', "4")]


def test_single_column_file_uses_comma(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "one.csv", "school\n12AB\n34CD\n"))
    assert table.delimiter == ","
    assert table.data.columns == ["school", "_line", "_problem"]
    assert values(table) == [("12AB",), ("34CD",)]


# --------------------------------------------------------------------------- line numbers


def test_quoted_newlines_give_record_start_lines(tmp_path: Path) -> None:
    content = 'a;b;c\r\n1;"regel 1\r\nregel 2";x\r\n2;y;z\r\n3;"p\nq\nr";s\n4;t;u\n'
    table = read_raw(write(tmp_path, "nl.csv", content))
    assert lines(table) == [2, 4, 5, 8]
    assert values(table) == [
        ("1", "regel 1\r\nregel 2", "x"),
        ("2", "y", "z"),
        ("3", "p\nq\nr", "s"),
        ("4", "t", "u"),
    ]


def test_blank_lines_are_skipped_without_shifting_line_numbers(tmp_path: Path) -> None:
    content = "a;b\r\n1;2\r\n\r\n3;4\r\n\r\n\r\n5;6\r\n\r\n"
    table = read_raw(write(tmp_path, "blank.csv", content))
    assert values(table) == [("1", "2"), ("3", "4"), ("5", "6")]
    assert lines(table) == [2, 4, 7]


def test_delimiter_only_and_whitespace_lines_are_skipped(tmp_path: Path) -> None:
    content = "a;b;c\n1;2;3\n;;\n  ; ;\n4;5;6\n"
    table = read_raw(write(tmp_path, "empty_rows.csv", content))
    assert values(table) == [("1", "2", "3"), ("4", "5", "6")]
    assert lines(table) == [2, 5]


def test_blank_lines_before_the_header(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "lead.csv", "\n\r\na;b\n1;2\n"))
    assert table.data.columns == ["a", "b", "_line", "_problem"]
    assert values(table) == [("1", "2")]
    assert lines(table) == [4]


def test_old_mac_line_ends(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "mac.csv", "a;b\r1;2\r3;4"))
    assert values(table) == [("1", "2"), ("3", "4")]
    assert lines(table) == [2, 3]


def test_no_trailing_newline(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "nt.csv", "a,b\n1,2\n3,4"))
    assert values(table) == [("1", "2"), ("3", "4")]
    assert lines(table) == [2, 3]


# --------------------------------------------------------------------------- values


def test_values_are_not_trimmed_and_empty_cells_are_null(tmp_path: Path) -> None:
    content = 'a;b;c\n  x ;"";\n'
    table = read_raw(write(tmp_path, "ws.csv", content))
    assert values(table) == [("  x ", None, None)]


def test_all_columns_are_strings_and_line_is_int64(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "types.csv", "n;d\n1;2024-03-01\n"))
    assert table.data.schema == pl.Schema(
        {"n": pl.String, "d": pl.String, "_line": pl.Int64, "_problem": pl.String}
    )


def test_header_names_stripped_named_and_deduplicated(tmp_path: Path) -> None:
    content = " id ;;id;naam;naam;_line\n1;2;3;4;5;6\n"
    table = read_raw(write(tmp_path, "dup.csv", content))
    assert table.data.columns == [
        "id",
        "column_2",
        "id_2",
        "naam",
        "naam_2",
        "_line_2",
        "_line",
        "_problem",
    ]
    assert values(table) == [("1", "2", "3", "4", "5", "6")]


def test_header_only_file_gives_zero_rows(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "h.csv", "datum;school;duur\r\n"))
    assert table.data.height == 0
    assert table.data.columns == ["datum", "school", "duur", "_line", "_problem"]
    assert table.data.schema["_line"] == pl.Int64


# --------------------------------------------------------------------------- broken rows


def test_row_with_too_many_fields_is_kept_and_flagged(tmp_path: Path) -> None:
    content = "a;b;c\n1;2;3\n4;5;6;7;8\n9;10\n11;12;13;\n"
    table = read_raw(write(tmp_path, "ragged.csv", content))
    assert values(table) == [
        ("1", "2", "3"),
        ("4", "5", "6"),
        ("9", "10", None),
        ("11", "12", "13"),
    ]
    assert lines(table) == [2, 3, 4, 5]
    # An empty trailing field loses nothing and is not a problem; a short row is not either.
    assert problems(table) == [None, "the row has 5 fields where the header has 3", None, None]


def test_ragged_row_together_with_quoted_newline(tmp_path: Path) -> None:
    content = 'a;b\n"x\ny";1\n2;3;4\n5;6\n'
    table = read_raw(write(tmp_path, "rq.csv", content))
    assert values(table) == [("x\ny", "1"), ("2", "3"), ("5", "6")]
    assert lines(table) == [2, 4, 5]
    assert problems(table) == [None, "the row has 3 fields where the header has 2", None]


def test_unclosed_quote_mid_file_does_not_raise(tmp_path: Path) -> None:
    content = 'a;b;c\n1;"open;3\n4;5;6\n7;8;9\n'
    table = read_raw(write(tmp_path, "open.csv", content))
    assert lines(table) == [2, 3, 4]
    assert values(table)[1:] == [("4", "5", "6"), ("7", "8", "9")]
    assert problems(table)[0] == "a quoted field is never closed"
    assert problems(table)[1:] == [None, None]


def test_unclosed_quote_on_last_line(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "open_end.csv", 'a;b\n1;2\n3;"never\n'))
    assert values(table) == [("1", "2"), ("3", '"never')]
    assert problems(table) == [None, "a quoted field is never closed"]


def test_stray_quote_that_merges_lines_is_recovered(tmp_path: Path) -> None:
    # The stray quote on line 2 runs on into line 3 and the merged record gets too many
    # fields: line 2 is taken with a literal quote and line 3 is read on its own.
    content = 'a;b;c\n1;"x;2\n3;"y;4";5\n6;7;8\n'
    table = read_raw(write(tmp_path, "stray.csv", content))
    assert lines(table) == [2, 3, 4]
    assert values(table) == [("1", '"x', "2"), ("3", "y;4", "5"), ("6", "7", "8")]
    assert problems(table) == ["a quoted field is never closed", None, None]


# --------------------------------------------------------------------------- Excel


def _workbook(path: Path) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Contacten")
    date_format = book.add_format({"num_format": "dd-mm-yyyy"})
    sheet.write_row(0, 0, [" datum ", "duur", "naam"])
    sheet.write_datetime(1, 0, dt.datetime(2024, 3, 1), date_format)
    sheet.write_number(1, 1, 6)
    sheet.write_string(1, 2, "Zoë – één")
    sheet.write_datetime(2, 0, dt.datetime(2024, 3, 2, 10, 30), date_format)
    sheet.write_number(2, 1, 24.5)
    # row 4 (index 3) left empty
    sheet.write_string(4, 2, "  los  ")
    other = book.add_worksheet("Tweede")
    other.write_row(2, 1, ["x", "y"])  # header on sheet row 3, from column B
    other.write_row(3, 1, ["a", "b"])
    book.add_worksheet("Leeg")
    book.close()
    return path


def test_xlsx_values_lines_and_sheet(tmp_path: Path) -> None:
    table = read_raw(_workbook(tmp_path / "contacts.xlsx"))
    assert table.sheet == "Contacten"
    assert table.encoding is None and table.delimiter is None
    assert table.data.columns == ["datum", "duur", "naam", "_line", "_problem"]
    assert all(dtype == pl.String for dtype in table.data.drop("_line").dtypes)
    assert lines(table) == [2, 3, 5]
    dates, durations, names = zip(*values(table), strict=True)
    assert dates[0] is not None and dates[0].startswith("2024-03-01")
    assert dates[1] is not None and dates[1].startswith("2024-03-02")
    assert dates[2] is None
    assert durations[0] in ("6", "6.0")
    assert durations[1] == "24.5"
    assert names == ("Zoë – één", None, "  los  ")
    assert problems(table) == [None, None, None]


def test_xlsx_sheet_by_name_and_index_keeps_sheet_row_numbers(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "contacts.xlsx")
    by_name = read_raw(path, sheet="Tweede")
    by_index = read_raw(path, sheet=1)
    assert by_name.sheet == by_index.sheet == "Tweede"
    assert by_name.data.equals(by_index.data)
    assert values(by_name) == [("a", "b")]
    assert lines(by_name) == [4]


def test_xlsx_missing_or_empty_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "contacts.xlsx")
    with pytest.raises(ReadError, match=r"contacts\.xlsx: there is no sheet 'Nope'"):
        read_raw(path, sheet="Nope")
    with pytest.raises(ReadError, match="no sheet number 7"):
        read_raw(path, sheet=7)
    with pytest.raises(ReadError, match="'Leeg' is empty"):
        read_raw(path, sheet="Leeg")


def test_xlsx_that_is_really_csv(tmp_path: Path) -> None:
    table = read_raw(write(tmp_path, "export.xlsx", "a;b\r\n1;2,5\r\n"))
    assert table.delimiter == ";"
    assert table.sheet is None
    assert values(table) == [("1", "2,5")]


def test_broken_workbook(tmp_path: Path) -> None:
    path = write(tmp_path, "kapot.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50)
    with pytest.raises(ReadError, match=r"^kapot\.xlsx: the workbook cannot be opened"):
        read_raw(path)


def test_csv_that_is_really_a_workbook(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "real.xlsx")
    path = write(tmp_path, "contacts.csv", source.read_bytes())
    with pytest.raises(ReadError, match=r"contacts\.csv: .*Excel workbook"):
        read_raw(path)


# --------------------------------------------------------------------------- Parquet


def test_parquet_with_date_column(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame(
        {
            "datum": [dt.date(2024, 3, 1), dt.date(2024, 12, 31), None],
            "duur": [24.5, None, 6.0],
            "n": [3, 4, 5],
            "naam": ["Zoë", "", None],
        }
    ).write_parquet(path)
    table = read_raw(path)
    assert table.encoding is None and table.delimiter is None and table.sheet is None
    assert table.data.columns == ["datum", "duur", "n", "naam", "_line", "_problem"]
    assert values(table) == [
        ("2024-03-01", "24.5", "3", "Zoë"),
        ("2024-12-31", None, "4", None),
        (None, "6.0", "5", None),
    ]
    assert lines(table) == [2, 3, 4]


# --------------------------------------------------------------------------- unreadable


def test_binary_garbage(tmp_path: Path) -> None:
    path = write(tmp_path, "contacts.csv", os.urandom(4096) + b"\x00")
    with pytest.raises(ReadError, match=r"^contacts\.csv: this is not a text file"):
        read_raw(path)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^contacts\.csv: the file is empty$"):
        read_raw(write(tmp_path, "contacts.csv", b""))


def test_only_blank_lines(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no header line"):
        read_raw(write(tmp_path, "contacts.csv", "\r\n\r\n  \n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_raw(tmp_path / "contacts.csv")
    assert str(info.value) == "contacts.csv: file not found"
    with pytest.raises(ReadError, match="file not found"):
        file_sha256(tmp_path / "contacts.csv")


def test_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_raw(write(tmp_path, "x.json", "{}"))
    assert str(info.value) == "x.json: unsupported file type .json (use .csv, .xlsx or .parquet)"


def test_html_saved_as_xls(tmp_path: Path) -> None:
    path = write(tmp_path, "export.xls", "<html><body><table><tr><td>1</td></tr></table>")
    with pytest.raises(ReadError, match="web page"):
        read_raw(path)


def test_bad_parquet(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^x\.parquet: "):
        read_raw(write(tmp_path, "x.parquet", b"PAR1 not really"))


# --------------------------------------------------------------------------- misc


def test_sha256_matches_hashlib(tmp_path: Path) -> None:
    content = "a;b\r\nZoë;1\r\n".encode("cp1252")
    path = write(tmp_path, "s.csv", content)
    expected = hashlib.sha256(content).hexdigest()
    assert read_raw(path).sha256 == expected
    assert file_sha256(path) == expected
    assert file_sha256(str(path)) == expected


def test_raw_table_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "Contacts.CSV", "a\n1\n")
    table = read_raw(str(path))
    assert table.path == path
    fields = [field.name for field in dataclasses.fields(RawTable)]
    assert fields == [
        "path",
        "data",
        "encoding",
        "delimiter",
        "sheet",
        "sha256",
        "sheets",
        "notes",
    ]
    assert table.notes == ()  # a plain UTF-8 file: nothing to note
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.sheet = "x"  # type: ignore[misc]


def test_fast_and_exact_parsers_agree(tmp_path: Path) -> None:
    content = 'a;b;c\r\n1;"x\r\ny";3\r\n\r\n;;\r\n4; 5 ;"6"\r\n7;8\r\n9;10;11;12\r\n'
    table = read_raw(write(tmp_path, "agree.csv", content))
    assert table.data.equals(parse_slow("agree.csv", content, ";"))
    assert lines(table) == [2, 6, 7, 8]


# --------------------------------------------------------------------------- property

_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzëé0123456789 -", min_size=1, max_size=8).filter(
    lambda s: s.strip() == s
)
_CELL = st.text(alphabet="abcxyzëé–0123456789 ,;\t\"'\n.-", max_size=8)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]], list[int]]:
    names = draw(st.lists(_NAME, min_size=1, max_size=5, unique=True))
    rows = draw(
        st.lists(st.lists(_CELL, min_size=len(names), max_size=len(names)), min_size=0, max_size=15)
    )
    blanks = draw(st.lists(st.integers(0, 2), min_size=len(rows), max_size=len(rows)))
    return names, rows, blanks


def _valid_utf8(data: bytes) -> bool:
    """True when ``data`` decodes as UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(
    max_examples=int(os.environ.get("READ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    table=_tables(),
    delimiter=st.sampled_from([";", ",", "\t"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    terminator=st.sampled_from(["\r\n", "\n"]),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_roundtrip_with_csv_module(
    tmp_path: Path,
    table: tuple[list[str], list[list[str]], list[int]],
    delimiter: str,
    quoting: Literal[0, 1, 2, 3],
    terminator: str,
    encoding: str,
) -> None:
    names, rows, blanks = table
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=terminator)
    writer.writerow(names)
    expected_rows: list[tuple[str | None, ...]] = []
    expected_lines: list[int] = []
    line = 2
    for row, blank in zip(rows, blanks, strict=True):
        out.write(terminator * blank)
        line += blank
        writer.writerow(row)
        if any(value.strip() for value in row):
            expected_rows.append(tuple(value or None for value in row))
            expected_lines.append(line)
        line += 1 + sum(value.count("\n") for value in row)
    text = out.getvalue()
    path = tmp_path / "roundtrip.csv"
    data = text.encode(encoding)
    if encoding == "cp1252" and not data.isascii():
        # a line of Windows-1252 bytes that happen to be valid UTF-8 (``é––`` is E9 96 96,
        # ``閖``) is read as UTF-8, as it should: nothing tells them apart (test_limits.py)
        assume(not any(not x.isascii() and _valid_utf8(x) for x in data.split(b"\n")))
    path.write_bytes(data)

    result = read_raw(path)
    assert result.data.columns == [*names, *META]
    assert values(result) == expected_rows
    assert lines(result) == expected_lines
    assert problems(result) == [None] * len(expected_rows)
    if len(names) > 1:
        assert result.delimiter == delimiter
    # The exact (csv-module) parser gives the very same frame.
    assert parse_slow("roundtrip.csv", text, result.delimiter or ",").equals(result.data)


_ATOMS = [b";", b",", b"\t", b'"', b"\n", b"\r\n", b"\r", b"a", b" ", b"\xc3\xab", b"\x96", b"\x81"]


@settings(
    max_examples=int(os.environ.get("READ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(content=st.lists(st.sampled_from(_ATOMS), max_size=40).map(b"".join))
def test_arbitrary_text_never_raises_anything_but_read_error(
    tmp_path: Path, content: bytes
) -> None:
    path = write(tmp_path, "fuzz.csv", content)
    try:
        table = read_raw(path)
    except ReadError:
        return
    frame = table.data
    assert frame.columns[-2:] == META
    assert all(dtype == pl.String for name, dtype in frame.schema.items() if name != "_line")
    found = frame["_line"].to_list()
    assert found == sorted(set(found))
    assert all(line >= 2 for line in found)
