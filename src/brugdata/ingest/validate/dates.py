"""Reading dates as officers' spreadsheets write them, and the dates that cannot be trusted.

Takes the distinct raw values of a date column and the :class:`DateRules` of the file; gives
per value the date read and, where it fails, the rule broken and the message
(:func:`parse_dates`). Everything is one polars pass over the distinct values (a log of a
million contacts has a few hundred dates).

What is read:

- four-digit years: ``2024-08-19``, ``19-08-2024``, ``19/08/2024``, ``19.08.2024``, and the ISO
  date-times a workbook's date cells give (``2024-08-19 00:00:00``);
- two-digit years (a LibreOffice CSV export in a Dutch locale: ``19-08-24``) as day-month-20yy,
  when that date falls in or next to (the school year before or after) a *reference* school
  year; otherwise ``ambiguous_date``. The reference school years are those the file name
  names (``contacten 2024-2025.csv``); when it names none, the school years the store holds
  together with the school years that hold at least 5% of the column's own dates (so a file
  of 2024-2025 dates with one ``24-08-19`` rejects that one). Without a store and with a
  column of only two-digit years, the column's own dates decide;
- Excel serial numbers typed as text (``45523``: days since 30-12-1899);
- ``m/d/y`` (a US export: ``08/19/24``) is rejected as ``ambiguous_date`` unless the caller
  gives ``date_format=`` (``"%m/%d/%y"``): a column of slash dates is taken as US when one of
  them has a second number above 12;
- any date outside the plausible window (from :attr:`~brugdata.config.Settings.earliest_date`,
  2000-01-01, to :attr:`~brugdata.config.Settings.years_ahead` years after today) is rejected
  as ``implausible_date``: ``1900-01-01``, ``1-1-1970``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

__all__ = ["DateRules", "check_date_format", "date_window", "parse_dates", "school_years_in_name"]

_FOUR_DIGIT_FORMATS = (
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y/%m/%d",
)
_ISO_FORMATS = _FOUR_DIGIT_FORMATS[:1] + _FOUR_DIGIT_FORMATS[3:6]
_TWO_DIGIT = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2})$"
_SLASH = r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$"
_SERIAL = r"^(\d{5})(?:[.,]\d+)?$"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: The share of a column's dates a school year must hold to count as the column's own.
_OWN_SHARE = 0.05
_NAME_YEARS = re.compile(r"(?<!\d)(20\d\d)\s*[-_/–]\s*(?:20)?(\d\d)(?!\d)")


@dataclass(frozen=True)
class DateRules:
    """How a file's dates are read: the plausible window (``earliest`` to ``latest``, both
    inclusive), the school years (their first calendar year) the file name names and those
    the store holds, and a caller's ``date_format`` (a strptime format such as
    ``"%m/%d/%y"``) tried before the ISO forms, instead of the others."""

    earliest: dt.date
    latest: dt.date
    named_years: frozenset[int] = field(default_factory=frozenset)
    stored_years: frozenset[int] = field(default_factory=frozenset)
    date_format: str | None = None


def date_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The plausible window of dates from the settings: (earliest, latest)."""
    from brugdata.config import settings

    latest = _add_years(today, settings.years_ahead)
    return settings.earliest_date, latest


