"""Pilots side by side in one tidy table.

Each row is one figure of one pilot: how many schools and officers, hours, population,
parents and pupils reached (n, %, 95% interval), contacts per officer-hour, top themes and
partners per officer. Where pilots are compared on a proportion, the row says how: a
chi-square test of homogeneity over the pilots (``method`` and ``p_value``).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from brugdata.analysis._common import CONTACTS_X, Source, pilot_clause, query
from brugdata.analysis._stats import chi2_homogeneity
from brugdata.analysis.reach import parents_of_pupil_cases, reach

__all__ = ["METRICS", "SCHOOL_WEEKS", "compare"]

#: Weeks a school year is worked, for contacts per officer-hour: 52 weeks less about 12 weeks
#: of school holidays. An assumption until the school calendar gives each region's weeks.
SCHOOL_WEEKS = 40

#: metric → (Dutch label, English label, unit)
METRICS: dict[str, tuple[str, str, str]] = {
    "schools": ("Scholen", "Schools", "n"),
    "officers": ("Functionarissen", "Officers", "n"),
    "officers_by_role": ("Functionarissen per rol", "Officers by role", "n"),
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


def compare(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
    top_themes: int = 3,
) -> pl.DataFrame:
    """Pilots side by side: one row per pilot and figure.

    Columns: pilot, metric (a key of :data:`METRICS`), label (the role or theme a row is about,
    else null), value, ci_low, ci_high (95% Wilson interval for percentages), unit, source
    (where the figure comes from: "contacts", "schools", "assignments"), method (how pilots were
    compared, if they were), p_value.
    """
    where, params = _where(pilots, school_year)
    parts = [
        _structure(source, pilots, school_year),
        _reach_rows(source, pilots, school_year),
        _contacts(source, where, params),
        _themes(source, where, params, top_themes),
        _partners(source, pilots, school_year),
    ]
    rows = pl.concat([p for p in parts if p.height], how="diagonal_relaxed")
    rows = rows.with_columns(
        pl.lit(None, dtype=c).alias(n) for n, c in _COLUMNS.items() if n not in rows.columns
    )
    order = {m: i for i, m in enumerate(METRICS)}
    return (
        rows.select([pl.col(n).cast(t) for n, t in _COLUMNS.items()])
        .with_columns(_order=pl.col("metric").replace_strict(order, default=len(order)))
        .sort("pilot", "_order", pl.col("value"), descending=[False, False, True], nulls_last=True)
        .drop("_order")
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
    source: Source, pilots: Sequence[str] | None, school_year: str | None
) -> pl.DataFrame:
    """Population and reach (n, %, interval, per weekly hour), with a test across pilots."""
    r = reach(source, by="pilot", pilots=pilots, school_year=school_year)
    frames = []
    for side, people, pop in (("parent", "parents", "families"), ("pupil", "pupils", "pupils")):
        part = r.filter(pl.col("counterpart") == side)
        chi2, df, p = chi2_homogeneity(
            part["reached"].to_list(),
            [0 if n is None else int(n) for n in part["population"].to_list()],
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
    WITH cx AS (SELECT * FROM ({CONTACTS_X}) WHERE {where}),
    hours AS (
        SELECT s.pilot, sum(a.hours_per_week) AS hours
        FROM assignments a JOIN schools s
          ON s.school_id = a.school_id AND s.school_year = a.school_year
        WHERE {hours_where}
        GROUP BY s.pilot
    )
    SELECT cx.pilot, count(*) AS contacts, any_value(h.hours) AS hours
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
    sql = f"""
    WITH cx AS (SELECT * FROM ({CONTACTS_X}) WHERE {where}),
    n AS (SELECT pilot, count(*) AS contacts FROM cx GROUP BY pilot),
    t AS (SELECT pilot, unnest(list_distinct(themes)) AS theme FROM cx)
    SELECT t.pilot, t.theme AS label, 100.0 * count(*) / any_value(n.contacts) AS value,
           row_number() OVER (PARTITION BY t.pilot ORDER BY count(*) DESC, t.theme) AS rank
    FROM t JOIN n USING (pilot)
    GROUP BY t.pilot, t.theme
    QUALIFY rank <= ?
    """
    frame = query(source, sql, [*params, top])
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
    from brugdata.analysis.network import network

    per_pilot = network(source, pilots=pilots, school_year=school_year).pilots
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


def _unit() -> pl.Expr:
    units = {m: u for m, (_, _, u) in METRICS.items()}
    return pl.col("metric").replace_strict(units, default=None)
