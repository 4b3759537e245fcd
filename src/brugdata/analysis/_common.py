"""What every analysis shares: enriched contacts, the relations over the store's derived
tables, intervals, bands and the holiday region of each school.

An analysis takes a *source* (:data:`brugdata.sql.Source`: a store, a DuckDB connection holding
the store's tables, or a mapping of table name → polars frame) and runs its SQL on
:func:`brugdata.sql.connect` of it, so every analysis is written once, in SQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import duckdb
import polars as pl

from brugdata.analysis._stats import chi2_homogeneity
from brugdata.model.calendar import region_of
from brugdata.sql import Source, query, school_year_sql, start_year_sql, year_text_sql
from brugdata.store.derived import CASE_FAMILY, IN_CASE, has_derived

#: Reach bands (percent) as the Gooi en Vechtstreek evaluation shows them: [low, high).
BANDS: tuple[tuple[int, int], ...] = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))

__all__ = [
    "BANDS",
    "CONTACTS_X",
    "band_expr",
    "band_label",
    "case_parts_x",
    "contacts_x",
    "grouped_contacts_x",
    "homogeneity",
    "counts_x",
    "links_x",
    "people_x",
    "pilot_clause",
    "school_regions",
    "selection_clause",
    "themes_x",
    "wilson",
    "wilson_exprs",
]

#: Contacts with the school year of their date, their pilot (the school's pilot that year,
#: else the officer's), school type, month of the year and month of the school year (1 = Aug).
CONTACTS_X = f"""
    SELECT c.*,
           {school_year_sql("c.date")} AS school_year,
           coalesce(s.pilot, o.pilot) AS pilot,
           s.school_type,
           s.municipality,
           month(c.date) AS month,
           ((month(c.date) + 4) % 12) + 1 AS school_month,
           coalesce(c.family_key, c.person_key) AS family
    FROM contacts c
    LEFT JOIN schools s
           ON s.school_id = c.school_id AND s.school_year = {school_year_sql("c.date")}
    LEFT JOIN officers o ON o.officer_id = c.officer_id
"""


_YEAR = re.compile(r"(\d{4})-(\d{4})")


def _start_year(school_year: str | None) -> int | None:
    """The first calendar year of ``school_year`` (``2024-2025``: 2024); None for no year or
    one no contact can have (not two consecutive years)."""
    match = _YEAR.fullmatch(school_year or "")
    if match is None or int(match[2]) != int(match[1]) + 1:
        return None
    return int(match[1])


def contacts_x(school_year: str | None = None) -> str:
    """SQL: :data:`CONTACTS_X`, limited to the dates of ``school_year`` (``2024-2025``: 1 August
    2024 – 31 July 2025) when one is given. The limit is on the stored ``date`` column, so
    DuckDB skips the row groups of other years instead of working out every contact's school
    year first; the rows are those of ``CONTACTS_X WHERE school_year = ...``."""
    start = _start_year(school_year)
    if start is None:
        return CONTACTS_X  # no year, or one no contact can have: the caller's filter decides
    return (
        f"{CONTACTS_X} WHERE c.date >= DATE '{start}-08-01' AND c.date < DATE '{start + 1}-08-01'"
    )


def grouped_contacts_x(columns: Sequence[str], school_year: str | None = None) -> str:
    """SQL: contacts grouped by officer, school, school year and ``columns`` (of contacts),
    with ``n`` contacts and the pilot, school type and municipality as :data:`CONTACTS_X`
    gives them; limited to the dates of ``school_year`` as :func:`contacts_x` is. Grouped
    before the schools and officers are joined: a query that needs no single contact joins a
    third of the rows (at 10M contacts: 1.2M contacts of a school year, 350,000 groups of
    officer, school and themes)."""
    start = _start_year(school_year)
    limit = (
        ""
        if start is None
        else f"WHERE date >= DATE '{start}-08-01' AND date < DATE '{start + 1}-08-01'"
    )
    grouped = f"""(
        SELECT officer_id, school_id, {start_year_sql("date")} AS start_year,
               {", ".join(f'"{c}"' for c in columns)}, count(*) AS n
        FROM contacts {limit}
        GROUP BY ALL)"""
    return _with_pilot(grouped)


def _with_pilot(table: str, extra: str = "", pilot: bool = True) -> str:
    """A derived table with its school year's text (for its ``start_year``), the pilot (the
    school's that year, else the officer's) and the school type, as :data:`CONTACTS_X` gives
    them (null when ``pilot`` is False: a query that uses neither need not join schools and
    officers)."""
    year = year_text_sql("start_year")
    d = f"(SELECT * EXCLUDE (start_year), {year} AS school_year FROM {table})"
    if not pilot:
        return f"""
        SELECT d.*, CAST(NULL AS VARCHAR) AS pilot, CAST(NULL AS VARCHAR) AS school_type,
               CAST(NULL AS VARCHAR) AS municipality{extra}
        FROM {d} d
        """
    return f"""
    SELECT d.*, coalesce(s.pilot, o.pilot) AS pilot, s.school_type, s.municipality{extra}
    FROM {d} d
    LEFT JOIN schools s ON s.school_id = d.school_id AND s.school_year = d.school_year
    LEFT JOIN officers o ON o.officer_id = d.officer_id
    """


def people_x(con: duckdb.DuckDBPyConnection, *, pilot: bool = True) -> str:
    """SQL: the parents and pupils contacted, at least one row per officer, school, school
    year, counterpart (parent | pupil), person_key and family_key, with family (family_key,
    else person_key), pilot and school_type (both may be null unless ``pilot``). Count
    people with count(DISTINCT ...)."""
    if has_derived(con):
        return _with_pilot(
            "contacts_people", ", coalesce(d.family_key, d.person_key) AS family", pilot
        )
    return f"""
    SELECT officer_id, school_id, school_year, counterpart, person_key, family_key, pilot,
           school_type, municipality, family
    FROM ({CONTACTS_X}) WHERE counterpart IN ('parent', 'pupil')
    """


def themes_x(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: theme mentions (a contact's distinct themes) by officer, school, school year,
    month, school_month, counterpart and theme, with ``n`` contacts, pilot, school_type and
    municipality.
    Count with sum(n)."""
    if has_derived(con):
        return _with_pilot(
            "contacts_themes", ", ((d.month + 4) % 12) + 1 AS school_month, d.contacts AS n"
        )
    return f"""
    SELECT officer_id, school_id, school_year, month, school_month, counterpart,
           unnest(list_distinct(themes)) AS theme, 1 AS n, pilot, school_type, municipality
    FROM ({CONTACTS_X})
    """