def _add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` years on (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def school_years_in_name(name: str) -> frozenset[int]:
    """First years of the school years a file name names: ``contacten 2024-2025.csv`` and
    ``log_2024-25.xlsx`` name 2024 (only consecutive years count)."""
    years = set()
    for first, second in _NAME_YEARS.findall(name):
        if int(second) == (int(first) + 1) % 100:
            years.add(int(first))
    return frozenset(years)


def _school_year(day: pl.Expr) -> pl.Expr:
    """The first calendar year of the school year (1 August – 31 July) of ``day``."""
    return pl.when(day.dt.month() >= 8).then(day.dt.year()).otherwise(day.dt.year() - 1)


def _near(day: pl.Expr, years: Iterable[int]) -> pl.Expr:
    """``day`` falls in, or in the school year before or after, one of ``years``."""
    near = sorted({y + d for y in years for d in (-1, 0, 1)})
    return _school_year(day).is_in(pl.Series(near, dtype=pl.Int32).implode())


def _fmt(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def _years_text(years: Iterable[int]) -> str:
    return ", ".join(f"{y}-{y + 1}" for y in sorted(years))


def parse_dates(values: pl.DataFrame, rules: DateRules) -> pl.DataFrame:
    """Per distinct raw value (``values``: columns ``raw`` and ``count``, the rows holding it):
    ``raw``, ``typed`` (Date, null when not read or rejected), ``rule`` (null when fine) and
    ``message`` (what follows the quoted value in a rejection)."""
    raw = pl.col("raw")
    short = _two_digit(raw) if rules.date_format is None else pl.lit(None, dtype=pl.Date)
    frame = values.with_columns(
        _four_digit(raw, rules.date_format).alias("full"),
        short.alias("short"),
        _serial(raw).alias("serial"),
        raw.str.extract(_SLASH, 2).cast(pl.Int32, strict=False).alias("second"),
    )
    slash = raw.str.contains(_SLASH)
    us = rules.date_format is None and bool(
        frame.select((slash & (pl.col("second") > 12)).any()).item()
    )
    us_value = slash & pl.lit(us)
    if rules.date_format is not None:
        short_ok = pl.lit(False)
        reference: frozenset[int] = frozenset()
    else:
        reference = rules.named_years or rules.stored_years | _own_years(frame, rules)
        short_ok = _near(pl.col("short"), reference)
    frame = frame.with_columns(
        pl.when(us_value)
        .then(None)
        .otherwise(
            pl.coalesce(
                "full",
                pl.when(short_ok).then("short"),
                "serial",
            )
        )
        .alias("typed")
    )
    outside = (pl.col("typed") < rules.earliest) | (pl.col("typed") > rules.latest)
    window = (
        f"is not a plausible date (dates from {_fmt(rules.earliest)} to {_fmt(rules.latest)} are)"
    )
    rule = (
        pl.when(raw.is_null())
        .then(None)
        .when(us_value)
        .then(pl.lit("ambiguous_date"))
        .when(pl.col("typed").is_null() & pl.col("short").is_not_null())
        .then(pl.lit("ambiguous_date"))
        .when(outside)
        .then(pl.lit("implausible_date"))
        .when(pl.col("typed").is_null())
        .then(pl.lit("invalid_date"))
    )
    if reference:
        short_message = (
            "has a two-digit year, and as day-month-20yy it falls outside the school years "
            f"of the file ({_years_text(reference)}) and those next to them; write the year "
            "in four digits"
        )
    else:
        short_message = (
            "has a two-digit year, and no school year of the file (in its name, the store "
            "or its other dates) tells which century; write the year in four digits"
        )
    us_message = (
        "reads as month/day/year (a US-style export); give date_format='%m/%d/%y' "
        "(--date-format) or write the date as dd-mm-yyyy"
    )
    invalid = "is not a real date (use dd-mm-yyyy or yyyy-mm-dd)"
    if rules.date_format is not None:
        invalid = f"is not a date of the form {rules.date_format} (nor yyyy-mm-dd)"
    message = (
        pl.when(us_value)
        .then(pl.lit(us_message))
        .when(pl.col("rule") == "ambiguous_date")
        .then(pl.lit(short_message))
        .when(pl.col("rule") == "implausible_date")
        .then(pl.lit(window))
        .otherwise(pl.lit(invalid))
    )
    return (
        frame.with_columns(rule.alias("rule"))
        .with_columns(
            pl.when(pl.col("rule").is_null()).then("typed").alias("typed"),
            pl.when(pl.col("rule").is_not_null()).then(message).alias("message"),
        )
        .select("raw", "typed", "rule", "message")
    )


def _own_years(frame: pl.DataFrame, rules: DateRules) -> frozenset[int]:
    """The school years holding at least 5% of the column's dates (four-digit or serial dates
    in the window, and two-digit years read as 20yy)."""
    day = pl.coalesce("full", "short", "serial")
    dated = frame.filter(day.is_between(rules.earliest, rules.latest)).select(
        _school_year(day).alias("year"), "count"
    )
    total = int(dated.get_column("count").sum() or 0)
    if not total:
        return frozenset()
    shares = dated.group_by("year").agg(pl.col("count").sum())
    return frozenset(shares.filter(pl.col("count") >= _OWN_SHARE * total).get_column("year"))


def _four_digit(raw: pl.Expr, date_format: str | None) -> pl.Expr:
    """The value read by one of the four-digit-year forms (or the caller's format, then the
    ISO forms); null otherwise."""
    four = raw.str.contains(r"(^|[^\d])\d{4}([^\d]|$)")
    if date_format is not None:
        iso = pl.coalesce([raw.str.strptime(pl.Date, f, strict=False) for f in _ISO_FORMATS])
        return pl.coalesce(
            raw.str.strptime(pl.Date, date_format, strict=False), pl.when(four).then(iso)
        )
    slash = raw.str.extract_groups(_SLASH)
    # d/m/yyyy is read here; a slash date with a two-digit year is for _two_digit
    dmy = pl.format(
        "{}-{}-{}",
        slash.struct.field("3"),
        slash.struct.field("2").str.zfill(2),
        slash.struct.field("1").str.zfill(2),
    )
    parsed = pl.coalesce(
        [raw.str.strptime(pl.Date, f, strict=False) for f in _FOUR_DIGIT_FORMATS]
        + [dmy.str.strptime(pl.Date, "%Y-%m-%d", strict=False)]
    )
    # chrono reads a two-digit year for %Y as the year 24: only four digits count here
    return pl.when(four).then(parsed)


def _two_digit(raw: pl.Expr) -> pl.Expr:
    """``d-m-yy`` (also with ``/`` or ``.``) as day-month-20yy; null when not of that form or
    not a real date."""
    parts = raw.str.extract_groups(_TWO_DIGIT)
    text = pl.format(
        "20{}-{}-{}",
        parts.struct.field("3"),
        parts.struct.field("2").str.zfill(2),
        parts.struct.field("1").str.zfill(2),
    )
    return text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def _serial(raw: pl.Expr) -> pl.Expr:
    """An Excel serial day number typed as text (five digits, a fraction allowed) as a date."""
    days = raw.str.extract(_SERIAL, 1).cast(pl.Int64, strict=False)
    return pl.lit(_EXCEL_EPOCH) + pl.duration(days=days)


def check_date_format(date_format: str | None) -> None:
    """Raise :class:`~brugdata.errors.BrugdataError` in one sentence when ``date_format`` is
    not a strptime format of a day, a month and a year."""
    if date_format is None:
        return
    from brugdata.errors import BrugdataError

    if not all(part in date_format for part in ("%d", "%m")) or not (
        "%y" in date_format or "%Y" in date_format
    ):
        raise BrugdataError(
            f"date_format {date_format!r} must name the day (%d), the month (%m) and the "
            "year (%y or %Y), as in '%m/%d/%y'"
        )
    try:
        pl.Series(["01/02/03"]).str.strptime(pl.Date, date_format, strict=False)
    except Exception:
        raise BrugdataError(f"date_format {date_format!r} is not a valid date format") from None
