"""Pilots side by side in one tidy table.

Each row is one figure of one pilot: how many schools and officers, hours, population,
parents and pupils reached (n, %, 95% interval), contacts per officer-hour, top themes and
partners per officer. Where pilots are compared on a proportion, the row says how: a
chi-square test of homogeneity over the pilots (``method`` and ``p_value``).

Pilots with a questionnaire (the ``survey`` tables) and no contact log get their survey
figures instead, with ``source = "survey"`` (with ``survey=True`` every pilot with a
questionnaire gets them, as extra rows): respondents, response rate, parents and pupils helped
(summed over the respondents) and as % of the population they give, parents spoken in pupil
cases, colleagues and partners per respondent, and the largest task. The ``source`` column
says where every figure comes from, so a questionnaire pilot can sit beside a logged one;
tests compare only figures of one source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import duckdb
import polars as pl

from brugdata.analysis._change import CHANGE_COLUMNS, previous_year, with_change
from brugdata.analysis._common import (
    counts_x,
    homogeneity,
    pilot_clause,
    themes_x,
)
from brugdata.analysis._contract import (
    AnalysisError,
    _years,
    check_selection,
    group_columns,
    holdings,
    selection_text,
)
from brugdata.analysis.reach import _log_reach, parents_of_pupil_cases
from brugdata.analysis.survey import survey_rows
from brugdata.sql import Source, connect, query
from brugdata.store.derived import one_reading

__all__ = ["METRICS", "SCHOOL_WEEKS", "compare", "top_themes_only"]

#: Weeks a school year is worked, for contacts per officer-hour: 52 weeks less about 12 weeks
#: of school holidays. An assumption until the school calendar gives each region's weeks.
SCHOOL_WEEKS = 40

#: metric → (Dutch label, English label, unit)
METRICS: dict[str, tuple[str, str, str]] = {
    "schools": ("Scholen", "Schools", "n"),
    "officers": ("Functionarissen", "Officers", "n"),
    "officers_by_role": ("Functionarissen per rol", "Officers by role", "n"),
    "respondents": ("Respondenten vragenlijst", "Questionnaire respondents", "n"),
    "response_rate": ("Respons vragenlijst (%)", "Questionnaire response (%)", "%"),
    "hours_per_week": ("Uren per week (totaal)", "Hours per week (total)", "h"),
    "pupils": ("Leerlingen op de scholen", "Pupils at the schools", "n"),
    "families": ("Gezinnen op de scholen", "Families at the schools", "n"),
    "parents_reached": ("Ouders (gezinnen) bereikt", "Parents (families) reached", "n"),
    "parents_reached_pct": (
        "Ouders bereikt (% van gezinnen)",
        "Parents reached (% of families)",
        "%",
    ),
    "pupils_reached": ("Leerlingen bereikt", "Pupils reached", "n"),
    "pupils_reached_pct": (
        "Leerlingen bereikt (% van leerlingen)",
        "Pupils reached (% of pupils)",
        "%",
    ),
    "parents_reached_per_weekly_hour": (
        "Gezinnen bereikt per uur per week",
        "Families reached per weekly hour",
        "n/h",
    ),
    "pupils_reached_per_weekly_hour": (
        "Leerlingen bereikt per uur per week",
        "Pupils reached per weekly hour",
        "n/h",
    ),
    "contacts": ("Contactmomenten", "Contacts", "n"),
    "contacts_per_officer_hour": (
        "Contacten per functionarisuur",
        "Contacts per officer-hour",
        "n/h",
    ),
    "pupil_cases_parents_contacted_pct": (
        "Leerlingcasussen met oudercontact (%)",
        "Pupil cases with parent contact (%)",
        "%",
    ),
    "top_theme": ("Meest gestelde vragen (% van contacten)", "Top themes (% of contacts)", "%"),
    "internal_per_officer": (
        "Interne contacten per functionaris (gemiddeld)",
        "Internal contacts per officer (mean)",
        "n",
    ),
    "external_per_officer": (
        "Externe partners per functionaris (gemiddeld)",
        "External partners per officer (mean)",
        "n",
    ),
    "top_task": ("Grootste taak (% van de werktijd)", "Largest task (% of working time)", "%"),
    "cases_no_referral_pct": (
        "Casussen zonder verwijzing (%)",
        "Cases handled without a referral (%)",
        "%",
    ),
    "cases_specialised_pct": (
        "Casussen met verwijzing naar specialistische zorg (%)",
        "Cases referred to specialised care (%)",
        "%",
    ),
    "median_days_to_referral": (
        "Dagen tot verwijzing (mediaan)",
        "Days to referral (median)",
        "d",
    ),
}

_COLUMNS = {
    "pilot": pl.String,
    "school_year": pl.String,
    "metric": pl.String,
    "label": pl.String,
    "value": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "unit": pl.String,
    "source": pl.String,
    "method": pl.String,
    "p_value": pl.Float64,
}

_HOMOGENEITY = "chi-square test of homogeneity over the pilots (reached vs not reached)"


@one_reading()
def compare(
    data: Source,
    /,
    *,
    by: Literal["pilot", "school_year"] = "pilot",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
    top_themes: int = 3,
    survey: bool | Literal["auto"] = "auto",
) -> pl.DataFrame:
    """Pilots side by side: one row per pilot, school year and figure (``by="pilot"``; figures
    are never summed over school years). ``by="school_year"`` gives the same rows, to read as
    a trend: each pilot per school year with the change to the year before.

    Columns: pilot, school_year, metric (a key of :data:`METRICS`), label (the role, theme or
    task a row is about, else null), value, ci_low, ci_high (95% Wilson interval for
    percentages), unit, source (where the figure comes from: "contacts", "schools",
    "officers", "assignments" or
    "survey"), method (how pilots were compared, if they were: over the pilots of the school
    year), p_value. The officers of a pilot (officers table, which has no school year) count
    in each school year the pilot has schools, assignments or questionnaire answers.

    Questionnaires (``survey``): with ``"auto"`` (the default) every pilot with questionnaire
    rows and no contacts gets its survey figures; with ``True`` every pilot with questionnaire
    rows gets them, as extra rows beside its logged figures (so a pilot and metric can have
    two rows: select or pivot on ``source`` too); with ``False`` none. Survey figures have
    source "survey" (see :mod:`brugdata.analysis.survey`): respondents and response_rate
    (respondents / officers in
    the officers table), families and pupils (population summed over the respondents who gave
    it), parents_reached and pupils_reached (helped, summed over the respondents: not over all
    officers), parents_reached_pct and pupils_reached_pct (helped / population over the
    respondents who gave both), pupil_cases_parents_contacted_pct (mean of the respondents'
    estimates), internal_per_officer and external_per_officer (mean colleagues and partners a
    respondent works with), top_task (the task with the largest mean share of time). A pilot
    with questionnaire rows and no contacts gets no contact-based figures unless ``survey`` is
    False (they would be zeros meaning "no log", not "nobody reached"); its school-based
    population stays.

    ``method`` and ``p_value`` compare pilots only on figures of one source: logged pilots
    with each other (contacts) and questionnaire pilots with each other (survey). A survey
    figure is never tested against a logged one: the respondents' own counts and distinct
    people in a log are not the same measurement.

    Change to the year before: previous_school_year (the school year directly before, when the
    store has the figure then; else null), previous_value, change (value − previous_value; for
    a % in percentage points), change_method and change_p_value (for a share of people or
    cases, parents_reached_pct, pupils_reached_pct, pupil_cases_parents_contacted_pct,
    cases_no_referral_pct and cases_specialised_pct: a chi-square test of homogeneity of the
    share over the two school years; null for other figures). With ``school_year`` given the
    year before is computed too, to give the change, but not returned.
    """
    group_columns(by, ("pilot", "school_year"), what="compare")
    if survey not in (True, False, "auto"):
        raise AnalysisError(f"survey must be True, False or 'auto', not {survey!r}")
    source = connect(data)  # frames are loaded once, not once per figure
    check_selection(source, pilots, school_year)
    if school_year is None:
        rows = _rows(source, pilots, None, top_themes, survey)
    else:
        # the school year and the one before it (for the change), each year alone: a year's
        # figures depend on that year only, and a pilot counts as logging when it logged in
        # any year, as without school_year, so the rows are those of compare() either way
        kinds = _pilot_kinds(source, pilots, None, survey)
        before = previous_year(school_year)
        years = [y for y in (before, school_year) if y is not None and y in _years(source)]
        rows = pl.concat(
            [_rows(source, pilots, y, top_themes, survey, kinds) for y in years or [school_year]],
            how="vertical_relaxed",
        )
    rows = with_change(rows)
    if school_year is not None:
        rows = rows.filter(pl.col("school_year") == school_year)
    columns: dict[str, Any] = {**_COLUMNS, **CHANGE_COLUMNS}
    return _ordered(rows.select([pl.col(n).cast(t) for n, t in columns.items()]))


def _ordered(rows: pl.DataFrame) -> pl.DataFrame:
    """Compare's rows in order: pilot, school year, figure (as in :data:`METRICS`), the log
    before the questionnaire, the largest value first, then by label."""
    order = {m: i for i, m in enumerate(METRICS)}
    return (
        rows.with_columns(
            _order=pl.col("metric").replace_strict(order, default=len(order)),
            _survey=pl.col("source") == "survey",
        )
        .sort(
            "pilot",
            "school_year",
            "_order",
            "_survey",
            pl.col("value"),
            "label",
            descending=[False, False, False, False, True, False],
            nulls_last=True,
        )
        .drop("_order", "_survey")
    )


def top_themes_only(frame: pl.DataFrame, top: int) -> pl.DataFrame:
    """A frame of :func:`compare` with its ``top_theme`` rows narrowed to the ``top`` themes
    of each pilot and school year (and source), as ``compare(..., top_themes=top)`` selects
    them: most mentions first (the largest share of the same contacts), then by theme."""
    themes = pl.col("metric") == "top_theme"
    kept = (
        frame.filter(themes)
        .sort("value", "label", descending=[True, False], nulls_last=True)
        .group_by("pilot", "school_year", "source", maintain_order=True)
        .head(top)
    )
    return _ordered(pl.concat([frame.filter(~themes), kept.select(frame.columns)]))


def _rows(
    source: duckdb.DuckDBPyConnection,
    pilots: Sequence[str] | None,
    school_year: str | None,
    top_themes: int,
    survey: bool | Literal["auto"],
    kinds: tuple[set[str], set[str]] | None = None,
) -> pl.DataFrame:
    """Compare's rows, with ``_k`` and ``_n`` (the counts of a share, else null); ``kinds``:
    the pilots that log contacts and those with only a questionnaire (default: as the
    selection has them, :func:`_pilot_kinds`)."""
    where, params = _where(pilots, school_year)
    logged, no_log = kinds or _pilot_kinds(source, pilots, school_year, survey)
    parts = [_structure(source, pilots, school_year)]
    if logged:
        parts += [
            _reach_rows(source, pilots, school_year, no_log),
            _contacts(source, where, params),
            _themes(source, where, params, top_themes),
            _partners(source, pilots, school_year),
            _pathway_rows(source, pilots, school_year),
        ]
    if survey is True:
        parts.append(survey_rows(source, pilots, school_year))
    elif survey == "auto" and no_log:
        parts.append(survey_rows(source, sorted(no_log), school_year))
    found = [p if "unit" in p.columns else p.with_columns(unit=_unit()) for p in parts if p.height]
    if not found:
        raise AnalysisError(
            f"compare needs schools, contacts or questionnaire answers, and the store has none "
            f"for {selection_text(pilots, school_year)}; {holdings(source)}"
        )
    rows = pl.concat(found, how="diagonal_relaxed")
    if no_log:
        rows = rows.filter(~((pl.col("source") == "contacts") & pl.col("pilot").is_in(no_log)))
    columns = {**_COLUMNS, "_k": pl.Int64, "_n": pl.Int64}
    rows = rows.with_columns(
        pl.lit(None, dtype=c).alias(n) for n, c in columns.items() if n not in rows.columns
    )
    return rows.select([pl.col(n).cast(t) for n, t in columns.items()])


def _where(
    pilots: Sequence[str] | None, school_year: str | None, prefix: str = ""
) -> tuple[str, list[object]]:
    """A condition on pilot (and school year, if given) of a table aliased ``prefix``."""
    where, params = pilot_clause(f"{prefix}pilot", pilots)
    if school_year is not None:
        where += f" AND {prefix}school_year = ?"
        params.append(school_year)
    return where, params


def _structure(
    source: Source, pilots: Sequence[str] | None, school_year: str | None
) -> pl.DataFrame:
    """Schools, officers (by role) and hours per pilot and school year."""
    where, params = _where(pilots, school_year)
    officers_where, officers_params = pilot_clause("o.pilot", pilots)
    sql = f"""
    WITH s AS (SELECT * FROM schools WHERE {where}),
    a AS (SELECT a.*, s.pilot FROM assignments a
          JOIN s ON s.school_id = a.school_id AND s.school_year = a.school_year),
    years AS (
        SELECT DISTINCT pilot, school_year FROM (
            SELECT pilot, school_year FROM s
            UNION ALL SELECT pilot, school_year FROM a
            UNION ALL SELECT pilot, school_year FROM survey WHERE {where})
    ),
    o AS (SELECT o.officer_id, o.pilot, o.role, y.school_year
          FROM officers o JOIN years y ON y.pilot = o.pilot WHERE {officers_where})
    SELECT pilot, school_year, 'schools' AS metric, NULL AS label,
           count(DISTINCT school_id) AS value, 'schools' AS source
    FROM s GROUP BY pilot, school_year
    UNION ALL
    SELECT pilot, school_year, 'officers', NULL, count(*), 'officers' FROM o
    GROUP BY pilot, school_year
    UNION ALL
    SELECT pilot, school_year, 'officers_by_role', role, count(*), 'officers' FROM o
    GROUP BY pilot, school_year, role
    UNION ALL
    SELECT pilot, school_year, 'hours_per_week', NULL, sum(hours_per_week), 'assignments'
    FROM a GROUP BY pilot, school_year
    """
    return query(source, sql, [*params, *params, *officers_params]).with_columns(
        pl.col("value").cast(pl.Float64), unit=_unit()
    )


def _reach_rows(
    source: Source,
    pilots: Sequence[str] | None,
    school_year: str | None,
    no_log: set[str] | None = None,
) -> pl.DataFrame:
    """Population and reach (n, %, interval, per weekly hour), with a test across the pilots
    of each school year (leaving out the pilots in ``no_log``: they have no contacts)."""
    r = _partial(_log_reach(connect(source), ["pilot"], pilots, school_year))
    skip = sorted(no_log or ())
    frames = []
    for side, people, pop in (("parent", "parents", "families"), ("pupil", "pupils", "pupils")):
        part = homogeneity(r.filter(pl.col("counterpart") == side), "_k", "_n", _HOMOGENEITY, skip)
        keys = ("pilot", "school_year")
        frames += [
            part.select(
                *keys,
                pl.lit(pop).alias("metric"),
                pl.col("_n").cast(pl.Float64).alias("value"),
                pl.lit("schools").alias("source"),
                "label",
            ),
            part.select(
                *keys,
                pl.lit(f"{people}_reached").alias("metric"),
                pl.col("reached").cast(pl.Float64).alias("value"),
                pl.lit("contacts").alias("source"),
            ),
            part.select(
                *keys,
                pl.lit(f"{people}_reached_pct").alias("metric"),
                pl.col("pct").alias("value"),
                "ci_low",
                "ci_high",
                pl.lit("contacts").alias("source"),
                "method",
                "p_value",
                "_k",
                "_n",
                "label",
            ),
            part.select(
                *keys,
                pl.lit(f"{people}_reached_per_weekly_hour").alias("metric"),
                pl.col("reached_per_weekly_hour").alias("value"),
                pl.lit("contacts").alias("source"),
            ),
        ]
    cases = parents_of_pupil_cases(
        source, by="pilot", source="log", pilots=pilots, school_year=school_year
    ).filter(~pl.col("pilot").is_in(skip))
    frames.append(
        homogeneity(cases, "parents_contacted", "linked", _HOMOGENEITY).select(
            "pilot",
            "school_year",
            pl.lit("pupil_cases_parents_contacted_pct").alias("metric"),
            pl.col("pct").alias("value"),
            pl.col("parents_contacted").cast(pl.Int64).alias("_k"),
            pl.col("linked").cast(pl.Int64).alias("_n"),
            "ci_low",
            "ci_high",
            pl.lit("contacts").alias("source"),
            "method",
            "p_value",
        )
    )
    out = pl.concat(frames, how="diagonal_relaxed")
    return out.with_columns(unit=_unit())


def _partial(r: pl.DataFrame) -> pl.DataFrame:
    """Reach (from :func:`~brugdata.analysis.reach._log_reach`, whose pct is over the schools
    whose count is known where some school's count is not) with ``label`` saying over how
    many of how many schools such a pct is."""
    partial = pl.col("population").is_null() & pl.col("pct").is_not_null()
    return r.with_columns(
        _partial=partial,
        label=pl.when(partial).then(
            pl.format("{} of {} schools (count known)", pl.col("schools_known"), pl.col("schools"))
        ),
    )


def _contacts(source: Source, where: str, params: list[object]) -> pl.DataFrame:
    """Contacts, and contacts per officer-hour (weekly hours × SCHOOL_WEEKS)."""
    hours_where = where.replace("pilot", "s.pilot").replace("school_year", "s.school_year")
    sql = f"""
    WITH cx AS (SELECT pilot, school_year, n FROM ({counts_x(connect(source))})
                WHERE {where}),
    hours AS (
        SELECT s.pilot, s.school_year, sum(a.hours_per_week) AS hours
        FROM assignments a JOIN schools s
          ON s.school_id = a.school_id AND s.school_year = a.school_year
        WHERE {hours_where}
        GROUP BY s.pilot, s.school_year
    )
    SELECT cx.pilot, cx.school_year, CAST(sum(cx.n) AS BIGINT) AS contacts,
           any_value(h.hours) AS hours
    FROM cx LEFT JOIN hours h ON h.pilot = cx.pilot AND h.school_year = cx.school_year
    GROUP BY cx.pilot, cx.school_year
    """
    frame = query(source, sql, [*params, *params])
    return pl.concat(
        [
            frame.select(
                "pilot",
                "school_year",
                pl.lit("contacts").alias("metric"),
                pl.col("contacts").cast(pl.Float64).alias("value"),
            ),
            frame.select(
                "pilot",
                "school_year",
                pl.lit("contacts_per_officer_hour").alias("metric"),
                (pl.col("contacts") / (pl.col("hours") * SCHOOL_WEEKS)).alias("value"),
            ),
        ]
    ).with_columns(source=pl.lit("contacts"), unit=_unit())


def _themes(source: Source, where: str, params: list[object], top: int) -> pl.DataFrame:
    """The ``top`` themes per pilot as a share (%) of its contacts."""
    con = connect(source)
    sql = f"""
    WITH n AS (SELECT pilot, school_year, sum(n) AS contacts FROM ({counts_x(con)})
               WHERE {where} GROUP BY pilot, school_year),
    t AS (SELECT pilot, school_year, theme, sum(n) AS mentions FROM ({themes_x(con)})
          WHERE ({where}) AND theme IS NOT NULL GROUP BY pilot, school_year, theme)
    SELECT t.pilot, t.school_year, t.theme AS label, 100.0 * t.mentions / n.contacts AS value,
           row_number() OVER (PARTITION BY t.pilot, t.school_year
                              ORDER BY t.mentions DESC, t.theme) AS rank
    FROM t JOIN n USING (pilot, school_year)
    QUALIFY rank <= ?
    """
    frame = query(con, sql, [*params, *params, top])
    return frame.select(
        "pilot",
        "school_year",
        pl.lit("top_theme").alias("metric"),
        "label",
        "value",
        pl.lit("contacts").alias("source"),
    ).with_columns(unit=_unit())


def _partners(
    source: Source, pilots: Sequence[str] | None, school_year: str | None
) -> pl.DataFrame:
    """Mean internal colleagues (distinct school × colleague role) and external partners per
    officer, from :func:`brugdata.analysis.network.network`."""
    from brugdata.analysis.network import link_counts

    per_pilot = (
        link_counts(source, pilots=pilots, school_year=school_year)
        .group_by("pilot", "school_year")
        .agg(mean_internal=pl.col("internal").mean(), mean_external=pl.col("external").mean())
        .sort("pilot", "school_year")
    )
    return pl.concat(
        [
            per_pilot.select(
                "pilot",
                "school_year",
                pl.lit(f"{side}_per_officer").alias("metric"),
                pl.col(f"mean_{side}").cast(pl.Float64).alias("value"),
            )
            for side in ("internal", "external")
        ]
    ).with_columns(source=pl.lit("contacts"), unit=_unit())


def _pathway_rows(
    source: Source, pilots: Sequence[str] | None, school_year: str | None
) -> pl.DataFrame:
    """Share of cases handled without a referral (with the pathways' test between pilots),
    share referred to specialised care, and the median days to a referral, from
    :func:`brugdata.analysis.pathways.pathways`."""
    from brugdata.analysis.pathways import pathway_outcomes

    out = pathway_outcomes(source, by="pilot", pilots=pilots, school_year=school_year)
    if out.is_empty():
        return pl.DataFrame()
    return pl.concat(
        [
            out.select(
                "pilot",
                "school_year",
                pl.lit("cases_no_referral_pct").alias("metric"),
                (pl.col("share_no_referral") * 100).alias("value"),
                (pl.col("ci_low") * 100).alias("ci_low"),
                (pl.col("ci_high") * 100).alias("ci_high"),
                "method",
                "p_value",
                pl.col("no_referral").alias("_k"),
                pl.col("cases").alias("_n"),
            ),
            out.select(
                "pilot",
                "school_year",
                pl.lit("cases_specialised_pct").alias("metric"),
                (pl.col("share_specialised") * 100).alias("value"),
                pl.col("specialised").alias("_k"),
                pl.col("cases").alias("_n"),
            ),
            out.select(
                "pilot",
                "school_year",
                pl.lit("median_days_to_referral").alias("metric"),
                pl.col("median_days_to_referral").cast(pl.Float64).alias("value"),
            ),
        ],
        how="diagonal_relaxed",
    ).with_columns(source=pl.lit("contacts"), unit=_unit())


def _survey_pilots(
    source: Source, pilots: Sequence[str] | None, school_year: str | None
) -> set[str]:
    """Pilots with questionnaire rows."""
    where, params = _where(pilots, school_year)
    frame = query(source, f"SELECT DISTINCT pilot FROM survey WHERE {where}", params)
    return set(frame["pilot"].to_list())


def _pilot_kinds(
    source: Source,
    pilots: Sequence[str] | None,
    school_year: str | None,
    survey: bool | Literal["auto"],
) -> tuple[set[str], set[str]]:
    """The pilots with contacts in the selection, and (when ``survey``) those with
    questionnaire rows and no contacts."""
    logged = _logged_pilots(source, *_where(pilots, school_year))
    no_log = _survey_pilots(source, pilots, school_year) - logged if survey else set()
    return logged, no_log


def _logged_pilots(source: Source, where: str, params: list[object]) -> set[str]:
    """Pilots with contacts."""
    sql = f"SELECT DISTINCT pilot FROM ({counts_x(connect(source))}) WHERE {where}"
    frame = query(source, sql, params)
    return {p for p in frame["pilot"].to_list() if p is not None}


def _unit() -> pl.Expr:
    units = {m: u for m, (_, _, u) in METRICS.items()}
    return pl.col("metric").replace_strict(units, default=None)
