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

import polars as pl

from brugdata.analysis._common import counts_x, pilot_clause, themes_x
from brugdata.analysis._stats import chi2_homogeneity
from brugdata.analysis.reach import parents_of_pupil_cases, reach
from brugdata.sql import Source, connect, query

__all__ = ["METRICS", "SCHOOL_WEEKS", "compare"]

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
_HOMOGENEITY_SURVEY = (
    "chi-square test of homogeneity over the pilots' questionnaire answers "
    "(helped vs not helped, as the respondents report them)"
)


def compare(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
    top_themes: int = 3,
    survey: bool | Literal["auto"] = "auto",
) -> pl.DataFrame:
    """Pilots side by side: one row per pilot and figure.

    Columns: pilot, metric (a key of :data:`METRICS`), label (the role, theme or task a row is
    about, else null), value, ci_low, ci_high (95% Wilson interval for percentages), unit,
    source (where the figure comes from: "contacts", "schools", "officers", "assignments" or
    "survey"), method (how pilots were compared, if they were), p_value.

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
    """
    source = connect(source)  # frames are loaded once, not once per figure
    where, params = _where(pilots, school_year)
    if survey not in (True, False, "auto"):
        raise ValueError(f"survey must be True, False or 'auto', not {survey!r}")
    no_log: set[str] = set()
    if survey:
        no_log = _survey_pilots(source, pilots, school_year) - _logged_pilots(source, where, params)
    parts = [
        _structure(source, pilots, school_year),
        _reach_rows(source, pilots, school_year, no_log),
        _contacts(source, where, params),
        _themes(source, where, params, top_themes),
        _partners(source, pilots, school_year),
        _pathway_rows(source, pilots, school_year),
    ]
    if survey is True:
        parts.append(_survey_rows(source, pilots, school_year))
    elif survey == "auto" and no_log:
        parts.append(_survey_rows(source, sorted(no_log), school_year))
    rows = pl.concat([p for p in parts if p.height], how="diagonal_relaxed")
    if no_log:
        rows = rows.filter(~((pl.col("source") == "contacts") & pl.col("pilot").is_in(no_log)))
    rows = rows.with_columns(
        pl.lit(None, dtype=c).alias(n) for n, c in _COLUMNS.items() if n not in rows.columns
    )
    order = {m: i for i, m in enumerate(METRICS)}
    return (
        rows.select([pl.col(n).cast(t) for n, t in _COLUMNS.items()])
        .with_columns(
            _order=pl.col("metric").replace_strict(order, default=len(order)),
            _survey=pl.col("source") == "survey",
        )
        .sort(
            "pilot",
            "_order",
            "_survey",
            pl.col("value"),
            descending=[False, False, False, True],
            nulls_last=True,
        )
        .drop("_order", "_survey")
    )


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
    """Schools, officers (by role) and hours per pilot."""
    where, params = _where(pilots, school_year)
    officers_where, officers_params = pilot_clause("pilot", pilots)
    sql = f"""
    WITH s AS (SELECT * FROM schools WHERE {where}),
    o AS (SELECT officer_id, pilot, role FROM officers WHERE {officers_where}),
    a AS (SELECT a.*, s.pilot FROM assignments a
          JOIN s ON s.school_id = a.school_id AND s.school_year = a.school_year)
    SELECT pilot, 'schools' AS metric, NULL AS label, count(DISTINCT school_id) AS value,
           'schools' AS source FROM s GROUP BY pilot
    UNION ALL
    SELECT pilot, 'officers', NULL, count(*), 'officers' FROM o GROUP BY pilot
    UNION ALL
    SELECT pilot, 'officers_by_role', role, count(*), 'officers' FROM o GROUP BY pilot, role
    UNION ALL
    SELECT pilot, 'hours_per_week', NULL, sum(hours_per_week), 'assignments' FROM a
    GROUP BY pilot
    """
    return query(source, sql, [*params, *officers_params]).with_columns(
        pl.col("value").cast(pl.Float64), unit=_unit()
    )


