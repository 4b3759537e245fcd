"""The rows of :func:`brugdata.analysis.indicators.indicators`, each taken from the analysis
that gives the figure: columns key columns, school_year, indicator, numerator, denominator,
(value for a median), source, note."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import duckdb
import polars as pl

from brugdata.analysis._cases import cases_ctes, cases_params
from brugdata.analysis._common import counts_x, grouped_contacts_x, selection_clause
from brugdata.analysis._contract import By, cols
from brugdata.analysis._focus import OTHER, FocusAreas
from brugdata.sql import query

__all__ = ["log_parts", "partners_part", "response_part", "school_units"]

#: Key column → the ``by`` name of the analyses.
_BY_NAME = {"pilot": "pilot", "school_id": "school", "municipality": "municipality",
            "school_type": "school_type"}  # fmt: skip


def _by(keys: list[str]) -> list[By]:
    """The ``by`` of the analyses for the key columns ``keys``."""
    return [cast("By", _BY_NAME[k]) for k in keys] or ["school_year"]


def _rows(
    frame: pl.DataFrame,
    keys: list[str],
    indicator: str | pl.Expr,
    numerator: pl.Expr,
    denominator: pl.Expr,
    *,
    value: pl.Expr | None = None,
    note: pl.Expr | None = None,
    source: str = "log",
) -> pl.DataFrame:
    """One indicator's rows of ``frame``."""
    return frame.select(
        *keys,
        "school_year",
        (pl.lit(indicator) if isinstance(indicator, str) else indicator).alias("indicator"),
        numerator.cast(pl.Int64).alias("numerator"),
        denominator.cast(pl.Float64).alias("denominator"),
        (value if value is not None else pl.lit(None)).cast(pl.Float64).alias("value"),
        pl.lit(source).alias("source"),
        (note if note is not None else pl.lit(None)).cast(pl.String).alias("note"),
    )


def log_parts(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: list[str],
    school_year: str | None,
    *,
    focus: FocusAreas,
) -> list[pl.DataFrame]:
    """The log's indicators of ``pilots`` (those with logged contacts), per group of ``keys``
    and school year."""
    from brugdata.analysis.compare import SCHOOL_WEEKS, _partial
    from brugdata.analysis.reach import _log_reach, parents_of_pupil_cases

    # reach over the schools whose count is known, as the key figures show it (compare)
    reach = _partial(_log_reach(con, keys, pilots, school_year))
    parent = reach.filter(pl.col("counterpart") == "parent")
    pupil = reach.filter(pl.col("counterpart") == "pupil")
    note = (
        pl.when(pl.col("label").is_not_null())
        .then(pl.format("over {}", pl.col("label")))
        .otherwise(pl.col("note"))
    )
    officer_hours = pl.col("hours_per_week") * SCHOOL_WEEKS
    out = [
        _rows(parent, keys, "families_reached_share", pl.col("_k"), pl.col("_n"), note=note),
        _rows(pupil, keys, "pupils_reached_share", pl.col("_k"), pl.col("_n"), note=note),
    ]
    hours = parent.select(*keys, "school_year", "hours_per_week")
    out.append(_contacts(con, keys, pilots, school_year, hours, SCHOOL_WEEKS))
    out.append(
        _rows(parent, keys, "families_reached_per_officer_hour", pl.col("reached"), officer_hours)
    )
    linked = parents_of_pupil_cases(
        con, by=_by(keys), source="log", pilots=pilots, school_year=school_year
    )
    out.append(
        _rows(
            linked,
            keys,
            "pupil_cases_parent_contact_share",
            pl.col("parents_contacted"),
            pl.col("linked"),
        )
    )
    out += _cases(con, keys, pilots, school_year)
    out.append(_focus(con, keys, pilots, school_year, focus))
    return out


def _contacts(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: list[str],
    school_year: str | None,
    hours: pl.DataFrame,
    weeks: int,
) -> pl.DataFrame:
    """Contacts per officer-hour: contacts / (weekly hours of the group's schools × weeks), as
    compare works it out."""
    where, params = selection_clause(pilots, school_year)
    sql = f"""SELECT {cols(keys)}school_year, CAST(sum(n) AS BIGINT) AS contacts
              FROM ({counts_x(con)}) WHERE {where} GROUP BY ALL"""
    counted = query(con, sql, params).cast({k: pl.String for k in keys})
    on = [*keys, "school_year"]
    joined = counted.join(hours, on=on, how="full", coalesce=True, nulls_equal=True)
    return _rows(
        joined,
        keys,
        "contacts_per_officer_hour",
        pl.col("contacts").fill_null(0),
        pl.col("hours_per_week") * weeks,
    )


