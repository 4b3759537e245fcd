"""Seasonality: which themes come up in which month of the school year.

Questions about school transport or procedures cluster at the start of the school year, sport
and school supplies towards its end. :func:`seasonality` counts contacts per theme and month
and tests each theme against an even spread over the twelve months.

The even spread is an equal expected count per *calendar month*. Months with school holidays
(August, December, July) are therefore expected to look quiet for every theme. The monthly
frame also gives the *school weeks* of each month, from the school calendar of the region of
the group's schools (:mod:`brugdata.calendar`), with the contacts per school week and an index
against a spread in proportion to the school weeks (``school_week_index``): a month that is
quiet only because it has fewer school days then no longer looks quiet.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import duckdb
import polars as pl

from brugdata.analysis._common import pilot_clause, school_regions, themes_x
from brugdata.analysis._contract import (
    By,
    Frames,
    check_selection,
    group_columns,
    has_log,
    need,
)
from brugdata.analysis._stats import chi2_sf
from brugdata.errors import BrugdataError
from brugdata.model.calendar import school_days_by_month
from brugdata.sql import Source, connect, query
from brugdata.store.derived import one_reading

__all__ = ["BY", "seasonality"]

#: The ``by`` keys of :func:`seasonality`.
BY: tuple[str, ...] = ("pilot", "school", "officer", "school_type", "municipality", "school_year")

#: School months (1 = August) of the start and the end of the school year.
START_MONTHS = (1, 2, 3)
END_MONTHS = (10, 11, 12)
#: A theme peaks when this many times its even share (3/12) falls in the three months ...
PEAK_FACTOR = 1.5
#: ... and the spread over the year differs from even at this level.
PEAK_ALPHA = 0.05


@one_reading()
def seasonality(
    data: Source,
    /,
    *,
    by: By | Sequence[By] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
    counterparts: Sequence[str] | None = None,
    extra_holidays: pl.DataFrame | None = None,
) -> Frames:
    """Contacts per theme and month of the school year, and which themes peak when, per group
    and school year: :class:`~brugdata.analysis._contract.Frames` ``monthly`` and ``themes``
    (``meta["by"]``: the grouping columns).

    All contacts count (parents, pupils, colleagues and partners); ``counterparts`` keeps only
    some (``["parent", "pupil"]``). A contact with two themes counts once for each theme.
    ``by`` groups by ``"pilot"``, ``"school"`` (column ``school_id``), ``"officer"``
    (column ``officer_id``), ``"school_type"``, ``"municipality"`` (one or several) or
    ``"school_year"`` alone; every frame has the school year as a key column, school years
    are never pooled. ``pilots`` and ``school_year`` filter. ``extra_holidays``
    (a frame from :func:`brugdata.calendar.load_rijksoverheid_json`) adds school holidays to
    the shipped ones for the school weeks.

    Columns of ``monthly`` (every theme seen in a group has all 12 months, zero-filled):

    - [by...]: the grouping columns.
    - school_year.
    - theme: theme code.
    - school_month: month of the school year, 1 = August ... 12 = July.
    - month: calendar month, 1 = January.
    - contacts (Int64): contacts with that theme in that month.
    - share: contacts / all theme mentions of that month in the group (0..1; null when the
      month has none).
    - seasonal_index: contacts / (the theme's year total / 12); 1.0 is an even spread.
    - school_weeks (Float64): school days of the month / 5 in the holiday region of the
      group's schools (:func:`brugdata.calendar.school_days_by_month`: weekdays outside the
      region's school holidays and the public holidays). With several schools in a group it
      is the mean over the schools with theme mentions in the group that school year whose
      school days are known (region from ``schools.region``, else the municipality; holidays
      shipped or in ``extra_holidays``). Null when no school of the group has known school
      days that school year. The same for every theme.
    - contacts_per_school_week: contacts / school_weeks (null when school_weeks is 0 or
      null, e.g. an August wholly in the summer holiday).
    - school_week_index: contacts_per_school_week / (the theme's year total / the group's
      school weeks of the year); 1.0 is a spread in proportion to the school weeks.

    Columns of ``themes`` (one row per group and theme):

    - [by...], school_year, theme.
    - contacts (Int64): year total.
    - chi2, df (11), p_value: chi-square goodness-of-fit test of an even spread (an equal
      expected count in each calendar month).
    - peak_start: at least 1.5 × 3/12 of the theme's contacts fall in Aug–Oct and
      p_value < 0.05.
    - peak_end: the same for May–Jul.
    - peak_school_month: school month (1 = August) with the most contacts (the earliest on a
      tie).
    """
    by_keys = group_columns(by, BY, what="seasonality")
    con = connect(data)
    check_selection(con, pilots, school_year)
    need(
        con,
        has_log(con, pilots, school_year),
        what="seasonality",
        data="logged contacts",
        pilots=pilots,
        school_year=school_year,
    )
    keys = [*by_keys, "school_year"]
    monthly = _monthly(con, keys, pilots, school_year, counterparts)
    weeks = _school_weeks(con, keys, pilots, school_year, counterparts, extra_holidays)
    return Frames(
        {
            "monthly": _per_school_week(monthly, weeks, keys),
            "themes": _themes(monthly, keys),
        },
        title="Seasonality",
        meta={"by": by_keys},
    )


def _monthly(
    source: Source,
    keys: list[str],
    pilots: Sequence[str] | None,
    school_year: str | None,
    counterparts: Sequence[str] | None,
) -> pl.DataFrame:
    where, params = _filters(pilots, school_year, counterparts)
    sel = "".join(f"{k}, " for k in keys)
    grid_sel = "".join(f"g.{k}, " for k in keys)
    same = " AND ".join([f"m.{k} IS NOT DISTINCT FROM grid.{k}" for k in keys] or ["TRUE"])
    by_month = ", ".join([*keys, "school_month"])
    by_theme = ", ".join([*keys, "theme"])
    con = connect(source)
    sql = f"""
        WITH mentions AS (
            SELECT {sel}school_month, theme, n FROM ({themes_x(con)}) WHERE {where}
        ),
        m AS (
            SELECT {sel}theme, school_month, CAST(sum(n) AS BIGINT) AS contacts
            FROM mentions WHERE theme IS NOT NULL GROUP BY ALL
        ),
        grid AS (
            SELECT {grid_sel}g.theme, CAST(s.school_month AS BIGINT) AS school_month
            FROM (SELECT DISTINCT {sel}theme FROM m) g
            CROSS JOIN range(1, 13) AS s(school_month)
        ),
        filled AS (
            SELECT {"".join(f"grid.{k}, " for k in keys)}grid.theme, grid.school_month,
                   CAST(coalesce(m.contacts, 0) AS BIGINT) AS contacts
            FROM grid LEFT JOIN m
              ON m.theme = grid.theme AND m.school_month = grid.school_month AND {same}
        )
        SELECT {sel}theme, school_month,
               CAST((school_month + 6) % 12 + 1 AS BIGINT) AS month,
               contacts,
               contacts / nullif(sum(contacts) OVER (PARTITION BY {by_month}), 0) AS share,
               contacts / nullif(sum(contacts) OVER (PARTITION BY {by_theme}) / 12.0, 0)
                   AS seasonal_index
        FROM filled
        ORDER BY {sel}theme, school_month
    """
    return query(con, sql, params).with_columns(pl.col("share", "seasonal_index").cast(pl.Float64))


def _school_weeks(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: Sequence[str] | None,
    school_year: str | None,
    counterparts: Sequence[str] | None,
    extra: pl.DataFrame | None,
) -> pl.DataFrame:
    """School weeks per group (``keys`` hold the school year) and school month: [keys...],
    school_month, school_weeks (the mean school days / 5 over the group's schools with theme
    mentions that school year; null when none has known days)."""
    where, params = _filters(pilots, school_year, counterparts)
    sel = "".join(f"{k}, " for k in keys if k != "school_year")
    schools = query(
        con,
        f"""SELECT DISTINCT {sel}school_year, school_id FROM ({themes_x(con)})
            WHERE {where} AND theme IS NOT NULL AND school_id IS NOT NULL""",
        params,
    )
    regions = school_regions(con).select("school_id", "school_year", "region")
    schools = schools.join(regions, on=["school_id", "school_year"], how="left")
    known = _known_days(schools.select("school_year", "region").drop_nulls().unique(), extra)
    # every school has its twelve months; school_days null where its days are not known
    months = pl.DataFrame({"school_month": range(1, 13)}, schema={"school_month": pl.Int64})
    frame = schools.join(months, how="cross").join(
        known, on=["school_year", "region", "school_month"], how="left"
    )
    return frame.group_by([*keys, "school_month"]).agg(
        (pl.col("school_days").mean() / 5).alias("school_weeks")
    )


def _known_days(pairs: pl.DataFrame, extra: pl.DataFrame | None) -> pl.DataFrame:
    """The school days of each school month of the (school_year, region) ``pairs`` whose
    holidays are known: school_year, region, school_month, school_days."""
    rows: list[tuple[str, str, int, int]] = []
    for year, region in pairs.iter_rows():
        try:
            per_month = school_days_by_month(year, region, extra=extra)
        except BrugdataError:  # the region's holidays of that year are not known
            continue
        rows.extend((year, region, month, days) for month, days in per_month.items())
    schema = {
        "school_year": pl.String,
        "region": pl.String,
        "school_month": pl.Int64,
        "school_days": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _per_school_week(monthly: pl.DataFrame, weeks: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """``monthly`` with school_weeks, contacts_per_school_week and school_week_index."""
    joined = monthly.join(
        weeks, on=[*keys, "school_month"], how="left", nulls_equal=True, maintain_order="left"
    )
    group = [*keys, "theme"]
    weeks_col = pl.col("school_weeks").cast(pl.Float64)
    per_week = pl.when(weeks_col > 0).then(pl.col("contacts") / weeks_col)
    year_rate = pl.col("contacts").sum().over(group) / weeks_col.sum().over(group)
    return joined.with_columns(
        school_weeks=weeks_col, contacts_per_school_week=per_week
    ).with_columns(
        school_week_index=pl.when(year_rate > 0).then(
            pl.col("contacts_per_school_week") / year_rate
        )
    )


def _filters(
    pilots: Sequence[str] | None, school_year: str | None, counterparts: Sequence[str] | None
) -> tuple[str, list[Any]]:
    """The WHERE condition on enriched contacts and its parameters."""
    cond, params = pilot_clause("pilot", pilots)
    conds = [cond]
    if school_year is not None:
        conds.append("school_year = ?")
        params.append(school_year)
    if counterparts:
        conds.append(f"counterpart IN ({', '.join('?' for _ in counterparts)})")
        params.extend(counterparts)
    return " AND ".join(conds), params


def _themes(monthly: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """One row per group and theme: total, chi-square test and peaks."""
    group = [*keys, "theme"]
    expected = pl.col("contacts").sum() / 12.0
    in_months = pl.col("school_month").is_in

    def part(months: Sequence[int]) -> pl.Expr:
        return pl.col("contacts").filter(in_months(list(months))).sum() / pl.col("contacts").sum()

    summary = (
        monthly.group_by(group, maintain_order=True)
        .agg(
            pl.col("contacts").sum().cast(pl.Int64).alias("contacts"),
            ((pl.col("contacts") - expected).pow(2) / expected).sum().alias("chi2"),
            part(START_MONTHS).alias("_start"),
            part(END_MONTHS).alias("_end"),
            pl.col("school_month")
            .sort_by(["contacts", "school_month"], descending=[True, False])
            .first()
            .alias("peak_school_month"),
        )
        .with_columns(pl.lit(11, dtype=pl.Int64).alias("df"))
    )
    p_values = [_chi2_p_value(c, 11) for c in summary.get_column("chi2").to_list()]
    significant = pl.col("p_value") < PEAK_ALPHA
    threshold = PEAK_FACTOR * 3 / 12
    return (
        summary.with_columns(pl.Series("p_value", p_values, dtype=pl.Float64))
        .with_columns(
            (significant & (pl.col("_start") >= threshold)).fill_null(False).alias("peak_start"),
            (significant & (pl.col("_end") >= threshold)).fill_null(False).alias("peak_end"),
        )
        .select(
            *group,
            "contacts",
            "chi2",
            "df",
            "p_value",
            "peak_start",
            "peak_end",
            "peak_school_month",
        )
    )


def _chi2_p_value(chi2: float | None, df: int) -> float | None:
    """P(X >= chi2) for a chi-square distribution with ``df`` degrees of freedom; None for a
    missing chi2."""
    if chi2 is None or math.isnan(chi2):
        return None
    return chi2_sf(chi2, df)