def _reach_rows(
    source: Source,
    pilots: Sequence[str] | None,
    school_year: str | None,
    no_log: set[str] | None = None,
) -> pl.DataFrame:
    """Population and reach (n, %, interval, per weekly hour), with a test across pilots
    (leaving out the pilots in ``no_log``: they have no contacts to count)."""
    r = reach(source, by="pilot", pilots=pilots, school_year=school_year)
    skip = sorted(no_log or ())
    frames = []
    for side, people, pop in (("parent", "parents", "families"), ("pupil", "pupils", "pupils")):
        part = r.filter(pl.col("counterpart") == side)
        tested = part.filter(~pl.col("pilot").is_in(skip))
        chi2, df, p = chi2_homogeneity(
            tested["reached"].to_list(),
            [0 if n is None else int(n) for n in tested["population"].to_list()],
        )
        method = _HOMOGENEITY + f", chi2 = {chi2:.2f}, df = {df}" if df else None
        base = part.select("pilot", pl.lit("contacts").alias("source"))
        frames += [
            part.select(
                "pilot",
                pl.lit(pop).alias("metric"),
                pl.col("population").cast(pl.Float64).alias("value"),
                pl.lit("schools").alias("source"),
            ),
            base.with_columns(
                metric=pl.lit(f"{people}_reached"), value=part["reached"].cast(pl.Float64)
            ),
            part.select(
                "pilot",
                pl.lit(f"{people}_reached_pct").alias("metric"),
                pl.col("pct").alias("value"),
                "ci_low",
                "ci_high",
                pl.lit("contacts").alias("source"),
                pl.lit(method, dtype=pl.String).alias("method"),
                pl.lit(p if df else None, dtype=pl.Float64).alias("p_value"),
            ),
            part.select(
                "pilot",
                pl.lit(f"{people}_reached_per_weekly_hour").alias("metric"),
                pl.col("reached_per_weekly_hour").alias("value"),
                pl.lit("contacts").alias("source"),
            ),
        ]
    cases = parents_of_pupil_cases(source, by="pilot", pilots=pilots, school_year=school_year)
    cases = cases.filter(~pl.col("pilot").is_in(skip))
    chi2, df, p = chi2_homogeneity(cases["parents_contacted"].to_list(), cases["linked"].to_list())
    frames.append(
        cases.select(
            "pilot",
            pl.lit("pupil_cases_parents_contacted_pct").alias("metric"),
            pl.col("pct").alias("value"),
            "ci_low",
            "ci_high",
            pl.lit("contacts").alias("source"),
            pl.lit(
                _HOMOGENEITY + f", chi2 = {chi2:.2f}, df = {df}" if df else None, dtype=pl.String
            ).alias("method"),
            pl.lit(p if df else None, dtype=pl.Float64).alias("p_value"),
        )
    )
    out = pl.concat(frames, how="diagonal_relaxed")
    return out.with_columns(unit=_unit())


def _contacts(source: Source, where: str, params: list[object]) -> pl.DataFrame:
    """Contacts, and contacts per officer-hour (weekly hours × SCHOOL_WEEKS)."""
    hours_where = where.replace("pilot", "s.pilot").replace("school_year", "s.school_year")
    sql = f"""
    WITH cx AS (SELECT pilot, n FROM ({counts_x(connect(source))}) WHERE {where}),
    hours AS (
        SELECT s.pilot, sum(a.hours_per_week) AS hours
        FROM assignments a JOIN schools s
          ON s.school_id = a.school_id AND s.school_year = a.school_year
        WHERE {hours_where}
        GROUP BY s.pilot
    )
    SELECT cx.pilot, CAST(sum(cx.n) AS BIGINT) AS contacts, any_value(h.hours) AS hours
    FROM cx LEFT JOIN hours h ON h.pilot = cx.pilot
    GROUP BY cx.pilot
    """
    frame = query(source, sql, [*params, *params])
    return pl.concat(
        [
            frame.select(
                "pilot",
                pl.lit("contacts").alias("metric"),
                pl.col("contacts").cast(pl.Float64).alias("value"),
            ),
            frame.select(
                "pilot",
                pl.lit("contacts_per_officer_hour").alias("metric"),
                (pl.col("contacts") / (pl.col("hours") * SCHOOL_WEEKS)).alias("value"),
            ),
        ]
    ).with_columns(source=pl.lit("contacts"), unit=_unit())


