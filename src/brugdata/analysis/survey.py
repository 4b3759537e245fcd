"""The questionnaire: the response rate (:func:`response`), the questionnaire overview of
every analysis with ``source="survey"`` (:func:`survey_results`) and the questionnaire
figures of :func:`~brugdata.analysis.compare.compare`.

The tables ``survey``, ``survey_time_use``, ``survey_partners``, ``survey_themes`` and
``survey_answers`` hold one answer set per respondent (officer) and school year. The analyses
read them with ``source="survey"`` (see :mod:`brugdata.analysis._questionnaire`), giving the
columns of their log variant plus ``source = "survey"``. Everything is the respondents' own
report: counts are their estimates, not distinct people in a log, and a pilot's totals are
sums over the officers who responded (16 of 21 in the Gooi en Vechtstreek questionnaire), not
over all officers. :func:`response` says how many responded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import duckdb
import polars as pl

from brugdata.analysis import _questionnaire as questionnaire
from brugdata.analysis._common import homogeneity, pilot_clause
from brugdata.analysis._contract import (
    Frames,
    check_selection,
    group_columns,
    has_survey,
    need,
)
from brugdata.sql import Source, connect, query

__all__ = ["response", "survey_results", "survey_rows"]

_HOMOGENEITY_SURVEY = (
    "chi-square test of homogeneity over the pilots' questionnaire answers "
    "(helped vs not helped, as the respondents report them)"
)


def response(
    data: Source,
    /,
    *,
    by: Literal["pilot"] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """How many officers answered the questionnaire, per pilot and school year.

    Columns: pilot, school_year, respondents (answer sets in ``survey``), officers (officers
    of the pilot in the officers table; null when it has none), linked (respondents whose
    officer_id is in the officers table: 0 when the questionnaire used its own pseudonyms),
    response_rate (respondents / officers; null without officers).
    """
    group_columns(by, ("pilot",), what="response")
    con = connect(data)
    check_selection(con, pilots, school_year)
    need(
        con,
        has_survey(con, pilots, school_year),
        what="response",
        data="questionnaire answers",
        pilots=pilots,
        school_year=school_year,
    )
    return _response(con, pilots, school_year)


def _response(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, school_year: str | None
) -> pl.DataFrame:
    """:func:`response` without the checks (empty without answers)."""
    where, params = pilot_clause("s.pilot", pilots)
    if school_year is not None:
        where += " AND s.school_year = ?"
        params.append(school_year)
    sql = f"""
    WITH o AS (SELECT pilot, count(*) AS officers FROM officers GROUP BY pilot)
    SELECT s.pilot, s.school_year, count(*) AS respondents,
           any_value(o.officers) AS officers,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM officers x WHERE x.officer_id = s.officer_id)) AS linked
    FROM survey s LEFT JOIN o ON o.pilot = s.pilot
    WHERE {where}
    GROUP BY s.pilot, s.school_year
    ORDER BY s.pilot, s.school_year
    """
    frame = query(con, sql, params)
    return frame.with_columns(
        pl.col("respondents", "officers", "linked").cast(pl.Int64),
    ).with_columns(
        response_rate=pl.when(pl.col("officers") > 0).then(
            pl.col("respondents") / pl.col("officers")
        )
    )


def survey_results(
    data: Source,
    /,
    *,
    by: Literal["pilot"] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> Frames:
    """Every questionnaire analysis as named frames (the command ``brugdata analyse survey``
    and reports), each the analysis with ``source="survey"``: response, reach (by pilot),
    reach_by_officer (by pilot and officer), bands (parents, by officer), bands_pupils,
    time_use (by pilot), contact_bands (``network().bands``), partner_kinds
    (``network().partner_kinds``), themes (by pilot), parents_of_pupil_cases (by pilot and
    officer: each respondent's estimate), answer_codes
    (:func:`~brugdata.analysis.answers.code_counts`) and untagged_answers."""
    from brugdata.analysis.answers import _code_counts, _untagged_answers
    from brugdata.analysis.network import network
    from brugdata.analysis.reach import parents_of_pupil_cases, reach, reach_bands
    from brugdata.analysis.themes import theme_shares
    from brugdata.analysis.time_use import time_use

    group_columns(by, ("pilot",), what="survey_results")
    con = connect(data)  # frames are loaded once
    answered = response(con, pilots=pilots, school_year=school_year)
    kw = {"pilots": pilots, "school_year": school_year, "source": "survey"}
    net = network(con, **kw)  # type: ignore[arg-type]
    return Frames(
        {
            "response": answered,
            "reach": reach(con, by="pilot", **kw),  # type: ignore[arg-type]
            "reach_by_officer": reach(con, by=["pilot", "officer"], **kw),  # type: ignore[arg-type]
            "bands": reach_bands(con, by="officer", counterpart="parent", **kw),  # type: ignore[arg-type]
            "bands_pupils": reach_bands(con, by="officer", counterpart="pupil", **kw),  # type: ignore[arg-type]
            "time_use": time_use(con, by="pilot", **kw),  # type: ignore[arg-type]
            "contact_bands": net.bands,
            "themes": theme_shares(con, by="pilot", **kw),  # type: ignore[arg-type]
            "partner_kinds": net.partner_kinds,
            "parents_of_pupil_cases": parents_of_pupil_cases(
                con,
                by=["pilot", "officer"],
                **kw,  # type: ignore[arg-type]
            ),
            "answer_codes": _code_counts(con, pilots, school_year),
            "untagged_answers": _untagged_answers(con, pilots, school_year),
        },
        title="Questionnaire",
        meta={"by": ["pilot"], "source": "survey"},
    )


def survey_rows(
    source: Source, pilots: Sequence[str] | None, school_year: str | None
) -> pl.DataFrame:
    """The questionnaire figures of :func:`~brugdata.analysis.compare.compare` of every
    pilot with survey rows (source "survey", no unit); the
    percentages tested across the questionnaire pilots of each school year only."""
    con = connect(source)
    answered = _response(con, pilots, school_year)
    if answered.is_empty():
        return pl.DataFrame()
    keys = ("pilot", "school_year")
    frames = [
        answered.select(
            *keys,
            pl.lit("respondents").alias("metric"),
            pl.col("respondents").cast(pl.Float64).alias("value"),
        ),
        answered.select(
            *keys,
            pl.lit("response_rate").alias("metric"),
            (pl.col("response_rate") * 100).alias("value"),
        ),
    ]
    r = questionnaire.reach(con, ["pilot"], pilots, school_year)
    for side, people, pop in (("parent", "parents", "families"), ("pupil", "pupils", "pupils")):
        part = homogeneity(
            r.filter(pl.col("counterpart") == side),
            "reached_with_population",
            "population",
            _HOMOGENEITY_SURVEY,
        )
        frames += [
            part.select(
                *keys,
                pl.lit(pop).alias("metric"),
                pl.col("population").cast(pl.Float64).alias("value"),
            ),
            part.select(
                *keys,
                pl.lit(f"{people}_reached").alias("metric"),
                pl.col("reached").cast(pl.Float64).alias("value"),
            ),
            part.select(
                *keys,
                pl.lit(f"{people}_reached_pct").alias("metric"),
                pl.col("pct").alias("value"),
                "ci_low",
                "ci_high",
                "method",
                "p_value",
            ),
        ]
    spoken = questionnaire.parents_of_pupil_cases(con, ["pilot"], pilots, school_year)
    frames.append(
        spoken.filter(pl.col("respondents") > 0).select(
            *keys,
            pl.lit("pupil_cases_parents_contacted_pct").alias("metric"),
            pl.col("pct").alias("value"),
        )
    )
    counts = questionnaire.officer_counts(con, pilots, school_year)
    means = counts.group_by(keys, maintain_order=True).agg(
        pl.col("internal").mean().cast(pl.Float64), pl.col("external").mean().cast(pl.Float64)
    )
    for side in ("internal", "external"):
        frames.append(
            means.select(
                *keys, pl.lit(f"{side}_per_officer").alias("metric"), pl.col(side).alias("value")
            )
        )
    tasks = questionnaire.time_use(con, ["pilot"], pilots, school_year)
    frames.append(
        tasks.sort("share_pct", descending=True)
        .group_by(keys, maintain_order=True)
        .first()
        .select(
            *keys,
            pl.lit("top_task").alias("metric"),
            pl.col("task").alias("label"),
            pl.col("share_pct").alias("value"),
        )
    )
    out = pl.concat([f for f in frames if f.height], how="diagonal_relaxed")
    return out.with_columns(source=pl.lit("survey"))
