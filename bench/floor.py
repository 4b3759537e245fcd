"""The floor: hand-written DuckDB SQL computing each analysis's numbers straight from the
Parquet files, as someone who knows DuckDB well would write it for this one question (no
store, no validation, no derived tables; aggregate before joining and unnesting where that
is cheaper). Each function takes a fresh connection and the Parquet folder and returns
the core numbers as polars frames, in the shapes of :mod:`core`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from brugdata.analysis._cases import partner_classes
from brugdata.analysis.compare import SCHOOL_WEEKS
from brugdata.analysis.time_use import FALLBACK_TASK, counterpart_tasks
from brugdata.model.vocab import vocabulary

#: school year (start year) of a date, as an integer
Y = "(year(date) - CASE WHEN month(date) < 8 THEN 1 ELSE 0 END)"
SY = "(CAST(y AS VARCHAR) || '-' || CAST(y + 1 AS VARCHAR))"


def _files(folder: Path) -> dict[str, str]:
    def q(name: str) -> str:
        return f"read_parquet('{(folder / name).as_posix()}')"

    return {
        "contacts": q("contacts_*.parquet"),
        "schools": q("schools.parquet"),
        "officers": q("officers.parquet"),
        "assignments": q("assignments.parquet"),
        "time_use": q("time_use.parquet"),
        "partners": q("partners.parquet"),
    }


def reach(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    sql = f"""
    WITH s AS (SELECT school_id, CAST(substr(school_year, 1, 4) AS INTEGER) AS y, pupils,
                      families FROM {f["schools"]}),
    r AS (
        SELECT school_id, {Y} AS y, counterpart,
               count(DISTINCT CASE WHEN counterpart = 'parent'
                                   THEN coalesce(family_key, person_key)
                                   ELSE person_key END) AS reached
        FROM {f["contacts"]} WHERE counterpart IN ('parent', 'pupil')
        GROUP BY ALL
    ),
    p AS (SELECT s.*, c.counterpart FROM s, (VALUES ('parent'), ('pupil')) c(counterpart))
    SELECT school_id, {SY} AS school_year, counterpart, reached, population,
           CASE WHEN population > 0 THEN 100.0 * reached / population END AS pct
    FROM (
        SELECT coalesce(p.school_id, r.school_id) AS school_id, coalesce(p.y, r.y) AS y,
               coalesce(p.counterpart, r.counterpart) AS counterpart,
               coalesce(r.reached, 0) AS reached,
               CASE WHEN coalesce(p.counterpart, r.counterpart) = 'parent' THEN p.families
                    ELSE p.pupils END AS population
        FROM p FULL JOIN r
          ON p.school_id = r.school_id AND p.y = r.y AND p.counterpart = r.counterpart
    )
    """
    return {"reach": con.sql(sql).pl()}


def seasonality(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    sql = f"""
    WITH s AS (SELECT school_id, CAST(substr(school_year, 1, 4) AS INTEGER) AS y, pilot
               FROM {f["schools"]}),
    o AS (SELECT officer_id, pilot FROM {f["officers"]}),
    m AS (
        SELECT pilot, y, theme, school_month, count(*) AS contacts
        FROM (
            SELECT coalesce(s.pilot, o.pilot) AS pilot, c.y,
                   ((month(c.date) + 4) % 12) + 1 AS school_month,
                   unnest(string_split(c.themes, '|')) AS theme
            FROM (SELECT officer_id, school_id, date, themes, {Y} AS y
                  FROM {f["contacts"]}) c
            LEFT JOIN s ON s.school_id = c.school_id AND s.y = c.y
            LEFT JOIN o ON o.officer_id = c.officer_id
        )
        GROUP BY ALL
    ),
    grid AS (SELECT g.pilot, g.y, g.theme, CAST(r.school_month AS BIGINT) AS school_month
             FROM (SELECT DISTINCT pilot, y, theme FROM m) g, range(1, 13) r(school_month)),
    filled AS (SELECT grid.*, CAST(coalesce(m.contacts, 0) AS BIGINT) AS contacts
               FROM grid LEFT JOIN m USING (pilot, y, theme, school_month))
    SELECT pilot, {SY} AS school_year, theme, school_month, contacts,
           contacts / nullif(sum(contacts) OVER (PARTITION BY pilot, y, school_month), 0)
               AS share,
           contacts / nullif(sum(contacts) OVER (PARTITION BY pilot, y, theme) / 12.0, 0)
               AS seasonal_index
    FROM filled
    """
    return {"seasonality": con.sql(sql).pl()}


def network(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    # an officer's links in a school year; the pilot is the officer's
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE links AS
    WITH c AS (SELECT officer_id, school_id, {Y} AS y, counterpart, colleague_role,
                      partner_id, referred_to
               FROM {f["contacts"]}
               WHERE counterpart IN ('colleague', 'partner') OR referred_to IS NOT NULL)
    SELECT o.pilot, l.* FROM (
        SELECT officer_id, school_id, y, colleague_role AS node, 'colleague_role' AS node_kind,
               1 AS contact, 0 AS referral
        FROM c WHERE counterpart = 'colleague' AND colleague_role IS NOT NULL
        UNION ALL
        SELECT officer_id, school_id, y, partner_id, 'partner', 1, 0
        FROM c WHERE counterpart = 'partner' AND partner_id IS NOT NULL
        UNION ALL
        SELECT officer_id, school_id, y, referred_to, 'partner', 0, 1
        FROM c WHERE referred_to IS NOT NULL
    ) l JOIN {f["officers"]} o USING (officer_id)
    """).fetchall()
    edges = con.sql(f"""
        SELECT pilot, {SY} AS school_year, officer_id, node_kind, node,
               CAST(sum(contact) AS BIGINT) AS contacts,
               CAST(sum(referral) AS BIGINT) AS referrals,
               CAST(sum(contact + referral) AS BIGINT) AS weight
        FROM links GROUP BY ALL
    """).pl()
    # every officer in each school year their pilot has schools, assignments or links
    officers = con.sql(f"""
        WITH years AS (
            SELECT DISTINCT pilot, y FROM (
                SELECT pilot, CAST(substr(school_year, 1, 4) AS INTEGER) AS y
                FROM {f["schools"]}
                UNION ALL
                SELECT o.pilot, CAST(substr(a.school_year, 1, 4) AS INTEGER)
                FROM {f["assignments"]} a JOIN {f["officers"]} o USING (officer_id)
                UNION ALL
                SELECT pilot, y FROM links)),
        counts AS (
            SELECT officer_id, y,
                   count(DISTINCT (school_id, node))
                       FILTER (WHERE node_kind = 'colleague_role') AS internal,
                   count(DISTINCT node) FILTER (WHERE node_kind = 'partner') AS external
            FROM links GROUP BY ALL)
        SELECT o.pilot, {SY.replace("y", "years.y")} AS school_year, o.officer_id,
               coalesce(n.internal, 0) AS internal, coalesce(n.external, 0) AS external
        FROM {f["officers"]} o
        JOIN years USING (pilot)
        LEFT JOIN counts n ON n.officer_id = o.officer_id AND n.y = years.y
    """).pl()
    return {"edges": edges, "officers": officers}


