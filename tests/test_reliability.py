"""Bad input never crashes: every bad input of docs/reliability.md, and fuzzing of the readers,
validation and ingest (no exception but the library's own, nothing read is lost)."""

from __future__ import annotations

import csv
import io
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import brugdata
from brugdata.errors import BrugdataError
from tests.conftest import TODAY, write_csv

GOOD = (
    "contact_id;datum;functionaris;school;gesprekspartner;persoon;gezin;thema\n"
    "C-1;14-03-2025;O-1;91AB00;ouder;P-1;G-1;armoede\n"
    "C-2;15-03-2025;O-1;91AB00;leerling;P-2;G-1;taal\n"
    "C-3;16-03-2025;O-1;91AB00;ouder;P-3;G-3;voedsel\n"
)


def check_invariant(result: brugdata.ValidationResult) -> None:
    for f in result.files:
        assert f.rows_read == f.rows_valid + f.rows_rejected
        assert set(f.rejects["line"].to_list()) == set(f.rejected_rows["_line"].to_list())


def one(result: brugdata.ValidationResult, name: str) -> brugdata.FileResult:
    return next(f for f in result.files if f.path.name == name)


def test_truncated_file_keeps_the_readable_rows(refs: Path) -> None:
    cut = GOOD.encode()[: GOOD.encode().rindex(b"voedsel") + 3]  # last row cut mid-value
    (refs / "contacten.csv").write_bytes(cut)
    result = brugdata.validate(refs, today=TODAY)
    f = one(result, "contacten.csv")
    assert f.rows_read == 3 and f.rows_valid == 2
    assert f.rejects.select("line", "column", "rule").rows() == [(4, "themes", "unknown_theme")]


def test_wrong_encoding_declared_nowhere_is_sniffed(refs: Path) -> None:
    text = GOOD.replace("armoede", "armoede").replace("G-3", "G-3") + (
        "C-4;17-03-2025;O-1;91AB00;ouder;P-4;G-4;overgang po–vo\n"
    )
    write_csv(refs, "contacten.csv", text, encoding="cp1252")
    f = one(brugdata.validate(refs, today=TODAY), "contacten.csv")
    assert f.encoding == "windows-1252"
    assert f.rejects.select("line", "rule", "value").rows() == [
        (5, "unknown_theme", "overgang po–vo")  # the en dash survived the decoding
    ]


def test_binary_garbage_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_bytes(bytes(range(256)) * 20)
    result = brugdata.validate(tmp_path)
    assert [e.message for e in result.errors] == [
        "contacts.csv: this is not a text file (binary content)"
    ]


def test_header_only_file_has_no_rows(refs: Path) -> None:
    write_csv(refs, "contacten.csv", GOOD.splitlines()[0] + "\n")
    f = one(brugdata.validate(refs, today=TODAY), "contacten.csv")
    assert (f.rows_read, f.rows_valid, f.rows_rejected) == (0, 0, 0)


def test_header_without_required_columns_rejects_every_row_naming_them(refs: Path) -> None:
    write_csv(refs, "contacten.csv", "contact_id;kleur\nC-1;rood\nC-2;blauw\n")
    f = one(brugdata.validate(refs, today=TODAY), "contacten.csv")
    assert f.rows_rejected == 2
    missing = sorted(set(f.rejects.filter(f.rejects["rule"] == "missing_column")["column"]))
    assert missing == ["counterpart", "date", "officer_id", "school_id", "themes"]
    assert f.unknown_columns == ["kleur"]


def test_a_row_of_a_thousand_columns_is_rejected_not_fatal(refs: Path) -> None:
    lines = GOOD.splitlines()
    lines[2] = lines[2] + ";x" * 1000
    write_csv(refs, "contacten.csv", "\n".join(lines) + "\n")
    f = one(brugdata.validate(refs, today=TODAY), "contacten.csv")
    assert (f.rows_read, f.rows_valid) == (3, 2)
    assert f.rejects.select("line", "column", "rule").rows() == [(3, "(row)", "malformed_row")]


def test_a_quote_that_never_closes_keeps_the_other_rows(refs: Path) -> None:
    lines = GOOD.splitlines()
    lines[2] = lines[2].replace("taal", '"taal')
    write_csv(refs, "contacten.csv", "\n".join(lines) + "\n")
    result = brugdata.validate(refs, today=TODAY)
    f = one(result, "contacten.csv")
    check_invariant(result)
    assert f.rows_valid >= 1
    assert 3 in f.rejects["line"].to_list()


def test_an_xlsx_that_is_really_a_csv_is_read_as_csv(refs: Path) -> None:
    (refs / "contacten.xlsx").write_bytes(GOOD.encode())
    f = one(brugdata.validate(refs, today=TODAY), "contacten.xlsx")
    assert (f.rows_read, f.rows_valid) == (3, 3)


def test_a_csv_that_is_really_a_workbook_is_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = brugdata.validate(tmp_path)
    assert len(result.errors) == 1
    assert result.errors[0].message.startswith("contacts.csv: ")


def test_empty_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_bytes(b"")
    result = brugdata.validate(tmp_path / "contacts.csv", tmp_path / "schools.csv")
    assert sorted(e.message.split(": ", 1)[1] for e in result.errors) == [
        "file not found",
        "the file is empty",
    ]


# ------------------------------------------------------------------ fuzzing

_FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@_FUZZ
@given(
    data=st.binary(max_size=600),
    name=st.sampled_from(["contacts.csv", "scholen.xlsx", "schools.parquet", "partners.tsv"]),
)
def test_fuzz_bytes_never_raise(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = brugdata.validate(path, today=TODAY)
    check_invariant(result)
    assert len(result.files) + len(result.errors) == 1


_TEXT = st.text(alphabet=string.printable + "ëö–é\u00a0", max_size=8)
_HEADERS = st.lists(
    st.sampled_from(
        [
            "contact_id",
            "datum",
            "functionaris",
            "school",
            "gesprekspartner",
            "persoon",
            "gezin",
            "thema",
            "duur",
            "kanaal",
            "notitie",
            "x",
            "",
        ]
    ),
    min_size=1,
    max_size=10,
)


@_FUZZ
@given(
    header=_HEADERS,
    rows=st.lists(st.lists(_TEXT, max_size=12), max_size=8),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_fuzz_tables_never_lose_a_row(
    tmp_path: Path, header: list[str], rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "contacten.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    result = brugdata.validate(path, today=TODAY)
    check_invariant(result)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.binary(max_size=300))
def test_fuzz_ingest_never_corrupts_the_store(tmp_path: Path, data: bytes) -> None:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / "contacts.csv").write_bytes(data)
    with brugdata.open(":memory:") as store:
        try:
            result = store.ingest(folder, today=TODAY)
        except BrugdataError:
            assert store.counts()["contacts"] == 0
        else:
            assert result.rows_read == result.rows_loaded + result.rows_rejected
            assert store.counts()["contacts"] == result.rows_loaded


@pytest.mark.parametrize("name", ["contacts.csv", "contacts.xlsx", "contacts.parquet"])
def test_unreadable_files_in_the_cli_never_show_a_traceback(tmp_path: Path, name: str) -> None:
    from typer.testing import CliRunner

    from brugdata.cli.app import app

    (tmp_path / name).write_bytes(b"\x00\x01garbage\xff" * 50)
    result = CliRunner().invoke(app, ["validate", str(tmp_path / name)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert name in result.output