def _cases(
    con: duckdb.DuckDBPyConnection, keys: list[str], pilots: list[str], school_year: str | None
) -> list[pl.DataFrame]:
    """Cases handled without a referral, and the median days to a referral over the referred
    cases, over the cases of :func:`brugdata.analysis.pathways.cases`."""
    where, params = selection_clause(pilots, school_year)
    sql = f"""
    WITH {cases_ctes(con, where, school_year)},
    schools_x AS (SELECT DISTINCT school_id, school_year, school_type, municipality FROM schools)
    SELECT {cols(keys, "c.")}c.school_year, count(*) AS cases,
           count(*) FILTER (c.referral_class = 'none') AS no_referral,
           median(c.days_to_referral) AS median
    FROM (SELECT * FROM cases LEFT JOIN schools_x USING (school_id, school_year)) c
    GROUP BY ALL
    """
    grouped = query(con, sql, cases_params(params)).cast({k: pl.String for k in keys})
    referred = pl.col("cases") - pl.col("no_referral")
    return [
        _rows(grouped, keys, "cases_no_referral_share", pl.col("no_referral"), pl.col("cases")),
        _rows(
            grouped,
            keys,
            "median_days_to_referral",
            pl.lit(None),
            referred,
            value=pl.col("median"),
        ),
    ]


def _focus(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: list[str],
    school_year: str | None,
    focus: FocusAreas,
) -> pl.DataFrame:
    """Per focus area the contacts with a theme of the area (a contact counts once per area,
    whatever the number of its themes there) over all contacts of the group."""
    where, params = selection_clause(pilots, school_year)
    k = cols(keys)
    sql = f"""
    WITH x AS (
        -- the n contacts of a group with the same themes
        SELECT {k}school_year, themes, n FROM ({grouped_contacts_x(["themes"], school_year)})
        WHERE {where}
    ),
    areas AS (
        -- each contact's distinct areas, from its themes through the mapping
        SELECT {k}school_year, n,
               unnest(list_distinct(list_transform(
                   themes, lambda t: coalesce(map_extract_value(m, t), '{OTHER}')
               ))) AS area
        FROM x, (SELECT map(?::VARCHAR[], ?::VARCHAR[]) AS m)
    ),
    totals AS (SELECT {k}school_year, CAST(sum(n) AS BIGINT) AS contacts FROM x GROUP BY ALL),
    counted AS (SELECT {k}school_year, area, CAST(sum(n) AS BIGINT) AS n FROM areas GROUP BY ALL)
    SELECT {cols(keys, "g.")}g.school_year, g.area, CAST(coalesce(c.n, 0) AS BIGINT) AS n,
           g.contacts
    FROM (SELECT * FROM totals CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS area)) g
    LEFT JOIN counted c ON {" AND ".join(f"c.{c} IS NOT DISTINCT FROM g.{c}" for c in keys)}
         {"AND" if keys else ""} c.school_year = g.school_year AND c.area = g.area
    """
    mapping = focus.themes
    frame = query(
        con, sql, [*params, list(mapping), list(mapping.values()), list(focus.areas)]
    ).cast({k: pl.String for k in keys})
    code = pl.format("contacts_focus_{}", pl.col("area"))
    return _rows(frame, keys, code, pl.col("n"), pl.col("contacts"))


def partners_part(
    con: duckdb.DuckDBPyConnection, keys: list[str], pilots: list[str], school_year: str | None
) -> pl.DataFrame:
    """External partners per officer: the officers' distinct partners, summed, over the
    officers (:func:`brugdata.analysis.network.link_counts`)."""
    from brugdata.analysis.network import link_counts

    counts = link_counts(con, pilots=pilots, school_year=school_year)
    grouped = counts.group_by([*keys, "school_year"]).agg(
        external=pl.col("external").sum(), officers=pl.len()
    )
    return _rows(
        grouped, keys, "external_partners_per_officer", pl.col("external"), pl.col("officers")
    )


def response_part(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: Sequence[str] | None,
    school_year: str | None,
) -> pl.DataFrame:
    """The questionnaire's response: answer sets over the officers of the pilot
    (:func:`brugdata.analysis.survey.response`)."""
    from brugdata.analysis.survey import _response

    found = _response(con, pilots, school_year)
    grouped = found.group_by([*keys, "school_year"]).agg(
        respondents=pl.col("respondents").sum(),
        # null when no pilot of the group has officers (response then has no rate either)
        officers=pl.when(pl.col("officers").is_not_null().any()).then(pl.col("officers").sum()),
    )
    return _rows(
        grouped,
        keys,
        "response_rate",
        pl.col("respondents"),
        pl.col("officers"),
        source="questionnaire",
    )


def school_units(con: duckdb.DuckDBPyConnection, keys: list[str]) -> pl.DataFrame:
    """Per group of schools and school year the subsidy's unit: BRIN4 for vo schools, BRIN6
    for po, gbo, so and vso, ``BRIN6+BRIN4`` for a group with both (column school_unit)."""
    k = cols(keys)
    sql = f"""
    SELECT {k}school_year,
           CASE WHEN bool_or(school_type = 'vo') AND bool_or(school_type <> 'vo')
                THEN 'BRIN6+BRIN4'
                WHEN bool_or(school_type = 'vo') THEN 'BRIN4'
                WHEN bool_or(school_type <> 'vo') THEN 'BRIN6' END AS school_unit
    FROM schools GROUP BY ALL
    """
    frame = query(con, sql)
    schema = {**{c: pl.String for c in keys}, "school_year": pl.String, "school_unit": pl.String}
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    return frame.select(*keys, "school_year", "school_unit").cast(schema)  # type: ignore[arg-type]