def _mapping_sql() -> str:
    rows = ", ".join(f"('{k}', '{v}')" for k, v in counterpart_tasks().items())
    return f"(VALUES {rows}) m(counterpart, task)"


def time_use(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, pl.DataFrame]:
    f = _files(folder)
    tasks = ", ".join(f"('{t}')" for t in vocabulary("task").code_list)
    sql = f"""
    WITH rep AS (SELECT officer_id, school_year, task, CAST(share_pct AS DOUBLE) AS share_pct
                 FROM {f["time_use"]}),
    ry AS (SELECT DISTINCT officer_id, school_year FROM rep),
    per AS (SELECT officer_id, {Y} AS y, counterpart, sum(duration_min) AS minutes
            FROM {f["contacts"]} WHERE duration_min IS NOT NULL GROUP BY ALL),
    logged AS (
        SELECT p.officer_id, {SY.replace("y", "p.y")} AS school_year,
               coalesce(m.task, '{FALLBACK_TASK}') AS task, sum(p.minutes) AS minutes
        FROM per p LEFT JOIN {_mapping_sql()} ON m.counterpart = p.counterpart
        GROUP BY ALL
    ),
    derived AS (
        SELECT officer_id, school_year, task, 100.0 * minutes / total AS share_pct
        FROM (SELECT l.*, sum(minutes) OVER (PARTITION BY officer_id, school_year) AS total
              FROM logged l ANTI JOIN ry USING (officer_id, school_year))
        WHERE total > 0
    ),
    shares AS (SELECT *, 'time_use' AS source FROM rep
               UNION ALL SELECT *, 'contacts' AS source FROM derived),
    tasks AS (SELECT task FROM (VALUES {tasks}) t(task) UNION SELECT task FROM shares)
    SELECT k.officer_id, k.school_year, t.task, coalesce(s.share_pct, 0.0) AS share_pct,
           k.source
    FROM (SELECT DISTINCT officer_id, school_year, source FROM shares) k
    CROSS JOIN tasks t
    LEFT JOIN shares s USING (officer_id, school_year, task)
    """
    return {"time_use": con.sql(sql).pl()}