def _themes(source: Source, where: str, params: list[object], top: int) -> pl.DataFrame:
    """The ``top`` themes per pilot as a share (%) of its contacts."""
    con = connect(source)
    sql = f"""
    WITH n AS (SELECT pilot, sum(n) AS contacts FROM ({counts_x(con)}) WHERE {where}
               GROUP BY pilot),
    t AS (SELECT pilot, theme, sum(n) AS mentions FROM ({themes_x(con)})
          WHERE ({where}) AND theme IS NOT NULL GROUP BY pilot, theme)
    SELECT t.pilot, t.theme AS label, 100.0 * t.mentions / n.contacts AS value,
           row_number() OVER (PARTITION BY t.pilot ORDER BY t.mentions DESC, t.theme) AS rank
    FROM t JOIN n USING (pilot)
    QUALIFY rank <= ?
    """
    frame = query(con, sql, [*params, *params, top])
    return frame.select(
        "pilot",
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
        .group_by("pilot")
        .agg(mean_internal=pl.col("internal").mean(), mean_external=pl.col("external").mean())
        .sort("pilot")
    )
    return pl.concat(
        [
            per_pilot.select(
                "pilot",
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
                pl.lit("cases_no_referral_pct").alias("metric"),
                (pl.col("share_no_referral") * 100).alias("value"),
                (pl.col("ci_low") * 100).alias("ci_low"),
                (pl.col("ci_high") * 100).alias("ci_high"),
                "method",
                "p_value",
            ),
            out.select(
                "pilot",
                pl.lit("cases_specialised_pct").alias("metric"),
                (pl.col("share_specialised") * 100).alias("value"),
            ),
            out.select(
                "pilot",
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


def _logged_pilots(source: Source, where: str, params: list[object]) -> set[str]:
    """Pilots with contacts."""
    sql = f"SELECT DISTINCT pilot FROM ({counts_x(connect(source))}) WHERE {where}"
    frame = query(source, sql, params)
    return {p for p in frame["pilot"].to_list() if p is not None}


def _survey_rows(
    source: Source, pilots: Sequence[str] | None, school_year: str | None
) -> pl.DataFrame:
    """The questionnaire figures of every pilot with survey rows (source "survey"); the
    percentages tested across the questionnaire pilots only."""
    from brugdata.analysis.survey import (
        response,
        survey_contact_bands,
        survey_parents_of_pupil_cases,
        survey_reach,
        survey_time_use,
    )

    kw: dict[str, Any] = {"pilots": pilots, "school_year": school_year}
    answered = response(source, **kw)
    if answered.is_empty():
        return pl.DataFrame()
    frames = [
        answered.select(
            "pilot",
            pl.lit("respondents").alias("metric"),
            pl.col("respondents").cast(pl.Float64).alias("value"),
        ),
        answered.select(
            "pilot",
            pl.lit("response_rate").alias("metric"),
            (pl.col("response_rate") * 100).alias("value"),
        ),
    ]
    r = survey_reach(source, by="pilot", **kw)
    for side, people, pop in (("parent", "parents", "families"), ("pupil", "pupils", "pupils")):
        part = r.filter(pl.col("counterpart") == side)
        chi2, df, p = chi2_homogeneity(
            [0 if k is None else int(k) for k in part["reached_with_population"].to_list()],
            [0 if n is None else int(n) for n in part["population"].to_list()],
        )
        method = _HOMOGENEITY_SURVEY + f", chi2 = {chi2:.2f}, df = {df}" if df else None
        frames += [
            part.select(
                "pilot",
                pl.lit(pop).alias("metric"),
                pl.col("population").cast(pl.Float64).alias("value"),
            ),
            part.select(
                "pilot",
                pl.lit(f"{people}_reached").alias("metric"),
                pl.col("reached").cast(pl.Float64).alias("value"),
            ),
            part.select(
                "pilot",
                pl.lit(f"{people}_reached_pct").alias("metric"),
                pl.col("pct").alias("value"),
                "ci_low",
                "ci_high",
                pl.lit(method, dtype=pl.String).alias("method"),
                pl.lit(p if df else None, dtype=pl.Float64).alias("p_value"),
            ),
        ]
    spoken = survey_parents_of_pupil_cases(source, **kw)
    frames.append(
        spoken.filter(pl.col("respondents") > 0)
        .select("pilot", "mean_pct")
        .unique(maintain_order=True)
        .select(
            "pilot",
            pl.lit("pupil_cases_parents_contacted_pct").alias("metric"),
            pl.col("mean_pct").alias("value"),
        )
    )
    bands = survey_contact_bands(source, **kw)
    frames.append(
        bands.select("pilot", "side", "mean")
        .unique(maintain_order=True)
        .select(
            "pilot",
            pl.format("{}_per_officer", "side").alias("metric"),
            pl.col("mean").alias("value"),
        )
    )
    tasks = survey_time_use(source, by="pilot", **kw)
    frames.append(
        tasks.sort("share_pct", descending=True)
        .group_by("pilot", maintain_order=True)
        .first()
        .select(
            "pilot",
            pl.lit("top_task").alias("metric"),
            pl.col("task").alias("label"),
            "share_pct",
        )
        .rename({"share_pct": "value"})
    )
    out = pl.concat([f for f in frames if f.height], how="diagonal_relaxed")
    return out.with_columns(source=pl.lit("survey"), unit=_unit())


def _unit() -> pl.Expr:
    units = {m: u for m, (_, _, u) in METRICS.items()}
    return pl.col("metric").replace_strict(units, default=None)