def links_x(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: officers' links to colleague roles and partners by officer, school, school year,
    node and node_kind (colleague_role | partner), with ``contact`` (colleague or partner
    contacts) and ``referral`` (referrals to the partner) counts. Count with sum()."""
    if has_derived(con):
        return f"""
        SELECT officer_id, school_id, {year_text_sql("start_year")} AS school_year, node,
               node_kind, contacts AS contact, referrals AS referral
        FROM contacts_links
        """
    return f"""
    WITH x AS ({CONTACTS_X})
    SELECT officer_id, school_id, school_year, colleague_role AS node,
           'colleague_role' AS node_kind, 1 AS contact, 0 AS referral
    FROM x WHERE counterpart = 'colleague' AND colleague_role IS NOT NULL
    UNION ALL
    SELECT officer_id, school_id, school_year, partner_id, 'partner', 1, 0
    FROM x WHERE counterpart = 'partner' AND partner_id IS NOT NULL
    UNION ALL
    SELECT officer_id, school_id, school_year, referred_to, 'partner', 0, 1
    FROM x WHERE referred_to IS NOT NULL
    """


def case_parts_x(con: duckdb.DuckDBPyConnection, school_year: str | None = None) -> str:
    """SQL: the contacts of families' cases (:data:`~brugdata.store.derived.IN_CASE`), at
    least one row per officer, school, school year, family, counterpart and partner referred
    to (``referred_to``, null for none), with first_date, last_date, ``contacts``, pilot,
    school_type and municipality; only the rows of ``school_year`` when one is given (others
    may come along: filter on school_year too). Aggregate again (min, max, sum) per case."""
    if has_derived(con):
        start = _start_year(school_year)
        table = "contacts_cases"
        if start is not None:
            table = f"(SELECT * FROM contacts_cases WHERE start_year = {start})"
        return _with_pilot(table)
    return f"""
    SELECT officer_id, school_id, school_year, {CASE_FAMILY} AS family, counterpart,
           referred_to, min(date) AS first_date, max(date) AS last_date, count(*) AS contacts,
           pilot, school_type, municipality
    FROM ({contacts_x(school_year)}) WHERE {IN_CASE}
    GROUP BY ALL
    """


def counts_x(con: duckdb.DuckDBPyConnection) -> str:
    """SQL: contacts by officer, school, school year and counterpart with ``n`` contacts,
    ``minutes`` (summed durations; null when none has one) and ``timed`` (contacts with a
    duration), pilot, school_type and municipality. Count with sum(n)."""
    if has_derived(con):
        return _with_pilot("contacts_counts", ", d.contacts AS n")
    return f"""
    SELECT officer_id, school_id, school_year, counterpart, 1 AS n, duration_min AS minutes,
           CASE WHEN duration_min IS NULL THEN 0 ELSE 1 END AS timed, pilot, school_type,
           municipality
    FROM ({CONTACTS_X})
    """


def pilot_clause(column: str, pilots: Sequence[str] | None) -> tuple[str, list[Any]]:
    """A SQL condition restricting ``column`` to ``pilots`` (always true for None)."""
    if not pilots:
        return "TRUE", []
    return f"{column} IN ({', '.join('?' for _ in pilots)})", list(pilots)


def selection_clause(
    pilots: Sequence[str] | None, school_year: str | None
) -> tuple[str, list[Any]]:
    """A SQL condition on ``pilot`` and ``school_year`` columns for the selection of an
    analysis (always true for no pilots and no year), with its parameters."""
    where, params = pilot_clause("pilot", pilots)
    if school_year is not None:
        where += " AND school_year = ?"
        params.append(school_year)
    return where, params


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a proportion ``k / n`` as fractions."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_exprs(k: str, n: str, z: float = 1.959964) -> tuple[pl.Expr, pl.Expr]:
    """Polars expressions for the Wilson interval (in percent) of columns ``k`` / ``n``; null
    where ``n`` is null or zero."""
    kk, nn = pl.col(k).cast(pl.Float64), pl.col(n).cast(pl.Float64)
    p = kk / nn
    denom = 1 + z * z / nn
    centre = (p + z * z / (2 * nn)) / denom
    half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).sqrt() / denom
    ok = nn.is_not_null() & (nn > 0)
    low = pl.when(ok).then(((centre - half).clip(0, 1)) * 100)
    high = pl.when(ok).then(((centre + half).clip(0, 1)) * 100)
    return low, high


def homogeneity(
    frame: pl.DataFrame, successes: str, totals: str, method: str, skip: Sequence[str] = ()
) -> pl.DataFrame:
    """``frame`` (pilot, school_year, ...) with method and p_value: a chi-square test of
    homogeneity of ``successes`` / ``totals`` over the pilots of each school year (leaving
    out the pilots in ``skip``)."""
    tests = []
    for (year,), part in frame.filter(~pl.col("pilot").is_in(list(skip))).group_by(
        "school_year", maintain_order=True
    ):
        chi2, df, p = chi2_homogeneity(
            [0 if k is None else int(k) for k in part[successes].to_list()],
            [0 if n is None else int(n) for n in part[totals].to_list()],
        )
        tests.append(
            {
                "school_year": year,
                "method": f"{method}, chi2 = {chi2:.2f}, df = {df}" if df else None,
                "p_value": p if df else None,
            }
        )
    test = pl.DataFrame(
        tests, schema={"school_year": pl.String, "method": pl.String, "p_value": pl.Float64}
    )
    return frame.join(test, on="school_year", how="left", nulls_equal=True)


def band_label(low: int, high: int) -> str:
    """``"20–40%"``."""
    return f"{low}–{high}%"


def band_expr(pct: str) -> pl.Expr:
    """The reach band label of a percentage column (100% falls in the top band)."""
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for low, high in reversed(BANDS):
        upper = pl.col(pct) <= high if high == BANDS[-1][1] else pl.col(pct) < high
        expr = (
            pl.when((pl.col(pct) >= low) & upper)
            .then(pl.lit(band_label(low, high)))
            .otherwise(expr)
        )
    return expr


def school_regions(source: Source) -> pl.DataFrame:
    """Every school of ``source`` (a store, a DuckDB connection or a mapping of frames, as
    the analyses take) with its holiday region: school_id, school_year, region,
    region_source (``"schools"`` when the schools table gives it, ``"municipality"`` when
    it comes from the school's municipality via :func:`region_of`, null when unknown)."""

    schools = query(
        source,
        "SELECT school_id, school_year, region, municipality FROM schools "
        "ORDER BY school_id, school_year",
    )
    names = schools["municipality"].drop_nulls().unique().to_list()
    regions = {name: region_of(name) for name in names}  # each municipality looked up once
    muni = pl.col("municipality").replace_strict(regions, default=None, return_dtype=pl.String)
    return schools.with_columns(muni.alias("_muni")).select(
        "school_id",
        "school_year",
        pl.coalesce("region", "_muni").alias("region"),
        pl.when(pl.col("region").is_not_null())
        .then(pl.lit("schools"))
        .when(pl.col("_muni").is_not_null())
        .then(pl.lit("municipality"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("region_source"),
    )