def _classes_sql() -> str:
    """The partner classes (light, specialised) of ``partner_classes.toml`` as a VALUES list."""
    rows = ", ".join(f"('{kind}', '{cls}')" for kind, cls in partner_classes().items())
    return f"(VALUES {rows}) cl(kind, partner_class)"


def compare(
    con: duckdb.DuckDBPyConnection, folder: Path, school_year: str, top: int = 3
) -> dict[str, pl.DataFrame]:
    """The figures and top themes of ``school_year`` per pilot, and each one's value in the
    school year before (``previous``, ``previous_themes``: previous_value and change)."""
    f = _files(folder)
    year = int(school_year[:4])
    before = f"{year - 1}-{year}"
    years = f"('{before}', '{school_year}')"
    # the contacts of the school year and of the one before it, with their school year and
    # pilot (the school's that year, else the officer's)
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE cy AS
    WITH s AS (SELECT * FROM {f["schools"]} WHERE school_year IN {years})
    SELECT c.school_year, coalesce(s.pilot, o.pilot) AS pilot, c.officer_id, c.school_id,
           c.date, c.counterpart, c.person_key, c.family_key, c.colleague_role, c.partner_id,
           c.referred_to, c.themes, s.families IS NOT NULL AS families_known,
           s.pupils IS NOT NULL AS pupils_known
    FROM (SELECT *, CASE WHEN date >= DATE '{year}-08-01' THEN '{school_year}'
                         ELSE '{before}' END AS school_year
          FROM {f["contacts"]}
          WHERE date >= DATE '{year - 1}-08-01' AND date < DATE '{year + 1}-08-01') c
    LEFT JOIN s ON s.school_id = c.school_id AND s.school_year = c.school_year
    LEFT JOIN {f["officers"]} o ON o.officer_id = c.officer_id
    """).fetchall()
    # every figure per pilot and school year; ``basis`` says over how many of how many schools
    # a population (and reach as a % of it) is when some school's count is unknown: brugdata
    # gives the change of such a figure only when both years are over the same number
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE figs AS
    WITH s AS (SELECT * FROM {f["schools"]} WHERE school_year IN {years}),
    o AS (SELECT * FROM {f["officers"]}),
    hours AS (SELECT s.pilot, s.school_year, sum(a.hours_per_week) AS hours
              FROM {f["assignments"]} a JOIN s USING (school_id, school_year)
              GROUP BY ALL),
    -- a population with schools of unknown count is given over the schools whose count is
    -- known, and so is the reach as a share of it
    pop AS (SELECT pilot, school_year, count(DISTINCT school_id) AS schools,
                   CAST(sum(pupils) AS DOUBLE) AS pupils,
                   CAST(sum(families) AS DOUBLE) AS families,
                   count(*) FILTER (WHERE pupils IS NULL) AS pupils_unknown,
                   count(*) FILTER (WHERE families IS NULL) AS families_unknown
            FROM s GROUP BY ALL),
    reached AS (
        SELECT pilot, school_year,
               count(DISTINCT coalesce(family_key, person_key))
                   FILTER (WHERE counterpart = 'parent') AS parents,
               count(DISTINCT person_key) FILTER (WHERE counterpart = 'pupil') AS pupils,
               count(DISTINCT coalesce(family_key, person_key))
                   FILTER (WHERE counterpart = 'parent' AND families_known) AS parents_known,
               count(DISTINCT person_key)
                   FILTER (WHERE counterpart = 'pupil' AND pupils_known) AS pupils_known,
               count(*) AS contacts
        FROM cy GROUP BY ALL),
    pupil_cases AS (
        SELECT pilot, school_year, person_key, any_value(family_key) AS family_key
        FROM cy WHERE counterpart = 'pupil' GROUP BY ALL),
    parent_families AS (
        SELECT DISTINCT pilot, school_year, coalesce(family_key, person_key) AS family
        FROM cy WHERE counterpart = 'parent'),
    parents_of_pupils AS (
        SELECT u.pilot, u.school_year, count(u.family_key) AS linked,
               count(p.family) AS contacted
        FROM pupil_cases u LEFT JOIN parent_families p
          ON p.pilot = u.pilot AND p.school_year = u.school_year AND p.family = u.family_key
        GROUP BY ALL),
    -- a case: one family at one school in one school year, from its parent and pupil
    -- contacts and the other contacts that name the family and refer
    case_contacts AS (
        SELECT pilot, school_id, school_year, date, referred_to,
               CASE WHEN counterpart IN ('parent', 'pupil')
                    THEN coalesce(family_key, person_key) ELSE family_key END AS family
        FROM cy
        WHERE (counterpart IN ('parent', 'pupil') AND coalesce(family_key, person_key) IS NOT NULL)
           OR (referred_to IS NOT NULL AND family_key IS NOT NULL)),
    family_cases AS (
        SELECT x.pilot, x.school_year,
               CASE WHEN bool_or(cl.partner_class = 'specialised') THEN 'specialised'
                    WHEN bool_or(cl.partner_class = 'light') THEN 'light'
                    WHEN count(x.referred_to) > 0 THEN 'unclassified'
                    ELSE 'none' END AS referral_class,
               date_diff('day', min(x.date), min(x.date) FILTER (WHERE x.referred_to IS NOT NULL))
                   AS days_to_referral
        FROM case_contacts x
        LEFT JOIN {f["partners"]} p ON p.partner_id = x.referred_to
        LEFT JOIN {_classes_sql()} ON cl.kind = p.kind
        GROUP BY x.pilot, x.school_id, x.school_year, x.family),
    outcomes AS (
        SELECT pilot, school_year, count(*) AS cases,
               count(*) FILTER (WHERE referral_class = 'none') AS no_referral,
               count(*) FILTER (WHERE referral_class = 'specialised') AS specialised,
               median(days_to_referral) AS median_days
        FROM family_cases GROUP BY ALL),
    links AS (
        SELECT officer_id, school_id, school_year, colleague_role AS node,
               'colleague_role' AS kind
        FROM cy WHERE counterpart = 'colleague' AND colleague_role IS NOT NULL
        UNION ALL SELECT officer_id, school_id, school_year, partner_id, 'partner'
        FROM cy WHERE counterpart = 'partner' AND partner_id IS NOT NULL
        UNION ALL SELECT officer_id, school_id, school_year, referred_to, 'partner'
        FROM cy WHERE referred_to IS NOT NULL),
    per_officer AS (
        SELECT o.pilot, o.officer_id, y.school_year,
               count(DISTINCT (l.school_id, l.node)) FILTER (WHERE l.kind = 'colleague_role')
                   AS internal,
               count(DISTINCT l.node) FILTER (WHERE l.kind = 'partner') AS external
        FROM o CROSS JOIN (VALUES ('{before}'), ('{school_year}')) y(school_year)
        LEFT JOIN links l ON l.officer_id = o.officer_id AND l.school_year = y.school_year
        GROUP BY ALL),
    partners AS (SELECT pilot, school_year, avg(internal) AS internal,
                        avg(external) AS external
                 FROM per_officer GROUP BY ALL),
    officers AS (SELECT pilot, count(*) AS officers FROM o GROUP BY ALL)
    SELECT pilot, school_year, metric, value,
           CASE WHEN metric IN ('families', 'parents_reached_pct') THEN families_basis
                WHEN metric IN ('pupils', 'pupils_reached_pct') THEN pupils_basis END AS basis
    FROM (
        SELECT p.pilot, p.school_year, p.schools AS "schools", officers.officers AS "officers",
               h.hours AS "hours_per_week", p.pupils AS "pupils", p.families AS "families",
               r.parents AS "parents_reached", r.pupils AS "pupils_reached",
               100.0 * CASE WHEN p.families_unknown > 0 THEN r.parents_known ELSE r.parents END
                   / p.families AS "parents_reached_pct",
               100.0 * CASE WHEN p.pupils_unknown > 0 THEN r.pupils_known ELSE r.pupils END
                   / p.pupils AS "pupils_reached_pct",
               r.parents / h.hours AS "parents_reached_per_weekly_hour",
               r.pupils / h.hours AS "pupils_reached_per_weekly_hour",
               r.contacts AS "contacts",
               r.contacts / (h.hours * {SCHOOL_WEEKS}) AS "contacts_per_officer_hour",
               100.0 * c.contacted / c.linked AS "pupil_cases_parents_contacted_pct",
               pa.internal AS "internal_per_officer", pa.external AS "external_per_officer",
               100.0 * oc.no_referral / oc.cases AS "cases_no_referral_pct",
               100.0 * oc.specialised / oc.cases AS "cases_specialised_pct",
               oc.median_days AS "median_days_to_referral",
               CASE WHEN p.families_unknown > 0 AND p.families > 0
                    THEN (p.schools - p.families_unknown) || ' of ' || p.schools
               END AS families_basis,
               CASE WHEN p.pupils_unknown > 0 AND p.pupils > 0
                    THEN (p.schools - p.pupils_unknown) || ' of ' || p.schools
               END AS pupils_basis
        FROM pop p
        LEFT JOIN officers USING (pilot) LEFT JOIN hours h USING (pilot, school_year)
        LEFT JOIN reached r USING (pilot, school_year)
        LEFT JOIN parents_of_pupils c USING (pilot, school_year)
        LEFT JOIN partners pa USING (pilot, school_year)
        LEFT JOIN outcomes oc USING (pilot, school_year)
    ) UNPIVOT INCLUDE NULLS (value FOR metric IN (
        "schools", "officers", "hours_per_week", "pupils", "families", "parents_reached",
        "pupils_reached", "parents_reached_pct", "pupils_reached_pct",
        "parents_reached_per_weekly_hour", "pupils_reached_per_weekly_hour", "contacts",
        "contacts_per_officer_hour", "pupil_cases_parents_contacted_pct",
        "internal_per_officer", "external_per_officer", "cases_no_referral_pct",
        "cases_specialised_pct", "median_days_to_referral"))
    """).fetchall()
    figures = con.sql(f"SELECT * EXCLUDE (basis) FROM figs WHERE school_year = '{school_year}'")
    previous = con.sql(f"""
        SELECT f.pilot, f.school_year, f.metric, b.value AS previous_value,
               f.value - b.value AS change
        FROM figs f LEFT JOIN figs b
          ON b.pilot = f.pilot AND b.metric = f.metric AND b.school_year = '{before}'
         AND b.basis IS NOT DISTINCT FROM f.basis
        WHERE f.school_year = '{school_year}'
    """)
    themes = con.sql(f"""
        WITH g AS (SELECT pilot, school_year, themes, count(*) AS n FROM cy GROUP BY ALL),
        n AS (SELECT pilot, school_year, sum(n) AS contacts FROM g GROUP BY ALL),
        t AS (SELECT pilot, school_year, theme, sum(n) AS n
              FROM (SELECT pilot, school_year, n, unnest(string_split(themes, '|')) AS theme
                    FROM g)
              GROUP BY ALL),
        ranked AS (
            SELECT t.pilot, t.school_year, t.theme AS label, 100.0 * t.n / n.contacts AS value
            FROM t JOIN n USING (pilot, school_year)
            QUALIFY row_number() OVER (PARTITION BY t.pilot, t.school_year
                                       ORDER BY t.n DESC, t.theme) <= {top})
        -- a theme's share the year before when it was among the top themes then too
        SELECT y.pilot, y.school_year, y.label, y.value, b.value AS previous_value,
               y.value - b.value AS change
        FROM ranked y LEFT JOIN ranked b
          ON b.pilot = y.pilot AND b.label = y.label AND b.school_year = '{before}'
        WHERE y.school_year = '{school_year}'
    """).pl()
    return {
        "figures": figures.pl(),
        "top_themes": themes.drop("previous_value", "change"),
        "previous": previous.pl(),
        "previous_themes": themes.drop("value"),
    }
