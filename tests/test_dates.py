"""Dates as spreadsheets write them: every rule with a failing example and its message, the
real LibreOffice exports of tests/data/libreoffice, the store's school years, and fuzzing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import brugdata
from brugdata.config import Settings
from brugdata.errors import BrugdataError
from brugdata.ingest.validate import RULES
from brugdata.ingest.validate.dates import (
    DateRules,
    check_date_format,
    date_window,
    parse_dates,
    school_years_in_name,
)
from tests.conftest import TODAY, csv_text, write_csv

LO = Path(__file__).parent / "data" / "libreoffice"
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2027, 1, 1)  # TODAY + 1 year
WINDOW = "dates from 01-01-2000 to 01-01-2027 are"


def read(values: list[str | None], **rules: object) -> dict[str | None, tuple[object, ...]]:
    """raw → (date, rule, message) under DateRules(EARLIEST, LATEST, **rules), each value
    counted once."""
    frame = pl.DataFrame(
        {"raw": values, "count": [1] * len(values)},
        schema={"raw": pl.String, "count": pl.UInt32},
    )
    out = parse_dates(frame, DateRules(EARLIEST, LATEST, **rules))  # type: ignore[arg-type]
    return {r[0]: r[1:] for r in out.rows()}


# --------------------------------------------------------------------------- each rule


def test_two_digit_year_is_20yy_near_the_school_year_the_file_names() -> None:
    got = read(["19-08-24", "1-7-25", "31.07.26", "24-08-19"], named_years=frozenset({2024}))
    assert got["19-08-24"] == (dt.date(2024, 8, 19), None, None)
    assert got["1-7-25"] == (dt.date(2025, 7, 1), None, None)
    assert got["31.07.26"] == (dt.date(2026, 7, 31), None, None)  # the school year after
    date, rule, message = got["24-08-19"]
    assert (date, rule) == (None, "ambiguous_date")
    assert message == (
        "has a two-digit year, and as day-month-20yy it falls outside the school years of "
        "the file (2024-2025) and those next to them; write the year in four digits"
    )
    # the day before the school year before 2024-2025 starts is two school years away
    assert read(["31-07-23"], named_years=frozenset({2024}))["31-07-23"][1] == "ambiguous_date"
    assert read(["01-08-23"], named_years=frozenset({2024}))["01-08-23"][0] == dt.date(2023, 8, 1)


def test_two_digit_year_near_its_own_school_year_is_read_as_2019() -> None:
    # 24-08-19 is 24 August 2019 when the file is about 2019-2020
    assert read(["24-08-19"], named_years=frozenset({2019}))["24-08-19"][0] == dt.date(2019, 8, 24)


def test_without_a_named_year_the_columns_own_school_years_decide() -> None:
    # 40 dates in 2024-2025 and one in 2019: the one is 1/41 < 5% of the column
    values = [f"{d}-10-24" for d in range(1, 21)] + [f"{d}-11-2024" for d in range(1, 21)]
    got = read([*values, "24-08-19"])
    assert all(got[v][1] is None for v in values)
    assert got["24-08-19"][1] == "ambiguous_date"
    # a column of nothing but 2019 dates is about 2019
    assert read(["24-08-19", "25-08-19"])["24-08-19"][0] == dt.date(2019, 8, 24)
    # 2023-2024 is next to the column's 2024-2025; 2022-2023 is not
    assert read([*values, "02-10-23"])["02-10-23"][0] == dt.date(2023, 10, 2)
    assert read([*values, "02-10-22"])["02-10-22"][1] == "ambiguous_date"
    # the store's school years count with the column's own: 2022 is next to a stored 2021
    kept = read([*values, "02-10-22"], stored_years=frozenset({2021}))
    assert kept["02-10-22"][0] == dt.date(2022, 10, 2)


def test_month_day_year_is_rejected_unless_the_caller_says_so() -> None:
    got = read(["08/19/24", "10/05/24", "19-08-2024"])
    for value in ("08/19/24", "10/05/24"):  # 10/05 could be either: the column is US
        assert got[value][:2] == (None, "ambiguous_date")
        assert "month/day/year" in str(got[value][2])
        assert "date_format='%m/%d/%y'" in str(got[value][2])
    assert got["19-08-2024"][0] == dt.date(2024, 8, 19)
    us = read(["08/19/24", "10/05/24", "2024-08-19", "19-08-24"], date_format="%m/%d/%y")
    assert us["08/19/24"][0] == dt.date(2024, 8, 19)
    assert us["10/05/24"][0] == dt.date(2024, 10, 5)
    assert us["2024-08-19"][0] == dt.date(2024, 8, 19)  # ISO is read too
    assert us["19-08-24"][1:] == (
        "invalid_date",
        "is not a date of the form %m/%d/%y (nor yyyy-mm-dd)",
    )


def test_day_month_year_with_slashes_is_read_when_no_date_is_us() -> None:
    got = read(["19/08/2024", "05/10/2024"])
    assert got["19/08/2024"][0] == dt.date(2024, 8, 19)
    assert got["05/10/2024"][0] == dt.date(2024, 10, 5)


@pytest.mark.parametrize("value", ["1900-01-01", "1-1-1970", "31-12-1999", "2027-01-02"])
def test_dates_outside_the_plausible_window_are_implausible(value: str) -> None:
    assert read([value])[value] == (None, "implausible_date", f"is not a plausible date ({WINDOW})")


def test_the_window_edges_are_plausible() -> None:
    got = read(["2000-01-01", "1-1-2027"])
    assert got["2000-01-01"][0] == EARLIEST
    assert got["1-1-2027"][0] == LATEST


def test_excel_serial_numbers_typed_as_text_are_read() -> None:
    epoch = dt.date(1899, 12, 30)
    got = read(["45523", "45580.5", "36525", "99999"])
    assert got["45523"][0] == epoch + dt.timedelta(days=45523) == dt.date(2024, 8, 19)
    assert got["45580.5"][0] == epoch + dt.timedelta(days=45580)
    assert got["36525"][1] == "implausible_date"  # 31-12-1999
    assert got["99999"][1] == "implausible_date"  # the year 2173


def test_not_a_date_is_invalid() -> None:
    assert read(["31-02-2024", "morgen"])["31-02-2024"][1:] == (
        "invalid_date",
        "is not a real date (use dd-mm-yyyy or yyyy-mm-dd)",
    )
    assert read(["morgen"])["morgen"][1] == "invalid_date"


def test_a_two_digit_year_is_never_read_as_the_year_24() -> None:
    # chrono reads %Y of "19-08-24" as the year 24: that is not allowed through
    got = read(["24-08-19", "19-08-24"], named_years=frozenset({2024}))
    days = [v[0] for v in got.values()]
    assert all(d is None or (isinstance(d, dt.date) and d.year >= 2000) for d in days)


def test_new_rules_are_documented() -> None:
    assert {"ambiguous_date", "implausible_date"} <= RULES.keys()
    doc = (Path(__file__).parents[1] / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert "ambiguous_date" in doc and "implausible_date" in doc


def test_school_years_in_file_names() -> None:
    assert school_years_in_name("contacten 2024-2025.csv") == {2024}
    assert school_years_in_name("log_2024-25_oktober.xlsx") == {2024}
    assert school_years_in_name("export 2024-2026.csv") == set()
    assert school_years_in_name("contacten.csv") == set()


def test_the_window_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRUGDATA_EARLIEST_DATE", "2015-08-01")
    monkeypatch.setenv("BRUGDATA_YEARS_AHEAD", "2")
    configured = Settings.from_env()
    assert (configured.earliest_date, configured.years_ahead) == (dt.date(2015, 8, 1), 2)
    monkeypatch.setattr("brugdata.config.settings", configured)
    assert date_window(dt.date(2026, 1, 1)) == (dt.date(2015, 8, 1), dt.date(2028, 1, 1))
    monkeypatch.setenv("BRUGDATA_EARLIEST_DATE", "1-8-2015")
    with pytest.raises(BrugdataError, match="BRUGDATA_EARLIEST_DATE must be a date"):
        Settings.from_env()


def test_a_date_format_without_day_month_and_year_is_one_sentence() -> None:
    check_date_format("%m/%d/%y")
    with pytest.raises(BrugdataError, match="must name the day"):
        check_date_format("%Y")
    with pytest.raises(BrugdataError, match="date_format"):
        brugdata.validate(LO / "contacten-us.csv", table="contacts", date_format="%d")


# --------------------------------------------------------------------------- LibreOffice files


def _lo_rows(name: str, delimiter: str) -> dict[str, str]:
    """contact_id → date as written, read from the export with Python's csv module."""
    with (LO / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    return {r[0]: r[1] for r in rows[3:]}


def _contacts(result: brugdata.ValidationResult) -> brugdata.FileResult:
    return next(f for f in result.files if f.table == "contacts")


def _dates(f: brugdata.FileResult) -> dict[str, dt.date]:
    return dict(f.valid.select("contact_id", "date").iter_rows())


def _check_invariant(f: brugdata.FileResult) -> None:
    assert f.rows_read == f.rows_valid + f.rows_rejected + f.rows_skipped
    for day in f.valid.get_column("date"):
        assert EARLIEST <= day <= LATEST


def test_dutch_libreoffice_csv_reads_dd_mm_yy_and_skips_the_title_row(refs: Path) -> None:
    f = _contacts(brugdata.validate(refs, LO / "contacten-nl.csv", today=TODAY))
    _check_invariant(f)
    written = _lo_rows("contacten-nl.csv", ";")
    expected = {
        cid: dt.datetime.strptime(text, "%d-%m-%y").date()
        for cid, text in written.items()
        if "-" in text and cid != "LOG-006"
    }
    expected["LOG-007"] = dt.date(1899, 12, 30) + dt.timedelta(days=int(written["LOG-007"]))
    assert _dates(f) == expected
    assert (f.rows_read, f.rows_valid, f.rows_rejected, f.rows_skipped) == (41, 39, 1, 1)
    assert f.notes == ["row above the header (row 3) skipped"]
    # LOG-006 is on line 9: title, blank, header, then the sixth row
    assert f.rejects.select("line", "column", "rule", "value").rows() == [
        (9, "date", "ambiguous_date", "24-08-19")
    ]


def test_us_libreoffice_csv_is_rejected_by_line_unless_date_format(refs: Path) -> None:
    f = _contacts(brugdata.validate(refs, LO / "contacten-us.csv", today=TODAY))
    _check_invariant(f)
    written = _lo_rows("contacten-us.csv", ",")
    us_style = {cid for cid, text in written.items() if "/" in text}
    assert len(us_style) == 38
    lines = {cid: 4 + i for i, cid in enumerate(written)}
    assert sorted(f.rejects.select("line", "rule").rows()) == sorted(
        (lines[cid], "ambiguous_date") for cid in us_style
    )
    assert set(_dates(f)) == set(written) - us_style  # the ISO date and the serial number

    g = _contacts(
        brugdata.validate(refs, LO / "contacten-us.csv", today=TODAY, date_format="%m/%d/%y")
    )
    _check_invariant(g)
    assert g.rows_valid == 40
    nl = _dates(_contacts(brugdata.validate(refs, LO / "contacten-nl.csv", today=TODAY)))
    us = _dates(g)
    assert {k: v for k, v in us.items() if k in nl} == nl  # the same log, the same dates
    assert us["LOG-006"] == dt.date(2024, 8, 19)  # LibreOffice read "24-08-19" as ISO


@pytest.mark.parametrize("locale", ["nl", "us"])
def test_libreoffice_workbooks_give_the_dates_of_their_cells(refs: Path, locale: str) -> None:
    f = _contacts(brugdata.validate(refs, LO / f"contacten-{locale}.xlsx", today=TODAY))
    _check_invariant(f)
    assert (f.rows_read, f.rows_valid, f.rows_skipped) == (41, 40, 1)
    assert f.sheets_read == ["contacten"]
    from_csv = _dates(
        _contacts(
            brugdata.validate(
                refs, LO / f"contacten-{locale}.csv", today=TODAY, date_format="%m/%d/%y"
            )
            if locale == "us"
            else brugdata.validate(refs, LO / "contacten-nl.csv", today=TODAY)
        )
    )
    dates = _dates(f)
    assert {k: v for k, v in dates.items() if k in from_csv} == from_csv


def test_ingest_reads_two_digit_years_near_the_stored_school_years(
    refs: Path, tmp_path: Path
) -> None:
    store = brugdata.open(tmp_path / "s.duckdb")
    try:
        store.ingest(refs, LO / "contacten-nl.csv", today=TODAY)
        stored = store.sql("SELECT min(date) AS lo, max(date) AS hi FROM contacts").row(0)
        assert stored == (dt.date(2024, 10, 1), dt.date(2024, 10, 28))
        # 40 dates of 2022-2023 and one of 2025-2026: next to the stored 2024-2025
        header = [
            "contact_id",
            "datum",
            "functionaris",
            "school",
            "gesprekspartner",
            "persoon",
            "thema",
        ]
        rows = [[f"N-{i}", f"{i % 28 + 1}-10-22", "O-1", "91AB00", "ouder", "P-001", "taal"]
                for i in range(40)]  # fmt: skip
        rows.append(["N-NEW", "02-10-25", "O-1", "91AB00", "ouder", "P-001", "taal"])
        path = write_csv(tmp_path, "contacten-nieuw.csv", csv_text(header, rows))
        alone = _contacts(brugdata.validate(refs, path, today=TODAY))
        assert alone.rejects.select("line", "rule").rows() == [(42, "ambiguous_date")]
        result = store.ingest(path, today=TODAY)
        assert result.validation.rows_read == 41
        assert result.validation.rows_rejected == 0, result.validation.rejects()
        got = store.sql("SELECT date FROM contacts WHERE contact_id = 'N-NEW'").item()
        assert got == dt.date(2025, 10, 2)
    finally:
        store.close()


# --------------------------------------------------------------------------- fuzzing

FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%d-%m-%y"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    day=st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2099, 12, 31)),
    fmt=st.sampled_from([*FORMATS, "serial", "d-m-yy"]),
)
def test_fuzz_a_written_date_is_read_back_equal_or_rejected(day: dt.date, fmt: str) -> None:
    if fmt == "serial":
        text = str((day - dt.date(1899, 12, 30)).days)
    elif fmt == "d-m-yy":
        text = f"{day.day}-{day.month}-{day.year % 100:02d}"
    else:
        text = dt.datetime.combine(day, dt.time()).strftime(fmt)
    school_year = day.year if day.month >= 8 else day.year - 1
    date, rule, message = read([text], named_years=frozenset({school_year}))[text]
    in_window = EARLIEST <= day <= LATEST
    two_digit = fmt in ("%d-%m-%y", "d-m-yy")
    serial = fmt == "serial"
    if in_window and (not two_digit or day.year >= 2000) and (not serial or len(text) == 5):
        assert (date, rule) == (day, None), text
    else:
        assert date is None and rule in RULES and message, (text, rule)
    assert date is None or EARLIEST <= date <= LATEST  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789-/. :T", max_size=19), min_size=1, max_size=8))
def test_fuzz_any_text_is_a_date_in_the_window_or_a_rule(values: list[str]) -> None:
    for date, rule, message in read(list(dict.fromkeys(values))).values():
        if rule is None:
            assert date is not None and EARLIEST <= date <= LATEST  # type: ignore[operator]
        else:
            assert date is None and rule in RULES and message
