"""Reach as a share of the school population.

Pupils reached are the distinct ``person_key`` of pupil contacts; parents reached are the
distinct families (``family_key``, else ``person_key``) of parent contacts. The population of a
group is the pupils or families of its schools, summed: for a school the school itself, for a
pilot or school type its schools in ``schools``, for an officer the schools of the officer's
``assignments`` that school year. A population with a school whose count is unknown (``families``
empty) is unknown as a whole (``population`` is null, ``note`` says why; it is never guessed);
``pct`` is then the share over the schools whose count is known, so a headline figure is never
unknown where part of it can be given.

DUO publishes pupil counts of 1 to 4 as ``<5``; :func:`brugdata.reference.fill_population`
keeps the bounds in the table ``population_bounds``. :func:`reach` reads them when the store
has that table, and gives the pupils' reach as a range as well (``pct_low``, ``pct_high``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import duckdb
import polars as pl

from brugdata.analysis import _questionnaire as questionnaire
from brugdata.analysis._common import (
    BANDS,
    band_expr,
    band_label,
    people_x,
    selection_clause,
    wilson_exprs,
)
from brugdata.analysis._contract import (
    AnalysisError,
    By,
    SourceKind,
    check_selection,
    cols,
    conform,
    group_columns,
    resolve_source,
)
from brugdata.analysis._mixed import per_pilot_source
from brugdata.analysis._shared import shared_by_year
from brugdata.sql import Source, connect, has_tables, query
from brugdata.store.population import BOUNDS_TABLE

__all__ = ["BY", "parents_of_pupil_cases", "reach", "reach_bands"]

Counterpart = Literal["parent", "pupil"]

#: The ``by`` keys of :func:`reach` and :func:`parents_of_pupil_cases` on the contact log.
BY: tuple[str, ...] = ("pilot", "school", "officer", "school_type", "municipality", "school_year")

#: The columns of :func:`reach`, after its key columns.
REACH_SCHEMA = pl.Schema(
    {
        "school_year": pl.String,
        "counterpart": pl.String,
        "reached": pl.Int64,
        "population": pl.Int64,
        "pct": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
        "schools": pl.Int64,
        "hours_per_week": pl.Float64,
        "reached_per_weekly_hour": pl.Float64,
        "note": pl.String,
        "pct_low": pl.Float64,
        "pct_high": pl.Float64,
        "population_bounded": pl.Boolean,
        "schools_known": pl.Int64,
        "reached_known": pl.Int64,
        "population_known": pl.Int64,
        "respondents": pl.Int64,
        "respondents_with_population": pl.Int64,
        "reached_with_population": pl.Int64,
        "source": pl.String,
    }
)


def _start(
    data: Source,
    what: str,
    by: Any,
    source: str,
    pilots: Sequence[str] | None,
    school_year: str | None,
    *,
    log_by: Sequence[str] = BY,
    survey_by: Sequence[str] = questionnaire.SURVEY_BY,
) -> tuple[duckdb.DuckDBPyConnection, list[str], str]:
    """Validate ``by`` against the keys of the source, the selection and the source; the
    connection, the key columns and ``"log"`` or ``"survey"``."""
    survey_what = f"{what} (source='survey')"
    if source == "survey":
        group_columns(by, survey_by, what=survey_what)
    keys = group_columns(by, log_by, what=what)
    con = connect(data)
    check_selection(con, pilots, school_year)
    kind = resolve_source(con, source, what=what, pilots=pilots, school_year=school_year)
    if kind == "survey":
        keys = group_columns(by, survey_by, what=survey_what)
    return con, keys, kind


@per_pilot_source
def reach(
    data: Source,
    /,
    *,
    by: By | Sequence[By] = "pilot",
    source: SourceKind = "auto",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """Parents and pupils reached, as a share of the school population, per group and school
    year.

    ``by``: pilot, school, officer, school_type, municipality, school_year (one or several;
    the questionnaire: pilot, officer, school_year). ``source``: ``"log"`` (contacts),
    ``"survey"`` (the respondents' own counts) or ``"auto"`` (the log when the store has
    logged contacts for the selection, else the questionnaire).

    Columns: the group columns (pilot, school_id, officer_id, school_type, municipality as
    asked), school_year, counterpart (parent | pupil), reached (distinct families or pupils
    contacted), population (families or pupils of the group's schools; null when the count of
    one of them is unknown), pct (reached / population × 100; where population is null, the
    share over the schools whose count is known: reached_known / population_known × 100, and
    note says over how many of how many schools; null only when no school's count is known),
    ci_low, ci_high (95% Wilson interval of pct), schools
    (schools in the group), hours_per_week (officer hours assigned to the group's schools,
    summed), reached_per_weekly_hour (reached / hours_per_week: reach per hour of officer time
    a week, to compare pilots with 6 h/week and full-time officers), note (why pct is missing,
    or that the pupils are bounded), pct_low, pct_high (reach against the upper and the lower
    bound of the population: reached / sum(pupils_high) × 100 and reached / sum(pupils_low) ×
    100 over the group's schools; null when pct is), population_bounded (true when a school of
    the group has pupils_low < pupils_high), schools_known (the group's schools whose count is
    known), reached_known (reached at those schools), population_known (their families or
    pupils), respondents, respondents_with_population,
    reached_with_population (questionnaire only, null for the log), source (log | survey).

    The bounds of a school come from ``population_bounds`` (DUO pupil counts with ``<5``
    cells, see :func:`brugdata.reference.fill_population`); a school without a bounds row, a
    store without that table and a mapping of frames use ``pupils`` for both bounds; a
    school whose ``pupils`` lie outside its bounds (edited after the load) widens them to
    include ``pupils``, so pct_low <= pct <= pct_high. DUO counts pupils only: for parents
    (families) pct_low = pct_high = pct and population_bounded is false.

    From the questionnaire (``source="survey"``), per officer a row is one respondent:
    reached is the number they say they helped, population the number they give for their
    school(s). Per pilot or school year reached sums the helped over the respondents,
    population sums the population over the respondents who gave both, and pct is
    reached_with_population / population × 100: a sum over the respondents, not over all
    officers (see :func:`brugdata.analysis.survey.response`). schools, hours, bounds: null.
    """
    con, keys, kind = _start(data, "reach", by, source, pilots, school_year)
    if kind == "survey":
        return conform(questionnaire.reach(con, keys, pilots, school_year), keys, REACH_SCHEMA)
    return conform(_log_reach(con, keys, pilots, school_year), keys, REACH_SCHEMA)


def _log_reach(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: Sequence[str] | None,
    school_year: str | None,
) -> pl.DataFrame:
    """Reach from the log per group of ``keys`` and school year, with ``_k`` and ``_n`` (the
    counts of pct); worked out once per report (:mod:`~brugdata.analysis._shared`)."""
    return shared_by_year("log_reach", _log_reach_of, con, keys, pilots, school_year)


def _log_reach_of(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: Sequence[str] | None,
    school_year: str | None,
) -> pl.DataFrame:
    where, params = selection_clause(pilots, school_year)
    member_keys = cols(keys, "m.")
    key_list = cols(keys)
    join_on = " AND ".join(f"r.{k} IS NOT DISTINCT FROM p.{k}" for k in [*keys, "school_year"])
    members = _membership_sql("officer_id" in keys, _has_bounds(con))
    pilot = bool(pilots) or bool({"pilot", "school_type", "municipality"} & set(keys))
    sql = f"""
    WITH cx AS ({people_x(con, pilot=pilot)}),
    people AS (
        -- each person (a parent's family, a pupil) once per group, known when contacted at
        -- a school whose count (families, pupils) is known: counting these rows gives the
        -- distinct people, several times faster in DuckDB than count(DISTINCT ...)
        SELECT {key_list}school_year, counterpart, person, bool_or(known) AS known
        FROM (
            SELECT cx.*,
                   CASE WHEN cx.counterpart = 'parent' THEN cx.family
                        ELSE cx.person_key END AS person,
                   CASE WHEN cx.counterpart = 'parent' THEN k.families IS NOT NULL
                        ELSE k.pupils IS NOT NULL END AS known
            FROM cx
            LEFT JOIN schools k ON k.school_id = cx.school_id AND k.school_year = cx.school_year
        )
        WHERE counterpart IN ('parent', 'pupil') AND {where}
        GROUP BY ALL
    ),
    reached AS (
        SELECT {key_list}school_year, counterpart,
               count(person) AS reached,
               count(person) FILTER (WHERE known) AS reached_known
        FROM people
        GROUP BY ALL
    ),
    members AS ({members}),
    population AS (
        SELECT {member_keys}m.school_year,
               count(DISTINCT m.school_id) AS schools,
               CAST(sum(m.pupils) AS BIGINT) AS pupils,
               CAST(sum(m.families) AS BIGINT) AS families,
               CAST(sum(m.pupils_low) AS BIGINT) AS pupils_low,
               CAST(sum(m.pupils_high) AS BIGINT) AS pupils_high,
               count(*) FILTER (WHERE m.pupils_low < m.pupils_high) AS bounded_schools,
               count(*) FILTER (WHERE m.pupils IS NULL) AS pupils_unknown,
               count(*) FILTER (WHERE m.families IS NULL) AS families_unknown
        FROM members m
        WHERE {where.replace("pilot", "m.pilot").replace("school_year", "m.school_year")}
        GROUP BY ALL
    ),
    hours AS (
        SELECT {member_keys}m.school_year, sum(a.hours_per_week) AS hours_per_week
        FROM members m
        JOIN assignments a ON a.school_id = m.school_id AND a.school_year = m.school_year
             {"AND a.officer_id = m.officer_id" if "officer_id" in keys else ""}
        GROUP BY ALL
    ),
    sides AS (SELECT unnest(['parent', 'pupil']) AS counterpart)
    SELECT {"".join(f"coalesce(r.{k}, p.{k}) AS {k}, " for k in keys)}
           coalesce(r.school_year, p.school_year) AS school_year,
           coalesce(r.counterpart, p.counterpart) AS counterpart,
           coalesce(r.reached, 0) AS reached,
           coalesce(r.reached_known, 0) AS reached_known,
           p.schools, p.pupils, p.families, p.pupils_unknown, p.families_unknown,
           p.pupils_low, p.pupils_high, p.bounded_schools, p.hours_per_week
    FROM reached r
    FULL OUTER JOIN (
        SELECT population.*, hours.hours_per_week, sides.counterpart
        FROM population
        LEFT JOIN hours USING ({key_list}school_year)
        CROSS JOIN sides
    ) p
      ON {join_on} AND r.counterpart = p.counterpart
    """
    frame = query(con, sql, [*params, *params])
    return _finish(frame, keys).with_columns(source=pl.lit("log"))


def _has_bounds(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection holds the table ``population_bounds`` (created by the first
    DUO load; a mapping of frames never has it)."""
    return has_tables(con, [BOUNDS_TABLE])


def _membership_sql(by_officer: bool, bounds: bool = False) -> str:
    """Which schools make up each group: the officer's assigned schools, or all schools;
    with each school's pupils_low and pupils_high (from ``population_bounds`` when
    ``bounds``, widened to include ``pupils``; else ``pupils``)."""
    school_cols = (
        "s.school_id, s.school_year, s.pilot, s.school_type, s.municipality, s.pupils, s.families"
    )
    if bounds:
        school_cols += """,
            least(coalesce(b.pupils_low, s.pupils), s.pupils) AS pupils_low,
            greatest(coalesce(b.pupils_high, s.pupils), s.pupils) AS pupils_high"""
        bounds_join = f"""
            LEFT JOIN (SELECT school_id, school_year, min(pupils_low) AS pupils_low,
                              max(pupils_high) AS pupils_high
                       FROM {BOUNDS_TABLE} GROUP BY ALL) b
              ON b.school_id = s.school_id AND b.school_year = s.school_year"""
    else:
        school_cols += ", s.pupils AS pupils_low, s.pupils AS pupils_high"
        bounds_join = ""
    if by_officer:
        return f"""SELECT a.officer_id, {school_cols}
                   FROM assignments a
                   JOIN schools s ON s.school_id = a.school_id AND s.school_year = a.school_year
                   {bounds_join}"""
    return f"SELECT {school_cols} FROM schools s {bounds_join}"


def _finish(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    parent = pl.col("counterpart") == "parent"
    population = pl.when(parent).then(pl.col("families")).otherwise(pl.col("pupils"))
    unknown = pl.when(parent).then(pl.col("families_unknown")).otherwise(pl.col("pupils_unknown"))
    what = pl.when(parent).then(pl.lit("families")).otherwise(pl.lit("pupils"))
    bounded = (~parent & (pl.col("bounded_schools") > 0)).fill_null(False)
    note = (
        pl.when(pl.col("schools").is_null())
        .then(pl.lit("no population: the group has no schools in the schools table"))
        .when(unknown > 0)
        .then(
            pl.format(
                "population unknown: {} not known at {} of {} schools",
                what,
                unknown,
                pl.col("schools"),
            )
        )
        .when(population == 0)
        .then(pl.format("population is 0 {}", what))
        .when(bounded)
        .then(
            pl.format(
                "pupils bounded: DUO gave counts of 1-4 as <5 at {} of {} schools; "
                "reach lies between pct_low and pct_high",
                pl.col("bounded_schools"),
                pl.col("schools"),
            )
        )
    )
    known = pl.when(unknown == 0).then(population)
    out = frame.with_columns(
        population=known.cast(pl.Int64),
        note=note,
        # over the schools whose count is known, for a headline figure over part of them
        population_known=population.cast(pl.Int64),
        schools_known=(pl.col("schools") - unknown).cast(pl.Int64),
        reached_known=pl.col("reached_known").cast(pl.Int64),
    )
    # pct's numerator and denominator: the whole group where every count is known, else
    # the schools whose count is known (never a guess for the others)
    partial = (
        pl.col("population").is_null()
        & (pl.col("schools_known") > 0)
        & (pl.col("population_known") > 0)
    )
    out = out.with_columns(
        _k=pl.when(partial).then(pl.col("reached_known")).otherwise(pl.col("reached")),
        _n=pl.when(partial).then(pl.col("population_known")).otherwise(pl.col("population")),
        note=pl.when(partial)
        .then(
            pl.format(
                "{}; pct over the {} of {} schools whose count is known",
                pl.col("note"),
                pl.col("schools_known"),
                pl.col("schools"),
            )
        )
        .otherwise(pl.col("note")),
    ).with_columns(
        pct=pl.when(pl.col("_n") > 0).then(pl.col("_k") / pl.col("_n") * 100),
    )
    low, high = wilson_exprs("_k", "_n")

    def against(bound: str) -> pl.Expr:
        """Reach against a bound of the pupils (pct itself for parents); the bounds sum
        over the schools whose count is known, as ``_n`` does."""
        return (
            pl.when(parent)
            .then(pl.col("pct"))
            .when(pl.col("pct").is_not_null() & (pl.col(bound) > 0))
            .then(pl.col("_k") / pl.col(bound) * 100)
        )

    return (
        out.with_columns(
            pct_low=against("pupils_high"),
            pct_high=against("pupils_low"),
            population_bounded=bounded,
        )
        .with_columns(
            ci_low=pl.when(pl.col("pct").is_not_null()).then(low),
            ci_high=pl.when(pl.col("pct").is_not_null()).then(high),
            schools=pl.col("schools").cast(pl.Int64),
            hours_per_week=pl.col("hours_per_week").cast(pl.Float64),
            reached=pl.col("reached").cast(pl.Int64),
        )
        .with_columns(
            reached_per_weekly_hour=pl.when(pl.col("hours_per_week") > 0).then(
                pl.col("reached") / pl.col("hours_per_week")
            ),
        )
        .select(
            *keys,
            "school_year",
            "counterpart",
            "reached",
            "population",
            "pct",
            "ci_low",
            "ci_high",
            "schools",
            "hours_per_week",
            "reached_per_weekly_hour",
            "note",
            "pct_low",
            "pct_high",
            "population_bounded",
            "reached_known",
            "population_known",
            "schools_known",
            "_k",
            "_n",
        )
        .sort([*keys, "school_year", "counterpart"], nulls_last=True)
    )


@per_pilot_source
def reach_bands(
    data: Source,
    /,
    *,
    by: Literal["school", "officer"] = "school",
    counterpart: Counterpart = "parent",
    source: SourceKind = "auto",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
    level: Literal["school", "officer"] | None = None,
) -> pl.DataFrame:
    """How many schools (``by="school"``) or officers (``by="officer"``) reach 0–20, 20–40,
    40–60, 60–80 and 80–100% of their parents (or pupils), per pilot and school year, as the
    Gooi en Vechtstreek evaluation shows it. From the questionnaire (``source="survey"``) the
    units are the respondents (``by="officer"`` only), each with the reach they report.

    Columns: pilot, school_year, band ("0–20%" ... "80–100%", or "unknown" where the
    population is unknown), low, high (band bounds in percent; null for unknown), units
    (schools or officers in the band), share (units / units of the pilot with a known reach;
    null for unknown), source (log | survey). Every band appears, with 0 where empty (the
    questionnaire always has the "unknown" row; the log where a unit has it).

    ``level=`` is the old name of ``by`` (deprecated; it goes in the next release).
    """
    if level is not None:
        warnings.warn(
            "reach_bands(level=...) is deprecated; use reach_bands(by=...)",
            DeprecationWarning,
            stacklevel=2,
        )
        by = level
    if counterpart not in questionnaire.SIDES:
        raise AnalysisError(f"counterpart must be 'parent' or 'pupil', not {counterpart!r}")
    units = ("school", "officer")
    con, keys, kind = _start(
        data, "reach_bands", by, source, pilots, school_year, log_by=units, survey_by=("officer",)
    )
    if kind == "survey":
        officers = questionnaire.reach(con, ["pilot", "officer_id"], pilots, school_year)
        bands = questionnaire.band_counts(
            officers.filter(pl.col("counterpart") == counterpart), "pct"
        )
        return bands.with_columns(source=pl.lit(questionnaire.SOURCE))
    frame = _log_reach(con, ["pilot", *keys], pilots, school_year).filter(
        pl.col("counterpart") == counterpart
    )
    labelled = frame.with_columns(band=band_expr("pct").fill_null("unknown"))
    counts = labelled.group_by("pilot", "school_year", "band").agg(units=pl.len())
    grid = frame.select("pilot", "school_year").unique().join(_band_frame(), how="cross")
    out = grid.join(counts, on=["pilot", "school_year", "band"], how="full", coalesce=True)
    known_total = (
        pl.col("units").filter(pl.col("band") != "unknown").sum().over("pilot", "school_year")
    )
    return (
        out.with_columns(units=pl.col("units").fill_null(0).cast(pl.Int64))
        .with_columns(
            share=pl.when((pl.col("band") != "unknown") & (known_total > 0)).then(
                pl.col("units") / known_total
            )
        )
        .join(_band_frame(), on="band", how="left", suffix="_b")
        .with_columns(
            low=pl.col("low").fill_null(pl.col("low_b")),
            high=pl.col("high").fill_null(pl.col("high_b")),
            source=pl.lit("log"),
        )
        .select("pilot", "school_year", "band", "low", "high", "units", "share", "source")
        .sort("pilot", "school_year", pl.col("low").fill_null(999))
    )


def _band_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "band": [band_label(lo, hi) for lo, hi in BANDS],
            "low": [lo for lo, _ in BANDS],
            "high": [hi for _, hi in BANDS],
        },
        schema={"band": pl.String, "low": pl.Int64, "high": pl.Int64},
    )


@per_pilot_source
def parents_of_pupil_cases(
    data: Source,
    /,
    *,
    by: By | Sequence[By] = "pilot",
    source: SourceKind = "auto",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """In how many pupil cases the parents were contacted too.

    A pupil case is a distinct pupil (``person_key``) with a pupil contact in the group and
    school year; its parents count as contacted when there is a parent contact with the
    pupil's ``family_key`` in the same group and school year. Pupil contacts without a
    family_key cannot be linked and are counted apart. From the questionnaire each respondent
    estimates the share of their pupil cases in which they also spoke the parents
    (``pct_pupil_cases_parents_spoken``) and pct is the mean of those estimates.

    ``by`` as :func:`reach`. Columns: the group columns, school_year, pupil_cases, linked
    (cases with a family_key), parents_contacted, pct (parents_contacted / linked × 100; the
    questionnaire: the mean estimate), ci_low, ci_high (95% Wilson; null for the
    questionnaire), respondents (questionnaire: respondents who answered; null for the log),
    source (log | survey).
    """
    con, keys, kind = _start(data, "parents_of_pupil_cases", by, source, pilots, school_year)
    schema = pl.Schema(
        {
            "school_year": pl.String,
            "pupil_cases": pl.Int64,
            "linked": pl.Int64,
            "parents_contacted": pl.Int64,
            "pct": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
            "respondents": pl.Int64,
            "source": pl.String,
        }
    )
    if kind == "survey":
        frame = questionnaire.parents_of_pupil_cases(con, keys, pilots, school_year)
        return conform(frame, keys, schema)
    frame = shared_by_year("parents_of_pupil_cases", _log_parents, con, keys, pilots, school_year)
    return conform(frame, keys, schema)


def _log_parents(
    con: duckdb.DuckDBPyConnection,
    keys: list[str],
    pilots: Sequence[str] | None,
    school_year: str | None,
) -> pl.DataFrame:
    """:func:`parents_of_pupil_cases` from the log, before its columns are put in order."""
    where, params = selection_clause(pilots, school_year)
    key_list = cols(keys)
    match = " AND ".join(f"p.{k} IS NOT DISTINCT FROM u.{k}" for k in [*keys, "school_year"])
    pilot = bool(pilots) or bool({"pilot", "school_type", "municipality"} & set(keys))
    sql = f"""
    WITH cx AS (SELECT * FROM ({people_x(con, pilot=pilot)}) WHERE {where}),
    pupils AS (
        SELECT {key_list}school_year, person_key, any_value(family_key) AS family_key
        FROM cx WHERE counterpart = 'pupil'
        GROUP BY ALL
    ),
    parents AS (
        SELECT DISTINCT {key_list}school_year, family FROM cx WHERE counterpart = 'parent'
    )
    SELECT {cols(keys, "u.")}u.school_year,
           count(*) AS pupil_cases,
           count(u.family_key) AS linked,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM parents p WHERE {match} AND p.family = u.family_key
           )) AS parents_contacted
    FROM pupils u
    GROUP BY ALL
    ORDER BY ALL
    """
    frame = query(con, sql, params)
    low, high = wilson_exprs("parents_contacted", "linked")
    return frame.with_columns(
        pl.col("pupil_cases", "linked", "parents_contacted").cast(pl.Int64),
        pct=pl.when(pl.col("linked") > 0).then(
            pl.col("parents_contacted") / pl.col("linked") * 100
        ),
        ci_low=low,
        ci_high=high,
        source=pl.lit("log"),
    )
