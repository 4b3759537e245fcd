"""Limits instead of exhaustion, and encodings at read time (issue 19): only regular files are
read; a workbook that unpacks too far and a header too wide are refused in one sentence; a
field over the limit and a NUL byte reject their row, wherever they are; UTF-16 is read with
or without BOM; a UTF-8 file with some Windows-1252 lines is read line by line and the lines
are named."""

from __future__ import annotations

import codecs
import io
import os
import threading
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import brugdata
from brugdata.config import Settings, settings
from brugdata.errors import BrugdataError, ReadError
from brugdata.ingest.read import file_sha256, read_raw
from brugdata.ingest.read.limits import check_workbook
from tests.conftest import TODAY

HEADER = "contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema;notitie\n"


def contact(n: int, note: str = "gesprek") -> str:
    """One valid contact row (see tests/conftest.py's reference files)."""
    return f"C-{n};14-03-2025;O-1;91AB00;ouder;P-{n};G-{n};armoede;{note}\n"


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """``call()``'s result (or its exception, raised here), failing the test when it does not
    return within ``seconds``: a reader that blocks on a FIFO must not hang the suite."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"the call did not return within {seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The settings, with limits a test may lower (restored after)."""
    for name in ("max_unpacked_mb", "max_columns", "max_field_length"):
        monkeypatch.setattr(settings, name, getattr(settings, name))
    yield settings


# ---------------------------------------------------------------- not a regular file


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "contacten.csv"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    with pytest.raises(ReadError) as info:
        within(10, lambda: read_raw(fifo))
    assert str(info.value) == "contacten.csv: this is a pipe (FIFO), not a file; it is not read"
    with pytest.raises(ReadError, match="pipe"):
        within(10, lambda: file_sha256(fifo))


def test_a_link_to_dev_zero_or_urandom_is_refused(tmp_path: Path) -> None:
    for device in ("/dev/zero", "/dev/urandom"):
        link = tmp_path / f"contacten_{Path(device).name}.csv"
        link.symlink_to(device)
        with pytest.raises(ReadError) as info:
            within(10, partial(read_raw, link))
        assert str(info.value) == (
            f"{link.name}: this is a device, not a file (the name is a link to it); it is not read"
        )


def test_validate_names_a_fifo_and_a_device_link_in_a_folder_and_goes_on(refs: Path) -> None:
    (refs / "contacten.csv").write_text(HEADER + contact(1), encoding="utf-8")
    os.mkfifo(refs / "contacten_pijp.csv")
    (refs / "contacten_nul.csv").symlink_to("/dev/zero")
    result = within(60, lambda: brugdata.validate(refs, today=TODAY))
    messages = sorted(e.message for e in result.errors)
    assert messages == [
        "contacten_nul.csv: this is a device, not a file (the name is a link to it); "
        "it is not read",
        "contacten_pijp.csv: this is a pipe (FIFO), not a file; it is not read",
    ]
    good = next(f for f in result.files if f.path.name == "contacten.csv")
    assert (good.rows_read, good.rows_valid, good.rows_rejected) == (1, 1, 0)


def test_a_folder_named_like_a_file_is_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "contacten.csv"
    folder.mkdir()
    with pytest.raises(ReadError) as info:
        read_raw(folder)
    assert str(info.value) == "contacten.csv: this is a folder, not a file; it is not read"


# ---------------------------------------------------------------- workbooks: unpacked size


def _zip_workbook(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(
    tmp_path: Path, limits: Settings
) -> None:
    limits.max_unpacked_mb = 2
    # 3 MiB of zeros per sheet, 2 sheets: 6 MiB unpacked from a few KB
    bomb = _zip_workbook(
        tmp_path / "contacten.xlsx",
        {f"xl/worksheets/sheet{i}.xml": bytes(3 << 20) for i in (1, 2)},
    )
    assert bomb.stat().st_size < 64 * 1024  # a small file on disk
    said = (
        "contacten.xlsx: the workbook unpacks to 6 MB, more than the limit of 2 MB "
        "(BRUGDATA_MAX_UNPACKED_MB); it is not read"
    )
    with pytest.raises(ReadError) as info:
        read_raw(bomb)
    assert str(info.value) == said
    with pytest.raises(ReadError) as info:  # from the path: only the zip's directory is read
        check_workbook(bomb.name, bomb)
    assert str(info.value) == said
    limits.max_unpacked_mb = 6  # exactly at the limit: allowed (then not a workbook at all)
    check_workbook(bomb.name, bomb)


def test_the_sheet_routing_does_not_open_a_zip_bomb_either(
    tmp_path: Path, limits: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a workbook whose name names no table is routed by its sheets' names: the sheet list is
    # not read from a bomb (its xl/workbook.xml could be the bomb); the reader refuses it
    from brugdata.ingest.validate import sheets

    limits.max_unpacked_mb = 2
    bomb = _zip_workbook(tmp_path / "registratie.xlsx", {"xl/workbook.xml": bytes(6 << 20)})

    def never(*_: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(sheets.zipfile.ZipFile, "read", never)
    assert sheets.table_sheets(bomb) == []
    result = brugdata.validate(bomb)
    assert [e.message for e in result.errors] == [
        "registratie.xlsx: the workbook unpacks to 6 MB, more than the limit of 2 MB "
        "(BRUGDATA_MAX_UNPACKED_MB); it is not read"
    ]


def test_a_workbook_under_the_limits_is_read(tmp_path: Path, limits: Settings) -> None:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "contacten.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("contacten")
    for r, row in enumerate([["a", "b"], ["1", "2"], ["3", "4"]]):
        sheet.write_row(r, 0, row)
    book.close()
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(m.file_size for m in archive.infolist())
    limits.max_unpacked_mb = 1
    assert unpacked < 1 << 20
    table = read_raw(path)
    assert table.data.select("a", "b").rows() == [("1", "2"), ("3", "4")]
    limits.max_columns = 1  # two columns are one too many
    with pytest.raises(ReadError, match=r"the header has 2 columns, more than the limit of 1 "):
        read_raw(path)


# ---------------------------------------------------------------- columns


def test_a_header_of_100000_columns_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "contacten.csv"
    path.write_text(";".join(f"k{i}" for i in range(100_000)) + "\n" + "1;2\n", encoding="utf-8")
    with pytest.raises(ReadError) as info:
        read_raw(path)
    assert str(info.value) == (
        "contacten.csv: the header has 100,000 columns, more than the limit of 16,384 "
        "(BRUGDATA_MAX_COLUMNS); it is not read"
    )


def test_the_column_limit_is_a_setting_and_counts_quoted_delimiters_once(
    tmp_path: Path, limits: Settings
) -> None:
    limits.max_columns = 3
    ok = tmp_path / "ok.csv"
    ok.write_text('a;"b;c";d\n1;2;3\n', encoding="utf-8")  # 3 columns, 3 delimiters in quotes
    assert read_raw(ok).data.columns[:3] == ["a", "b;c", "d"]
    wide = tmp_path / "wide.csv"
    wide.write_text("a;b;c;d\n1;2;3;4\n", encoding="utf-8")
    with pytest.raises(
        ReadError, match=r"wide.csv: the header has 4 columns, more than the limit of 3 "
    ):
        read_raw(wide)


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRUGDATA_MAX_UNPACKED_MB", "50")
    monkeypatch.setenv("BRUGDATA_MAX_COLUMNS", "200")
    monkeypatch.setenv("BRUGDATA_MAX_FIELD_LENGTH", "1_000_000")
    s = Settings.from_env()
    assert (s.max_unpacked_mb, s.max_columns, s.max_field_length) == (50, 200, 1_000_000)
    monkeypatch.setenv("BRUGDATA_MAX_COLUMNS", "veel")
    with pytest.raises(BrugdataError, match="BRUGDATA_MAX_COLUMNS must be a whole number above 0"):
        Settings.from_env()
    monkeypatch.setenv("BRUGDATA_MAX_COLUMNS", "0")
    with pytest.raises(BrugdataError, match="BRUGDATA_MAX_COLUMNS"):
        Settings.from_env()


# ---------------------------------------------------------------- field length


LIMIT = 131_072


def _problems(table: Any) -> dict[int, str]:
    frame = table.data.filter(pl.col("_problem").is_not_null())
    return dict(frame.select("_line", "_problem").rows())


@pytest.mark.parametrize("quoted", [False, True])
@pytest.mark.parametrize("exact", [False, True])
def test_a_field_over_the_limit_rejects_its_row_not_the_file(
    tmp_path: Path, quoted: bool, exact: bool
) -> None:
    long, longest = "x" * (LIMIT + 1), "y" * LIMIT  # one over, and just at the limit
    q = '"' if quoted else ""
    # an unclosed quote on the last line sends the file to the exact parser (the csv
    # module, whose own field limit is then the setting)
    tail = '9;"never closed\n' if exact else "9;z\n"
    text = f"a;b\n1;{q}{long}{q}\n2;{q}{longest}{q}\n3;ok\n{tail}"
    path = tmp_path / "contacten.csv"
    path.write_text(text, encoding="utf-8")
    table = read_raw(path)
    assert table.data.height == 4  # every record is kept
    problems = _problems(table)
    assert problems[2] == "the field 'b' is longer than the limit of 131,072 characters"
    assert 3 not in problems and 4 not in problems  # at the limit: read
    assert table.data.filter(pl.col("_line") == 3)["b"].item() == longest
    assert (5 in problems) is exact  # the unclosed quote, when there is one


def test_the_field_limit_is_a_setting(tmp_path: Path, limits: Settings) -> None:
    limits.max_field_length = 5
    path = tmp_path / "x.csv"
    path.write_text("a;b\n1;12345\n2;123456\n", encoding="utf-8")
    assert _problems(read_raw(path)) == {
        3: "the field 'b' is longer than the limit of 5 characters"
    }


def test_validate_rejects_the_row_of_a_long_note_and_keeps_the_rest(refs: Path) -> None:
    (refs / "contacten.csv").write_text(
        HEADER + contact(1) + contact(2, "z" * 200_000) + contact(3), encoding="utf-8"
    )
    result = brugdata.validate(refs, today=TODAY)
    f = next(f for f in result.files if f.table == "contacts")
    assert not result.errors
    assert (f.rows_read, f.rows_valid, f.rows_rejected) == (3, 2, 1)
    assert f.rows_read == f.rows_valid + f.rows_rejected + f.rows_skipped
    reject = f.rejects.row(0, named=True)
    assert reject["line"] == 3
    assert "longer than the limit of 131,072 characters" in reject["message"]


# ---------------------------------------------------------------- NUL bytes and binary


@pytest.mark.parametrize("at", [2, 5_000])  # in the first 8 KB and far after it
def test_a_nul_byte_rejects_its_row_wherever_it_is(tmp_path: Path, at: int) -> None:
    rows = [f"{n};v{n}\n" for n in range(1, 6_000)]
    rows[at - 2] = f"{at - 1};v\x00{at - 1}\n"  # the record on line ``at``
    path = tmp_path / "x.csv"
    path.write_text("a;b\n" + "".join(rows), encoding="utf-8")
    table = read_raw(path)
    assert table.data.height == 5_999
    assert _problems(table) == {at: "the row holds NUL bytes (\\0), a sign of a damaged file"}


def test_a_zero_filled_tail_is_one_rejected_row(refs: Path) -> None:
    data = (HEADER + contact(1) + contact(2)).encode() + bytes(10_000)
    (refs / "contacten.csv").write_bytes(data)
    result = brugdata.validate(refs, today=TODAY)
    f = next(f for f in result.files if f.table == "contacts")
    assert (f.rows_read, f.rows_valid, f.rows_rejected) == (3, 2, 1)
    assert set(f.rejects["line"].to_list()) == {4}  # the NULs are line 4, and its fields
    assert f.rejects.filter(pl.col("message").str.contains("NUL bytes")).height == 1


def test_a_file_of_only_nul_bytes_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "contacten.csv"
    path.write_bytes(bytes(4_000))
    with pytest.raises(ReadError) as info:
        read_raw(path)
    assert str(info.value) == "contacten.csv: the file holds only NUL bytes (it is damaged)"


def test_binary_files_are_still_refused_as_not_text(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    noise = os.urandom(20_000)
    for name, data in (("plaatje.csv", png), ("ruis.csv", noise)):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ReadError) as info:
            read_raw(path)
        assert str(info.value) == f"{name}: this is not a text file (binary content)"


# ---------------------------------------------------------------- UTF-16


TEXT = "naam;plaats\nRenée;Zeeën\nJoël;Ústí\n"


@pytest.mark.parametrize(
    ("codec", "bom", "encoding"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
    ],
)
def test_utf16_is_read_with_or_without_bom(
    tmp_path: Path, codec: str, bom: bytes, encoding: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(bom + TEXT.encode(codec))
    table = read_raw(path)
    assert table.encoding == encoding
    assert table.data.select("naam", "plaats").rows() == [("Renée", "Zeeën"), ("Joël", "Ústí")]
    assert table.data["_problem"].null_count() == 2


def test_broken_utf16_without_bom_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    text = "a;b\n" + "".join(f"{n};{n}\n" for n in range(50))
    path.write_bytes(text.encode("utf-16-le") + b"\x00\xd8\x41\x00")  # a lone surrogate
    with pytest.raises(ReadError) as info:
        read_raw(path)
    assert str(info.value) == "x.csv: the file looks like UTF-16 but cannot be decoded"


# ---------------------------------------------------------------- mixed encodings


def _mixed_file(path: Path, utf8_rows: int, cp1252_lines: set[int]) -> list[str]:
    """A file of ``utf8_rows`` UTF-8 rows with accents, the rows on ``cp1252_lines`` (1-based,
    header = 1) written in Windows-1252; returns the notes (notitie) as they should read back."""
    out = io.BytesIO()
    out.write(b"n;notitie\n")
    expected = []
    for line in range(2, utf8_rows + 2):
        row = f"{line};Café met Zoë, € {line}\n"
        out.write(row.encode("cp1252" if line in cp1252_lines else "utf-8"))
        expected.append(f"Café met Zoë, € {line}")
    path.write_bytes(out.getvalue())
    return expected


def test_one_windows_1252_row_after_64_kb_of_utf8_is_read_and_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    expected = _mixed_file(path, 3_000, {2_500})
    assert path.stat().st_size > 64 * 1024
    table = read_raw(path)
    assert table.data["notitie"].to_list() == expected  # no row garbled
    assert table.encoding == "utf-8+windows-1252"
    assert table.notes == (
        "1 line of this UTF-8 file is Windows-1252, not UTF-8, and was read as Windows-1252: "
        "line 2500; check its accents",
    )


def test_mixed_lines_at_the_start_are_read_line_by_line_and_all_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    lines = {3, 5, *range(100, 112)}
    expected = _mixed_file(path, 400, lines)
    table = read_raw(path)
    assert table.data["notitie"].to_list() == expected
    assert table.notes == (
        "14 lines of this UTF-8 file are Windows-1252, not UTF-8, and were read as "
        "Windows-1252: lines 3, 5, 100, 101, 102, 103, 104, 105, 106, 107 and 4 more; "
        "check their accents",
    )


def test_a_few_utf8_lines_in_a_windows_1252_file_are_read_and_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    utf8 = {40, 2_999}
    expected = _mixed_file(path, 3_000, set(range(2, 3_002)) - utf8)
    table = read_raw(path)
    assert table.data["notitie"].to_list() == expected
    assert table.encoding == "windows-1252+utf-8"
    assert table.notes == (
        "2 lines of this Windows-1252 file are UTF-8, not Windows-1252, and were read as "
        "UTF-8: lines 40, 2999; check their accents",
    )


def test_a_utf8_line_after_64_kb_of_windows_1252_is_read_and_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    expected = _mixed_file(path, 3_000, set(range(2, 3_002)) - {2_800})
    assert path.read_bytes()[: 64 * 1024].count("é".encode()) == 0  # none in the sample
    table = read_raw(path)
    assert table.data["notitie"].to_list() == expected
    assert table.notes == (
        "1 line of this Windows-1252 file is UTF-8, not Windows-1252, and was read as UTF-8: "
        "line 2800; check its accents",
    )


def test_a_windows_1252_file_is_not_called_mixed(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    expected = _mixed_file(path, 3_000, set(range(2, 3_002)))
    table = read_raw(path)
    assert table.encoding == "windows-1252"
    assert table.notes == ()
    assert table.data["notitie"].to_list() == expected


def test_validate_passes_the_note_on(refs: Path) -> None:
    rows = [contact(n, "Zoë") for n in range(1, 3_001)]
    data = HEADER.encode() + b"".join(
        r.encode("cp1252" if n == 2_000 else "utf-8") for n, r in enumerate(rows, start=1)
    )
    (refs / "contacten.csv").write_bytes(data)
    result = brugdata.validate(refs, today=TODAY)
    f = next(f for f in result.files if f.table == "contacts")
    assert f.rows_valid == 3_000
    assert f.notes[0].startswith("1 line of this UTF-8 file is Windows-1252, not UTF-8")
    assert "line 2001;" in f.notes[0]  # row 2,000 is on line 2,001
    assert f.summary()["notes"] == f.notes
